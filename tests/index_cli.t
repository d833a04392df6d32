#!/usr/bin/env bash
# trialsearch-index: command line, idempotence, deletes, prune, bad input,
# locking, signals, statistics.
. "$(dirname "$0")/lib.sh"

DB=$TMP/db
summary() { # the value of key $2 in the JSON summary $1
    printf '%s' "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}

# --- usage
run "$TS_INDEX" --help
ok $rc "--help exits 0"
like "$out" "^Usage: trialsearch-index" "--help prints usage on stdout"
run "$TS_INDEX" --no-such-option
is "$rc" 2 "an unknown option exits 2"
run "$TS_INDEX" --db "$DB"
is "$rc" 2 "no input exits 2"
like "$err" "no input" "no input is explained"
run "$TS_INDEX" --db "$DB" --format nonsense corpus
is "$rc" 2 "an unknown --format exits 2"

# --- the sample corpus
n_corpus=$(find "$TOP/corpus" -type f ! -name '*.md' | wc -l)
run "$TS_INDEX" --db "$DB" --json "$TOP/corpus"
is "$rc" 0 "the sample corpus indexes with exit 0"
is "$err" "" "nothing is rejected in the sample corpus"
added=$(summary "$out" new)
ok $([ "$added" -ge "$n_corpus" ]; echo $?) "every sample file gives at least one record ($added records, $n_corpus files)"
is "$(docs "$DB")" "$added" "--stats counts the documents added"

run "$TS_INDEX" --db "$DB" --json "$TOP/corpus"
is "$(summary "$out" new),$(summary "$out" updated),$(summary "$out" unchanged)" "0,0,$added" \
    "a second run finds every record unchanged"

# --- a changed record replaces the old version
mkdir -p "$TMP/changed"
xml=$(find "$TOP/corpus" -name '*.xml' | sort | head -1)
id=$(sed -n 's:.*<nct_id>\(NCT[0-9]*\)</nct_id>.*:\1:p' "$xml" | head -1)
sed 's:<brief_title>:<brief_title>Renamed :' "$xml" > "$TMP/changed/one.xml"
run "$TS_INDEX" --db "$DB" --json "$TMP/changed/one.xml"
is "$(summary "$out" updated)" 1 "an edited record is updated"
is "$(docs "$DB")" "$added" "an update does not add a document"

# --- delete
run "$TS_INDEX" --db "$DB" --json --delete "$id" NCT00000000
is "$(summary "$out" deleted)" 1 "--delete removes the record"
like "$err" "NCT00000000: not in the index" "--delete names an id that is not there"
is "$(docs "$DB")" "$((added - 1))" "the count drops by one"

# --- prune: only what this run saw stays
P=$TMP/prune
mkdir -p "$TMP/p1" "$TMP/p2"
cp "$xml" "$TMP/p1/"
cp "$(find "$TOP/corpus" -name '*.xml' | sort | sed -n 2p)" "$TMP/p2/"
"$TS_INDEX" --db "$P" -q "$TMP/p1" "$TMP/p2"
is "$(docs "$P")" 2 "two records before pruning"
run "$TS_INDEX" --db "$P" --json --prune "$TMP/p1"
is "$(summary "$out" deleted)" 1 "--prune removes the record not seen"
is "$(docs "$P")" 1 "one record after pruning"
run "$TS_INDEX" --db "$P" --prune "$TMP/p1" "$TMP/missing-dir"
like "$err" "not pruning" "--prune does nothing when an input could not be read"
is "$(docs "$P")" 1 "nothing was pruned then"

# --- bad input: reported with file and reason; good records still indexed
B=$TMP/bad
mkdir -p "$B/in"
cp "$xml" "$B/in/a-good.xml"
printf '<clinical_study><id_info><nct_id>NCT09999991</nct_id></id_info><brief_title>cut' > "$B/in/b-truncated.xml"
printf '{"protocolSection":{"identificationModule":{"nctId":"NCT09999992","briefTitle":"ok"}}}\n{"protocolSection": [broken\n' > "$B/in/c-lines.jsonl"
printf 'just some words, not a trial record at all\x00\x01' > "$B/in/d-other.bin"
: > "$B/in/e-empty.xml"
run "$TS_INDEX" --db "$B/db" "$B/in" "$TMP/does-not-exist"
is "$rc" 1 "rejected records give exit status 1"
like "$err" "b-truncated.xml.*(malformed|XML)" "truncated XML is named with its file"
like "$err" "c-lines.jsonl.*line 2" "a bad JSON line is named with file and line"
like "$err" "d-other.bin" "a file of another format is named"
like "$err" "e-empty.xml.*empty" "an empty file is reported"
like "$err" "does-not-exist" "a missing input is reported"
is "$(docs "$B/db")" 2 "the good records around them are indexed"

run "$TS_INDEX" --db "$B/strict" --strict "$B/in"
is "$rc" 1 "--strict exits 1 at a bad record"
is "$(printf '%s\n' "$err" | grep -c 'trialsearch-index: .*in/')" 1 "--strict stops at the first bad record"

# --- locking: a second writer is refused (75) or waits
mkfifo "$TMP/fifo"
"$TS_INDEX" --db "$TMP/lockdb" -q - < "$TMP/fifo" &
holder=$!
exec 7>"$TMP/fifo"     # the first indexer now holds the lock, reading stdin
for _ in $(seq 50); do [ -d "$TMP/lockdb" ] && break; sleep 0.1; done
sleep 0.3
run "$TS_INDEX" --db "$TMP/lockdb" "$xml"
is "$rc" 75 "a second indexer exits 75"
like "$err" "locked by another indexer" "and says the index is locked"
run "$TS_INDEX" --db "$TMP/lockdb" --wait=0.5 "$xml"
is "$rc" 75 "--wait=SECONDS gives up after the time"
( sleep 1; cat "$xml" >&7; exec 7>&- ) &
exec 7>&-
run "$TS_INDEX" --db "$TMP/lockdb" --json --wait "$(find "$TOP/corpus" -name '*.xml' | sort | sed -n 2p)"
is "$rc" 0 "--wait waits for the other indexer and then indexes"
wait $holder
is "$?" 0 "the first indexer finished normally"
is "$(docs "$TMP/lockdb")" 2 "both indexers' records are in"

# --- statistics and a missing index
run "$TS_INDEX" --db "$TMP/none" --stats
is "$rc" 3 "--stats on a missing index exits 3"
like "$err" "no index at" "and says so"
run "$TS_INDEX" --db "$DB" --stats
schema=$(sed -n 's/^#define TS_SCHEMA_VERSION \([0-9]*\)$/\1/p' "$TOP/include/trialsearch.h")
like "$out" "schema version: +$schema\$" "--stats shows the schema version ($schema, the header's)"

# --- word positions: the default search's copy of the text has them, and
# so do the short fields and the exclusion criteria (not in the default
# search); the long fields' own copies are stems only, without positions
# (schema.c)
positions() { # TERM: its positions in the first record that has it
    d=$(xapian-delve -1 -t "$1" "$DB" 2>/dev/null | sed -n 2p)
    [ -n "$d" ] || { echo "no record has $1"; return; }
    xapian-delve -r "$d" -t "$1" "$DB" 2>/dev/null | sed -n 's/^Position List[^:]*: *//p'
}
like "$(positions fictional)" "^[0-9]" "unprefixed words have positions"
is "$(positions ZXBfiction)" "" "summary stems have no positions"
is "$(positions XBfictional)" "no record has XBfictional" "and summary words are not kept as typed"
is "$(positions ZXINdiagnosi)" "" "inclusion criteria stems have no positions"
is "$(positions XINdiagnosis)" "no record has XINdiagnosis" "nor their words as typed"
is "$(positions Zfiction)" "" "the default search has stems"
like "$(positions XCepilepsy)" "^[0-9]" "condition words keep theirs"
like "$(positions XEXpregnancy)" "^[0-9]" "exclusion criteria words keep theirs"

# --- a term's wdf is its BM25 weight in the record (lib/db.cc, to_impacts),
# at most 16,383; a word named more often than that keeps every position
mkdir -p "$TMP/many"
awk 'BEGIN { for (i = 0; i < 20000; i++) w = w "quokka " }
     /<brief_summary>/ { s = 1 }
     s && sub(/<textblock>/, "<textblock>" w) { s = 0 }
     { sub(/<nct_id>NCT[0-9]*<\/nct_id>/, "<nct_id>NCT09999992</nct_id>"); print }' \
    "$xml" > "$TMP/many/one.xml"
run "$TS_INDEX" --db "$TMP/manydb" "$TMP/many/one.xml"
is "$rc" 0 "a record naming one word 20,000 times is indexed"
wdf() { # TERM: its wdf in the first record
    xapian-delve -v -r 1 "$TMP/manydb" 2>/dev/null | tr ' ' '\n' | grep -x -A1 -- "$1" | sed -n 2p
}
is "$(wdf quokka)" 16383 "its wdf is the most a weight can be"
is "$(wdf Zquokka)" 16383 "its stem's too"
is "$(xapian-delve -r 1 -t quokka "$TMP/manydb" | sed 's/^[^:]*: *//' | wc -w | tr -d ' ')" 20000 \
    "and it keeps its 20,000 positions"
w=$(wdf Sstromal)
ok "$([ -n "$w" ] && [ "$w" -ge 1 ] && [ "$w" -lt 50 ]; echo $?)" \
    "a title word of this long record weighs less than one once in a record of mean length, 50 ($w)"

# --- a mismatched schema is refused with a re-index message
xapian-metadata set "$P" ts:schema 999
run "$TS_INDEX" --db "$P" "$xml"
is "$rc" 3 "an index of another schema version is refused"
like "$err" "re-index" "with a message to re-index"

done_testing
