/* fuzz.h - what the libFuzzer targets in fuzz/ share.
 *
 * Every target feeds the fuzzer's bytes to one entry point of the library
 * and checks the contract that entry point promises on any input: no
 * crash, no leak, no undefined behaviour (the sanitizers watch those), a
 * status that is TS_OK or a documented code, and records that can be
 * turned into JSON and back.  A broken promise aborts, which libFuzzer
 * reports as a crash and saves the input.
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
    int told;                   /* a record was told to fuzz_on_wants and
                                   wanted: a record or rejection is due */
} fuzz_seen_t;

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
    seen->told = 0;
    FUZZ_CHECK(rec->nct_id && *rec->nct_id, "record without an id");
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

    (void)where;
    seen->rejects++;
    seen->told = 0;
    FUZZ_CHECK(source && *source, "rejection without a source");
    FUZZ_CHECK(code != TS_OK, "rejection with status OK");
    FUZZ_CHECK(reason && *reason, "rejection without a reason");
    FUZZ_CHECK(!strchr(reason, '\n') && !strchr(reason, '\r'),
               "rejection reason spans lines");
    FUZZ_CHECK(fuzz_utf8_ok(reason), "rejection reason is not valid UTF-8");
    return TS_OK;
}

/* Wants callback: an id told before parsing is letters and digits, of
 * an accepted length; a record told and wanted was read or rejected before
 * the next is told.  Half the ids (by a hash) are passed over, so that
 * both ways are taken. */
static inline int fuzz_on_wants(void *ctx, const char *id)
{
    fuzz_seen_t *seen = (fuzz_seen_t *)ctx;
    size_t n = strlen(id);

    FUZZ_CHECK(!seen->told, "a record told and wanted was neither read nor rejected");
    FUZZ_CHECK(n > 0 && n <= _TS_ID_MAX, "an id told of an impossible length");
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'A' && id[i] <= 'Z') ||
                       (id[i] >= 'a' && id[i] <= 'z'),
                   "an id told with other than letters and digits");
    seen->told = (int)(_ts_hash64(id, n, _TS_HASH_INIT) & 1);
    return seen->told;
}

/* Callbacks counting into seen. */
static inline ts_scan_cbs_t fuzz_cbs(fuzz_seen_t *seen)
{
    ts_scan_cbs_t cbs;
    memset(&cbs, 0, sizeof cbs);
    cbs.record = fuzz_on_record;
    cbs.reject = fuzz_on_reject;
    cbs.wants = fuzz_on_wants;
    cbs.ctx = seen;
    return cbs;
}

/* A reader may only fail by running out of memory (a callback never
 * stops it here); every other outcome is a rejection. */
static inline void fuzz_check_read(ts_status_t st)
{
    FUZZ_CHECK(st == TS_OK || st == TS_ERR_NOMEM,
               "reader returned an error instead of rejecting");
}

#endif
