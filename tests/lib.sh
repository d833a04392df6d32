# lib.sh - helpers for the end-to-end shell tests (sourced by tests/*.t).
#
# Each test prints TAP (run by `prove`).  The binaries are taken from
# $BUILD (default: build/ at the top of the tree); indexes go in a
# temporary directory removed at exit.  Real records are read in place from
# ../shared ($TS_SHARED); need_shared skips the whole test file when absent.

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
TS_INDEX=$BUILD/trialsearch-index
TS_QUERY=$BUILD/trialsearch
TS_INDEX_BIN=$TS_INDEX
SHARED=${TS_SHARED:-$TOP/../shared}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ts-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Under `make check-valgrind`, TS_VALGRIND holds the valgrind command line
# and TS_VALGRIND_LOGS a directory for one log per process.  $TS_INDEX and
# $TS_QUERY then name small scripts that run the real binaries through
# valgrind, and $TS_RUN prefixes any other command to do the same (it is
# empty otherwise: write it unquoted, $TS_RUN prog).
#
# A test may carry suppressions of its own, for a leak inside a library
# that only it provokes: tests/NAME.valgrind.supp is passed to valgrind,
# and tests/NAME.lsan.supp to LeakSanitizer (make check-asan), with the
# full unwinder so that frames of a library built without frame pointers
# can match.  Any other leak is still reported.
_supp=$TOP/tests/$(basename "$0" .t)
if [ -f "$_supp.lsan.supp" ]; then
    export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$_supp.lsan.supp:print_suppressions=0:fast_unwind_on_malloc=0"
fi
if [ -n "${TS_VALGRIND:-}" ] && [ -f "$_supp.valgrind.supp" ]; then
    TS_VALGRIND="$TS_VALGRIND --suppressions=$_supp.valgrind.supp"
fi
TS_RUN=
if [ -n "${TS_VALGRIND:-}" ]; then
    mkdir -p "$TMP/vg" "${TS_VALGRIND_LOGS:=$TMP/vg}"
    _vglog="$TS_VALGRIND_LOGS/$(basename "$0" .t)"
    printf '#!/bin/sh\nexec %s --log-file=%s.%%p.log "$@"\n' "$TS_VALGRIND" "$_vglog" >"$TMP/vg/run"
    for _b in trialsearch-index trialsearch; do
        printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$TMP/vg/run" "$BUILD/$_b" >"$TMP/vg/$_b"
    done
    chmod +x "$TMP/vg/run" "$TMP/vg/trialsearch-index" "$TMP/vg/trialsearch"
    TS_INDEX=$TMP/vg/trialsearch-index TS_QUERY=$TMP/vg/trialsearch TS_RUN=$TMP/vg/run
fi
unset TRIALSEARCH_DB NO_COLOR
export HOME=$TMP/home XDG_DATA_HOME=

_n=0
_failed=0

plan() { echo "1..$1"; }

ok() { # ok COND-EXIT-STATUS DESCRIPTION
    _n=$((_n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}

# is GOT WANT DESCRIPTION
is() {
    _n=$((_n + 1))
    if [ "$1" = "$2" ]; then echo "ok $_n - $3"
    else
        echo "not ok $_n - $3"; _failed=$((_failed + 1))
        printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -20
    fi
}

# like GOT PATTERN DESCRIPTION: GOT matches the extended regex PATTERN
like() {
    _n=$((_n + 1))
    if printf '%s' "$1" | grep -Eq -- "$2"; then echo "ok $_n - $3"
    else
        echo "not ok $_n - $3"; _failed=$((_failed + 1))
        printf '%s\n' "$1" | head -20 | sed 's/^/#   got: /'
        printf '#   want match: %s\n' "$2"
    fi
}

# unlike GOT PATTERN DESCRIPTION
unlike() {
    _n=$((_n + 1))
    if printf '%s' "$1" | grep -Eq -- "$2"; then
        echo "not ok $_n - $3"; _failed=$((_failed + 1))
        printf '%s\n' "$1" | grep -E -- "$2" | head -5 | sed 's/^/#   matched: /'
    else echo "ok $_n - $3"; fi
}

skip_all() { echo "1..0 # SKIP $1"; exit 0; }
need_shared() { [ -d "$SHARED/data" ] && [ -d "$SHARED/seeds" ] || skip_all "../shared not found (set TS_SHARED)"; }

done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }

# run CMD...: sets $out (stdout), $err (stderr) and $rc (exit status)
run() {
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

# field JSON KEY: the value of KEY in the JSON object JSON
field() { printf '%s' "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }
# docs DB: the number of records in the index DB
docs() { field "$("$TS_INDEX" --db "$1" --stats --json)" documents; }
# hits QUERY [trialsearch options...]: the total and the hits with their
# scores, sorted (trials of equal score may come in either order: document
# numbers differ between indexes)
hits() { local q=$1; shift; "$TS_QUERY" "$@" --json --limit 1000 "$q" | python3 -c '
import json,sys
hits, total = [], None
for l in sys.stdin:
    o = json.loads(l)
    if o.get("type") == "hit": hits.append((-round(o["score"], 9), o["id"]))
    elif o.get("type") == "summary": total = o["total"]
print("total", total)
for s, i in sorted(hits): print(i, -s)'; }

# A shared index of ../shared/data and ../shared/seeds, built once per
# build of the indexer (the e2e tests read it; none writes to it).  Being a
# fixture, it is built by the plain indexer even under valgrind, where it
# would take most of an hour (index_shared.t tests that indexing).
shared_index() {
    need_shared
    SHARED_DB=$BUILD/test-shared-index
    if [ ! -f "$SHARED_DB/.complete" ] || [ "$TS_INDEX_BIN" -nt "$SHARED_DB/.complete" ]; then
        rm -rf "$SHARED_DB"
        "$TS_INDEX_BIN" --db "$SHARED_DB" "$SHARED/data" "$SHARED/seeds" >"$TMP/shared-index.log" 2>&1 ||
            { echo "# building the shared index failed:"; sed 's/^/# /' "$TMP/shared-index.log"; return 1; }
        touch "$SHARED_DB/.complete"
    fi
}
