#!/bin/sh
# query_shared.t - trialsearch over the real records of ../shared/data and
# the seeds: the relevance checks of the issue, fielded queries and filters
# on real records, and a reader searching while the indexer commits.
. "$(dirname "$0")/lib.sh"
need_shared
shared_index || { echo "1..0 # SKIP shared index could not be built"; exit 0; }

ts() { "$TS_QUERY" --db "$SHARED_DB" "$@"; }

# ---- the relevance checks ------------------------------------------------
top3=$(ts --ids --limit 3 "intrathecal ALS")
like "$top3" 'NCT03828123' "intrathecal ALS: NCT03828123 among the first three"
like "$top3" 'NCT02116634' "intrathecal ALS: NCT02116634 among the first three"
is "$(ts --ids --limit 1 'condition:epilepsy intervention:"mesenchymal stem cells"')" "NCT02497443" \
    "condition:epilepsy intervention:\"mesenchymal stem cells\": NCT02497443 first"
is "$(ts --ids --limit 1 'mesenchymal epilepsy')" "NCT02497443" "mesenchymal epilepsy: NCT02497443 first"
run ts --ids --limit 1000 --age 70 'mesenchymal epilepsy'
unlike "$out" 'NCT02497443' "--age 70 excludes NCT02497443 (ages 18 to 60)"
is "$(ts --ids --age 60 'mesenchymal epilepsy' | head -1)" "NCT02497443" "--age 60 admits NCT02497443"
is "$(ts --ids --age 18 'mesenchymal epilepsy' | head -1)" "NCT02497443" "--age 18 admits NCT02497443"
run ts --ids --limit 1000 --age 17 'mesenchymal epilepsy'
unlike "$out" 'NCT02497443' "--age 17 excludes NCT02497443"

# ---- fielded queries and filters on real records ----------------------------
# A word in capitals in a long field (stems only there) is the word, not
# its stem: "summary:ALS" does not find the summaries that cite "et al."
exact() { ts --ids --limit 10000 --no-fallback --no-expand "$1" | sort; }
exact 'summary:ALS' >"$TMP/s-als.ids"
exact 'ALS' >"$TMP/als.ids"
exact 'summary:al' >"$TMP/s-al.ids"
ok "$([ -s "$TMP/s-als.ids" ] && [ "$(wc -l <"$TMP/s-al.ids")" -gt 10 ]; echo $?)" \
    "summary:ALS and summary:al both find trials"
is "$(comm -23 "$TMP/s-als.ids" "$TMP/als.ids" | wc -l | tr -d ' ')" 0 \
    "every trial summary:ALS finds says ALS"
# A wildcard there finds the words that start with it, not all that share
# a shorter stem ("generally" is "general" too).
exact 'summary:generaliz*' >"$TMP/s-gen.ids"
exact 'generaliz*' >"$TMP/gen.ids"
ok "$([ "$(wc -l <"$TMP/s-gen.ids")" -gt 10 ]; echo $?)" "summary:generaliz* finds trials"
is "$(comm -23 "$TMP/s-gen.ids" "$TMP/gen.ids" | wc -l | tr -d ' ')" 0 \
    "every trial summary:generaliz* finds has such a word"
is "$(ts --ids 'id:NCT02497443')" "NCT02497443" "id: finds one trial"
is "$(ts --ids --no-fallback 'condition:epilepsy intervention:"mesenchymal stem cells" start:2011')" \
    "NCT02497443" "start:2011 (April 2011) admits"
run ts --ids --no-fallback 'condition:epilepsy intervention:"mesenchymal stem cells" start:2012..'
is "$out" "" "start:2012.. rejects a 2011 start"
is "$(ts --ids --no-fallback 'id:NCT02497443 enrollment:50..200')" "NCT02497443" "enrollment 60 in 50..200"
run ts --ids --no-fallback 'id:NCT02497443 enrollment:61..'
is "$out" "" "enrollment 60 not in 61.."
is "$(ts --ids --no-fallback --phase 1/2 --status completed 'id:NCT02497443')" "NCT02497443" \
    "--phase 1/2 --status completed admit a completed phase 1/2 trial"
run ts --ids --no-fallback --phase 3 'id:NCT02497443'
is "$out" "" "--phase 3 rejects it"
run ts --ids --no-fallback --status open 'id:NCT02497443'
is "$out" "" "--status open rejects a completed trial"

# the header's count: exact, or marked as an estimate ("about")
estimates=0
for q in 'intrathecal ALS' 'epilepsy' 'cancer' 'breast cancer chemotherapy'; do
    exact=$(ts --count "$q")
    header=$(ts --limit 10 "$q" | head -1)
    flag=$(ts --json --limit 10 "$q" | python3 -c '
import json, sys
s = [json.loads(l) for l in sys.stdin if l.strip()][-1]
print("%d %s" % (s["total"], "exact" if s["total_exact"] else "estimate"))')
    case $header in
    about\ *) estimates=$((estimates + 1))
        like "$flag" ' estimate$' "$q: the header says about, total_exact is false" ;;
    *)  is "${header%% *}" "$exact" "$q: a header without about gives the exact count"
        is "$flag" "$exact exact" "$q: total_exact is true, total is the exact count" ;;
    esac
done
ok $([ "$estimates" -gt 0 ]; echo $?) "some of these totals are estimates ($estimates of 4)"

# every hit of a filtered search carries the filtered value
run ts --json --limit 50 --status recruiting --phase 2 'cancer'
printf '%s\n' "$out" | python3 -c '
import json, sys
hits = [json.loads(l) for l in sys.stdin if l.strip()]
hits = [h for h in hits if h["type"] == "hit"]
assert hits, "no hits"
for h in hits:
    assert h["status"] == "RECRUITING", h
    assert "PHASE2" in h["phases"], h
'
ok $? "--status recruiting --phase 2: every hit is a recruiting phase 2 trial"
run ts --json --limit 100 --fields sex --sex male 'breast cancer'
printf '%s\n' "$out" | python3 -c '
import json, sys
hits = [json.loads(l) for l in sys.stdin if l.strip()]
hits = [h for h in hits if h["type"] == "hit"]
assert hits and all(h["sex"] in ("MALE", "ALL") for h in hits), [h["sex"] for h in hits]
'
ok $? "--sex male: no women-only trial"
run ts --json --limit 100 --fields min_age,max_age --age 10 'asthma OR leukemia'
printf '%s\n' "$out" | python3 -c '
import json, sys
hits = [json.loads(l) for l in sys.stdin if l.strip()]
hits = [h for h in hits if h["type"] == "hit"]
assert hits
for h in hits:
    lo, hi = h["min_age"], h["max_age"]
    assert (lo is None or lo <= 10) and (hi is None or hi >= 10), (h["id"], lo, hi)
'
ok $? "--age 10: every hit admits a 10-year-old (missing limits admit)"

# ---- a reader while the indexer commits -------------------------------------
LIVE=$TMP/live
"$TS_INDEX" --db "$LIVE" "$TOP/corpus" >/dev/null 2>&1
"$TS_INDEX" --db "$LIVE" --batch-size 20 -q "$SHARED/data/ctgov-xml/allpublicxml-2023-02" \
    >"$TMP/live.log" 2>&1 &
pid=$!
queries=0 failures=0 first="" last=""
while kill -0 "$pid" 2>/dev/null; do
    n=$("$TS_QUERY" --db "$LIVE" --count 'cancer OR sclerosis OR trial' 2>>"$TMP/reader.err")
    rc=$?
    queries=$((queries + 1))
    if [ "$rc" -gt 1 ]; then failures=$((failures + 1)); fi
    [ -z "$first" ] && first=$n
    last=$n
    "$TS_QUERY" --db "$LIVE" --json --limit 20 --facets status 'cancer' >/dev/null 2>>"$TMP/reader.err"
    [ "$?" -gt 1 ] && failures=$((failures + 1))
done
wait "$pid"
is "$?" 0 "the indexer finished"
is "$failures" 0 "$queries searches while the indexer committed: none failed"
[ -s "$TMP/reader.err" ] && sed 's/^/# /' "$TMP/reader.err" | head -5
ok "$([ "$queries" -ge 5 ] && echo 0 || echo 1)" "the reader ran during the indexing ($queries times)"
ok "$([ "${last:-0}" -gt "${first:-0}" ] && echo 0 || echo 1)" "the reader saw the commits ($first then $last matches)"

done_testing
