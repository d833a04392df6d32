/* unit.h - helpers shared by the cmocka unit tests.
 *
 * Tests run from the top of the tree.  Real records are read in place from
 * ../shared (or $TS_SHARED); a test that needs them skips with a message
 * when they are absent. */
#ifndef TS_UNIT_H
#define TS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "trialsearch.h"

/* The shared data folder, or NULL when it is not there. */
static inline const char *unit_shared_dir(void)
{
    const char *d = getenv("TS_SHARED");
    struct stat st;
    if (!d || !*d)
        d = "../shared";
    return stat(d, &st) == 0 && S_ISDIR(st.st_mode) ? d : NULL;
}

/* Path under the shared folder, in a static buffer (one at a time). */
static inline const char *unit_shared(const char *rel)
{
    static char buf[4096];
    const char *d = unit_shared_dir();
    if (!d)
        return NULL;
    snprintf(buf, sizeof buf, "%s/%s", d, rel);
    return buf;
}

#define UNIT_NEED_SHARED()                                                   \
    do {                                                                     \
        if (!unit_shared_dir()) {                                            \
            print_message("skip: ../shared not found (set TS_SHARED)\n");    \
            skip();                                                          \
        }                                                                    \
    } while (0)

/* The whole file at path, NUL-terminated (*len without the NUL).  Fails
 * the test when it cannot be read.  Caller frees. */
static inline char *unit_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = (char *)malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Records and rejections collected by a scan. */
typedef struct unit_scan {
    ts_record_t **recs;
    size_t n, cap;
    size_t rejected;
    char last_reject[1024];
} unit_scan_t;

static inline ts_status_t unit_on_record(void *ctx, ts_record_t *rec)
{
    unit_scan_t *s = (unit_scan_t *)ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->recs = (ts_record_t **)realloc(s->recs, s->cap * sizeof *s->recs);
        assert_non_null(s->recs);
    }
    s->recs[s->n++] = rec;
    return TS_OK;
}

static inline ts_status_t unit_on_reject(void *ctx, const char *source,
                                         const char *where, ts_status_t code,
                                         const char *reason)
{
    unit_scan_t *s = (unit_scan_t *)ctx;
    s->rejected++;
    snprintf(s->last_reject, sizeof s->last_reject, "%s%s%s: %s: %s", source,
             where ? " " : "", where ? where : "", ts_status_name(code), reason);
    return TS_OK;
}

static inline ts_scan_cbs_t unit_cbs(unit_scan_t *s)
{
    ts_scan_cbs_t cbs;
    memset(&cbs, 0, sizeof cbs);
    cbs.record = unit_on_record;
    cbs.reject = unit_on_reject;
    cbs.ctx = s;
    return cbs;
}

static inline void unit_scan_free(unit_scan_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        ts_record_free(s->recs[i]);
    free(s->recs);
    memset(s, 0, sizeof *s);
}

/* Scan a path; fail the test if the scan itself fails. */
static inline void unit_scan_path(unit_scan_t *s, const char *path, ts_format_t fmt)
{
    ts_scan_cbs_t cbs = unit_cbs(s);
    ts_status_t st = ts_scan_path(path, fmt, &cbs);
    if (st != TS_OK)
        fail_msg("scan %s: %s: %s", path, ts_status_name(st), ts_last_error());
}

/* Parse a string buffer. */
static inline void unit_parse(unit_scan_t *s, const char *buf, const char *source, ts_format_t fmt)
{
    ts_scan_cbs_t cbs = unit_cbs(s);
    ts_status_t st = ts_parse_buffer(buf, strlen(buf), source, fmt, &cbs);
    if (st != TS_OK)
        fail_msg("parse %s: %s: %s", source, ts_status_name(st), ts_last_error());
}

/* The record with this id in a scan, or NULL. */
static inline ts_record_t *unit_find(unit_scan_t *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->recs[i]->nct_id && strcmp(s->recs[i]->nct_id, id) == 0)
            return s->recs[i];
    return NULL;
}

/* 1 if some element of l contains needle. */
static inline int unit_list_has(const ts_strlist_t *l, const char *needle)
{
    for (size_t i = 0; i < l->n; i++)
        if (strstr(l->v[i], needle))
            return 1;
    return 0;
}

#endif
