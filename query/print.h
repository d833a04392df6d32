/* print.h - the output of trialsearch: one printer interface, several
 * back ends (notmuch's sprinter habit).
 *
 * main.c runs the searches and hands each one's results to a printer; the
 * printer decides how it looks: text for people (optionally coloured),
 * JSON Lines, bare ids, a count, or TREC run lines.  A printer writes only
 * to its FILE; write errors are left in the FILE's error flag for the
 * caller to check.
 */
#ifndef TS_QUERY_PRINT_H
#define TS_QUERY_PRINT_H

#include <stdio.h>

#include "trialsearch.h"

/* Version of the JSON Lines schema (documented in trialsearch(1)). */
#define PRINT_FORMAT_VERSION 1

typedef enum print_format {
    PRINT_TEXT = 0,
    PRINT_JSON,
    PRINT_IDS,
    PRINT_COUNT,
    PRINT_TREC
} print_format_t;

/* Settings shared by the back ends; strings are borrowed. */
typedef struct print_opts {
    FILE *out;
    FILE *err;              /* messages: a failed search, and a bad batch
                               line in the plain formats */
    int color;              /* text: ANSI colour and bold */
    int explain;            /* parsed query and matched fields */
    int batch;              /* tag output with the query's line number */
    const char *run_tag;    /* trec: the run's name */
    const char *topic;      /* trec: the topic id (default: the line number) */
    const char *fields;     /* json: extra record fields, comma separated,
                               or "all" for the whole record */
} print_opts_t;

/* One search, as handed to a printer. */
typedef struct print_search {
    const char *query;          /* as typed */
    const ts_results_t *res;
    long line;                  /* batch: line number (1-based); else 1 */
    double elapsed_ms;
    size_t limit;               /* hits asked for: 0 prints none on purpose */
} print_search_t;

typedef struct printer printer_t;

struct printer {
    /* Print one search's results (all of it: header, hits, facets, summary). */
    void (*search)(printer_t *p, const print_search_t *s);
    /* Report a query that could not run (batch mode goes on after it). */
    void (*error)(printer_t *p, long line, const char *query, ts_status_t st,
                  const char *message);
    print_opts_t opts;
};

/* A printer for fmt.  Returns NULL for an unknown format. */
printer_t *print_new(print_format_t fmt, const print_opts_t *opts);
void print_free(printer_t *p);

/* Parse "text", "json", "ids", "count", "trec".  -1 if unknown. */
int print_format_parse(const char *name);

/* Check a --fields list: 0 if every name is a record field (or "all"),
 * else -1 with *bad pointing at the first unknown name's text. */
int print_check_fields(const char *fields, const char **bad);

/* The record fields --fields accepts, space separated (for --help). */
const char *print_field_names(void);

#endif
