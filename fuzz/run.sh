#!/bin/sh
# run.sh - seed and run the libFuzzer targets built by mk/fuzz.mk.
#
# Usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#
# Seeds are copied at run time from corpus/ and ../shared (read in place,
# never copied into the project) into BUILD_DIR/seeds/TARGET; each target
# keeps what it learns in BUILD_DIR/corpus/TARGET, writes its log to
# BUILD_DIR/TARGET.log and any crashing input to BUILD_DIR/crashes/.
# Prints one line per target: seconds, executions, coverage (cov, ft) and
# the verdict.  Exits 1 when a target found a crash.
set -u
B=$1
SECS=$2
shift 2
TOP=$(cd "$(dirname "$0")/.." && pwd)
SH=${TS_SHARED:-$TOP/../shared}
TARGETS=${*:-xml v2json classic text detect query}
[ -d "$SH/data" ] || echo "fuzz: $SH/data not found: seeding from corpus/ only"

# seed_files DIR FILE...: copy the files (those that exist) into DIR.
seed_files() {
    d=$1; shift
    for f in "$@"; do [ -f "$f" ] && cp "$f" "$d/"; done
}

# seed_lines DIR PREFIX FILE N: the first N lines of FILE, one file each.
seed_lines() {
    [ -f "$3" ] && head -n "$4" "$3" | split -l 1 -a 4 - "$1/$2-"
}

# seed_sample DIR N FIND-ARGS...: N files found under a tree, by name.
seed_sample() {
    d=$1; n=$2; shift 2
    find "$@" -type f 2>/dev/null | sort | awk -v n="$n" 'NR % 7 == 1 && c++ < n' |
        while read -r f; do cp "$f" "$d/"; done
}

# make_dict FILE REGEX: a libFuzzer dictionary of the distinct strings
# matching REGEX in the seeds of the current target.
make_dict() {
    grep -rhoE "$2" "$S" 2>/dev/null | sort -u | head -n 400 |
        sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/' > "$1"
}

seed() {
    t=$1
    S=$B/seeds/$t
    rm -rf "$S"; mkdir -p "$S" "$B/corpus/$t"
    case $t in
    xml)
        seed_files "$S" "$TOP"/corpus/xml/*.xml
        seed_sample "$S" 60 "$SH/data/ctgov-xml" -name '*.xml'
        make_dict "$B/$t.dict" '</?[a-z_]+>' ;;
    v2json)
        seed_files "$S" "$TOP"/corpus/v2/*.json
        seed_lines "$S" v2 "$SH/data/ctgov-api-v2-json/studies.jsonl" 60
        make_dict "$B/$t.dict" '"[A-Za-z]+":' ;;
    classic)
        seed_files "$S" "$TOP"/corpus/classic/*.json
        seed_lines "$S" classic "$SH/data/ctgov-classic-api-json/studies.jsonl" 60
        make_dict "$B/$t.dict" '"[A-Za-z]+":' ;;
    text)
        seed_files "$S" "$TOP"/corpus/text/*.txt
        seed_sample "$S" 60 "$SH/seeds" -name '*.txt'
        make_dict "$B/$t.dict" '^[A-Z][A-Za-z /]{3,40}:' ;;
    detect)
        seed_files "$S" "$TOP"/corpus/*/*.*
        seed_sample "$S" 10 "$SH/data/ctgov-xml" -name '*.xml'
        seed_lines "$S" v2 "$SH/data/ctgov-api-v2-json/studies.jsonl" 10
        seed_lines "$S" classic "$SH/data/ctgov-classic-api-json/studies.jsonl" 10
        seed_sample "$S" 10 "$SH/seeds" -name '*.txt'
        : > "$B/$t.dict" ;;
    query)
        # Queries: the examples in fuzz/query-seeds.txt and the TREC
        # topics (patient descriptions) of ../shared/data.
        split -l 1 -a 4 "$TOP/fuzz/query-seeds.txt" "$S/q-"
        if [ -f "$SH/data/trec-ct-2021/topics2021.xml" ]; then
            sed -n 's/^\([A-Z][^<]\{20,\}\).*/\1/p' "$SH/data/trec-ct-2021/topics2021.xml" |
                head -n 40 | cut -c1-300 | split -l 1 -a 4 - "$S/trec-"
        fi
        cp "$TOP/fuzz/query.dict" "$B/$t.dict" ;;
    esac
}

status=0
mkdir -p "$B/crashes" "$B/tmp"
for t in $TARGETS; do
    bin=$B/fuzz_$t
    [ -x "$bin" ] || { echo "fuzz: $bin not built"; status=1; continue; }
    seed "$t"
    dict=
    [ -s "$B/$t.dict" ] && dict=-dict=$B/$t.dict
    # A long query runs many searches (partial-match fallback): keep
    # query inputs short so the fuzzer tries many of them.
    maxlen=
    [ "$t" = query ] && maxlen=-max_len=160
    start=$(date +%s)
    TMPDIR=$B/tmp "$bin" -max_total_time="$SECS" -print_final_stats=1 \
        -rss_limit_mb=3072 -timeout=30 $dict $maxlen \
        -artifact_prefix="$B/crashes/$t-" "$B/corpus/$t" "$B/seeds/$t" \
        > "$B/$t.log" 2>&1
    rc=$?
    wall=$(( $(date +%s) - start ))
    fuzz_report=$(sh "$TOP/fuzz/report.sh" "$B/$t.log")
    if [ $rc -eq 0 ]; then verdict=ok
    else verdict="CRASH (rc $rc): see $B/$t.log and $B/crashes/"; status=1; fi
    printf '%-8s %5ss  %s  %s\n' "$t" "$wall" "$fuzz_report" "$verdict"
done
exit $status
