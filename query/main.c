/* trialsearch - search the trial index.
 *
 * This file parses options, opens the index, runs the searches through the
 * library (include/trialsearch.h) and hands the results to a printer
 * (print.h).  Exit status: 0 hits, 1 no hits, 2 usage or bad query, 3
 * missing or corrupt index or I/O error (a failed write to standard output
 * included), 75 index busy (locked, or changing under the reader after
 * retries).
 */
#include "print.h"
#include "trialsearch.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_HITS 0
#define EXIT_NO_HITS 1
#define EXIT_USAGE 2
#define EXIT_DB 3
#define EXIT_BUSY 75

static const char *prog = "trialsearch";

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s [options] QUERY...\n"
            "       %s [options] --batch < QUERIES\n"
            "\n"
            "Search the clinical trial index.  The words of QUERY are joined with spaces\n"
            "and read in the query language: every word is required (AND); fields,\n"
            "\"phrases\", AND OR NOT NEAR, -word +word, word* and (groups) work as\n"
            "described in trialsearch(1).  When no trial has all the words, the best\n"
            "partial matches are shown with a note naming the words dropped.\n"
            "\n"
            "Index:\n"
            "  --db DIR             index to search (repeat to search several as one;\n"
            "                       default: $TRIALSEARCH_DB, else\n"
            "                       ${XDG_DATA_HOME:-~/.local/share}/trialsearch/index)\n"
            "Filters (a comma-separated list admits any of its values):\n"
            "  --status S           recruiting, completed, ... or open (recruiting,\n"
            "                       not yet recruiting, enrolling by invitation, available)\n"
            "  --phase P            early1, 1, 2, 3, 4, 1/2, 2/3, na\n"
            "  --type T             interventional, observational, expanded\n"
            "  --sex S              female or male (trials for all admit too), all\n"
            "  --age YEARS          trials whose age limits admit this age\n"
            "  --healthy yes|no     accepts healthy volunteers\n"
            "  --country NAME       a location in this country\n"
            "Results:\n"
            "  -n, --limit N        hits to show (default 10)\n"
            "  --offset N           skip the first N hits\n"
            "  --sort KEY           relevance (default), start, updated, enrollment\n"
            "                       (dates newest first, enrollment largest first)\n"
            "  --reverse            reverse the order\n"
            "  --facets LIST        counts over all matches: status,phase,condition,\n"
            "                       country,sponsor,type\n"
            "  --no-fallback        no partial matches when no trial has every word\n"
            "  --explain            show the parsed query, what was expanded, and the\n"
            "                       fields each hit matched in\n"
"Relevance:\n"
            "  --patient FILE       rank the trials a patient may be eligible for, from a\n"
            "                       free-text case description (- reads standard input)\n"
            "  --strict-eligibility --patient: leave out trials the patient's age or sex\n"
            "                       excludes (default: rank them lower)\n"
            "  --similar NCT        the trials most like this one\n"
            "  --no-expand          no abbreviation, synonym or MeSH expansion\n"
            "  --no-spelling        no \"did you mean\" correction\n"
            "  --plain              plain BM25: no expansion, no field weights, no\n"
            "                       eligibility, exclusion or feedback\n"
            "  --without LIST       turn components off: expansion, fields, eligibility,\n"
            "                       exclusion, feedback (comma-separated)\n"
            "Output:\n"
            "  --format F           text (default), json, ids, count, trec\n"
            "  --json, --ids, --count   short for --format json / ids / count\n"
            "  --fields LIST        json: add these record fields (or all)\n"
            "  --run-tag TAG        trec: the run name (default trialsearch)\n"
            "  --topic ID           trec: the topic id (default: the query's line number;\n"
            "                       with --patient FILE, FILE's name when it is a number)\n"
            "  --snippet-chars N    snippet length (default 200)\n"
            "  --color[=WHEN]       auto (default: on a terminal, not with NO_COLOR),\n"
            "                       always, never\n"
            "  --format-version[=N] print the JSON schema version; with N, fail unless\n"
            "                       this program writes version N\n"
            "  --batch              read queries from standard input, one per line\n"
            "                       (default format json; lines are numbered from 1)\n"
            "  -j, --jobs N         --batch: run N queries at a time, answers in the\n"
            "                       order of the lines (default: the number of\n"
            "                       processors)\n"
            "  -h, --help           this help\n"
            "  -V, --version        the version\n"
            "\n"
            "Fields of the query language:\n",
            prog, prog);
    for (size_t i = 0; i < ts_schema_field_count(); i++) {
        const ts_field_info_t *fi = ts_schema_field(i);
        char names[64];
        if (fi->aliases && *fi->aliases)
            snprintf(names, sizeof names, "%s: (%s:)", fi->name, fi->aliases);
        else
            snprintf(names, sizeof names, "%s:", fi->name);
        fprintf(f, "  %-26s %s%s\n", names, fi->help,
                fi->kind == TS_FIELD_FILTER ? " [filter]"
                : fi->kind == TS_FIELD_RANGE ? " [range a..b]" : "");
    }
    fprintf(f,
            "\n"
            "Exit status: 0 hits, 1 no hits, 2 usage or bad query, 3 missing or\n"
            "corrupt index or I/O error, 75 index busy.\n");
}

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die_usage(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    exit(EXIT_USAGE);
}

/* Exit status for a library failure. */
static int exit_for(ts_status_t st)
{
    switch (st) {
    case TS_ERR_BAD_QUERY:
    case TS_ERR_INVALID:
        return EXIT_USAGE;
    case TS_ERR_LOCKED:
    case TS_ERR_MODIFIED:
        return EXIT_BUSY;
    default:
        return EXIT_DB;
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A non-negative whole number for option name, or a usage error. */
static size_t parse_count(const char *name, const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-')
        die_usage("--%s: '%s' is not a whole number", name, s);
    return (size_t)v;
}

/* Flush standard output; on failure report it and return EXIT_DB. */
static int check_stdout(void)
{
    int was = errno;
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    int e = errno ? errno : was ? was : EIO;
    fprintf(stderr, "%s: write error: %s\n", prog, strerror(e));
    return EXIT_DB;
}

/* Run one search and print it.  Returns an exit status: 0 hits, 1 no
 * hits, or the status for a failure (reported through the printer for a
 * bad query in batch mode, else on the printer's error stream). */
static int run_one(ts_db_t *db, ts_query_opts_t *q, printer_t *pr, const char *query,
                   long line, int batch)
{
    ts_results_t *res = NULL;
    double t0 = now_ms();
    q->query = query;
    ts_status_t st = ts_search(db, q, &res);
    if (st != TS_OK) {
        if (batch && (st == TS_ERR_BAD_QUERY || st == TS_ERR_INVALID))
            pr->error(pr, line, query, st, ts_last_error());
        else
            fprintf(pr->opts.err, "%s: %s\n", prog, ts_last_error());
        return exit_for(st);
    }
    print_search_t s = {query, res, line, now_ms() - t0, q->limit};
    pr->search(pr, &s);
    int rc = ts_results_total(res) > 0 ? EXIT_HITS : EXIT_NO_HITS;
    ts_results_free(res);
    return rc;
}

/* Open the index or indexes named by --db, or the default one. */
static ts_db_t *open_db(const char **paths, size_t n, int must)
{
    ts_db_t *db = NULL;
    ts_status_t st;
    char *def = NULL;
    if (n == 0) {
        def = ts_db_default_path();
        if (!def) {
            fprintf(stderr, "%s: no index given (--db) and no home directory\n", prog);
            exit(EXIT_DB);
        }
        st = ts_db_open(def, TS_DB_READ, &db);
    } else if (n == 1) {
        st = ts_db_open(paths[0], TS_DB_READ, &db);
    } else {
        st = ts_db_open_many(paths, n, &db);
    }
    if (st != TS_OK && !must) {
        free(def);
        return NULL; /* ts_last_error() says why */
    }
    if (st != TS_OK) {
        fprintf(stderr, "%s: %s\n", prog, ts_last_error());
        if (st == TS_ERR_NOT_FOUND)
            fprintf(stderr, "%s: build it with: trialsearch-index --db %s PATH...\n", prog,
                    def ? def : n ? paths[0] : "DIR");
        free(def);
        exit(exit_for(st) == EXIT_USAGE ? EXIT_DB : exit_for(st));
    }
    free(def);
    return db;
}

/* --batch: the lines of standard input are searched by up to `jobs`
 * threads, each with its own handle of the index (a handle is not shared
 * between threads), and printed in the order of the lines.  A reader
 * thread puts the lines into a ring of slots; the workers take them in
 * turn and print each search, and its messages for standard error, into
 * the slot's own buffers; whichever worker completes the next line due
 * writes it out, with any done after it.  The ring holds two lines per
 * worker and two more, so memory does not grow with the input, and output
 * is flushed whenever every line read has been answered, so a program
 * that sends a line and waits gets its answer.  After a failure (index or
 * output) nothing after the failing line is written, and the reader,
 * which may be waiting for input, is woken through a pipe. */
typedef struct batch_slot {
    char *query;
    long line;
    int done;
    int rc;            /* run_one's exit status */
    char *out, *err;   /* what the search wrote for stdout and stderr */
    size_t out_len, err_len;
} batch_slot_t;

typedef struct batch {
    pthread_mutex_t mu;
    pthread_cond_t line_in;   /* a line read, the input ended, or stop: workers */
    pthread_cond_t room;      /* the ring half empty, or stop: the reader */
    batch_slot_t *ring;
    size_t cap;
    unsigned long read, taken, written; /* lines read, given to a worker, written */
    int eof;                  /* the reader is done */
    int read_errno;           /* reading standard input failed (-1: errno 0) */
    int writing;              /* a worker is writing slots out */
    int unflushed;            /* written since the last flush */
    int stop;                 /* a failure: take, read and write no more */
    int wake[2];              /* written on stop: the reader's poll wakes */
    int rc, any_hits, any_bad;
    ts_query_opts_t q;
    print_format_t fmt;
    print_opts_t po;
} batch_t;

typedef struct batch_worker {
    batch_t *b;
    ts_db_t *db;
    pthread_t tid;
} batch_worker_t;

/* Called with b->mu held. */
static void batch_stop(batch_t *b, int rc)
{
    if (!b->rc)
        b->rc = rc;
    if (!b->stop) {
        ssize_t w = write(b->wake[1], "", 1); /* one byte, once: never full */
        (void)w;
    }
    b->stop = 1;
    pthread_cond_broadcast(&b->line_in);
    pthread_cond_signal(&b->room);
}

/* Put a line (taken over) into the ring; -1 when the run stopped. */
static int batch_put(batch_t *b, char *query, long lineno)
{
    pthread_mutex_lock(&b->mu);
    while (!b->stop && b->read - b->written >= b->cap)
        pthread_cond_wait(&b->room, &b->mu);
    if (b->stop) {
        pthread_mutex_unlock(&b->mu);
        free(query);
        return -1;
    }
    b->ring[b->read % b->cap] = (batch_slot_t){ query, lineno, 0, 0, NULL, NULL, 0, 0 };
    b->read++;
    pthread_cond_signal(&b->line_in);
    pthread_mutex_unlock(&b->mu);
    return 0;
}

/* The reader: lines of standard input (read(2) and poll(2) rather than
 * stdio, so that a stop wakes it and it can be joined). */
static void *batch_reader(void *arg)
{
    batch_t *b = arg;
    char *buf = NULL;
    size_t len = 0, size = 0;
    long lineno = 0;
    int eof = 0, err = 0;
    while (!eof && !err) {
        struct pollfd pf[2] = { { STDIN_FILENO, POLLIN, 0 }, { b->wake[0], POLLIN, 0 } };
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        if (pf[1].revents)
            break; /* stopped */
        if (len == size) {
            size_t ns = size ? size * 2 : 65536;
            char *nb = realloc(buf, ns);
            if (!nb) {
                err = ENOMEM;
                break;
            }
            buf = nb;
            size = ns;
        }
        ssize_t r = read(STDIN_FILENO, buf + len, size - len);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0) {
            err = errno ? errno : -1;
            break;
        }
        if (r == 0)
            eof = 1;
        len += (size_t)r;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', len - start);
            if (!nl && !(eof && start < len))
                break;
            size_t n = nl ? (size_t)(nl - (buf + start)) : len - start;
            lineno++;
            size_t keep = n;
            while (keep > 0 && (buf[start + keep - 1] == '\r' || buf[start + keep - 1] == '\n'))
                keep--;
            char *line = NULL;
            size_t blank = 0;
            while (blank < keep && (buf[start + blank] == ' ' || buf[start + blank] == '\t'))
                blank++;
            if (blank < keep) {
                line = malloc(keep + 1);
                if (!line) {
                    err = ENOMEM;
                    break;
                }
                memcpy(line, buf + start, keep);
                line[keep] = '\0';
            }
            start += n + (nl != NULL);
            if (line && batch_put(b, line, lineno) < 0) {
                eof = 1; /* stopped */
                break;
            }
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    free(buf);
    pthread_mutex_lock(&b->mu);
    b->eof = 1;
    b->read_errno = err;
    pthread_cond_broadcast(&b->line_in);
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* Write out the done slots due next, and flush when every line read is
 * answered; one worker at a time.  Called with b->mu held. */
static void batch_write(batch_t *b)
{
    if (b->writing)
        return; /* that worker will see this slot done */
    b->writing = 1;
    while (!b->stop) {
        batch_slot_t *sl = &b->ring[b->written % b->cap];
        int r = 0;
        if (b->written < b->read && sl->done) {
            pthread_mutex_unlock(&b->mu);
            fwrite(sl->err, 1, sl->err_len, stderr);
            fwrite(sl->out, 1, sl->out_len, stdout);
            free(sl->out);
            free(sl->err);
            free(sl->query);
            if (ferror(stdout))
                r = check_stdout();
            pthread_mutex_lock(&b->mu);
            b->written++;
            b->unflushed = 1;
            if (sl->rc == EXIT_HITS)
                b->any_hits = 1;
            else if (sl->rc == EXIT_USAGE)
                b->any_bad = 1;
            else if (sl->rc != EXIT_NO_HITS)
                r = sl->rc;
            if (r)
                batch_stop(b, r);
            else if (b->read - b->written <= b->cap / 2)
                pthread_cond_signal(&b->room);
        } else if (b->unflushed && b->written == b->read) {
            b->unflushed = 0;
            pthread_mutex_unlock(&b->mu);
            r = check_stdout();
            pthread_mutex_lock(&b->mu);
            if (r)
                batch_stop(b, r);
        } else {
            break;
        }
    }
    b->writing = 0;
}

static void *batch_worker(void *arg)
{
    batch_worker_t *w = arg;
    batch_t *b = w->b;
    ts_query_opts_t q = b->q;
    print_opts_t po = b->po;
    printer_t *pr = print_new(b->fmt, &po);
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->stop && b->taken == b->read && !b->eof)
            pthread_cond_wait(&b->line_in, &b->mu);
        if (b->stop || b->taken == b->read)
            break;
        batch_slot_t *sl = &b->ring[b->taken++ % b->cap];
        pthread_mutex_unlock(&b->mu);
        char *out = NULL, *err = NULL;
        size_t out_len = 0, err_len = 0;
        FILE *f = pr ? open_memstream(&out, &out_len) : NULL;
        FILE *e = f ? open_memstream(&err, &err_len) : NULL;
        int rc = EXIT_DB;
        if (e) {
            pr->opts.out = f;
            pr->opts.err = e;
            rc = run_one(w->db, &q, pr, sl->query, sl->line, 1);
        }
        int bad = !e;
        if (f && fclose(f) != 0)
            bad = 1;
        if (e && fclose(e) != 0)
            bad = 1;
        if (bad) {
            free(err);
            err = strdup("trialsearch: out of memory\n");
            err_len = err ? strlen(err) : 0;
            rc = EXIT_DB;
        }
        pthread_mutex_lock(&b->mu);
        sl->out = out;
        sl->out_len = out_len;
        sl->err = err;
        sl->err_len = err_len;
        sl->rc = rc;
        sl->done = 1;
        batch_write(b);
    }
    pthread_mutex_unlock(&b->mu);
    print_free(pr);
    return NULL;
}

/* Run the queries of standard input (see batch_t) with up to jobs
 * threads, the first on db, the others on handles of their own (fewer
 * threads when a handle cannot be opened, as when file descriptors run
 * out).  Exit: a failure of the index or of the output stops the run;
 * else 2 if a line was a bad query, 0 if any query had hits, 1. */
static int run_batch(ts_db_t *db, const char **dbs, size_t ndb, const ts_query_opts_t *q,
                     const print_opts_t *po, print_format_t fmt, int jobs)
{
    batch_t b;
    memset(&b, 0, sizeof b);
    batch_worker_t *w = calloc((size_t)jobs, sizeof *w);
    if (!w || pipe(b.wake) != 0) {
        fprintf(stderr, "%s: %s\n", prog, !w ? "out of memory" : strerror(errno));
        exit(EXIT_DB);
    }
    int handles = 1;
    w[0].db = db;
    while (handles < jobs && (w[handles].db = open_db(dbs, ndb, 0)))
        handles++;
    if (handles < jobs) {
        /* Out of file descriptors, say: one handle fewer leaves some for
         * what the others open as they search. */
        char why[1024];
        snprintf(why, sizeof why, "%s", ts_last_error());
        if (handles > 1)
            ts_db_close(w[--handles].db);
        fprintf(stderr, "%s: searching with %d thread%s: another handle of the index: %s\n",
                prog, handles, handles == 1 ? "" : "s", why);
    }
    b.cap = (size_t)handles * 2 + 2;
    b.ring = calloc(b.cap, sizeof *b.ring);
    if (!b.ring) {
        fprintf(stderr, "%s: out of memory\n", prog);
        exit(EXIT_DB);
    }
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.line_in, NULL);
    pthread_cond_init(&b.room, NULL);
    b.q = *q;
    b.fmt = fmt;
    b.po = *po;
    pthread_t reader;
    int e = pthread_create(&reader, NULL, batch_reader, &b);
    if (e != 0) {
        fprintf(stderr, "%s: cannot start a thread: %s\n", prog, strerror(e));
        exit(EXIT_DB);
    }
    int started = 0;
    for (; started < handles; started++) {
        w[started].b = &b;
        if ((e = pthread_create(&w[started].tid, NULL, batch_worker, &w[started])) != 0)
            break;
    }
    if (started == 0) {
        fprintf(stderr, "%s: cannot start a thread: %s\n", prog, strerror(e));
        pthread_mutex_lock(&b.mu);
        batch_stop(&b, EXIT_DB);
        pthread_mutex_unlock(&b.mu);
    }
    for (int i = 0; i < started; i++)
        pthread_join(w[i].tid, NULL);
    pthread_join(reader, NULL);
    for (int i = 1; i < handles; i++)
        ts_db_close(w[i].db);
    free(w);

    int rc = b.rc;
    /* The lines read but not written (after a failure). */
    for (unsigned long k = b.written; k < b.read; k++) {
        free(b.ring[k % b.cap].query);
        free(b.ring[k % b.cap].out);
        free(b.ring[k % b.cap].err);
    }
    if (!b.stop && b.read_errno) {
        fprintf(stderr, "%s: reading queries: %s\n", prog,
                b.read_errno > 0 ? strerror(b.read_errno) : "read error");
        rc = EXIT_DB;
    }
    if (!b.stop && !rc)
        rc = check_stdout();
    if (!rc)
        rc = b.any_bad ? EXIT_USAGE : b.any_hits ? EXIT_HITS : EXIT_NO_HITS;
    pthread_cond_destroy(&b.line_in);
    pthread_cond_destroy(&b.room);
    pthread_mutex_destroy(&b.mu);
    close(b.wake[0]);
    close(b.wake[1]);
    free(b.ring);
    return rc;
}

/* The TS_Q_* flags that --without LIST turns on, or a usage error. */
static int parse_without(const char *list)
{
    static const struct { const char *name; int flag; } parts[] = {
        {"expansion", TS_Q_NO_EXPAND}, {"fields", TS_Q_NO_FIELDS},
        {"eligibility", TS_Q_NO_ELIGIBILITY}, {"exclusion", TS_Q_NO_EXCLUSION},
        {"feedback", TS_Q_NO_FEEDBACK}, {"spelling", TS_Q_NO_SPELLING},
    };
    int flags = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t k;
        for (k = 0; k < sizeof parts / sizeof *parts; k++)
            if (strlen(parts[k].name) == n && !strncmp(p, parts[k].name, n))
                break;
        if (k == sizeof parts / sizeof *parts)
            die_usage("--without: unknown component '%.*s' (expansion, fields, eligibility, "
                      "exclusion, feedback, spelling)", (int)n, p);
        flags |= parts[k].flag;
        p += n + (p[n] == ',');
    }
    return flags;
}

/* The whole of a patient description file ("-": standard input), or exit
 * with a message. */
static char *read_patient(const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        exit(EXIT_USAGE);
    }
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf || err) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, buf ? "read error" : "out of memory");
        free(buf);
        exit(buf ? EXIT_USAGE : EXIT_DB);
    }
    buf[len] = '\0';
    if (strspn(buf, " \t\r\n") == len) {
        fprintf(stderr, "%s: %s: the patient description is empty\n", prog, path);
        free(buf);
        exit(EXIT_USAGE);
    }
    return buf;
}

/* The base name of path without its extension when that is a number
 * ("topics/12.txt" -> "12"), else NULL.  Caller frees. */
static char *numeric_basename(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strspn(b, "0123456789");
    if (n == 0 || (b[n] && b[n] != '.'))
        return NULL;
    return strndup(b, n);
}

enum {
    OPT_DB = 256, OPT_STATUS, OPT_PHASE, OPT_TYPE, OPT_SEX, OPT_AGE, OPT_HEALTHY,
    OPT_COUNTRY, OPT_OFFSET, OPT_SORT, OPT_REVERSE, OPT_FACETS, OPT_EXPLAIN,
    OPT_JSON, OPT_IDS, OPT_COUNT, OPT_FORMAT, OPT_FORMAT_VERSION, OPT_RUN_TAG,
    OPT_BATCH, OPT_COLOR, OPT_FIELDS, OPT_NO_FALLBACK, OPT_SNIPPET, OPT_PATIENT,
    OPT_SIMILAR, OPT_TOPIC, OPT_NO_EXPAND, OPT_NO_SPELLING, OPT_PLAIN, OPT_WITHOUT, OPT_STRICT_ELIG
};

/* Most threads --batch runs (each holds a handle of the index). */
#define MAX_JOBS 64

static const struct option long_opts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"status", required_argument, NULL, OPT_STATUS},
    {"phase", required_argument, NULL, OPT_PHASE},
    {"type", required_argument, NULL, OPT_TYPE},
    {"sex", required_argument, NULL, OPT_SEX},
    {"age", required_argument, NULL, OPT_AGE},
    {"healthy", required_argument, NULL, OPT_HEALTHY},
    {"country", required_argument, NULL, OPT_COUNTRY},
    {"limit", required_argument, NULL, 'n'},
    {"offset", required_argument, NULL, OPT_OFFSET},
    {"sort", required_argument, NULL, OPT_SORT},
    {"reverse", no_argument, NULL, OPT_REVERSE},
    {"facets", required_argument, NULL, OPT_FACETS},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"json", no_argument, NULL, OPT_JSON},
    {"ids", no_argument, NULL, OPT_IDS},
    {"count", no_argument, NULL, OPT_COUNT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"format-version", optional_argument, NULL, OPT_FORMAT_VERSION},
    {"run-tag", required_argument, NULL, OPT_RUN_TAG},
    {"batch", no_argument, NULL, OPT_BATCH},
    {"jobs", required_argument, NULL, 'j'},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"colour", optional_argument, NULL, OPT_COLOR},
    {"fields", required_argument, NULL, OPT_FIELDS},
    {"no-fallback", no_argument, NULL, OPT_NO_FALLBACK},
    {"snippet-chars", required_argument, NULL, OPT_SNIPPET},
    {"patient", required_argument, NULL, OPT_PATIENT},
    {"similar", required_argument, NULL, OPT_SIMILAR},
    {"topic", required_argument, NULL, OPT_TOPIC},
    {"no-expand", no_argument, NULL, OPT_NO_EXPAND},
    {"no-spelling", no_argument, NULL, OPT_NO_SPELLING},
    {"plain", no_argument, NULL, OPT_PLAIN},
    {"without", required_argument, NULL, OPT_WITHOUT},
    {"strict-eligibility", no_argument, NULL, OPT_STRICT_ELIG},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
    ts_query_opts_t q;
    print_opts_t po;
    /* static: still reachable when die_usage() exits */
    static const char **dbs;
    dbs = calloc((size_t)argc + 1, sizeof *dbs);
    size_t ndb = 0;
    int fmt = -1, batch = 0, color = -1, c, jobs = 0;
    const char *patient_path = NULL;

    ts_query_opts_init(&q);
    memset(&po, 0, sizeof po);
    po.out = stdout;
    po.err = stderr;
    /* A closed pipe is reported as a write error, not a silent death. */
    signal(SIGPIPE, SIG_IGN);
    if (!dbs) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_DB;
    }

    while ((c = getopt_long(argc, argv, "n:j:hV", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: dbs[ndb++] = optarg; break;
        case OPT_STATUS: q.status = optarg; break;
        case OPT_PHASE: q.phase = optarg; break;
        case OPT_TYPE: q.type = optarg; break;
        case OPT_SEX: q.sex = optarg; break;
        case OPT_COUNTRY: q.country = optarg; break;
        case OPT_AGE: {
            char *end;
            q.age = strtod(optarg, &end);
            if (end == optarg || *end || q.age < 0 || q.age > 200)
                die_usage("--age: '%s' is not an age in years", optarg);
            break;
        }
        case OPT_HEALTHY:
            if (!strcmp(optarg, "yes") || !strcmp(optarg, "true") || !strcmp(optarg, "1"))
                q.healthy = 1;
            else if (!strcmp(optarg, "no") || !strcmp(optarg, "false") || !strcmp(optarg, "0"))
                q.healthy = 0;
            else
                die_usage("--healthy: '%s' is not yes or no", optarg);
            break;
        case 'n': q.limit = parse_count("limit", optarg); break;
        case OPT_OFFSET: q.offset = parse_count("offset", optarg); break;
        case OPT_SNIPPET: q.snippet_chars = (unsigned)parse_count("snippet-chars", optarg); break;
        case OPT_SORT:
            if (!strcmp(optarg, "relevance")) q.sort = TS_SORT_RELEVANCE;
            else if (!strcmp(optarg, "start")) q.sort = TS_SORT_START;
            else if (!strcmp(optarg, "updated")) q.sort = TS_SORT_UPDATED;
            else if (!strcmp(optarg, "enrollment")) q.sort = TS_SORT_ENROLLMENT;
            else die_usage("--sort: '%s' is not relevance, start, updated or enrollment", optarg);
            break;
        case OPT_REVERSE: q.reverse = 1; break;
        case OPT_FACETS: q.facets = optarg; break;
        case OPT_NO_FALLBACK: q.flags |= TS_Q_NO_FALLBACK; break;
        case OPT_PATIENT: patient_path = optarg; break;
        case OPT_SIMILAR: q.similar = optarg; break;
        case OPT_TOPIC: po.topic = optarg; break;
        case OPT_NO_EXPAND: q.flags |= TS_Q_NO_EXPAND; break;
        case OPT_NO_SPELLING: q.flags |= TS_Q_NO_SPELLING; break;
        case OPT_PLAIN: q.flags |= TS_Q_PLAIN; break;
        case OPT_WITHOUT: q.flags |= parse_without(optarg); break;
        case OPT_STRICT_ELIG: q.flags |= TS_Q_STRICT_ELIGIBILITY; break;
        case OPT_EXPLAIN: po.explain = 1; break;
        case OPT_JSON: fmt = PRINT_JSON; break;
        case OPT_IDS: fmt = PRINT_IDS; break;
        case OPT_COUNT: fmt = PRINT_COUNT; break;
        case OPT_FORMAT:
            if ((fmt = print_format_parse(optarg)) < 0)
                die_usage("--format: '%s' is not text, json, ids, count or trec", optarg);
            break;
        case OPT_FORMAT_VERSION:
            if (!optarg) {
                free(dbs);
                printf("%d\n", PRINT_FORMAT_VERSION);
                return check_stdout();
            }
            if (parse_count("format-version", optarg) != PRINT_FORMAT_VERSION) {
                fprintf(stderr, "%s: JSON format version %s is not supported (this is %d)\n",
                        prog, optarg, PRINT_FORMAT_VERSION);
                free(dbs);
                return EXIT_USAGE;
            }
            break;
        case OPT_RUN_TAG: po.run_tag = optarg; break;
        case OPT_BATCH: batch = 1; break;
        case 'j': {
            size_t n = parse_count("jobs", optarg);
            if (n < 1 || n > MAX_JOBS)
                die_usage("--jobs: '%s' is not from 1 to %d", optarg, MAX_JOBS);
            jobs = (int)n;
            break;
        }
        case OPT_FIELDS: {
            const char *bad;
            if (print_check_fields(optarg, &bad) != 0)
                die_usage("--fields: unknown field at '%s' (known: all %s)", bad,
                          print_field_names());
            po.fields = optarg;
            break;
        }
        case OPT_COLOR:
            if (!optarg || !strcmp(optarg, "always")) color = 1;
            else if (!strcmp(optarg, "never")) color = 0;
            else if (!strcmp(optarg, "auto")) color = -1;
            else die_usage("--color: '%s' is not auto, always or never", optarg);
            break;
        case 'h':
            free(dbs);
            usage(stdout);
            return check_stdout();
        case 'V':
            free(dbs);
            printf("%s %s (JSON format version %d, index schema %d)\n", prog, TS_VERSION,
                   PRINT_FORMAT_VERSION, TS_SCHEMA_VERSION);
            return check_stdout();
        default:
            free(dbs);
            fprintf(stderr, "Try '%s --help'.\n", prog);
            return EXIT_USAGE;
        }
    }

    /* The query: the remaining words joined with spaces.  static: still
     * reachable when a later check (or open_db) exits */
    size_t qlen = 1;
    for (int i = optind; i < argc; i++)
        qlen += strlen(argv[i]) + 1;
    static char *query;
    query = calloc(qlen, 1);
    if (!query) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_DB;
    }
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            strcat(query, " ");
        strcat(query, argv[i]);
    }
    int has_filter = q.status || q.phase || q.type || q.sex || q.country ||
                     q.age != TS_AGE_NONE || q.healthy >= 0;
    if (batch && *query)
        die_usage("--batch reads the queries from standard input; give no QUERY");
    if (jobs && !batch)
        die_usage("--jobs goes with --batch");
    if ((patient_path || q.similar) && (*query || batch))
        die_usage("--patient and --similar take no QUERY and no --batch");
    if (patient_path && q.similar)
        die_usage("--patient and --similar cannot be used together");
    if (!batch && optind == argc && !has_filter && !patient_path && !q.similar)
        die_usage("no query given");
    /* static: still reachable when a later check exits */
    static char *patient;
    if (patient_path)
        q.patient = patient = read_patient(patient_path);
    /* static: still reachable when a later check exits */
    static char *topic;
    if (patient_path && !po.topic)
        po.topic = topic = numeric_basename(patient_path);

    if (fmt < 0)
        fmt = batch ? PRINT_JSON : PRINT_TEXT;
    if (fmt == PRINT_COUNT)
        q.limit = 0;
    if ((fmt == PRINT_IDS || fmt == PRINT_TREC) && !po.explain)
        q.flags |= TS_Q_NO_DETAILS;
    if (color < 0) {
        const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
        color = isatty(STDOUT_FILENO) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
    }
    po.color = color && fmt == PRINT_TEXT;
    po.batch = batch;

    printer_t *pr = print_new((print_format_t)fmt, &po);
    ts_db_t *db = open_db(dbs, ndb, 1);
    int rc;

    if (!batch) {
        rc = run_one(db, &q, pr, query, 1, 0);
        int wr = check_stdout();
        if (wr)
            rc = wr;
    } else {
        if (jobs == 0) { /* default: one per processor */
            long n = sysconf(_SC_NPROCESSORS_ONLN);
            jobs = n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (int)n;
        }
        rc = run_batch(db, dbs, ndb, &q, &po, (print_format_t)fmt, jobs);
    }
    ts_db_close(db);
    print_free(pr);
    free(query);
    free(patient);
    free(topic);
    free(dbs);
    if (fclose(stdout) != 0 && rc != EXIT_DB) {
        fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
        rc = EXIT_DB;
    }
    return rc;
}
