/* fuzz_query.c - libFuzzer target for the query parser and search
 * (ts_search) over a tiny index of the sample corpus.
 *
 * At start-up the records under corpus/ (the directory named by
 * $TS_FUZZ_CORPUS, else FUZZ_CORPUS given at build time) are indexed into
 * a fresh temporary directory, removed at exit.  Each input is split at
 * the byte 0x1E into: query text, status, phase, type, sex, country,
 * facets, and a control part (byte 0: sort and flags, byte 1: offset,
 * byte 2: snippet length, the rest: an age as text).  An input without
 * 0x1E is only a query, so plain query texts are good seeds.
 *
 * Promises checked: the status is TS_OK, TS_ERR_BAD_QUERY or
 * TS_ERR_INVALID (each with a message); on success every hit has a record
 * with an id, snippets and parsed query are valid UTF-8, and the facet
 * counts are sane. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "fuzz.h"

#include <ftw.h>
#include <math.h>
#include <unistd.h>

#ifndef FUZZ_CORPUS
#define FUZZ_CORPUS "corpus"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ts_db_t *g_db;           /* the reader every input searches */
static char g_dir[4096];        /* the temporary index directory */

/* Record callback of the set-up scan: store the record, then free it. */
static ts_status_t put_record(void *ctx, ts_record_t *rec)
{
    ts_status_t st = ts_db_put((ts_db_t *)ctx, rec, NULL);
    ts_record_free(rec);
    return st;
}

/* Remove one entry of the temporary index (nftw callback). */
static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* At exit: close the index and remove its directory. */
static void cleanup(void)
{
    ts_db_close(g_db);
    g_db = NULL;
    if (g_dir[0])
        nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Stop the fuzzer at start-up with a message. */
static void die(const char *what, ts_status_t st)
{
    fprintf(stderr, "fuzz_query: %s: %s: %s\n", what, ts_status_name(st),
            ts_last_error());
    exit(1);
}

/* Build the tiny index once, before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *corpus = getenv("TS_FUZZ_CORPUS");
    const char *tmp = getenv("TMPDIR");
    ts_scan_cbs_t cbs;
    ts_db_t *w = NULL;
    ts_status_t st;

    (void)argc;
    (void)argv;
    if (!corpus || !*corpus)
        corpus = FUZZ_CORPUS;
    snprintf(g_dir, sizeof g_dir, "%s/ts-fuzz-query.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("fuzz_query: mkdtemp");
        exit(1);
    }
    atexit(cleanup);
    if ((st = ts_db_open(g_dir, TS_DB_WRITE, &w)) != TS_OK)
        die("open the index for writing", st);
    memset(&cbs, 0, sizeof cbs);
    cbs.record = put_record;
    cbs.ctx = w;
    if ((st = ts_scan_path(corpus, TS_FORMAT_AUTO, &cbs)) != TS_OK)
        die(corpus, st);
    if ((st = ts_db_close(w)) != TS_OK)
        die("commit the index", st);
    if ((st = ts_db_open(g_dir, TS_DB_READ, &g_db)) != TS_OK)
        die("open the index for reading", st);
    return 0;
}

/* Split buf at 0x1E into at most n NUL-terminated parts (in place); the
 * parts not present are "". */
static void split_parts(char *buf, char **parts, size_t n)
{
    size_t k = 0;

    parts[k++] = buf;
    for (char *p = buf; *p && k < n; p++) {
        if (*p == '\x1e') {
            *p = '\0';
            parts[k++] = p + 1;
        }
    }
    /* A 0x1E in the last part stays part of it. */
    while (k < n)
        parts[k++] = buf + strlen(buf);
}

/* Walk the results and check what the header promises about them. */
static void check_results(const ts_results_t *res, const ts_query_opts_t *o)
{
    size_t n = ts_results_count(res);

    FUZZ_CHECK(n <= o->limit, "more hits than the limit");
    FUZZ_CHECK(ts_results_parsed(res) && fuzz_utf8_ok(ts_results_parsed(res)),
               "parsed query missing or not UTF-8");
    FUZZ_CHECK(fuzz_utf8_ok(ts_results_dropped(res)), "dropped words not UTF-8");
    for (size_t i = 0; i < n; i++) {
        const ts_hit_t *h = ts_results_hit(res, i);
        FUZZ_CHECK(h && h->record && h->record->nct_id, "hit without a record");
        FUZZ_CHECK(h->rank == o->offset + i + 1, "hit ranks are not consecutive");
        FUZZ_CHECK(fuzz_utf8_ok(h->snippet), "snippet is not valid UTF-8");
        FUZZ_CHECK(ts_results_hit_fields(res, i), "no matched fields string");
    }
    for (size_t f = 0; f < ts_results_facet_count(res); f++) {
        FUZZ_CHECK(ts_results_facet_name(res, f), "facet without a name");
        for (size_t i = 0; i < ts_results_facet_size(res, f); i++) {
            uint64_t count = 0;
            const char *v = ts_results_facet_value(res, f, i, &count);
            FUZZ_CHECK(v && fuzz_utf8_ok(v), "facet value missing or not UTF-8");
            FUZZ_CHECK(count > 0, "facet value counted 0 times");
        }
    }
    FUZZ_CHECK(ts_results_hit(res, n) == NULL, "a hit past the end");
}

/* One input: a search with the options it spells. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    char *parts[8];
    ts_query_opts_t o;
    ts_results_t *res = NULL;
    ts_status_t st;
    const unsigned char *ctl;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    split_parts(buf, parts, 8);
    ctl = (const unsigned char *)parts[7];

    ts_query_opts_init(&o);
    o.query = parts[0];
    o.status = *parts[1] ? parts[1] : NULL;
    o.phase = *parts[2] ? parts[2] : NULL;
    o.type = *parts[3] ? parts[3] : NULL;
    o.sex = *parts[4] ? parts[4] : NULL;
    o.country = *parts[5] ? parts[5] : NULL;
    o.facets = *parts[6] ? parts[6] : NULL;
    if (ctl[0]) {
        o.sort = (ts_sort_t)(ctl[0] & 3);
        o.reverse = (ctl[0] >> 2) & 1;
        o.flags = (ctl[0] >> 3) & 1 ? TS_Q_NO_FALLBACK : 0;
        o.healthy = (int)((ctl[0] >> 4) % 3) - 1;
        if (ctl[1]) {
            o.offset = ctl[1] % 16;
            if (ctl[2]) {
                o.snippet_chars = ctl[2];
                double age = strtod((const char *)ctl + 3, NULL);
                if (ctl[3] && isfinite(age))
                    o.age = age;
            }
        }
    }

    st = ts_search(g_db, &o, &res);
    FUZZ_CHECK(st == TS_OK || st == TS_ERR_BAD_QUERY || st == TS_ERR_INVALID,
               "ts_search failed with an unexpected status");
    if (st == TS_OK) {
        FUZZ_CHECK(res, "no results on success");
        check_results(res, &o);
    } else {
        FUZZ_CHECK(*ts_last_error(), "a failed search without a message");
        FUZZ_CHECK(!strchr(ts_last_error(), '\n') || st == TS_ERR_BAD_QUERY,
                   "error message spans lines");
    }
    ts_results_free(res);
    free(buf);
    return 0;
}
