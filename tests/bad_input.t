#!/usr/bin/env bash
# Bad input never stops the batch.  For each kind of bad input the indexer
# prints one line naming the file (and archive member or JSON line) and
# the reason, indexes every good record around it, and exits 1.
#
# Each case builds a directory a-good.xml, m-<bad file>, z-good.xml (good
# records sorted around the bad one) in a temporary directory, from the
# sample records in corpus/.  Nothing is written into the tree.
. "$(dirname "$0")/lib.sh"

C=$TOP/corpus
GOOD_A=NCT09900001
GOOD_Z=NCT09900004
V2_ID=NCT09900002

# docs DB: the number of documents in the index.
# has DB ID: "yes" if a search for the id finds that record.
has() { "$TS_QUERY" --db "$1" --ids "id:$2" 2>/dev/null | grep -qx "$2" && echo yes || echo no; }

# new_case NAME: a fresh input directory $IN with the two good records.
new_case() {
    CASE=$1
    IN=$TMP/$CASE/in
    DB=$TMP/$CASE/db
    mkdir -p "$IN"
    cp "$C/xml/$GOOD_A.xml" "$IN/a-good.xml"
    cp "$C/xml/$GOOD_Z.xml" "$IN/z-good.xml"
}

# v2 ID [BRIEF_TITLE]: one API v2 study object on one line, from the first
# study of corpus/v2/studies.json with its id (and title) changed.
v2() {
    python3 - "$C/v2/studies.json" "$1" "${2:-}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["studies"][0]
s["protocolSection"]["identificationModule"]["nctId"] = sys.argv[2]
if sys.argv[3]:
    s["protocolSection"]["identificationModule"]["briefTitle"] = sys.argv[3]
print(json.dumps(s))
PY
}

# check_case FILE REASON WANT_DOCS: index $IN; the run exits 1, one line
# of stderr names FILE (an ERE) with REASON after it, and the index holds
# WANT_DOCS records including both good XML records.
check_case() {
    run "$TS_INDEX" --db "$DB" -q "$IN"
    is "$rc" 1 "$CASE: exit status 1"
    like "$err" "$1[^:]*: .*$2" "$CASE: the error names the file and says '$2'"
    is "$(printf '%s\n' "$err" | grep -cE -- "$1")" 1 "$CASE: exactly one line about it"
    is "$(docs "$DB")" "$3" "$CASE: $3 good records indexed"
    is "$(has "$DB" $GOOD_A),$(has "$DB" $GOOD_Z)" "yes,yes" "$CASE: the records before and after it are found"
}

# --- truncated XML
new_case truncated-xml
head -c 2000 "$C/xml/NCT09900009.xml" > "$IN/m-truncated.xml"
check_case 'm-truncated\.xml' 'malformed XML' 2

# --- malformed XML: mismatched tags
new_case malformed-xml
sed 's:</brief_title>:</official_title>:' "$C/xml/NCT09900009.xml" > "$IN/m-mismatch.xml"
check_case 'm-mismatch\.xml' 'malformed XML.*(mismatch|ending tag)' 2

# --- truncated JSON
new_case truncated-json
head -c 3000 "$C/v2/studies.json" > "$IN/m-truncated.json"
check_case 'm-truncated\.json' '(JSON|json)' 2

# --- malformed JSON in a JSON Lines file larger than the 8 MB pieces such
# a file is read in: the line number is the file's, and the lines around
# it count.  90 lines of about 100 KB (an unknown key pads them), line 85
# broken.
new_case big-lines
python3 - "$C/v2/studies.json" > "$IN/m-big.jsonl" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["studies"][0]
s["padding"] = "x" * 100000
for i in range(1, 91):
    if i == 85:
        print('{"protocolSection": {"identificationModule": [oops}')
        continue
    s["protocolSection"]["identificationModule"]["nctId"] = "NCT0992%04d" % i
    print(json.dumps(s))
PY
check_case 'm-big\.jsonl: line 85' '(JSON|json)' 91
is "$(has "$DB" NCT09920084),$(has "$DB" NCT09920086),$(has "$DB" NCT09920090)" "yes,yes,yes" \
    "big-lines: the lines before and after it, and the last, are read"

# --- malformed JSON in the middle of JSON Lines: the lines around it count
new_case malformed-json
{ v2 NCT09910001; printf '{"protocolSection": {"identificationModule": [oops}\n'; v2 NCT09910003; } > "$IN/m-lines.jsonl"
check_case 'm-lines\.jsonl: line 2' '(JSON|json)' 4

# --- invalid UTF-8 in an XML record
new_case utf8-xml
sed 's:</brief_title>:\xff\xfe bad</brief_title>:' "$C/xml/NCT09900009.xml" > "$IN/m-latin.xml"
check_case 'm-latin\.xml' '(UTF-8|encoding)' 2

# --- invalid UTF-8 in one JSON line
new_case utf8-json
{ v2 NCT09910001; v2 NCT09910002 "$(printf 'caf\xe9')" | sed "s/caf./$(printf 'caf\xe9')/"; v2 NCT09910003; } > "$IN/m-latin.jsonl"
check_case 'm-latin\.jsonl: line 2' '(UTF-8|decode byte 0xe9)' 4

# --- NUL bytes inside a text page
new_case nul-text
{ head -c 1500 "$C/text/NCT09900005.txt"; printf '\0\0\0'; tail -c +1501 "$C/text/NCT09900005.txt"; } > "$IN/m-nul.txt"
check_case 'm-nul\.txt' '(NUL|nul|binary|UTF-8)' 2

# --- NUL bytes inside a JSON line
new_case nul-json
{ v2 NCT09910001; v2 NCT09910002 | sed 's/"briefTitle": "/&\x00/'; v2 NCT09910003; } > "$IN/m-nul.jsonl"
check_case 'm-nul\.jsonl: line 2' '(NUL|nul|JSON|json)' 4

# --- deeply nested JSON
new_case nested-json
python3 -c 'import sys; sys.stdout.write("{\"studies\":[" + "[" * 100000 + "]" * 100000 + "]}")' > "$IN/m-nested.json"
check_case 'm-nested\.json' '(deep|nest|JSON|json)' 2

# --- a file of another format (a PNG named as a record, a CSV named as
# JSON).  Met in a directory walk it is passed by with one line saying
# so (not a rejection: the walk may hold READMEs and topic files); named
# on the command line it is rejected.
new_case other-format
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89' > "$IN/m-picture.xml"
printf 'date,value\n2020-01-01,3\n' > "$IN/m-table.json"
run "$TS_INDEX" --db "$DB" "$IN"
is "$rc" 0 "$CASE: in a walk: exit status 0"
like "$err" "skipping [^ ]*m-picture\.xml: unrecognised format" "$CASE: in a walk: binary data named .xml is passed by, with the reason"
like "$err" "skipping [^ ]*m-table\.json: unrecognised format" "$CASE: in a walk: CSV named .json is passed by, with the reason"
is "$(printf '%s\n' "$err" | grep -c 'm-')" 2 "$CASE: in a walk: one line each"
is "$(docs "$DB")" 2 "$CASE: in a walk: 2 good records indexed"
run "$TS_INDEX" --db "$TMP/$CASE/db2" -q "$IN/a-good.xml" "$IN/m-picture.xml" "$IN/m-table.json" "$IN/z-good.xml"
is "$rc" 1 "$CASE: named: exit status 1"
like "$err" "m-picture\.xml: unrecognised format" "$CASE: named: the binary file is rejected with the reason"
like "$err" "m-table\.json: unrecognised format" "$CASE: named: the CSV file is rejected with the reason"
is "$(printf '%s\n' "$err" | grep -c 'm-')" 2 "$CASE: named: one line each"
is "$(docs "$TMP/$CASE/db2")" 2 "$CASE: named: 2 good records indexed"

# --- an empty file
new_case empty
: > "$IN/m-empty.xml"
printf ' \n\t\n' > "$IN/m-blank.json"
run "$TS_INDEX" --db "$DB" -q "$IN"
is "$rc" 1 "$CASE: exit status 1"
like "$err" "m-empty\.xml: .*empty" "$CASE: an empty file is named as empty"
like "$err" "m-blank\.json: .*empty" "$CASE: a blank file is named as empty"
is "$(docs "$DB")" 2 "$CASE: 2 good records indexed"

# --- unreadable files: a symbolic link loop, and a file without read
# permission (only when not running as root, who may read anything)
new_case unreadable
ln -s m-loop.xml "$IN/m-loop.xml"
check_case 'm-loop\.xml' '(symbolic links|loop)' 2
if [ "$(id -u)" != 0 ]; then
    new_case unreadable-perm
    cp "$C/xml/NCT09900009.xml" "$IN/m-secret.xml"
    chmod 000 "$IN/m-secret.xml"
    check_case 'm-secret\.xml' 'Permission denied' 2
else
    echo "ok $((_n += 1)) - # SKIP a file without read permission: running as root"
fi

# --- an archive with a corrupt member: the others are indexed
new_case corrupt-member
python3 - "$IN/m-records.zip" "$C/xml" <<'PY'
import sys, zipfile
out, src = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in ("NCT09900001.xml", "NCT09900009.xml", "NCT09900004.xml"):
        z.write(f"{src}/{name}", f"trials/{name}")
data = bytearray(open(out, "rb").read())
# Corrupt the compressed data of the second member (not its headers).
with zipfile.ZipFile(out) as z:
    info = z.getinfo("trials/NCT09900009.xml")
start = info.header_offset + 30 + len(info.filename) + len(info.extra)
for i in range(start + 20, start + 60):
    data[i] ^= 0x5A
open(out, "wb").write(bytes(data))
PY
rm "$IN/a-good.xml" "$IN/z-good.xml"
run "$TS_INDEX" --db "$DB" -q "$IN"
is "$rc" 1 "$CASE: exit status 1"
like "$err" "m-records\.zip:trials/NCT09900009\.xml: " "$CASE: the error names the archive and the member"
is "$(printf '%s\n' "$err" | grep -c 'm-records')" 1 "$CASE: exactly one line about it"
is "$(has "$DB" $GOOD_A),$(has "$DB" $GOOD_Z)" "yes,yes" "$CASE: the members before and after it are indexed"

# --- a record of 50 MB: one line, and the batch goes on
new_case huge-record
python3 - "$C/xml/NCT09900009.xml" > "$IN/m-huge.xml" <<'PY'
import sys
xml = open(sys.argv[1]).read()
words = "lorem ipsum dolor sit amet " * (50 * 1024 * 1024 // 27)
sys.stdout.write(xml.replace("</brief_title>", words + "</brief_title>", 1))
PY
run "$TS_INDEX" --db "$DB" -q "$IN"
ok $([ "$rc" -le 1 ]; echo $?) "$CASE: the indexer finishes (exit $rc)"
is "$(printf '%s\n' "$err" | grep -c 'm-huge')" "$([ "$rc" = 1 ] && echo 1 || echo 0)" \
    "$CASE: at most one line about it, only when rejected"
is "$(has "$DB" $GOOD_A),$(has "$DB" $GOOD_Z)" "yes,yes" "$CASE: the records around it are indexed"

# --- 10,000 records in one JSON array: all indexed, nothing rejected
new_case many-records
python3 - "$C/v2/studies.json" > "$IN/m-many.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["studies"][0]
out = []
for i in range(10000):
    s["protocolSection"]["identificationModule"]["nctId"] = "NCT%08d" % (20000000 + i)
    out.append(json.dumps(s))
sys.stdout.write("[" + ",\n".join(out) + "]")
PY
run "$TS_INDEX" --db "$DB" -q "$IN"
is "$rc" 0 "$CASE: exit status 0"
is "$err" "" "$CASE: nothing rejected"
is "$(docs "$DB")" 10002 "$CASE: 10,000 records from one array plus the 2 around it"
is "$(has "$DB" NCT20009999)" yes "$CASE: the last record of the array is found"

# --- an NCT id longer than Xapian's term limit (245 bytes)
new_case long-id
long=NCT$(printf '%0300d' 7)
{ v2 NCT09910001; v2 "$long"; v2 NCT09910003; } > "$IN/m-longid.jsonl"
check_case 'm-longid\.jsonl: line 2' '(id|ID).*(long|implausible)' 4

done_testing
