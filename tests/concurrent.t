#!/usr/bin/env bash
# concurrent.t - readers and writers at once, on made-up records (no
# ../shared needed): two readers search in a loop while an indexer commits
# every few records; none of their searches fails and the counts they see
# never go down.  Meanwhile a second indexer is refused with exit 75 and
# the "locked" message, and a third given --wait waits for the first and
# then indexes its own records.
. "$(dirname "$0")/lib.sh"

DB=$TMP/db
N=400
mkdir -p "$TMP/in" "$TMP/late"
python3 - "$TMP/in" "$TMP/late" "$N" <<'EOF'
import random, sys
random.seed(11)
words = ("cohort dose arm placebo infusion biopsy relapse remission tumour marrow "
         "seizure neuron cardiac renal hepatic insulin asthma sclerosis").split()
def trial(path, nct, title):
    text = " ".join(random.choice(words) for _ in range(120))
    with open(path, "w") as f:
        f.write("<clinical_study><id_info><nct_id>%s</nct_id></id_info>"
                "<brief_title>%s</brief_title><condition>Concurrency</condition>"
                "<brief_summary><textblock>%s</textblock></brief_summary>"
                "<overall_status>Recruiting</overall_status></clinical_study>\n" % (nct, title, text))
for i in range(int(sys.argv[3])):
    trial("%s/t%04d.xml" % (sys.argv[1], i), "NCT07%06d" % i, "Concurrent trial %d" % i)
trial("%s/late.xml" % sys.argv[2], "NCT07999999", "Late trial")
trial("%s/piped.xml" % sys.argv[2], "NCT07999998", "Piped trial")
EOF

# the index exists before the readers start
"$TS_INDEX" --db "$DB" -q "$TOP/corpus"
ok $? "index corpus/"
base=$("$TS_QUERY" --db "$DB" --count '')

# reader K: search in a loop until told to stop; log "status count" lines
reader() {
    while [ -d "$TMP" ] && [ ! -e "$TMP/stop" ]; do
        n=$("$TS_QUERY" --db "$DB" --count 'condition:concurrency OR sclerosis' 2>>"$TMP/reader$1.err")
        echo "$? ${n:-none}" >>"$TMP/reader$1.log"
        "$TS_QUERY" --db "$DB" --json --limit 20 --facets status cohort >/dev/null 2>>"$TMP/reader$1.err"
        echo "$? json" >>"$TMP/reader$1.log"
    done
}
reader 1 & r1=$!
reader 2 & r2=$!

for _ in $(seq 600); do [ -s "$TMP/reader1.log" ] && [ -s "$TMP/reader2.log" ] && break; sleep 0.1; done

# the writer: the made-up records, a commit every 5, then one more record
# from a pipe that the test holds open, so that it keeps the lock meanwhile
mkfifo "$TMP/fifo"
"$TS_INDEX" --db "$DB" --batch-size 5 -q "$TMP/in" - <"$TMP/fifo" 2>"$TMP/writer.err" &
writer=$!
exec 7>"$TMP/fifo"
# it holds the lock once its first commit shows
for _ in $(seq 300); do
    [ "$("$TS_QUERY" --db "$DB" --count 'condition:concurrency' 2>/dev/null)" -gt 0 ] 2>/dev/null && break
    sleep 0.2
done

run "$TS_INDEX" --db "$DB" "$TMP/late/late.xml"
is "$rc" 75 "a second indexer while the first commits exits 75"
like "$err" "locked by another indexer" "and says the index is locked"
"$TS_INDEX" --db "$DB" -q --wait "$TMP/late/late.xml" 2>"$TMP/waiter.err" 7>&- &
waiter=$!
sleep 1
cat "$TMP/late/piped.xml" >&7
exec 7>&-
wait "$writer"
is "$?" 0 "the first indexer finished normally"
wait "$waiter"
is "$?" 0 "an indexer given --wait waited for it, then indexed"
touch "$TMP/stop"
wait "$r1" "$r2"

is "$("$TS_QUERY" --db "$DB" --count '')" "$((base + N + 2))" "every record of both indexers is in"
for k in 1 2; do
    fails=$(awk '$1 > 1' "$TMP/reader$k.log" | wc -l | tr -d ' ')
    runs=$(wc -l <"$TMP/reader$k.log" | tr -d ' ')
    is "$fails" 0 "reader $k: none of its $runs searches failed"
    [ -s "$TMP/reader$k.err" ] && sed 's/^/# /' "$TMP/reader$k.err" | head -5
    ok $([ "$runs" -ge 6 ]; echo $?) "reader $k searched while the indexer ran ($runs searches)"
    counts=$(awk '$2 != "json" { print $2 }' "$TMP/reader$k.log")
    ok $(printf '%s\n' "$counts" | awk 'NR > 1 && $1 < prev { bad = 1 } { prev = $1 } END { exit bad }'; echo $?) \
        "reader $k: the count never went down ($(printf '%s\n' "$counts" | head -1) .. $(printf '%s\n' "$counts" | tail -1))"
    ok $([ "$(printf '%s\n' "$counts" | sort -un | wc -l)" -ge 2 ]; echo $?) "reader $k saw commits happen"
done

done_testing
