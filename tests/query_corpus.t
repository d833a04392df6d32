#!/bin/sh
# query_corpus.t - trialsearch over the nine sample records of corpus/:
# fielded queries, filters, output formats, colour, exit statuses and
# write errors.
. "$(dirname "$0")/lib.sh"

DB=$TMP/db
"$TS_INDEX" --db "$DB" "$TOP/corpus" >"$TMP/index.log" 2>&1
ok $? "index corpus/"

ts() { "$TS_QUERY" --db "$DB" "$@"; }
# ids QUERY [OPTIONS...]: the ids found (all of them, no fallback), sorted
ids() { q=$1; shift; ts --ids --limit 100 --no-fallback "$@" -- "$q" | sort | tr '\n' ' ' | sed 's/ $//'; }

# ---- ranking and the query language -----------------------------------
run ts "intrathecal ALS"
is "$rc" 0 "intrathecal ALS: exit 0"
like "$out" '^2 trials match' "header line gives the total"
like "$out" 'NCT09900001' "lists the intrathecal MSC trial"
like "$out" 'NCT09900003' "lists the intrathecal antisense trial"
unlike "$out" 'NCT09900002' "leaves out the trial without those words"
is "$(ts --ids 'intrathecal ALS' | head -2 | sort | tr '\n' ' ')" "NCT09900001 NCT09900003 " "both ALS trials first"

is "$(ids 'condition:epilepsy')" "NCT09900004 NCT09900005" "condition:epilepsy"
is "$(ids 'cond:epilepsy')" "NCT09900004 NCT09900005" "cond: alias"
is "$(ids 'intervention:vigabatrin')" "NCT09900005" "intervention:"
is "$(ids 'intr:(vigabatrin OR ravelatine)')" "NCT09900004 NCT09900005" "field applies to a group"
is "$(ids 'title:sclerosis')" "NCT09900001 NCT09900003 NCT09900006" "title:"
is "$(ids 'id:NCT09900004')" "NCT09900004" "id:"
is "$(ids 'location:nantes')" "NCT09900005" "location:"
# The long fields keep only stems of their own (schema.c): a word taken
# exactly, a number, a wildcard and a phrase in one are still found.
is "$(ids 'summary:ALS')" "NCT09900001 NCT09900003" "a word in capitals in a long field"
is "$(ids 'summary:12')" "NCT09900004 NCT09900007" "a number in a long field"
is "$(ids 'summary:oligonucl*')" "NCT09900003" "a wildcard in a long field"
is "$(ids 'summary:seizures*')" "NCT09900004" \
    "a wildcard longer than the stem it matches (seizures: seizur)"
is "$(ids 'summary:"lumbar puncture"')" "NCT09900001 NCT09900003" "a phrase in a long field"
is "$(ids 'mesh:epilepsy')" "NCT09900004" "mesh:"
is "$(ids 'exclusion:pregnancy')" "NCT09900001 NCT09900006 NCT09900008" "exclusion:"
is "$(ids 'pregnancy')" "" "exclusion criteria stay out of the default search"
is "$(ids '"motor neuron disease" -intrathecal')" "NCT09900002" "phrase and -word"
is "$(ids 'ALS NOT c9orf72')" "NCT09900001" "NOT"
is "$(ids 'diabetes OR parkinson')" "NCT09900007 NCT09900009" "OR"
is "$(ids 'spasms NEAR infantile')" "NCT09900005" "NEAR"
is "$(ids 'epilep*')" "NCT09900004 NCT09900005" "trailing wildcard"
is "$(ids '-sclerosis')" "NCT09900002 NCT09900004 NCT09900005 NCT09900007 NCT09900008 NCT09900009" "only -word: every trial without it"
is "$(ids 'NOT sclerosis')" "$(ids '-sclerosis')" "NOT word alone: the same"
is "$(ids 'Epilepsy')" "NCT09900004 NCT09900005" "case does not matter"

# ---- filters -----------------------------------------------------------
is "$(ids 'status:open')" "NCT09900001 NCT09900003 NCT09900005 NCT09900006 NCT09900009" "status:open"
is "$(ids '' --status open)" "NCT09900001 NCT09900003 NCT09900005 NCT09900006 NCT09900009" "--status open"
is "$(ids 'status:"active, not recruiting"')" "NCT09900008" "status with a comma"
is "$(ids '' --status completed,withdrawn)" "NCT09900002 NCT09900004 NCT09900007" "--status list"
is "$(ids '' --phase 2)" "NCT09900001 NCT09900005 NCT09900006 NCT09900008" "--phase 2"
is "$(ids 'phase:2/3')" "NCT09900006" "phase:2/3 needs both phases"
is "$(ids '' --phase 1/2)" "" "--phase 1/2: no trial is phase 1 and 2"
is "$(ids '' --phase na)" "NCT09900002" "--phase na"
is "$(ids '' --type observational)" "NCT09900009" "--type observational"
is "$(ids '' --healthy yes)" "NCT09900009" "--healthy yes"
is "$(ids 'cancer OR sclerosis' --sex male)" "NCT09900001 NCT09900003 NCT09900006" "--sex male rejects the women-only trial"
is "$(ids 'cancer OR sclerosis' --sex female)" "NCT09900001 NCT09900003 NCT09900006 NCT09900008" "--sex female admits trials for all"
is "$(ids 'country:france')" "NCT09900005" "country:"
is "$(ids '' --country 'united states' --phase 2)" "$(ids 'country:"united states" phase:2')" "--country equals country:"
# ages: 0004 18-60, 0003 21-80, 0005 3-24 months, 0002 18 and no maximum
is "$(ids 'condition:epilepsy' --age 18)" "NCT09900004" "--age 18: lower limit admits"
is "$(ids 'condition:epilepsy' --age 60)" "NCT09900004" "--age 60: upper limit admits"
is "$(ids 'condition:epilepsy' --age 61)" "" "--age 61: over the upper limit"
is "$(ids 'condition:epilepsy' --age 1)" "NCT09900005" "--age 1: the infant trial only"
is "$(ids 'sclerosis OR neuron' --age 20)" "NCT09900001 NCT09900002 NCT09900006" "--age 20: 21-80 trial rejected"
is "$(ids '' --age 95)" "NCT09900002" "--age 95: a missing maximum admits"
is "$(ids 'age:95')" "NCT09900002" "age: in the query"
# dates and numbers
is "$(ids 'start:2024')" "NCT09900001 NCT09900003 NCT09900005 NCT09900006" "start:YYYY"
is "$(ids 'start:..2021-12')" "NCT09900002 NCT09900004" "start:..YYYY-MM"
is "$(ids 'start:2024-06-10..2024-12-31')" "NCT09900006" "start: day range"
is "$(ids 'updated:2025-01-01..')" "NCT09900001 NCT09900005 NCT09900006 NCT09900009" "updated:DATE.."
is "$(ids 'enrollment:50..200')" "NCT09900002 NCT09900005 NCT09900008 NCT09900009" "enrollment:a..b"
is "$(ids 'enrollment:540')" "NCT09900006" "enrollment:N"

# ---- fallback ------------------------------------------------------------
run ts --color=never "epilepsy zzqxunknown"
is "$rc" 0 "partial match: exit 0"
like "$out" 'No trial matches all words.*Dropped: zzqxunknown' "note names the dropped word"
like "$out" 'NCT09900004' "shows the trials with the other words"
run ts --no-fallback "epilepsy zzqxunknown"
is "$rc" 1 "--no-fallback: exit 1"

# ---- sorting and paging ---------------------------------------------------
is "$(ts --ids --sort enrollment --limit 2 '' | tr '\n' ' ')" "NCT09900006 NCT09900004 " "--sort enrollment: largest first"
is "$(ts --ids --sort enrollment --reverse --limit 1 --status withdrawn,completed)" "NCT09900007" "--reverse: smallest first"
is "$(ts --ids --sort start --limit 1 --status open)" "NCT09900009" "--sort start: newest first"
is "$(ts --ids --sort enrollment --offset 1 --limit 1 --status open,completed,withdrawn,active_not_recruiting)" "NCT09900004" "--offset"

# ---- output formats --------------------------------------------------------
run ts --json --fields enrollment,min_age,locations "intrathecal ALS"
is "$rc" 0 "--json: exit 0"
printf '%s\n' "$out" >"$TMP/json"
python3 - "$TMP/json" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
hits = [o for o in objs if o["type"] == "hit"]
assert len(hits) == 2, len(hits)
for i, h in enumerate(hits):
    for k in ("rank", "id", "score", "title", "status", "phases", "conditions",
              "interventions", "snippet", "highlights", "enrollment", "min_age", "locations"):
        assert k in h, k
    assert h["rank"] == i + 1
    assert isinstance(h["phases"], list) and isinstance(h["conditions"], list)
    assert "\x01" not in h["snippet"] and h["highlights"]
s = objs[-1]
assert s["type"] == "summary" and s["total"] == 2 and s["format_version"] == 1, s
assert s["query"] == "intrathecal ALS" and s["parsed"] and s["dropped"] is None
assert isinstance(s["elapsed_ms"], (int, float))
EOF
ok $? "--json: every line parses; hits and summary have the documented keys"
is "$(ts --format-version)" "1" "--format-version prints the schema version"
run ts --format-version=2 ALS
is "$rc" 2 "--format-version=2 is refused"

run ts --json --facets status,phase --limit 1 ""  --status open
python3 -c '
import json, sys
s = [json.loads(l) for l in sys.stdin.read().splitlines()][-1]
f = s["facets"]
assert sum(v["count"] for v in f["status"]) == 5, f
assert {"value": "Recruiting", "count": 3} in f["status"], f
' <<EOF
$out
EOF
ok $? "--facets count over all matches, not only the hits shown"

is "$(ts --count 'condition:epilepsy')" "2" "--count"
is "$(ts --ids 'id:NCT09900005')" "NCT09900005" "--ids"
run ts --format=trec --run-tag myrun "intrathecal ALS"
like "$out" '^1 Q0 NCT0990000[13] 1 [0-9.]+ myrun$' "--format=trec line shape"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 2 "--format=trec: one line per hit"

printf 'intrathecal ALS\ncondition:epilepsy\n\nepilepsy AND\n' | ts --batch >"$TMP/batch"
is "$?" 2 "--batch with a bad line: exit 2"
python3 - "$TMP/batch" <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
summ = {o["line"]: o for o in objs if o["type"] == "summary"}
assert summ[1]["total"] == 2 and summ[2]["total"] == 2, summ
err = [o for o in objs if o["type"] == "error"]
assert len(err) == 1 and err[0]["line"] == 4 and err[0]["status"] == "bad-query", err
assert all("line" in o for o in objs)
EOF
ok $? "--batch: JSON Lines tagged with the line number, errors reported per line"
is "$(printf 'ALS\ncondition:epilepsy\n' | ts --batch --format=trec | cut -d' ' -f1 | sort -u | tr '\n' ' ')" "1 2 " "--batch trec: topic = line number"

# ---- --batch on several threads --------------------------------------------
# Lines of unequal cost (every fifth is 451 words joined by OR), bad
# line and a blank one: with 4 threads the answers come in the order of
# the lines, the same as with one.
python3 - "$TMP/mixed" <<'EOF'
import sys
heavy = " OR ".join("w%d" % i for i in range(450)) + " OR intrathecal"
cheap = ["intrathecal ALS", "condition:epilepsy", "id:NCT09900004", "sclerosis", "ALS AND"]
with open(sys.argv[1], "w") as f:
    for i in range(120):
        f.write((heavy if i % 5 == 0 else cheap[i % len(cheap)]) + "\n")
        if i == 60:
            f.write("\n")
EOF
ts --batch --jobs 1 <"$TMP/mixed" >"$TMP/batch1"; rc1=$?
ts --batch --jobs 4 <"$TMP/mixed" >"$TMP/batch4"; rc4=$?
is "$rc1 $rc4" "2 2" "--batch --jobs 1 and 4: exit 2 for the bad lines"
python3 - "$TMP/batch1" "$TMP/batch4" <<'EOF'
import json, sys
def load(p):
    out = []
    for l in open(p):
        o = json.loads(l)
        o.pop("elapsed_ms", None)
        out.append(o)
    return out
one, four = load(sys.argv[1]), load(sys.argv[2])
lines = [o["line"] for o in four]
assert lines == sorted(lines), "answers out of line order"
assert len(set(lines)) == 120, len(set(lines))
assert one == four, "--jobs 4 differs from --jobs 1"
EOF
ok $? "--batch --jobs 4: the answers of --jobs 1, in the order of the lines"
ts --batch --ids --jobs 1 <"$TMP/mixed" >"$TMP/ids1" 2>"$TMP/ids1.err"
ts --batch --ids --jobs 4 <"$TMP/mixed" >"$TMP/ids4" 2>"$TMP/ids4.err"
cmp -s "$TMP/ids1" "$TMP/ids4" && cmp -s "$TMP/ids1.err" "$TMP/ids4.err"
ok $? "--batch --ids --jobs 4: the output and the messages of the bad lines of --jobs 1, in order"
is "$(grep -c 'line [0-9]*: bad query' "$TMP/ids4.err")" 24 "--batch --ids: one message per bad line"
for j in 0 65 x; do
    run ts --batch --jobs "$j" </dev/null
    is "$rc" 2 "--jobs $j: usage error"
done
run ts --jobs 2 ALS
is "$rc" 2 "--jobs without --batch: usage error"
# Not under valgrind or the sanitizers: they need descriptors of their own
# (UBSan's type check reads /proc/self/maps, and reports a false "invalid
# vptr" when it cannot open it).
if [ -z "${TS_VALGRIND:-}" ] && [ -z "${ASAN_OPTIONS:-}" ]; then
    # Too few file descriptors for 16 handles: fewer threads, the same answers.
    (ulimit -n 30 && exec "$TS_QUERY" --db "$DB" --batch --jobs 16) <"$TMP/mixed" >"$TMP/fewfd" 2>"$TMP/fewfd.err"
    is "$?" 2 "--jobs 16 with 30 file descriptors: exit 2 for the bad lines"
    like "$(cat "$TMP/fewfd.err")" '^trialsearch: searching with [0-9]+ threads?: another handle of the index' \
        "and a warning that fewer threads search"
    python3 - "$TMP/batch1" "$TMP/fewfd" <<'EOF'
import json, sys
def load(p):
    return [dict((k, v) for k, v in json.loads(l).items() if k != "elapsed_ms") for l in open(p)]
assert load(sys.argv[1]) == load(sys.argv[2])
EOF
    ok $? "and the answers of --jobs 1"
fi

# A program that writes a line and waits gets its answer before it writes
# the next; --jobs 3 runs three searching threads besides the reader.
mkfifo "$TMP/qin"
"$TS_QUERY" --db "$DB" --batch --count --jobs 3 <"$TMP/qin" >"$TMP/qout" 2>&1 &
qpid=$!
exec 7>"$TMP/qin"
echo "intrathecal ALS" >&7
i=0
while [ ! -s "$TMP/qout" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
is "$(cat "$TMP/qout")" "$(printf '1\t2')" "--batch: the answer to a line comes before the input ends"
if [ -z "${TS_VALGRIND:-}" ] && [ -d "/proc/$qpid/task" ]; then
    is "$(ls "/proc/$qpid/task" | wc -l | tr -d ' ')" 5 "--jobs 3: the main thread, a reader and three searching threads"
fi
echo "condition:epilepsy" >&7
exec 7>&-
wait $qpid
is "$?" 0 "--batch from a pipe: exit 0"
is "$(cut -f2 "$TMP/qout" | tr '\n' ' ')" "2 2 " "--batch from a pipe: both answers"

# Output closed while the input is still open: exit 3 at once, without
# waiting for more input.
mkfifo "$TMP/qin2"
(cat "$TMP/mixed" "$TMP/mixed"; sleep 60) >"$TMP/qin2" &
feeder=$!
timeout 30 bash -c '"$0" --db "$1" --batch --jobs 2 <"$2" 2>"$3" | head -c 1 >/dev/null; exit ${PIPESTATUS[0]}' \
    "$TS_QUERY" "$DB" "$TMP/qin2" "$TMP/err"
rc=$?
kill $feeder 2>/dev/null
is "$rc" 3 "--batch --jobs 2, output closed, input still open: exit 3 without waiting"
like "$(cat "$TMP/err")" 'write error' "and the write error is reported"

run ts --explain --color=never "condition:epilepsy vigabatrin"
like "$out" 'Parsed query: .*condition:epilepsi' "--explain shows the parsed query"
like "$out" 'matched in: .*condition.*intervention' "--explain shows the fields that matched"

# ---- colour ------------------------------------------------------------------
esc=$(printf '\033')
run ts "intrathecal ALS"
unlike "$out" "$esc" "no escape codes when stdout is not a terminal"
like "$out" '\[[Ii]ntrathecal\]' "matches are bracketed without colour"
run ts --color=always "intrathecal ALS"
like "$out" "$esc\\[1;31m" "--color=always highlights matches"
run env NO_COLOR=1 "$TS_QUERY" --db "$DB" "intrathecal ALS"
unlike "$out" "$esc" "NO_COLOR: no escape codes"
run ts --color=never "intrathecal ALS"
unlike "$out" "$esc" "--color=never: no escape codes"
if command -v script >/dev/null 2>&1; then
    script -qfec "NO_COLOR=1 '$TS_QUERY' --db '$DB' 'intrathecal ALS'" /dev/null >"$TMP/tty" 2>&1
    unlike "$(cat "$TMP/tty")" "$esc\\[" "NO_COLOR on a terminal: no escape codes"
    script -qfec "'$TS_QUERY' --db '$DB' 'intrathecal ALS'" /dev/null >"$TMP/tty" 2>&1
    like "$(cat "$TMP/tty")" "$esc\\[1;31m" "on a terminal: colour by default"
fi

# ---- exit statuses and errors ---------------------------------------------------
run ts "zzqxunknown"
is "$rc" 1 "no hits: exit 1"
is "$out" "0 trials match zzqxunknown" "no hits: the header says so" 
run ts --bogus-option ALS
is "$rc" 2 "unknown option: exit 2"
like "$err" "Try 'trialsearch --help'" "unknown option: usage hint on stderr"
run ts
is "$rc" 2 "no query: exit 2"
run ts --limit ten ALS
is "$rc" 2 "--limit ten: exit 2"
run ts --age old ALS
is "$rc" 2 "--age old: exit 2"
run ts '(epilepsy'
is "$rc" 2 "unbalanced bracket: exit 2"
like "$err" "^trialsearch: bad query: unclosed '\\(' at column 1" "unbalanced bracket: message and column"
run ts 'epilepsy "stem cells'
is "$rc" 2 "unclosed quote: exit 2"
like "$err" 'column 10' "unclosed quote: column"
run ts 'epilepsy AND'
is "$rc" 2 "dangling AND: exit 2"
unlike "$err" 'Xapian|terminate|what\(\)' "no C++ exception text"
run ts 'cancer 2012..2014'
is "$rc" 2 "range without a field: exit 2"
like "$err" 'range without a range field.*column 8' "range without a field: message and column"
run ts 'status:bogus'
is "$rc" 2 "unknown status value: exit 2"
run ts --db "$TMP/nonexistent" ALS
is "$rc" 3 "missing index: exit 3"
like "$err" '^trialsearch: ' "missing index: message on stderr"
mkdir -p "$TMP/empty"
run ts --db "$TMP/empty" ALS
is "$rc" 3 "a directory with no index: exit 3"
cp -r "$DB" "$TMP/bad"
for f in "$TMP"/bad/*.glass; do head -c 5000 /dev/urandom >"$f"; done
run "$TS_QUERY" --db "$TMP/bad" ALS
is "$rc" 3 "corrupt index: exit 3"
unlike "$err" 'terminate|what\(\)' "corrupt index: no C++ exception text"
run env TRIALSEARCH_DB="$TMP/nonexistent" "$TS_QUERY" ALS
is "$rc" 3 "missing \$TRIALSEARCH_DB index: exit 3"
is "$(TRIALSEARCH_DB=$DB "$TS_QUERY" --ids 'id:NCT09900004')" "NCT09900004" "\$TRIALSEARCH_DB is the default index"
run ts --help
is "$rc" 0 "--help: exit 0"
like "$out" 'condition: \(cond:\)' "--help lists the fields and aliases"
run ts --version
like "$out" '^trialsearch [0-9]' "--version"

if [ -w /dev/full ]; then
    ts "intrathecal ALS" >/dev/full 2>"$TMP/err"
    is "$?" 3 "stdout on a full disk: exit 3"
    like "$(cat "$TMP/err")" 'write error' "full disk: write error reported"
fi
yes 'sponsor:sample' | head -2000 >"$TMP/queries"
bash -c '"$0" --db "$1" --batch --limit 50 <"$2" 2>"$3" | true; exit ${PIPESTATUS[0]}' \
    "$TS_QUERY" "$DB" "$TMP/queries" "$TMP/err"
is "$?" 3 "closed pipe: exit 3"
like "$(cat "$TMP/err")" 'write error: Broken pipe' "closed pipe: write error reported"

done_testing
