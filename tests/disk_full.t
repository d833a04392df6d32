#!/usr/bin/env bash
# disk_full.t - indexing into a file system that fills up: the indexer
# stops with a clear message and exit status 3, and the index keeps its
# last commit: it opens, passes xapian-check and holds the records it held
# before.  With more room, a rerun completes.
#
# The small file system is a 3 MB tmpfs mounted in the test's directory,
# which needs root (or CAP_SYS_ADMIN).  Where mounting is refused, the test
# limits the size of any file the indexer writes instead (ulimit -f, with
# SIGXFSZ ignored), so writes fail with EFBIG ("File too large") rather
# than ENOSPC: the same failed write, from another cause; it says which.
#
# A commit that fails on the full disk can leak an object inside Xapian
# itself: disk_full.lsan.supp and disk_full.valgrind.supp suppress it for
# this test alone (lib.sh passes them on).
. "$(dirname "$0")/lib.sh"

MNT=$TMP/small
mkdir -p "$MNT"
trap 'umount "$MNT" 2>/dev/null; rm -rf "$TMP"' EXIT

mode=tmpfs
mount_small() { mount -t tmpfs -o "size=$1" tmpfs "$MNT" 2>/dev/null; }
if ! mount_small 3m; then
    mode=ulimit
    echo "# cannot mount a tmpfs here: limiting file sizes with ulimit -f instead"
fi
DB=$MNT/db
FULL='No space left on device'
[ $mode = ulimit ] && FULL='File too large'

# index ARGS...: the indexer, its files limited to 1 MB in ulimit mode
index() {
    if [ $mode = ulimit ]; then
        run bash -c 'trap "" XFSZ; ulimit -f 1024; exec "$@"' index "$TS_INDEX" "$@"
    else
        run "$TS_INDEX" "$@"
    fi
}

# 300 made-up trials of 200 made-up words each: their index takes about
# 11 MB, more than the file system holds.
mkdir -p "$TMP/filler"
python3 - "$TMP/filler" <<'EOF'
import random, sys
random.seed(7)
syll = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pra", "gen", "dol", "tex", "ium", "ol", "ase"]
word = lambda: "".join(random.choice(syll) for _ in range(random.randint(2, 4)))
for i in range(300):
    text = " ".join(word() for _ in range(200))
    with open("%s/f%04d.xml" % (sys.argv[1], i), "w") as f:
        f.write("<clinical_study><id_info><nct_id>NCT08%06d</nct_id></id_info>"
                "<brief_title>Filler trial %d</brief_title>"
                "<brief_summary><textblock>%s</textblock></brief_summary>"
                "<overall_status>Completed</overall_status></clinical_study>\n" % (i, i, text))
EOF

# --- the index before: the sample corpus
index --db "$DB" -q "$TOP/corpus"
is "$rc" 0 "the sample corpus fits in the small file system"
before=$(docs "$DB")
ok $([ "${before:-0}" -gt 0 ]; echo $?) "the index holds $before records"
als_before=$("$TS_QUERY" --db "$DB" --ids "intrathecal ALS" | sort | tr '\n' ' ')
like "$als_before" "NCT09900001" "a search finds the sample records"

# --- one batch that does not fit: nothing of it is committed
index --db "$DB" --batch-size 100000 "$TMP/filler"
is "$rc" 3 "indexing more than fits exits 3 (index or I/O failure)"
like "$err" "^trialsearch-index: .*$FULL" "the message names the cause ($FULL)"
like "$err" "keeps its last commit" "and says the index keeps its last commit"
unlike "$err" "terminate|what\(\)|Segmentation|Aborted|AddressSanitizer" "no crash, no C++ exception text"
[ $mode = tmpfs ] && like "$(df -P "$MNT" | awk 'NR == 2 { print $4 }')" "^[0-9]{1,3}$" "the file system was really filled up"

run xapian-check "$DB"
is "$rc" 0 "xapian-check passes on the index left behind"
is "$(docs "$DB")" "$before" "the index still holds the $before records of its last commit"
run "$TS_QUERY" --db "$DB" --ids "intrathecal ALS"
is "$rc" 0 "searching the full file system's index works"
is "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "$als_before" "and finds what it found before"
run "$TS_QUERY" --db "$DB" --ids "id:NCT08000000"
is "$out" "" "no record of the failed batch is visible"

# --- while the disk is still full, another run fails the same way
index --db "$DB" --batch-size 100000 "$TMP/filler"
is "$rc" 3 "a second run on the full file system exits 3 too"
is "$(docs "$DB")" "$before" "and the index still holds $before records"

# --- with more room, a rerun completes
if [ $mode = tmpfs ]; then
    mount -o remount,size=64m "$MNT"
    index --db "$DB" -q "$TMP/filler"
    is "$rc" 0 "with more room the rerun succeeds"
    is "$(docs "$DB")" "$((before + 300))" "and the index holds every record once"
    umount "$MNT"
fi

# --- batches committed along the way: the last one stays, the index opens
if [ $mode = tmpfs ]; then mount_small 3m; else rm -rf "$DB"; fi
index --db "$DB" -q "$TOP/corpus"
index --db "$DB" --batch-size 10 "$TMP/filler"
is "$rc" 3 "with small batches the indexer also stops with exit 3"
like "$err" "$FULL" "naming the cause"
run xapian-check "$DB"
is "$rc" 0 "xapian-check passes"
n=$(docs "$DB")
ok $([ "${n:-0}" -gt "$before" ] && [ "$n" -lt "$((before + 300))" ]; echo $?) \
    "the index opens with the batches committed before the disk filled ($n records)"
is "$("$TS_QUERY" --db "$DB" --ids "intrathecal ALS" | sort | tr '\n' ' ')" "$als_before" \
    "the records indexed before are still found"

done_testing
