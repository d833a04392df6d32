#!/usr/bin/env bash
# trialsearch-index --jobs: several worker processes give the index one
# process gives, document for document; reruns skip unchanged records;
# messages are not repeated by each worker; signals commit what was done.
. "$(dirname "$0")/lib.sh"
need_shared

D=$SHARED/data
IN="$D/ctgov-api-v2-json $D/ctgov-classic-api-json $SHARED/seeds"
counts() { # the counts of a JSON summary, without times
    printf '%s' "$1" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(" ".join("%s=%s" % (k, s[k]) for k in ("read","new","updated","unchanged","older","deleted","rejected","skipped_files")))'
}
# every term with its document and collection frequencies: equal lists
# mean equal statistics for ranking
terms() { xapian-delve -1 -a -vv "$1" | awk '{print $1, $2, $3}' | md5sum; }
# the stored data of trial $2
data() { local d; d=$(xapian-delve -1 -t "Q$2" "$1" 2>/dev/null | tail -1); xapian-delve -d -r "$d" "$1" 2>/dev/null | sed -e '1d' -e 's/#[0-9]*//'; }
# the mined vocabulary as sorted lines (order among equal counts is free)
meta() { for k in $(xapian-metadata list "$1" | grep -v '^ts:updated$'); do printf '%s=' "$k"; xapian-metadata get "$1" "$k" | sort | tr '\n' ';'; echo; done | md5sum; }

# --- a new index: one process and two workers (shards merged at the end)
run "$TS_INDEX" --db "$TMP/one" --json --jobs 1 $IN
one=$out
is "$rc" 0 "--jobs 1 indexes the API v2, classic and seed records"
run "$TS_INDEX" --db "$TMP/two" --json --jobs 2 $IN
two=$out
is "$rc" 0 "--jobs 2 indexes them too"
is "$(counts "$two")" "$(counts "$one")" "the summary counts are the same"
is "$(field "$two" jobs)" 2 "the JSON summary says two workers ran"
is "$(docs "$TMP/two")" "$(docs "$TMP/one")" "the same number of documents"
is "$(terms "$TMP/two")" "$(terms "$TMP/one")" "every term has the same document and collection frequency"
same=0
for id in NCT05594173 NCT00023673 NCT02028676 NCT03778333 NCT05894590 NCT04280705 NCT04368728; do
    a=$(data "$TMP/one" $id); b=$(data "$TMP/two" $id)
    [ -n "$a" ] && [ "$a" = "$b" ] && same=$((same + 1))
done
ok $([ "$same" -ge 5 ]; echo $?) "the stored records are the same ($same of 7 sampled ids present and equal)"
is "$(meta "$TMP/two")" "$(meta "$TMP/one")" "the mined vocabulary is the same (counts of the shards added up)"
for q in vaccine '"stem cells"' 'condition:diabetes' 'intervention:placebo age:70'; do
    is "$(hits "$q" --db "$TMP/two")" "$(hits "$q" --db "$TMP/one")" "search '$q': the same hits, ranks and scores"
done
ls "$TMP" | grep -q 'two\.build-' ; is "$?" 1 "no build directory is left behind"

# --- a build in small segments (--segment-size): the same index, and the
# newest version wins when versions of a trial are in different segments
run "$TS_INDEX" --db "$TMP/seg" --json --jobs 2 --segment-size 7 $IN
seg=$out
is "$rc" 0 "--segment-size 7 indexes the same records"
is "$(counts "$seg")" "$(counts "$one")" "the summary counts are the same ($(counts "$one" | grep -o 'updated=[0-9]* unchanged=[0-9]* older=[0-9]*'))"
is "$(docs "$TMP/seg")" "$(docs "$TMP/one")" "the same number of documents"
is "$(terms "$TMP/seg")" "$(terms "$TMP/one")" "every term has the same document and collection frequency"
hash_of() { xapian-delve -V8 "$1" | tr ' ' '\n' | grep : | cut -d: -f2 | sort | md5sum; }
is "$(hash_of "$TMP/seg")" "$(hash_of "$TMP/one")" "the same version of every trial is kept"
for q in vaccine 'condition:diabetes'; do
    is "$(hits "$q" --db "$TMP/seg")" "$(hits "$q" --db "$TMP/one")" "segments: search '$q' gives the same hits, ranks and scores"
done
run "$TS_INDEX" --db "$TMP/seg-bad" --segment-size x $IN
is "$rc" 2 "--segment-size x is a usage error"

# --- a rerun over the same inputs: nothing is analysed again
run "$TS_INDEX" --db "$TMP/two" --json --jobs 2 $IN
is "$(field "$out" new),$(field "$out" updated),$(field "$out" unchanged)" "0,0,$(docs "$TMP/two")" \
    "a rerun with --jobs 2 finds every record unchanged"

# --- adding to an existing index: workers check, one writer writes
for j in 1 2; do
    "$TS_INDEX" --db "$TMP/add$j" -q --jobs 1 "$D/ctgov-api-v2-json"
    run "$TS_INDEX" --db "$TMP/add$j" --json --jobs $j $IN
    eval "add$j=\$out"
done
is "$(counts "$add2")" "$(counts "$add1")" "adding to an index: --jobs 2 counts as --jobs 1"
like "$(counts "$add2")" "unchanged=277" "the records already there are found unchanged"
is "$(terms "$TMP/add2")" "$(terms "$TMP/add1")" "adding to an index: the same terms and frequencies"
is "$(terms "$TMP/add2")" "$(terms "$TMP/one")" "and the same index as one built in one go"
run "$TS_INDEX" --db "$TMP/add2" --json --jobs 2 --prune "$D/ctgov-api-v2-json"
is "$(field "$out" deleted)" "$(( $(field "$add2" new) ))" "--prune with --jobs 2 removes exactly the records not seen"
is "$(docs "$TMP/add2")" 277 "and keeps those seen, unchanged ones included"

# --- messages: each bad input is reported once, not once per worker
B=$TMP/bad
mkdir -p "$B"
cp "$(find "$TOP/corpus" -name '*.xml' | sort | head -1)" "$B/a-good.xml"
printf '<clinical_study><id_info><nct_id>NCT09999991</nct_id></id_info><brief_title>cut' > "$B/b-truncated.xml"
printf '{"protocolSection":{"identificationModule":{"nctId":"NCT09999992","briefTitle":"ok"}}}\n{"protocolSection": [broken\n' > "$B/c-lines.jsonl"
# Records whose id their reader tells before parsing them are read by
# their worker alone, which then reports them: ids hashing to worker 1
# (NCT09999993, ...95, ...97) and to worker 0 (...94, ...96) of two.
{
    printf '{"protocolSection":{"identificationModule":{"nctId":"NCT09999994","briefTitle":"ok"}}}\n'
    printf '{"protocolSection":{"identificationModule":{"nctId":"NCT09999993"}},"x":tru}\n'
    printf '{"protocolSection":{"statusModule":{"nctId":"NCT09999995"}}}\n'
    printf '{"protocolSection": [broken\n'
    printf '{"protocolSection":{"identificationModule":{"nctId":"NCT09999997","briefTitle":"ok"}}}\n'
} > "$B/e-told.jsonl"
printf '<clinical_study><id_info><nct_id>NCT09999996</nct_id></id_info><brief_title>cut' > "$B/f-truncated.xml"
# a file passed over in the walk (no clinical_study) whose id was told
# first, then a page of studies, read by every worker, each keeping its own
printf '<search_results><nct_id>nct09999993</nct_id></search_results>' > "$B/g-search.xml"
printf '{"studies":[{"protocolSection":{"identificationModule":{"nctId":"NCT09999998","briefTitle":"ok"}}}]}' > "$B/h-page.json"
printf '# notes\n' > "$B/README.md"
printf 'not a record at all\n' > "$B/d-other.txt"
run "$TS_INDEX" --db "$TMP/bad1" --jobs 1 "$B" "$TMP/missing"
err1=$err; rc1=$rc
run "$TS_INDEX" --db "$TMP/bad2" --jobs 2 "$B" "$TMP/missing"
is "$rc" "$rc1" "bad input: the exit status is that of --jobs 1 ($rc1)"
is "$(printf '%s\n' "$err" | sort)" "$(printf '%s\n' "$err1" | sort)" "bad input: the same messages, each once"
is "$(printf '%s\n' "$err" | grep -c 'c-lines.jsonl')" 1 "a bad JSON line is reported once"
is "$(printf '%s\n' "$err" | grep -c 'e-told.jsonl: line [234]')" 3 \
    "bad JSON lines read by one worker only are reported, once each"
is "$(printf '%s\n' "$err" | grep -c 'truncated.xml')" 2 "truncated XML files are reported, once each"
is "$(docs "$TMP/bad2")" "$(docs "$TMP/bad1")" "the good records are indexed"
run "$TS_INDEX" --db "$TMP/strict2" --jobs 2 --strict "$B"
is "$rc" 1 "--strict with --jobs 2 exits 1"
is "$(printf '%s\n' "$err" | grep -c 'trialsearch-index: .*bad/')" 1 "--strict with --jobs 2 reports one bad record and stops"

# --- standard input is read by one process
run "$TS_INDEX" --db "$TMP/stdin" --json --jobs 2 - < "$B/a-good.xml"
is "$rc,$(field "$out" new)" "0,1" "- (standard input) works with --jobs 2"

# --- SIGTERM and SIGINT: workers stop, what was done is merged and committed
for sig in TERM INT; do
    S=$TMP/sig-$sig
    "$TS_INDEX" --db "$S" --jobs 2 "$D" 2>"$TMP/sig.err" >/dev/null &
    pid=$!
    for _ in $(seq 100); do [ -d "$S.build-$pid" ] && break; sleep 0.1; done
    sleep 3
    kill -$sig $pid
    wait $pid
    code=$?
    want=$([ $sig = TERM ] && echo 143 || echo 130)
    is "$code" "$want" "SIG$sig with --jobs 2: exit $want"
    like "$(cat "$TMP/sig.err")" "interrupted by signal.*committed" "SIG$sig: it says what was committed"
    n=$(docs "$S")
    ok $([ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 4079 ]; echo $?) "SIG$sig: the index opens with the records done ($n)"
    ok $([ ! -e "$S.build-$pid" ]; echo $?) "SIG$sig: the build directory is removed"
    run "$TS_INDEX" --db "$S" --json --jobs 2 "$D"
    is "$(docs "$S")" 4079 "SIG$sig: a rerun completes the index"
done

done_testing
