#!/usr/bin/env bash
# make install PREFIX=DIR installs binaries, header, libraries, pkg-config
# file and man pages; a program built against them with pkg-config works,
# including the example in the README.
. "$(dirname "$0")/lib.sh"

P=$TMP/prefix
run make -C "$TOP" --no-print-directory install PREFIX="$P" BUILD="$BUILD"
is "$rc" 0 "make install PREFIX=DIR succeeds"
for f in bin/trialsearch-index bin/trialsearch include/trialsearch.h lib/libtrialsearch.a \
         lib/libtrialsearch.so lib/pkgconfig/trialsearch.pc share/man/man1/trialsearch.1 \
         share/man/man1/trialsearch-index.1; do
    ok $([ -e "$P/$f" ]; echo $?) "installs $f"
done

export PKG_CONFIG_PATH=$P/lib/pkgconfig
run pkg-config --cflags --libs trialsearch
is "$rc" 0 "pkg-config knows trialsearch"
like "$out" "-I$P/include" "pkg-config gives the include directory"

# The README's example, extracted, compiled with pkg-config, run.
sed -n '/<!-- example: search.c -->/,/^```$/p' "$TOP/README.md" | sed '1,2d;$d' > "$TMP/search.c"
ok $([ -s "$TMP/search.c" ]; echo $?) "the README has the C example"
run cc -std=c11 -Wall -Wextra -Werror -o "$TMP/search" "$TMP/search.c" $(pkg-config --cflags --libs trialsearch)
is "$rc" 0 "the README example compiles against the installed header and library"
printf '%s\n' "$err" | sed 's/^/# /' | head -5

$TS_RUN "$P/bin/trialsearch-index" --db "$TMP/db" -q "$TOP/corpus"
run env LD_LIBRARY_PATH="$P/lib" $TS_RUN "$TMP/search" "$TMP/db" "intrathecal ALS"
is "$rc" 0 "the example runs"
like "$out" "^[0-9]+ matches" "the example prints the total (exact on the sample corpus)"
like "$out" "NCT099000[0-9][0-9] .*Intrathecal" "the example lists the intrathecal ALS sample"
run env LD_LIBRARY_PATH="$P/lib" $TS_RUN "$TMP/search" "$TMP/db" 'condition:(unbalanced'
is "$rc" 2 "the example reports a bad query through the status code"
run env LD_LIBRARY_PATH="$P/lib" $TS_RUN "$TMP/search" "$TMP/no-index" "x"
is "$rc" 3 "the example reports a missing index"

# The shared library exports only the public API.
syms=$(nm -D --defined-only "$P/lib/libtrialsearch.so" | awk '$2 ~ /^[TD]$/ {print $3}' | grep -v '^_\(init\|fini\)$' | sort)
bad=$(printf '%s\n' "$syms" | grep -v '^ts_' || true)
is "$bad" "" "the shared library exports only ts_* symbols"
for s in $(printf '%s\n' "$syms"); do
    grep -q "\b$s(" "$TOP/include/trialsearch.h" || echo "# exported but not in the header: $s"
done
missing=$(grep -o '\bts_[a-z_]*(' "$TOP/include/trialsearch.h" | tr -d '(' | sort -u | while read -r f; do
    printf '%s\n' "$syms" | grep -qx "$f" || echo "$f"; done)
is "$missing" "" "every function in the header is exported"

done_testing
