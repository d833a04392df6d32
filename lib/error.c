/* error.c - status names and the per-thread last error message. */
#include "ts_internal.h"

#include <stdio.h>

static _Thread_local char last_error[1024];

static const char *const status_names[] = {
    [TS_OK] = "ok",
    [TS_ERR_NOT_FOUND] = "not-found",
    [TS_ERR_LOCKED] = "locked",
    [TS_ERR_MODIFIED] = "modified",
    [TS_ERR_CORRUPT] = "corrupt",
    [TS_ERR_VERSION] = "version-mismatch",
    [TS_ERR_BAD_QUERY] = "bad-query",
    [TS_ERR_BAD_RECORD] = "bad-record",
    [TS_ERR_IO] = "io-error",
    [TS_ERR_NOMEM] = "out-of-memory",
    [TS_ERR_INVALID] = "invalid",
    [TS_ERR_INTERNAL] = "internal",
    [TS_ERR_NOT_RECORD] = "not-a-record",
};

const char *ts_status_name(ts_status_t st)
{
    if ((unsigned)st < sizeof status_names / sizeof status_names[0])
        return status_names[st];
    return "unknown";
}

const char *ts_last_error(void)
{
    return last_error;
}

ts_status_t _ts_error(ts_status_t st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return st;
}

void _ts_error_clear(void)
{
    last_error[0] = '\0';
}
