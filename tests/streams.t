#!/usr/bin/env bash
# Reading in pieces: JSON Lines from a compressed file, an archive member,
# standard input or a pipe are parsed a piece of whole lines at a time, so
# memory stays flat however long they are and the records of a stream are
# indexed while it is still open; an archive on standard input is read as
# it comes.  The run's peak memory is in its summary.
. "$(dirname "$0")/lib.sh"

# lines FIRST N PAD: N API v2 records with the ids NCT0980000 + FIRST ...,
# copies of the first sample study, each with a field of PAD bytes that the
# reader passes by, as JSON Lines on standard output.
lines() {
    python3 - "$TOP/corpus/v2/studies.json" "$@" <<'PY'
import json, sys
study = json.load(open(sys.argv[1]))["studies"][0]
first, n, pad = (int(a) for a in sys.argv[2:5])
out = sys.stdout
for i in range(first, first + n):
    study["protocolSection"]["identificationModule"]["nctId"] = "NCT098%05d" % i
    study["padding"] = "x" * pad
    out.write(json.dumps(study) + "\n")
    out.flush()
PY
}
MB=1048576
# flat_memory DESCRIPTION: the JSON summary in $out has a peak under
# 150 MB (reading 283 MB whole took 347).  Under the sanitizers or
# valgrind a process's memory says nothing about the reader's: skipped.
flat_memory() {
    local peak
    peak=$(field "$out" peak_mb)
    if [ -n "${ASAN_OPTIONS:-}" ] || [ -n "${TS_VALGRIND:-}" ]; then
        ok 0 "# SKIP peak memory under a sanitizer or valgrind ($peak MB)"
    else
        ok $(awk -v p="$peak" 'BEGIN { exit !(p > 0 && p < 150) }'; echo $?) "$1 ($peak MB at its peak)"
    fi
}

# --- a compressed JSON Lines file longer than an archive member may be
# (256 MiB) read whole: 270 records of 1 MiB each
lines 0 270 $MB | gzip -1 >"$TMP/big.jsonl.gz"
run "$TS_INDEX" --db "$TMP/gz" --jobs 1 --json "$TMP/big.jsonl.gz"
is "$rc" 0 "a .jsonl.gz of 283 MB indexes with exit 0"
is "$err" "" "nothing in it is rejected (it was 'member too large')"
is "$(field "$out" new)" 270 "every record in it is indexed"
flat_memory "and the indexer's memory stays flat"

# --- the same on standard input, compressed and not
run "$TS_INDEX" --db "$TMP/stdin" --json - <"$TMP/big.jsonl.gz"
is "$(field "$out" new)" 270 "a compressed JSON Lines stream on standard input is read whole"
flat_memory "in pieces"
lines 0 20 $MB >"$TMP/mid.jsonl"
run "$TS_INDEX" --db "$TMP/stdin2" --json - <"$TMP/mid.jsonl"
is "$(field "$out" new)" 20 "JSON Lines of 20 MB on standard input: every record"

# --- a pipe named as a path is read by one process, whatever --jobs says
run "$TS_INDEX" --db "$TMP/fd" --jobs 2 --json <(cat "$TMP/mid.jsonl")
is "$err" "" "JSON Lines from a pipe named as a path (--jobs 2): nothing rejected"
is "$(field "$out" new)" 20 "and every record indexed, once"
is "$(field "$out" jobs)" 1 "by one process"

# --- a JSON Lines member of a zip longer than a piece
python3 - "$TMP/mid.jsonl" "$TMP/mid.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[1], "export/studies.jsonl")
PY
run "$TS_INDEX" --db "$TMP/zip" --jobs 1 --json "$TMP/mid.zip"
is "$(field "$out" new)" 20 "a JSON Lines member of 20 MB in a zip: every record"
run "$TS_QUERY" --db "$TMP/zip" --json --limit 1 --fields source "id:NCT09800019"
like "$out" '"source": *"[^"]*mid\.zip:export/studies\.jsonl"' "its records name the archive and the member"

# --- records of a stream are indexed before it ends: a pipe that has
# sent 12 MB (more than a piece) and stays open.  The index exists first,
# so the indexer writes it in place, committing every record.
"$TS_INDEX" --db "$TMP/pipe" -q "$TOP/corpus/v2/studies.json"
base=$(docs "$TMP/pipe")
feed() { # feed NAME COMPRESS: start an indexer reading a fifo, send 12 records
    mkfifo "$TMP/$1.fifo"
    "$TS_INDEX" --db "$TMP/pipe" --batch-size 1 -q - <"$TMP/$1.fifo" &
    reader=$!
    exec 7>"$TMP/$1.fifo"
    if [ "$2" = gzip ]; then
        lines "$3" 12 $MB | python3 -c '
import sys, zlib
z = zlib.compressobj(1, zlib.DEFLATED, 31)    # gzip, flushed so that all of it goes out
while True:
    b = sys.stdin.buffer.read(1 << 20)
    if not b:
        break
    sys.stdout.buffer.write(z.compress(b) + z.flush(zlib.Z_SYNC_FLUSH))
    sys.stdout.buffer.flush()
sys.stdout.buffer.write(z.flush())' >&7
    else
        lines "$3" 12 $MB >&7
    fi
}
wait_docs() { # wait_docs N: up to 60 s for more than N documents
    local n
    for _ in $(seq 600); do
        n=$(docs "$TMP/pipe" 2>/dev/null || echo 0)
        [ "$n" -gt "$1" ] && break
        sleep 0.1
    done
    echo "$n"
}
for how in plain gzip; do
    base=$(docs "$TMP/pipe")
    feed "$how" "$how" $((base * 100))
    n=$(wait_docs "$base")
    ok $([ "$n" -gt "$base" ]; echo $?) \
       "$how JSON Lines on a pipe still open: records are indexed ($((n - base)) so far)"
    exec 7>&-
    wait $reader
    is "$?" 0 "the indexer ends with the stream"
    is "$(docs "$TMP/pipe")" $((base + 12)) "with every record of it"
done

# --- an archive on standard input, damaged half-way: the members before
# the damage are indexed and the rest is reported, naming the stream
xml=$(find "$TOP/corpus/xml" -name '*.xml' | sort)
python3 - "$TMP/bad.zip" $xml <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for p in sys.argv[2:]:
        z.write(p, p.rsplit("/", 1)[1])
data = bytearray(open(sys.argv[1], "rb").read())
# damage the deflate stream of the second member
at = data.find(b"PK\x03\x04", 4) + 30 + len("NCT09900004.xml") + 20
for i in range(at, at + 40):
    data[i] ^= 0x5A
open(sys.argv[1], "wb").write(bytes(data))
PY
run "$TS_INDEX" --db "$TMP/badzip" --json - <"$TMP/bad.zip"
is "$rc" 1 "a damaged zip on standard input exits 1"
like "$err" "<stdin>:NCT09900004\.xml: " "the damaged member is named"
like "$err" "<stdin>: members after a damaged one cannot be read from a stream; give the archive as a file" \
     "and the members lost after it are reported, with what to do"
is "$(docs "$TMP/badzip")" 1 "the member before the damage is indexed"
run "$TS_QUERY" --db "$TMP/badzip" --ids "id:NCT09900001"
is "$out" NCT09900001 "and it is the first one"
run "$TS_INDEX" --db "$TMP/badzip2" --json "$TMP/bad.zip"
is "$(field "$out" new)" 2 "read as a file, the archive is read past the damage"

# --- standard input with several workers: this process reads it and
# passes it on to each of them, as each reads every file
lines 500 40 0 >"$TMP/forty.jsonl"
run "$TS_INDEX" --db "$TMP/tee" --jobs 2 --json - <"$TMP/forty.jsonl"
is "$err" "" "standard input into a new index with --jobs 2: nothing rejected"
is "$(field "$out" jobs)" 2 "read by two workers"
is "$(field "$out" new)" 40 "every record indexed once"
is "$(docs "$TMP/tee")" 40 "and the index holds them all"
gzip -c "$TMP/forty.jsonl" >"$TMP/forty.jsonl.gz"
run "$TS_INDEX" --db "$TMP/teegz" --jobs 2 --json --shards 2 - <"$TMP/forty.jsonl.gz"
is "$(field "$out" new)/$(field "$out" jobs)/$(docs "$TMP/teegz")" 40/2/40 \
   "compressed, into a new sharded index: 40 records by two workers"
lines 520 30 0 >"$TMP/thirty.jsonl"
run "$TS_INDEX" --db "$TMP/teegz" --jobs 2 --json --prune - <"$TMP/thirty.jsonl"
is "$(field "$out" new)/$(field "$out" deleted)/$(docs "$TMP/teegz")" 10/20/30 \
   "--prune from standard input into the sharded index: 10 new, the 20 not seen removed"
run "$TS_INDEX" --db "$TMP/tee" --jobs 2 --json - <"$TMP/forty.jsonl"
is "$(field "$out" unchanged)/$(field "$out" jobs)" 40/1 \
   "into an existing single index, standard input is read by one process"

# Signals and failures while standard input is still open, into the
# sharded index of 30 records with --prune: the run ends at once, and
# nothing is pruned, since standard input was not read to its end.
# open_run NAME ARGS...: start the indexer with ARGS reading a fifo held
# open on fd 7, send it 10 of the 30 records, and give it a second.
open_run() {
    local name=$1
    shift
    mkfifo "$TMP/$name.fifo"
    "$TS_INDEX" "$@" <"$TMP/$name.fifo" &
    reader=$!
    exec 7>"$TMP/$name.fifo"
    lines 520 10 0 >&7
    sleep 1
}
# ended: the exit status of the run open_run started (137 when it did not
# end within 30 s of this call), and fd 7 closed.
ended() {
    ( sleep 30; kill -KILL $reader 2>/dev/null ) &
    local watchdog=$! status
    wait $reader
    status=$?
    kill $watchdog 2>/dev/null
    exec 7>&-
    return $status
}
open_run term --db "$TMP/teegz" --jobs 2 -q --prune -
kill -TERM $reader # the parent only, as `kill PID` or a service manager does
ended
is "$?" 143 "SIGTERM to the parent while it passes standard input on: exit 143"
is "$(docs "$TMP/teegz")" 30 "and nothing is pruned"
open_run int --db "$TMP/int" --jobs 2 -q -
kill -INT $reader
ended
is "$?" 130 "SIGINT while it reads standard input for two workers: exit 130"
open_run dead --db "$TMP/teegz" --jobs 2 -q --prune -
kill -KILL "$(pgrep -P $reader | head -1)"
ended
is "$?" 3 "a worker killed while standard input is open: the run ends with exit 3"
is "$(docs "$TMP/teegz")" 30 "and nothing is pruned"

# --- a line longer than 256 MiB is rejected and passed by; the next
# record is read
{ lines 600 1 0; head -c 300000000 /dev/zero | tr '\0' x; echo; lines 601 1 0; } |
    gzip -1 >"$TMP/long.jsonl.gz"
run "$TS_INDEX" --db "$TMP/long" --jobs 1 --json "$TMP/long.jsonl.gz"
is "$rc" 1 "a line of 300 MB: exit 1"
like "$err" "long\.jsonl\.gz: line 2: line longer than 256 MiB" "it is named with its line"
is "$(field "$out" new)" 2 "the records before and after it are indexed"

# --- --prune after an archive on standard input that was not read to
# its end: nothing is pruned
"$TS_INDEX" --db "$TMP/pz" -q --shards 2 "$TOP/corpus/xml"
run "$TS_INDEX" --db "$TMP/pz" --json --prune - <"$TMP/bad.zip"
like "$err" "not pruning" "--prune with a damaged archive on standard input: not pruning"
is "$(docs "$TMP/pz")" 3 "every record stays"

# --- the summary names the peak memory
run "$TS_INDEX" --db "$TMP/summary" "$TOP/corpus"
like "$out" "records/s, peak memory [0-9]+ MB$" "the summary line ends with the peak memory"

done_testing
