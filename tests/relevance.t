#!/bin/sh
# relevance.t - what the query tool adds to plain BM25, on the real
# records of ../shared: abbreviations, curated synonyms and MeSH
# expansion, spelling correction, patients to trials (--patient),
# similar trials (--similar), and the switches that turn each off.
. "$(dirname "$0")/lib.sh"
need_shared
shared_index || { echo "1..0 # SKIP shared index could not be built"; exit 0; }

ts() { "$TS_QUERY" --db "$SHARED_DB" "$@"; }

# ---- expansion -------------------------------------------------------------
run ts --ids --limit 100 ALS
like "$out" 'NCT00001185' "ALS finds NCT00001185, which only says 'amyotrophic lateral sclerosis'"
run ts --ids --limit 100 --no-expand ALS
unlike "$out" 'NCT00001185' "--no-expand: ALS finds only the records that say ALS"
run ts --explain --limit 0 ALS
like "$out" 'Added: als -> amyotrophic lateral sclerosis \(synonym' "--explain names the expansion and its source"
run ts --explain --limit 0 "amyotrophic lateral sclerosis"
like "$out" 'Added: amyotrophic lateral sclerosis -> als ' "the long form, typed as words, also looks for the short form"
# A phrase an expansion adds is looked for in titles, conditions,
# interventions, keywords and MeSH terms, not in the whole text: the
# preeclampsia trial NCT00004399 names cardiac failure in its criteria only.
run ts --ids --limit 2000 "heart failure"
unlike "$out" 'NCT00004399' "heart failure: the synonym phrase 'cardiac failure' is not looked for in criteria"
run ts --ids --limit 2000 '"cardiac failure"'
like "$out" 'NCT00004399' "typed as a phrase, it is found anywhere in the default search"
# A phrase in quotes is searched as typed, without expansions: the
# cardiac failure trial NCT00497757 never says "heart failure".
run ts --ids --limit 2000 "heart failure"
like "$out" 'NCT00497757' "heart failure, unquoted, finds a trial that says cardiac failure"
run ts --ids --limit 2000 '"heart failure"'
unlike "$out" 'NCT00497757' '"heart failure" in quotes: not that trial'
run ts --explain --limit 0 '"heart failure"'
is "$rc:$(printf '%s' "$out" | grep -c '^Added:')" "0:0" '"heart failure" in quotes: --explain lists nothing added'
run ts --explain --limit 0 'condition:"heart failure"'
is "$rc:$(printf '%s' "$out" | grep -c '^Added:')" "0:0" "nor in a field"
# The parser makes a phrase of a hyphenated word too; unquoted, it keeps
# its expansions.
run ts --explain --limit 0 covid-19
like "$out" 'Added: covid 19 -> coronavirus disease 2019' "covid-19 unquoted is expanded"
run ts --explain --limit 0 '"covid-19"'
is "$rc:$(printf '%s' "$out" | grep -c '^Added:')" "0:0" '"covid-19" in quotes is not'
# An expansion that holds another word the query requires is left out:
# "pregnancy" expands to the MeSH heading "hiv infections" (trials that
# name both conditions), which in "hiv pregnancy" would match every HIV
# trial.
run ts --explain --limit 0 pregnancy
like "$out" 'pregnancy -> mesh:hiv infections' "pregnancy alone expands to the heading 'hiv infections'"
run ts --explain --limit 0 hiv pregnancy
unlike "$out" 'pregnancy -> mesh:hiv infections' "with hiv also required, that expansion is left out"
ts --ids --limit 5000 hiv pregnancy | sort >"$TMP/hp.ids"
ts --ids --limit 5000 --no-expand pregnancy | sort >"$TMP/p.ids"
is "$(comm -23 "$TMP/hp.ids" "$TMP/p.ids" | wc -l | tr -d ' ')" 0 \
    "every trial 'hiv pregnancy' finds ($(wc -l <"$TMP/hp.ids" | tr -d ' ')) says pregnancy"
run ts --explain --limit 0 '"hiv infection" pregnancy'
unlike "$out" 'pregnancy -> mesh:hiv infections' "a required phrase's words count too"
run ts --explain --limit 0 hiv OR pregnancy
like "$out" 'pregnancy -> mesh:hiv infections' "in an OR nothing else is required: the expansion stays"
run ts --explain --limit 0 PBSC
like "$out" 'pbsc -> peripheral blood stem cells \(abbreviation, weight 0\.[0-9]' \
    "an abbreviation defined in the records (not in the curated list) expands, weighted by its share"
with=$(ts --count HTN); without=$(ts --count --no-expand HTN)
ok "$([ "$with" -gt 100 ] && [ "$without" -lt 10 ]; echo $?)" \
    "HTN finds the hypertension trials through the curated list ($with with, $without without)"
run ts --explain --limit 0 intrathecal
unlike "$out" '-> it ' "a short form that is an everyday word ('it') is never searched for"
run ts --explain --limit 0 all
unlike "$out" 'leuk' "lower-case 'all' is not the leukemia abbreviation"
# Three records define ML (two as machine learning); 841 hold the word "ml".
run ts --explain --limit 0 ml
unlike "$out" 'machine learning' "lower-case 'ml', defined in under 1 of 100 records that use it, is the unit"
run ts --explain --limit 0 ML
like "$out" 'ml -> machine learning \(abbreviation' "typed in capitals, ML is still the abbreviation"
run ts --explain --limit 0 aids
like "$out" 'aids -> acquired immunodeficiency syndrome \(abbreviation' \
    "lower-case 'aids', defined in 1 of 20 records that use it, is the abbreviation"
# Over several shards the definitions are the first shard's (Xapian reads
# metadata from the first), and the word's records are counted as one
# shard's share: "nci", defined 12 times in the 1,102 records that hold
# it, 6 of them in the first of three shards, still expands.
"$TS_INDEX" --db "$TMP/s3" -q --jobs 2 --shards 3 "$SHARED/data" "$SHARED/seeds"
run "$TS_QUERY" --db "$TMP/s3" --explain --limit 0 nci
like "$out" 'nci -> national cancer institute \(abbreviation' \
    "over three shards, lower-case nci expands as it does in one index"
run ts --explain --limit 0 nci
like "$out" 'nci -> national cancer institute \(abbreviation' "and in one index"
run ts --json --limit 0 ALS
like "$out" '"added":\["als -> amyotrophic lateral sclerosis' "JSON lists the expansions under \"added\""
# A user's own list, with one malformed line.
printf '# test list\nzzqx = epilepsy\nthis line is malformed\n' >"$TMP/syn.txt"
TRIALSEARCH_SYNONYMS=$TMP/syn.txt run ts --ids --limit 5 zzqx
is "$rc" 0 "a word of the user's list (TRIALSEARCH_SYNONYMS) finds what its synonym finds"
like "$err" "syn.txt:3: " "the malformed line is reported with its file and line"
# Two expansions of the same words in another order are searched once,
# with their weights added: a trial they find scores twice what one of
# them gives it.
printf 'zzqy -> amyotrophic lateral sclerosis\n' >"$TMP/syn1.txt"
printf 'zzqy -> amyotrophic lateral sclerosis | sclerosis amyotrophic lateral\n' >"$TMP/syn2.txt"
s1=$(TRIALSEARCH_SYNONYMS=$TMP/syn1.txt ts --json --limit 1 zzqy | sed -n 's/.*"score":\([0-9.e+-]*\).*/\1/p')
s2=$(TRIALSEARCH_SYNONYMS=$TMP/syn2.txt ts --json --limit 1 zzqy | sed -n 's/.*"score":\([0-9.e+-]*\).*/\1/p')
ok "$(awk -v a="${s1:-0}" -v b="${s2:-0}" 'BEGIN { d = b - 2 * a; exit !(a > 0 && d < 1e-9 * b && -d < 1e-9 * b) }'; echo $?)" \
    "the same words in two orders count twice ($s1 once, $s2 twice)"

# ---- spelling ----------------------------------------------------------------
run ts --limit 3 epilpesy
is "$rc" 0 "a misspelled query with no hits runs corrected (exit 0)"
like "$out" 'showing results for: epilepsy' "and says so"
run ts --json --limit 1 epilpesy
like "$out" '"suggestion":"epilepsy","corrected":true' "JSON: suggestion and corrected"
run ts --limit 1 "epilpesy OR seizure"
like "$out" 'Did you mean: epilepsy OR seizure' "with hits anyway, a 'did you mean' suggestion"
run ts --count --no-spelling epilpesy
is "$rc" 1 "--no-spelling: no correction, no hits (exit 1)"

# ---- patients to trials --------------------------------------------------------
cat >"$TMP/7.txt" <<'EOF'
A 58-year-old man with amyotrophic lateral sclerosis has had progressive
weakness of both legs for two years. He asks about intrathecal stem cell
therapy. No history of diabetes.
EOF
run ts --patient "$TMP/7.txt" --ids --limit 3
like "$out" 'NCT02116634' "--patient: the ALS stem cell trials come first (NCT02116634)"
like "$out" 'NCT03828123' "--patient: ... and NCT03828123"
run ts --patient "$TMP/7.txt" --explain --limit 1
like "$out" 'Added: patient: age 58, sex male' "--explain shows the age and sex read from the text"
like "$out" 'Added: terms: amyotrophic lateral sclerosis' "... and the weighted terms"
like "$out" 'Added: feedback: ' "... and the feedback terms"
unlike "$out" 'terms:.*diabetes' "a negated finding (no history of diabetes) is not a term"
run ts --patient "$TMP/7.txt" --format=trec --run-tag tag --limit 2
like "$out" '^7 Q0 NCT[0-9]* 1 [0-9.]* tag' "--format=trec takes the topic id from a numeric file name"
run ts --patient "$TMP/7.txt" --format=trec --topic 42 --limit 1
like "$out" '^42 Q0 ' "--topic sets it"
run sh -c "\"$TS_QUERY\" --db \"$SHARED_DB\" --patient - --ids --limit 3 <\"$TMP/7.txt\""
like "$out" 'NCT02116634' "--patient - reads standard input"
: >"$TMP/empty.txt"
run ts --patient "$TMP/empty.txt"
is "$rc" 2 "an empty description is a usage error"
like "$err" 'empty.txt: the patient description is empty' "... and says so"
run ts --patient "$TMP/none.txt"
is "$rc" 2 "a missing file is a usage error"
run ts --patient "$TMP/7.txt" ALS
is "$rc" 2 "--patient takes no query"

# Eligibility: NCT02497443 admits ages 18 to 60.
printf 'A 30-year-old woman with drug-resistant epilepsy asks about mesenchymal stem cells.\n' >"$TMP/young.txt"
printf 'A 75-year-old woman with drug-resistant epilepsy asks about mesenchymal stem cells.\n' >"$TMP/old.txt"
rank() { ts --patient "$1" --ids --limit 1000 $2 | grep -n NCT02497443 | cut -d: -f1; }
young=$(rank "$TMP/young.txt"); old=$(rank "$TMP/old.txt")
ok "$([ -n "$young" ] && [ "$young" -le 3 ]; echo $?)" "--patient: NCT02497443 among the first 3 for a 30-year-old (rank $young)"
ok "$([ -n "$old" ] && [ "$old" -gt "$young" ]; echo $?)" "a 75-year-old sees it demoted (rank $old), not removed"
is "$(rank "$TMP/old.txt" --strict-eligibility)" "" "--strict-eligibility leaves it out"
is "$(rank "$TMP/old.txt" --without=eligibility)" "$young" "--without=eligibility ignores the age (same rank as the 30-year-old's)"

# Which trials the rescoring demotes, against what the query language says
# they are: for TREC topics 1 (a 45-year-old man) and 3 (a 32-year-old
# woman), those whose age limits leave the patient out or that are for
# the other sex only; for topic 20 (hirsutism 1.00,
# acne 0.96: salient), those whose exclusion criteria name either and whose
# title, conditions and inclusion criteria do not.  The rescoring reads
# posting lists in docid order: a wrong order would miss some.
topic() { sed -n "/<topic number=\"$1\">/,/<\/topic>/p" "$SHARED/data/trec-ct-2021/topics2021.xml" |
          sed -e 's/<[^>]*>//g' >"$TMP/topic$1.txt"; }
scores() { ts --patient "$TMP/topic$1.txt" --format=trec --limit 1000 --without="$2" | awk '{print $3, $5}' | sort; }
demoted() { join "$TMP/a" "$TMP/b" | awk '$2 < $3 {print $1}'; }
topic 1; topic 3; topic 20
# topic N, the patient's age, the sex the trials left out are for only
ineligible() {
    scores "$1" exclusion >"$TMP/a"; scores "$1" eligibility,exclusion >"$TMP/b"
    ts --ids --limit 100000 "age:$2" | sort >"$TMP/age"
    ts --ids --limit 100000 "sex:$3 -sex:$4" | sort >"$TMP/other"
    comm -23 "$TMP/age" "$TMP/other" >"$TMP/admitted"
    cut -d' ' -f1 "$TMP/b" | comm -23 - "$TMP/admitted" >"$TMP/want"
    n=$(wc -l <"$TMP/want" | tr -d ' ')
    ok "$([ "$n" -gt 10 ]; echo $?)" "topic $1: some of the first 1000 trials leave the patient ($2, not $3) out ($n)"
    is "$(demoted | tr '\n' ' ')" "$(tr '\n' ' ' <"$TMP/want")" "topic $1: exactly those are demoted"
}
ineligible 1 45 female male
ineligible 3 32 male female
scores 20 eligibility >"$TMP/a"; scores 20 eligibility,exclusion >"$TMP/b"
ts --ids --limit 100000 '(exclusion:hirsutism -title:hirsutism -condition:hirsutism -inclusion:hirsutism)
    OR (exclusion:acne -title:acne -condition:acne -inclusion:acne)' | sort >"$TMP/excl"
cut -d' ' -f1 "$TMP/b" | comm -12 - "$TMP/excl" >"$TMP/want"
n=$(wc -l <"$TMP/want" | tr -d ' ')
ok "$([ "$n" -gt 0 ]; echo $?)" "topic 20: some of the first 1000 trials exclude hirsutism or acne alone ($n)"
is "$(demoted | tr '\n' ' ')" "$(tr '\n' ' ' <"$TMP/want")" "topic 20: exactly those are demoted"

# ---- similar trials --------------------------------------------------------------
run ts --similar NCT03828123 --ids --limit 5
like "$out" 'NCT02116634' "--similar NCT03828123 finds the other ALS stem cell trial"
unlike "$out" 'NCT03828123' "... and not itself"
run ts --similar nct03828123 --explain --limit 1
like "$out" 'Added: similar to NCT03828123: ' "--explain shows the terms it used"
# The terms that mark a trial count how often it names them: NCT00004074
# names trastuzumab 13 times, most of its other rare words once.
run ts --similar NCT00004074 --explain --limit 0
like "$out" 'similar to NCT00004074: trastuzumab, ' \
    "--similar: the word the trial names most (trastuzumab, 13 times) marks it first"
run ts --similar NCT00000000
is "$rc" 2 "an unknown trial is a usage error"
like "$err" 'no trial NCT00000000 in the index' "... and says so"

# ---- switches ----------------------------------------------------------------------
run ts --without=feedback,bogus ALS
is "$rc" 2 "--without rejects an unknown component"
like "$err" "unknown component 'bogus'" "... naming it"
a=$(ts --patient "$TMP/7.txt" --ids --limit 20 | tr '\n' ' ')
b=$(ts --patient "$TMP/7.txt" --ids --limit 20 --plain | tr '\n' ' ')
ok "$([ "$a" != "$b" ]; echo $?)" "--plain ranks differently from the default"

done_testing
