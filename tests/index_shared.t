#!/usr/bin/env bash
# Indexing the real records of ../shared: every record is read, each trial
# is indexed once, a second run changes nothing, and interrupted runs
# leave a usable index that a rerun completes.
. "$(dirname "$0")/lib.sh"
need_shared

# 3,599 XML + 277 API v2 + 206 classic records for 4,079 distinct trials
# (../shared/data/README.md), plus the five seed pages, four of them
# trials also in the data and one (003) with no NCT id: 4,080 trials.
WANT=4080

DB=$TMP/shared
run "$TS_INDEX" --db "$DB" --json "$SHARED/data" "$SHARED/seeds"
is "$rc" 0 "indexing ../shared/data and ../shared/seeds exits 0"
is "$(field "$out" rejected)" 0 "no record is rejected"
is "$(field "$out" read)" 4087 "every record is read (4,082 in the data, 5 seed pages)"
is "$(docs "$DB")" "$WANT" "the index holds each distinct trial once"
like "$err" "skipping .*topics2021.xml" "the TREC topics file is passed over with a note"
unlike "$err" "NCT[0-9]{8}" "no record is named in an error"

run "$TS_INDEX" --db "$DB" --json "$SHARED/data" "$SHARED/seeds"
is "$(field "$out" new),$(field "$out" updated),$(field "$out" unchanged)" "0,0,$WANT" \
    "a second run changes nothing"

# the order of the inputs does not decide which version is kept
DB2=$TMP/shared-reversed
"$TS_INDEX" --db "$DB2" -q "$SHARED/seeds" "$SHARED/data/ctgov-classic-api-json" \
    "$SHARED/data/ctgov-api-v2-json" "$SHARED/data/ctgov-xml"
for id in NCT00023673 NCT02028676 NCT05594173 NCT02497443 NCT03828123; do
    a=$(xapian-delve -1 -t "Q$id" "$DB" 2>/dev/null | tail -1)
    b=$(xapian-delve -1 -t "Q$id" "$DB2" 2>/dev/null | tail -1)
    da=$(xapian-delve -d -r "$a" "$DB" 2>/dev/null | sed -n 2p)
    db=$(xapian-delve -d -r "$b" "$DB2" 2>/dev/null | sed -n 2p)
    ok $([ -n "$da" ] && [ "$da" = "$db" ]; echo $?) \
        "$id: the same version is kept whatever the input order"
done

# --- SIGTERM and SIGINT commit what was read and exit with a message
for sig in TERM INT; do
    D=$TMP/sig-$sig
    "$TS_INDEX" --db "$D" --batch-size 100 "$SHARED/data" 2>"$TMP/sig.err" >/dev/null &
    pid=$!
    for _ in $(seq 100); do [ -f "$D/iamglass" ] && break; sleep 0.1; done
    sleep 2
    kill -$sig $pid
    wait $pid
    code=$?
    want=$([ $sig = TERM ] && echo 143 || echo 130)
    is "$code" "$want" "SIG$sig: the indexer exits $want"
    like "$(cat "$TMP/sig.err")" "interrupted by signal.*committed" "SIG$sig: it says what was committed"
    n=$(docs "$D")
    ok $([ "$n" -gt 0 ] && [ "$n" -lt 4079 ]; echo $?) "SIG$sig: the index opens with the records read so far ($n)"
done

# --- SIGKILL at several points: the last commit is intact, a rerun completes
D=$TMP/killed
for delay in 1 3 5; do
    "$TS_INDEX" --db "$D" --batch-size 100 -q "$SHARED/data" 2>/dev/null &
    pid=$!
    sleep $delay
    kill -KILL $pid
    wait $pid 2>/dev/null
    run xapian-check "$D"
    is "$rc" 0 "SIGKILL after ${delay}s: xapian-check passes"
    n=$(docs "$D")
    ok $([ -n "$n" ] && [ "$n" -ge 0 ]; echo $?) "SIGKILL after ${delay}s: the index opens ($n records)"
done
run "$TS_INDEX" --db "$D" --json "$SHARED/data"
is "$rc" 0 "a rerun after the kills succeeds"
is "$(docs "$D")" 4079 "and completes the index with no duplicates"

done_testing
