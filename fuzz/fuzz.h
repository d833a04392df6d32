/* fuzz.h - what the libFuzzer targets in fuzz/ share.
 *
 * Every target feeds the fuzzer's bytes to one entry point of the library
 * and checks the contract that entry point promises on any input: no
 * crash, no leak, no undefined behaviour (the sanitizers watch those), a
 * status that is TS_OK or a documented code, records that can be turned
 * into JSON and back, and for the record readers the same records and
 * rejections when the input is split between two workers that pass over
 * each other's records (ts_scan_cbs_t.wants, as trialsearch-index's).  A
 * broken promise aborts, which libFuzzer reports as a crash and saves the
 * input.
 *
 * The same file builds the regression test tests/unit/test_regress.c,
 * which replays the saved inputs through the same checks. */
#ifndef TS_FUZZ_H
#define TS_FUZZ_H

#include "ts_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stop with a message: libFuzzer (or the regression test) reports the
 * input that broke the promise. */
#define FUZZ_CHECK(cond, what)                                              \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz: broken promise: %s (%s:%d)\n", what,     \
                    __FILE__, __LINE__);                                    \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* Counts of what one input produced. */
typedef struct fuzz_seen {
    size_t records;
    size_t rejects;
    /* What was read, as lines ("R id", "J where|reason"), in a split
     * run only those a worker keeps (fuzz_check_split). */
    char **events;
    size_t n_events;
    int worker;                 /* split run: this worker of two, else -1 */
    int claimed;                /* split run: the record told is this worker's */
} fuzz_seen_t;

/* Note an event of the kind ("R" or "J") and text a. */
static inline void fuzz_event(fuzz_seen_t *seen, const char *kind, const char *a,
                              const char *b)
{
    size_t n = strlen(kind) + strlen(a) + (b ? strlen(b) : 0) + 3;
    char *e = (char *)malloc(n);
    char **v = (char **)realloc(seen->events, (seen->n_events + 1) * sizeof *v);
    FUZZ_CHECK(e && v, "out of memory in the fuzz harness");
    snprintf(e, n, "%s %s%s%s", kind, a, b ? "|" : "", b ? b : "");
    seen->events = v;
    seen->events[seen->n_events++] = e;
}

static inline void fuzz_events_free(fuzz_seen_t *seen)
{
    for (size_t i = 0; i < seen->n_events; i++)
        free(seen->events[i]);
    free(seen->events);
    seen->events = NULL;
    seen->n_events = 0;
}

/* 1 if s is NULL or valid UTF-8 without NUL bytes. */
static inline int fuzz_utf8_ok(const char *s)
{
    size_t bad;
    return !s || _ts_valid_utf8(s, strlen(s), &bad);
}

/* Record callback: a record must have an id and a source, its strings
 * must be valid UTF-8 (the header promises it), and it must survive the
 * trip through ts_record_to_json and back.  Takes ownership of rec. */
static inline ts_status_t fuzz_on_record(void *ctx, ts_record_t *rec)
{
    fuzz_seen_t *seen = (fuzz_seen_t *)ctx;
    char *json;
    ts_record_t *back;

    seen->records++;
    FUZZ_CHECK(rec->nct_id && *rec->nct_id, "record without an id");
    if (seen->worker < 0 || seen->claimed || ts_shard_of(rec->nct_id, 2) == (unsigned)seen->worker)
        fuzz_event(seen, "R", rec->nct_id, NULL);
    seen->claimed = 0;
    FUZZ_CHECK(rec->source, "record without a source");
    FUZZ_CHECK(fuzz_utf8_ok(rec->nct_id) && fuzz_utf8_ok(rec->brief_title) &&
                   fuzz_utf8_ok(rec->official_title) &&
                   fuzz_utf8_ok(rec->brief_summary) &&
                   fuzz_utf8_ok(rec->eligibility),
               "record text is not valid UTF-8");
    json = ts_record_to_json(rec, 1);
    FUZZ_CHECK(json, "ts_record_to_json failed on a record a reader made");
    back = _ts_record_from_json(json, strlen(json));
    FUZZ_CHECK(back, "_ts_record_from_json refused ts_record_to_json's output");
    FUZZ_CHECK(strcmp(back->nct_id, rec->nct_id) == 0, "id lost in the JSON trip");
    ts_record_free(back);
    free(json);
    ts_record_free(rec);
    return TS_OK;
}

/* Reject callback: every rejection names its source and gives a reason
 * on one line. */
static inline ts_status_t fuzz_on_reject(void *ctx, const char *source,
                                         const char *where, ts_status_t code,
                                         const char *reason)
{
    fuzz_seen_t *seen = (fuzz_seen_t *)ctx;

    seen->rejects++;
    if (seen->worker <= 0 || seen->claimed)
        fuzz_event(seen, "J", where ? where : "-", reason ? reason : "-");
    seen->claimed = 0;
    FUZZ_CHECK(source && *source, "rejection without a source");
    FUZZ_CHECK(code != TS_OK, "rejection with status OK");
    FUZZ_CHECK(reason && *reason, "rejection without a reason");
    FUZZ_CHECK(!strchr(reason, '\n') && !strchr(reason, '\r'),
               "rejection reason spans lines");
    FUZZ_CHECK(fuzz_utf8_ok(reason), "rejection reason is not valid UTF-8");
    return TS_OK;
}

/* Wants callback of a split run: an id told before parsing is letters
 * and digits, of an accepted length, and the record told and wanted was
 * read or rejected before the next is told; the worker wants the ids that
 * hash to it, as trialsearch-index's workers do. */
static inline int fuzz_on_wants(void *ctx, const char *id)
{
    fuzz_seen_t *seen = (fuzz_seen_t *)ctx;
    size_t n = strlen(id);

    FUZZ_CHECK(!seen->claimed, "a record told and wanted was neither read nor rejected");
    FUZZ_CHECK(n > 0 && n <= _TS_ID_MAX, "an id told of an impossible length");
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(_ts_id_char(id[i]), "an id told with other than letters and digits");
    seen->claimed = ts_shard_of(id, 2) == (unsigned)seen->worker;
    return seen->claimed;
}

/* Callbacks counting into seen (a whole run, not a split one). */
static inline ts_scan_cbs_t fuzz_cbs(fuzz_seen_t *seen)
{
    ts_scan_cbs_t cbs;
    memset(&cbs, 0, sizeof cbs);
    seen->worker = -1;
    cbs.record = fuzz_on_record;
    cbs.reject = fuzz_on_reject;
    cbs.ctx = seen;
    return cbs;
}

/* One reader over one buffer (a target's own). */
typedef ts_status_t (*fuzz_reader_t)(const char *buf, size_t len, const ts_scan_cbs_t *cbs);

static int fuzz_cmp_events(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Split between two workers, the input reads as it does whole: what the
 * reader gives two simulated workers that pass over each other's records
 * told before parsing (cbs.wants), each keeping its own records and the
 * rejections it alone read or, as worker 0, all others, adds up to what a
 * whole run gave (whole, and its status): no record or message lost or
 * doubled. */
static inline void fuzz_check_split(const char *buf, size_t len, fuzz_reader_t read,
                                    fuzz_seen_t *whole, ts_status_t whole_status)
{
    fuzz_seen_t w[2];
    size_t n = 0;
    char **all;

    for (int k = 0; k < 2; k++) {
        memset(&w[k], 0, sizeof w[k]);
        ts_scan_cbs_t cbs = fuzz_cbs(&w[k]);
        w[k].worker = k;
        cbs.wants = fuzz_on_wants;
        ts_status_t st = read(buf, len, &cbs);
        if (st == TS_ERR_NOMEM || whole_status == TS_ERR_NOMEM) {
            fuzz_events_free(&w[0]);
            fuzz_events_free(&w[1]);
            return; /* a run cut short proves nothing */
        }
        n += w[k].n_events;
    }
    FUZZ_CHECK(n == whole->n_events, "split between workers, records or rejections were lost or doubled");
    all = (char **)malloc((n + 1) * sizeof *all);
    FUZZ_CHECK(all, "out of memory in the fuzz harness");
    n = 0;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < w[k].n_events; i++)
            all[n++] = w[k].events[i];
    if (n > 1) {
        qsort(all, n, sizeof *all, fuzz_cmp_events);
        qsort(whole->events, n, sizeof *all, fuzz_cmp_events);
    }
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(strcmp(all[i], whole->events[i]) == 0,
                   "split between workers, a record or rejection differs");
    free(all);
    fuzz_events_free(&w[0]);
    fuzz_events_free(&w[1]);
}

/* A reader may only fail by running out of memory (a callback never
 * stops it here); every other outcome is a rejection. */
static inline void fuzz_check_read(ts_status_t st)
{
    FUZZ_CHECK(st == TS_OK || st == TS_ERR_NOMEM,
               "reader returned an error instead of rejecting");
}

/* One input through a record reader, read whole (fuzz_check_read) and
 * split between two workers (fuzz_check_split). */
static inline void fuzz_reader_input(const char *buf, size_t len, fuzz_reader_t read)
{
    fuzz_seen_t seen = { 0 };
    ts_scan_cbs_t cbs = fuzz_cbs(&seen);
    ts_status_t st = read(buf, len, &cbs);

    fuzz_check_read(st);
    fuzz_check_split(buf, len, read, &seen, st);
    fuzz_events_free(&seen);
}

#endif
