/* synonyms.h - the curated synonym lists (share/synonyms.txt and the
 * user's own), read into an in-memory table.
 *
 * The format, documented for users at the top of share/synonyms.txt:
 *
 *   htn = hypertension                          both ways
 *   mi = myocardial infarction | heart attack   a group of three
 *   ALL -> acute lymphoblastic leukemia         one way (also "=>")
 *
 * - One entry per line; '#' starts a comment (to the end of the line);
 *   blank lines are skipped.
 * - "A = B | C": every term of the line finds every other one.
 *   "A -> B | C": A finds B and C; B and C do not find A (nor each other).
 * - A term written in capitals (all its letters upper case, "ALL", "IT")
 *   is expanded only when the user types it in capitals; any other
 *   spelling ("htn", "Sjogren's") matches whatever the case.
 * - Terms are folded the way the index's vocabulary keys are
 *   (_ts_vocab_key): Unicode-normalized, case-folded, accents removed,
 *   every run of ASCII characters other than letters and digits made one
 *   space ("h/o" -> "h o", "COVID-19" -> "covid 19").  They are not
 *   stemmed.
 * - Lines for the same term add up.  A malformed line (no "=" or "->",
 *   two of them, an empty term, a term of more than _TS_SYN_TERM_MAX
 *   bytes or of punctuation only, invalid UTF-8) is skipped and reported
 *   as "SOURCE:LINE: reason"; the other lines are still used.
 */
#ifndef TS_SYNONYMS_H
#define TS_SYNONYMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ts_internal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest term, in bytes as written. */
#define _TS_SYN_TERM_MAX 120

typedef struct _ts_syn_table _ts_syn_table_t;

/* One term of a compiled list and what it finds: any when typed in any
 * case, upper when typed in capitals (a superset of any, see
 * _ts_syn_lookup).  The key is an offset in _ts_builtin_str, any and
 * upper the index in _ts_builtin_exp of their first expansion. */
typedef struct _ts_syn_entry {
    uint32_t key;
    uint32_t any;
    uint32_t n_any;
    uint32_t upper;
    uint32_t n_upper;
} _ts_syn_entry_t;

/* share/synonyms.txt compiled when the library is built (tools/
 * compile_synonyms.c writes $(BUILD)/gen/builtin_synonyms.c with
 * _ts_syn_write_c): every term that finds something, sorted by key
 * (strcmp), so that a process reads no list at start-up.  Offsets rather
 * than pointers: the tables are read-only data that the loader neither
 * relocates nor copies (6,900 relocations and 72 kB of copied pages a
 * process, before). */
extern const _ts_syn_entry_t _ts_builtin_syn[];
extern const size_t _ts_builtin_syn_len;
/* Every key and expansion, each ending in a NUL. */
extern const char _ts_builtin_str[];
/* The expansions of the entries, as offsets in _ts_builtin_str. */
extern const uint32_t _ts_builtin_exp[];

/* A new empty table, or NULL when out of memory.  Free with
 * _ts_syn_free. */
_ts_syn_table_t *_ts_syn_new(void);
/* Free the table and everything it owns.  NULL is allowed. */
void _ts_syn_free(_ts_syn_table_t *t);

/* Add the entries of the list in buf[0..len) (need not be
 * NUL-terminated); source names it in messages.  Malformed lines are
 * skipped and their messages kept (see _ts_syn_errors).  Returns TS_OK,
 * TS_ERR_INVALID when some line was malformed (ts_last_error names the
 * first: "SOURCE:LINE: reason"), or TS_ERR_NOMEM (the table then holds
 * part of the list). */
ts_status_t _ts_syn_load_buffer(_ts_syn_table_t *t, const char *buf, size_t len,
                                const char *source);

/* The same for the file at path.  A missing file is TS_ERR_NOT_FOUND and
 * is not kept as an error message (a user list is optional); a file that
 * cannot be read is TS_ERR_IO and is. */
ts_status_t _ts_syn_load_file(_ts_syn_table_t *t, const char *path);

/* The messages of every malformed line loaded so far, one per line
 * ("SOURCE:LINE: reason\n"), or NULL when there were none.  Owned by the
 * table. */
const char *_ts_syn_errors(const _ts_syn_table_t *t);

/* What key (a word or phrase in _ts_vocab_key form) may also be written
 * as: *exp gets the expansions (folded the same way, in the order of the
 * list, no duplicates, never key itself) and their number is returned; 0
 * and *exp NULL when there are none.  typed_upper: the user typed the term
 * in capitals, so entries written in capitals apply too.  The array
 * belongs to the table and stays valid until it is freed or loads more.
 * Lookups never change the table: threads may share a loaded one. */
size_t _ts_syn_lookup(const _ts_syn_table_t *t, const char *key, int typed_upper,
                      const char *const **exp);

/* The same as _ts_syn_lookup, in the built-in list: *exp gets the
 * offsets in _ts_builtin_str of the expansions. */
size_t _ts_syn_lookup_builtin(const char *key, int typed_upper, const uint32_t **exp);

/* Number of distinct terms that have expansions. */
size_t _ts_syn_size(const _ts_syn_table_t *t);

/* Write t as C source defining _ts_builtin_syn and _ts_builtin_syn_len
 * (source names the list in a comment).  TS_ERR_NOMEM or TS_ERR_IO on
 * failure. */
ts_status_t _ts_syn_write_c(const _ts_syn_table_t *t, const char *source, FILE *out);

/* Fold s[0..len) into a key as described above (malloc'd; "" for
 * punctuation only).  NULL when out of memory. */
char *_ts_syn_fold(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TS_SYNONYMS_H */
