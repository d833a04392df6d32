#!/usr/bin/env bash
# Sharded indexes: --shards N keeps the shards apart behind a Xapian stub
# file; searches over the stub, over the shards given as repeated --db,
# and over shards served by xapian-tcpsrv give the results of one
# combined index; incremental runs route each trial to its shard.
. "$(dirname "$0")/lib.sh"
need_shared

D=$SHARED/data
IN="$D/ctgov-api-v2-json $D/ctgov-classic-api-json $SHARED/seeds"
QUERIES=(vaccine '"stem cells"' 'condition:diabetes' 'intervention:placebo age:70' 'covid OR influenza')

"$TS_INDEX" --db "$TMP/one" -q --jobs 1 $IN
ONE=$(docs "$TMP/one")

# --- a new sharded index
S=$TMP/sharded
run "$TS_INDEX" --db "$S" --json --jobs 2 --shards 3 $IN
is "$rc" 0 "--shards 3 builds a sharded index"
ok $([ -f "$S/XAPIANDB" ] && [ -d "$S/shard-0" ] && [ -d "$S/shard-2" ]; echo $?) \
    "it is a stub file XAPIANDB and three shard directories"
is "$(field "$out" new)" "$(( ONE ))" "every trial is new once"
is "$(docs "$S")" "$ONE" "--stats on the stub counts the trials of all shards"
sum=0; for k in 0 1 2; do n=$(docs "$S/shard-$k"); sum=$((sum + n)); ok $([ "$n" -gt 0 ]; echo $?) "shard $k holds trials ($n)"; done
is "$sum" "$ONE" "each trial is in exactly one shard"
size=$(field "$("$TS_INDEX" --db "$S" --stats --json)" size_bytes)
ok $([ "$size" -gt 1000000 ]; echo $?) "--stats on the stub sizes the shards ($size bytes)"
for q in "${QUERIES[@]}"; do
    is "$(hits "$q" --db "$S" --no-expand)" "$(hits "$q" --db "$TMP/one" --no-expand)" \
        "search '$q' over the stub: the hits and scores of one combined index"
done
is "$(hits vaccine --db "$S/shard-0" --db "$S/shard-1" --db "$S/shard-2" --no-expand)" \
   "$(hits vaccine --db "$TMP/one" --no-expand)" "--db repeated over the shards: the same"

# --- incremental runs route each trial to its shard
run "$TS_INDEX" --db "$S" --json --jobs 2 $IN
is "$(field "$out" new),$(field "$out" updated),$(field "$out" unchanged)" "0,0,$ONE" \
    "a rerun over the stub finds every trial unchanged"
run "$TS_INDEX" --db "$S" --json --jobs 1 "$D/ctgov-api-v2-json"
is "$(field "$out" unchanged)" 277 "one job over three shards finds them unchanged too"
mkdir -p "$TMP/edit"
id=$(head -1 "$D/ctgov-api-v2-json/studies.jsonl" | python3 -c '
import json,sys
o = json.load(sys.stdin)
m = o["protocolSection"]["identificationModule"]
m["briefTitle"] = "Edited " + m["briefTitle"]
print(json.dumps(o), file=open(sys.argv[1], "w"))
print(m["nctId"])' "$TMP/edit/one.jsonl")
ok $([ -n "$id" ]; echo $?) "an edited copy of $id is made"
run "$TS_INDEX" --db "$S" --json "$TMP/edit/one.jsonl"
is "$(field "$out" updated)" 1 "an edited trial is updated"
is "$(docs "$S")" "$ONE" "in place: no trial is added"
in=0; for k in 0 1 2; do xapian-delve -1 -t "Q$id" "$S/shard-$k" 2>/dev/null | grep -q '^[0-9]' && in=$((in + 1)); done
is "$in" 1 "$id is in one shard only"
like "$("$TS_QUERY" --db "$S" --json "id:$id")" '"title":"Edited ' "the edited version is what the stub shows"
run "$TS_INDEX" --db "$S" --json --delete "$id"
is "$(field "$out" deleted)" 1 "--delete removes a trial from its shard"
is "$(docs "$S")" "$((ONE - 1))" "the count drops by one"
run "$TS_INDEX" --db "$TMP/one" --shards 2 "$TMP/edit/one.jsonl"
is "$rc" 2 "--shards on an existing single index is refused"
run "$TS_INDEX" --db "$S" --shards 2 "$TMP/edit/one.jsonl"
is "$rc" 2 "--shards with another number of shards than the stub's is refused"

# --- a shard left at another schema version is refused, not searched with
# this version's weighting (Xapian reads metadata from the first shard only)
cp -r "$S" "$TMP/mixed"
v=$(xapian-metadata get "$TMP/mixed/shard-2" ts:schema)
xapian-metadata set "$TMP/mixed/shard-2" ts:schema $((v - 1))
run "$TS_QUERY" --db "$TMP/mixed" vaccine
is "$rc" 3 "a stub whose last shard has schema version $((v - 1)) is refused (exit 3)"
like "$err" "shard-2: index has schema version $((v - 1))" "the message names the shard and its version"
run "$TS_QUERY" --db "$TMP/one" --db "$TMP/mixed" vaccine
is "$rc" 3 "so is it searched with another index (--db twice)"
mkdir -p "$TMP/nest"
printf 'auto ../mixed\ninmemory\n' >"$TMP/nest/XAPIANDB"
run "$TS_QUERY" --db "$TMP/nest" vaccine
is "$rc" 3 "and through a stub that lists its stub, beside a line of another kind"
like "$err" "shard-2: index has schema version" "naming the shard"


# --- shards served by xapian-tcpsrv, searched through a stub of remote lines
command -v xapian-tcpsrv >/dev/null || { echo "# SKIP xapian-tcpsrv not installed (Debian xapian-tools)"; done_testing; exit $?; }
"$TS_INDEX" --db "$S" -q $IN # the deleted trial back

# --patient over the shards: the ranking of the combined index (its
# rescoring reads posting lists of the shards as one; expansion left out,
# as the mined vocabulary is read from the first shard)
sed -n '/<topic number="1">/,/<\/topic>/p' "$D/trec-ct-2021/topics2021.xml" | sed 's/<[^>]*>//g' >"$TMP/topic1.txt"
pat() { "$TS_QUERY" --db "$1" --patient "$TMP/topic1.txt" --format=trec --limit 1000 --without=expansion; }
is "$(pat "$S" | md5sum)" "$(pat "$TMP/one" | md5sum)" "--patient over the stub: the ranks and scores of one combined index"
pids=()
stop_servers() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap 'stop_servers; rm -rf "$TMP"' EXIT
lines=()
for k in 0 1 2; do
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 30000))
        # its own session: on SIGTERM xapian-tcpsrv signals its whole group
        setsid xapian-tcpsrv --interface 127.0.0.1 --port $port --quiet "$S/shard-$k" 2>"$TMP/tcpsrv$k.err" &
        pid=$!
        for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
        kill -0 $pid 2>/dev/null && break
    done
    pids+=($pid)
    lines+=("remote 127.0.0.1:$port")
done
printf '%s\n' "${lines[@]}" > "$TMP/remote.stub"
is "$(docs "$TMP/remote.stub")" "$ONE" "--stats through three xapian-tcpsrv servers counts every trial"
for q in "${QUERIES[@]}"; do
    is "$(hits "$q" --db "$TMP/remote.stub" --no-expand)" "$(hits "$q" --db "$TMP/one" --no-expand)" \
        "search '$q' over xapian-tcpsrv shards: the hits and scores of one combined index"
done
is "$(pat "$TMP/remote.stub" | md5sum)" "$(pat "$TMP/one" | md5sum)" "--patient over xapian-tcpsrv shards: the same"
# Over a remote shard the age and sex limits are asked as one filter
# search rather than read trial by trial: the ranking above holds trials
# the patient's age or sex rules out, ranked lower, as locally.
noelig=$("$TS_QUERY" --db "$TMP/one" --patient "$TMP/topic1.txt" --format=trec --limit 1000 \
    --without=expansion,eligibility)
[ -n "$noelig" ] && [ "$(pat "$TMP/one" | md5sum)" != "$(printf '%s\n' "$noelig" | md5sum)" ]
ok $? "(topic 1 has trials its eligibility rescoring ranks lower)"
# --sort over remote shards: by the value itself (the remote backend takes
# no KeyMaker), the combined index's order newest or largest first, and
# oldest first for a date every trial has.
ids() { "$TS_QUERY" --db "$1" --no-expand --ids --limit 1000 "${@:2}" vaccine; }
for s in start updated enrollment; do
    is "$(ids "$TMP/remote.stub" --sort $s)" "$(ids "$TMP/one" --sort $s)" \
        "--sort $s over xapian-tcpsrv shards: the order of one combined index"
done
is "$(ids "$TMP/remote.stub" --sort updated --reverse)" "$(ids "$TMP/one" --sort updated --reverse)" \
    "--sort updated --reverse: the same"
[ "$(ids "$TMP/one" --sort start | wc -l)" -gt 20 ]
ok $? "(vaccine finds more than 20 trials to sort)"
# A remote shard listed by a stub that a stub lists is found too.
printf 'auto %s\n' "$TMP/remote.stub" >"$TMP/nested.stub"
is "$(ids "$TMP/nested.stub" --sort start)" "$(ids "$TMP/one" --sort start)" "--sort start through a stub listing the remote stub"
# --facets over remote shards: Xapian's own value-count spy runs there.
facets() { "$TS_QUERY" --db "$1" --no-expand --facets status,phase,condition,country,sponsor,type \
    --json --limit 0 vaccine | sed 's/"elapsed_ms":[0-9.e+-]*//'; }
is "$(facets "$TMP/remote.stub")" "$(facets "$TMP/one")" "--facets over xapian-tcpsrv shards: the counts of one combined index"
like "$(facets "$TMP/one")" '"facets":\{"status":\[\{"value":' "(which counts something)"

run "$TS_INDEX" --db "$TMP/remote.stub" "$TMP/edit/one.jsonl"
is "$rc" 2 "indexing into remote shards is refused"
like "$err" "remote shard" "with a message to index on the shard's host"
stop_servers

done_testing
