#!/usr/bin/env bash
# query_input.t - hostile query input: very long queries, thousands of
# terms, unbalanced quotes and brackets, deep nesting, wildcards that would
# expand to the whole vocabulary, invalid UTF-8, huge numbers.  Each gets a
# clear error (exit 2 and a message) or an answer (exit 0 or 1), within a
# time limit; never a crash, a sanitizer report or a C++ exception.
. "$(dirname "$0")/lib.sh"

DB=$TMP/db
"$TS_INDEX" --db "$DB" -q "$TOP/corpus"
ok $? "index corpus/"

# Seconds a single search may take here (valgrind runs 20 to 50 times slower).
LIMIT=60
[ -n "${TS_VALGRIND:-}" ] && LIMIT=1200

# bounded RCS DESCRIPTION CMD...: CMD ends within $LIMIT seconds with one
# of the statuses RCS ("0 1", "2" ...), and prints no crash report.  A CMD
# of "ts" is trialsearch on the test index.
bounded() {
    local rcs=$1 desc=$2; shift 2
    [ "$1" = ts ] && { shift; set -- "$TS_QUERY" --db "$DB" "$@"; }
    timeout -k 5 "$LIMIT" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(head -c 100000 "$TMP/out")
    err=$(head -c 100000 "$TMP/err")
    local good=1 r
    for r in $rcs; do [ "$rc" = "$r" ] && good=0; done
    _n=$((_n + 1))
    if [ $good = 0 ] && ! grep -Eq 'terminate called|what\(\)|Sanitizer|runtime error|Segmentation|Aborted' "$TMP/err"; then
        echo "ok $_n - $desc"
    else
        echo "not ok $_n - $desc"; _failed=$((_failed + 1))
        echo "#   exit status $rc (want one of: $rcs$([ "$rc" = 124 ] && echo "; timed out after $LIMIT s"))"
        head -c 600 "$TMP/err" | sed 's/^/#   stderr: /'
    fi
}
ts() { "$TS_QUERY" --db "$DB" "$@"; }
# json_ok: the last output is JSON Lines, each line valid UTF-8
json_ok() {
    python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8"))
    n += 1
sys.exit(0 if n else 1)' "$TMP/out"
}

# ---- very long queries ----------------------------------------------------
word=$(head -c 100000 /dev/zero | tr '\0' 'a')
bounded "0 1" "a 100,000-character word: an answer" ts --ids "$word"
python3 -c 'print("intrathecal " + "x" * 2000000)' >"$TMP/long"
bounded "0 1 2" "a 2 MB query line in --batch: an answer or an error" ts --batch --count <"$TMP/long"
[ "$rc" = 2 ] && like "$err" "line 1" "and the error names the line"

# ---- thousands of terms ---------------------------------------------------
python3 -c 'print(" ".join("w%d" % i for i in range(5000)))' >"$TMP/and5000"
bounded "1 2" "5,000 words: no hits or a clear refusal" ts --no-fallback -- "$(cat "$TMP/and5000")"
[ "$rc" = 2 ] && like "$err" "^trialsearch: bad query: .*words" "the refusal says the query has too many words"
python3 -c 'print(" OR ".join("w%d" % i for i in range(30000)))' >"$TMP/or30000"
bounded "1 2" "30,000 words joined by OR (--batch): bounded, no hits or a refusal" ts --batch --count <"$TMP/or30000"
python3 -c 'print(" ".join(["intrathecal"] * 900 + ["ALS"] * 90))' >"$TMP/repeat"
bounded "0" "990 words, repeated: an answer" ts --ids -- "$(cat "$TMP/repeat")"
is "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "NCT09900001 NCT09900003 " "the same trials as 'intrathecal ALS'"
python3 -c 'print(" ".join("title:x%d" % i for i in range(3000)))' >"$TMP/fields"
bounded "1 2" "3,000 fielded words: no hits or a refusal" ts --no-fallback -- "$(cat "$TMP/fields")"
python3 -c 'print(" ".join(["start:2000..2030"] * 3000))' >"$TMP/ranges"
bounded "0 1 2" "3,000 ranges: an answer or a refusal" ts --count -- "$(cat "$TMP/ranges")"

# ---- unbalanced quotes and brackets -----------------------------------------
for q in '"' '"intrathecal ALS' 'intrathecal "ALS' '(' '(((ALS' 'ALS)' ')(' '(ALS))' \
         'cond:(epilepsy' '"ALS" "' 'intr:"stem cells'; do
    bounded "2" "[$q]: exit 2" ts "$q"
    like "$err" "^trialsearch: bad query: .*column [0-9]+" "[$q]: the message says where"
done
bounded "0 1" "a bracket inside a phrase is text" ts '"ALS (motor"'

# ---- what a message shows of a bad query -------------------------------------------
# Control characters and bytes that are not UTF-8 are shown as '?', so that
# a query cannot drive the terminal; the caret stays under the culprit.
bounded "2" "a bad query with an escape sequence and a bad byte: exit 2" \
    ts "$(printf 'ALS \033[31m \377 (')"
is "$(printf '%s' "$err" | LC_ALL=C tr -d '\n -~' | wc -c | tr -d ' ')" 0 \
    "the message holds printable ASCII only"
is "$(printf '%s\n' "$err" | sed -n 2,3p)" "$(printf '    ALS ?[31m ? (\n                ^')" \
    "the query shown with '?' for each, the caret under the bracket"
# Option values named in a message are shown the same way, on one line.
bounded "2" "--facets with a line break and an escape: exit 2" ts --facets "$(printf 'sta\ntus\033[1m')" ALS
is "$err" "trialsearch: unknown facet 'sta?tus?[1m' (use status, phase, condition, country, sponsor, type)" \
    "the message is one line, the value made safe"
bounded "2" "--similar with a line break: exit 2" ts --similar "$(printf 'NCT0\n1')"
is "$err" "trialsearch: no trial NCT0?1 in the index" "the message is one line"
# A long query is cut to a window around the culprit; in --batch the line
# is named by its number, not echoed.
python3 -c 'print("ok query"); print("w " * 300 + "(ALS" + " v" * 300)' >"$TMP/long-bad"
bounded "2" "--batch, a bad line of 1,200 characters: exit 2" ts --batch --ids <"$TMP/long-bad"
like "$err" "^trialsearch: line 2: bad query: unclosed '\\(' at column 601" "the message names the line and the column"
is "$(printf '%s\n' "$err" | awk '{ if (length($0) > m) m = length($0) } END { print (m <= 120) }')" 1 \
    "no line of the message is longer than 120 characters"
is "$(printf '%s\n' "$err" | sed -n 2p | sed 's/^ *//' | tr -d 'wv ' | tr -s '.')" ".(ALS." \
    "the window shows the culprit, cut at both ends"
is "$(printf '%s\n' "$err" | awk 'NR == 2 { p = index($0, "(") } NR == 3 { c = index($0, "^") } END { print p, c }')" \
    "58 58" "the caret is under the culprit in the window"
# Stray UTF-8 continuation bytes count as a character each, in the column
# as in the caret.
bounded "2" "a bad query after stray continuation bytes: exit 2" ts "$(printf '\x80\x80\x80 (')"
like "$err" "unclosed '\\(' at column 5" "the column counts each stray byte"
is "$(printf '%s\n' "$err" | sed -n 2,3p)" "$(printf '    ??? (\n        ^')" "the caret is under that column"

# ---- deep nesting -------------------------------------------------------------
python3 -c 'print("(" * 100000 + "sclerosis" + ")" * 100000)' >"$TMP/deep"
bounded "0 1 2" "100,000 nested brackets: an answer or a refusal" ts --batch --count <"$TMP/deep"
python3 -c 'print("(" * 100000 + "sclerosis")' >"$TMP/open"
bounded "2" "100,000 unclosed brackets: exit 2" ts --batch --count <"$TMP/open"
python3 -c 'print(" ".join(["NOT"] * 20000) + " ALS")' >"$TMP/nots"
bounded "0 1 2" "20,000 NOTs in a row: an answer or a refusal" ts --batch --count <"$TMP/nots"
python3 -c 'print(" NEAR ".join(["sclerosis"] * 5000))' >"$TMP/near"
bounded "0 1 2" "5,000 words joined by NEAR: an answer or a refusal" ts --batch --count <"$TMP/near"

# ---- wildcards ------------------------------------------------------------------
bounded "0 1" "'*' alone: an answer" ts --count '*'
bounded "0 1" "'a*': an answer" ts --count 'a*'
bounded "0 1" "wildcards with --explain: an answer" ts --limit 1 --explain 'title:a* OR intra*'
like "$out" "^Parsed query: \(title:a\* OR intra\*\)" "the parsed query shows the wildcards as typed"
all=$(ts --count '')
bounded "0" "a* OR b* ... OR z*: an answer" ts --json --limit 5 "$(python3 -c 'print(" OR ".join(chr(97 + i) + "*" for i in range(26)))')"
is "$(grep -c '"type":"hit"' "$TMP/out" | tr -d ' ')" 5 "it shows --limit hits, no more"
python3 -c 'print(" OR ".join(a + b + "*" for a in "abcdefghijklmnopqrstuvwxyz" for b in "abcdefghijklmnopqrstuvwxyz"))' >"$TMP/wild"
bounded "0 1 2" "676 wildcards: an answer or a refusal" ts --batch --count <"$TMP/wild"
[ "$rc" = 0 ] && is "$(cut -f2 "$TMP/out")" "$all" "every trial matches some two-letter prefix"

# ---- invalid UTF-8 ---------------------------------------------------------------
for bytes in '\xff\xfe' 'ALS \xc3' '\xc0\xafALS' '\xed\xa0\x80 sclerosis' '\xf8\x88\x80\x80\x80' \
             'cond:\xff' 'title:"\xe2\x82 sclerosis"' 'status:\xff'; do
    q=$(printf "$bytes")
    bounded "0 1 2" "invalid UTF-8 [$bytes]: an answer or an error" ts --json "$q"
    if [ "$rc" = 2 ]; then
        like "$err" "^trialsearch: " "[$bytes]: a message on stderr"
    else
        json_ok
        ok $? "[$bytes]: the JSON output is valid UTF-8 JSON"
    fi
done
printf 'ALS \xff\nstatus:\xfe\n\xc3(\n' >"$TMP/bad-utf8"
bounded "2" "--batch with invalid UTF-8 lines: exit 2 for the bad line" ts --batch <"$TMP/bad-utf8"
json_ok
ok $? "--batch: every output line is valid UTF-8 JSON"

# ---- control characters, empty and odd queries -----------------------------------
for q in "$(printf 'ALS\tintrathecal')" "$(printf 'ALS\r\nintrathecal')" "$(printf '\001\002\033[31m')" \
         ' ' '-' '+' '""' '()' ':' 'title:' 'title:()' '***' 'NEAR/99999999999999999999 ALS'; do
    bounded "0 1 2" "odd query [$(printf '%s' "$q" | od -An -c | tr -s ' \n' ' ' | head -c 40)]: no crash" ts --count -- "$q"
done

# ---- huge numbers ----------------------------------------------------------------
bounded "0" "--limit 4294967296: an answer" ts --ids --limit 4294967296 'intrathecal ALS'
is "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "NCT09900001 NCT09900003 " "a limit past 2^32 still shows the hits"
bounded "0 1" "--offset 4294967296: an answer" ts --offset 4294967296 'intrathecal ALS'
unlike "$out" "NCT099" "an offset past 2^32 shows no hit"
bounded "0 1" "--offset 2^64-1: an answer" ts --offset 18446744073709551615 --sort enrollment 'intrathecal ALS'
unlike "$out" "NCT099" "an offset of 2^64-1 shows no hit"
bounded "2" "--limit 2^64: a usage error" ts --limit 18446744073709551616 ALS
bounded "0 1 2" "enrollment:1e400..: an answer or an error" ts --count 'enrollment:1e400..'
bounded "2" "age:99999999999999999999: exit 2" ts 'age:99999999999999999999'

done_testing
