#!/bin/sh
# run.sh - the relevance evaluation behind `make eval`.
#
# Indexes the shared records, writes one file per TREC 2021 topic, runs
# every topic through `trialsearch --patient FILE` in each configuration
# (the default, --plain and the default without one component) and prints
# condensed-list nDCG@10, P@10 and R@100 with ts-eval, beside two
# references: SQLite FTS5 bm25 on the same records and a random order.
# Then the short queries of eval/short-queries.tsv (a topic's main
# condition) in each configuration, a trial judged eligible or excluded
# counting as relevant.
#
# Environment: BUILD (build directory, default build), SHARED (default
# ../shared), TRIALSEARCH (the query program, default $BUILD/trialsearch),
# EVAL_ONLY (names of the configurations to run, space separated; default
# all).
# Runs and figures are left in $BUILD/eval/.  Exit status 0 (also when
# skipped for want of ../shared), 1 when a step fails.
set -eu

BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
TRIALSEARCH=${TRIALSEARCH:-$BUILD/trialsearch}
INDEXER=$BUILD/trialsearch-index
TS_EVAL=$BUILD/ts-eval
TREC=$SHARED/data/trec-ct-2021
QRELS=$TREC/qrels2021.txt
DB=$BUILD/eval-index
OUT=$BUILD/eval

# Each configuration: name, then the options that make it.
CONFIGS='default:
plain:--plain
without-expansion:--without=expansion
without-fields:--without=fields
without-eligibility:--without=eligibility
without-exclusion:--without=exclusion
without-feedback:--without=feedback'
if [ -n "${EVAL_ONLY:-}" ]; then
    CONFIGS=$(echo "$CONFIGS" | while IFS=: read -r name opts; do
        case " $EVAL_ONLY " in *" $name "*) echo "$name:$opts" ;; esac
    done)
    [ -n "$CONFIGS" ] || { echo "eval: EVAL_ONLY names no configuration" >&2; exit 1; }
fi

if [ ! -f "$QRELS" ] || [ ! -f "$TREC/topics2021.xml" ] || [ ! -d "$SHARED/seeds" ]; then
    echo "make eval: skipped: the shared data ($SHARED/data/trec-ct-2021 and $SHARED/seeds) is not there"
    exit 0
fi
mkdir -p "$OUT"

# 1. The index: built from scratch when the indexer changed since the last
# build, brought up to date (the indexer skips unchanged records) when a
# record file changed, else left alone.
stamp=$OUT/index.stamp
# Index the shared records into $DB; exit 1 unless the indexer succeeded
# (exit 1, some records rejected, is reported and accepted).
index() {
    rc=0
    "$INDEXER" --db "$DB" --progress=never "$SHARED/data" "$SHARED/seeds" \
        > "$OUT/index.log" 2>&1 || rc=$?
    grep -v ': skipping ' "$OUT/index.log" || true
    if [ "$rc" -gt 1 ]; then
        echo "eval: indexing failed (exit $rc)" >&2
        exit 1
    fi
    touch "$stamp"
}
if [ ! -f "$stamp" ] || [ ! -d "$DB" ] || [ "$INDEXER" -nt "$stamp" ]; then
    echo "eval: indexing $SHARED/data and $SHARED/seeds into $DB"
    rm -rf "$DB"
    index
elif [ -n "$(find "$SHARED/data" "$SHARED/seeds" -newer "$stamp" -type f | head -n 1)" ]; then
    echo "eval: updating $DB"
    index
fi
"$TRIALSEARCH" --db "$DB" --ids --limit 1000000 '' > "$OUT/docs.txt" || {
    echo "eval: cannot list the trials of $DB" >&2
    exit 1
}
echo "eval: $(wc -l < "$OUT/docs.txt") trials indexed; $(grep -c . "$TREC/judged_docs_in_shared_corpus.tsv" | awk '{print $1 - 1}') judged trials listed as present"

# 2. One text file per topic.
python3 eval/topics.py "$TREC/topics2021.xml" "$OUT/topics"

# 3. One run per configuration; the topic number replaces the query
# number trialsearch writes.
runs=
echo "$CONFIGS" | while IFS=: read -r name opts; do
    run=$OUT/$name.run
    : > "$run.tmp"
    for f in "$OUT"/topics/*.txt; do
        topic=$(basename "$f" .txt)
        rc=0
        # shellcheck disable=SC2086 # opts is a list of options
        "$TRIALSEARCH" --db "$DB" --patient "$f" --format=trec --run-tag "$name" \
            --limit 1000 $opts > "$OUT/one.tmp" 2> "$OUT/one.err" || rc=$?
        if [ "$rc" -gt 1 ]; then
            echo "eval: $name: topic $topic: trialsearch failed (exit $rc):" >&2
            cat "$OUT/one.err" >&2
            exit 1
        fi
        awk -v t="$topic" '{ $1 = t; print }' "$OUT/one.tmp" >> "$run.tmp"
    done
    mv "$run.tmp" "$run"
    echo "eval: $name: $(wc -l < "$run") lines in $run"
done || exit 1
rm -f "$OUT/one.tmp" "$OUT/one.err"
for c in $(echo "$CONFIGS" | cut -d: -f1); do
    runs="$runs $OUT/$c.run"
done

# 4. The reference ranking (only redone when the index changed).
if [ ! -s "$OUT/fts5-bm25.run" ] || [ "$stamp" -nt "$OUT/fts5-bm25.run" ] ||
   [ eval/fts5_baseline.py -nt "$OUT/fts5-bm25.run" ]; then
    python3 eval/fts5_baseline.py --trialsearch "$TRIALSEARCH" --db "$DB" \
        --topics "$OUT/topics" > "$OUT/fts5-bm25.run.tmp"
    mv "$OUT/fts5-bm25.run.tmp" "$OUT/fts5-bm25.run"
fi

# 5. The figures.
echo
echo "Condensed lists (unjudged trials removed), TREC 2021 topics; means over"
echo "the topics with an eligible trial in the collection.  Last column: how"
echo "much higher the default's nDCG@10 is than the row's."
echo
# shellcheck disable=SC2086
"$TS_EVAL" --docs "$OUT/docs.txt" "$QRELS" $runs "$OUT/fts5-bm25.run" | tee "$OUT/table.txt"
"$TS_EVAL" --docs "$OUT/docs.txt" --random 1000 "$QRELS"
# shellcheck disable=SC2086
"$TS_EVAL" --docs "$OUT/docs.txt" --json "$QRELS" $runs > "$OUT/means.jsonl"
awk -F'[:,]' '
    /"run":"default"/ { for (i = 1; i < NF; i++) if ($i == "\"ndcg10\"") d = $(i + 1) }
    /"run":"plain"/   { for (i = 1; i < NF; i++) if ($i == "\"ndcg10\"") p = $(i + 1) }
    END {
        gain = p > 0 ? 100 * (d - p) / p : 0
        printf "\ndefault over --plain: nDCG@10 %.4f vs %.4f, %+.1f%%\n", d, p, gain
        printf "target (nDCG@10 >= 0.75 and >= 20%% above --plain): %s\n",
               (d >= 0.75 && gain >= 20) ? "met" : "not met"
    }' "$OUT/means.jsonl"

# 6. Short queries: one per topic, its main condition, run in one
# --batch process per configuration.  A trial judged eligible or
# excluded (grades 2 and 1) is about the condition: both count as
# relevant (grade 2) here.  Eligibility, exclusion and feedback are
# --patient's alone.
SHORT=eval/short-queries.tsv
awk '{ if ($4 >= 1) $4 = 2; print }' "$QRELS" > "$OUT/qrels-topical.txt"
mkdir -p "$OUT/short"
sruns=
while IFS=: read -r name opts; do
    case $name in *eligibility | *exclusion | *feedback) continue ;; esac
    # shellcheck disable=SC2086 # opts is a list of options
    grep -v '^#' "$SHORT" | cut -f2 |
        "$TRIALSEARCH" --db "$DB" --batch --format=trec --run-tag "$name" --limit 1000 \
            $opts > "$OUT/one.tmp" 2> "$OUT/one.err" || {
        echo "eval: short queries, $name: trialsearch failed:" >&2
        cat "$OUT/one.err" >&2
        exit 1
    }
    # the line number becomes the topic of that line
    awk 'NR == FNR { if ($0 !~ /^#/) t[++n] = $1; next } { $1 = t[$1]; print }' \
        "$SHORT" "$OUT/one.tmp" > "$OUT/short/$name.run"
    sruns="$sruns $OUT/short/$name.run"
done <<EOF
$CONFIGS
EOF
rm -f "$OUT/one.tmp" "$OUT/one.err"
echo
echo "Short queries (eval/short-queries.tsv, a topic's main condition), a"
echo "trial judged eligible or excluded counting as relevant:"
echo
# shellcheck disable=SC2086
"$TS_EVAL" --docs "$OUT/docs.txt" "$OUT/qrels-topical.txt" $sruns | tee "$OUT/short-table.txt"
