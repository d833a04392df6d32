/* compile_synonyms.c - compile a synonym list (share/synonyms.txt) into
 * the C source of the library's built-in table, at build time.
 *
 *   compile_synonyms LIST OUT.c
 *
 * The list is read by the library's own reader (lib/synonyms.c), so the
 * compiled table finds exactly what the text would.  A malformed line is
 * an error here: the shipped list must load whole.  Exit status 0, or 1
 * with the reasons on stderr (OUT.c is then not written). */
#include "synonyms.h"

#include <stdio.h>
#include <stdlib.h>

/* The table this tool makes, empty while it is being made (the reader in
 * lib/synonyms.c refers to it). */
const _ts_syn_entry_t _ts_builtin_syn[1];
const size_t _ts_builtin_syn_len = 0;
const char _ts_builtin_str[1];
const uint32_t _ts_builtin_exp[1];

int main(int argc, char **argv)
{
    _ts_syn_table_t *t;
    ts_status_t st;
    FILE *out;

    if (argc != 3) {
        fprintf(stderr, "usage: compile_synonyms LIST OUT.c\n");
        return 1;
    }
    if (!(t = _ts_syn_new())) {
        fprintf(stderr, "compile_synonyms: out of memory\n");
        return 1;
    }
    st = _ts_syn_load_file(t, argv[1]);
    if (st != TS_OK) {
        const char *errors = _ts_syn_errors(t);
        fprintf(stderr, "compile_synonyms: %s\n", errors ? errors : ts_last_error());
        _ts_syn_free(t);
        return 1;
    }
    if (!(out = fopen(argv[2], "w"))) {
        perror(argv[2]);
        _ts_syn_free(t);
        return 1;
    }
    st = _ts_syn_write_c(t, argv[1], out);
    if (fclose(out) != 0 && st == TS_OK)
        st = TS_ERR_IO;
    _ts_syn_free(t);
    if (st != TS_OK) {
        fprintf(stderr, "compile_synonyms: %s: %s\n", argv[2], ts_last_error());
        remove(argv[2]);
        return 1;
    }
    return 0;
}
