/* trialsearch-index - read trial records and keep the index up to date.
 *
 * This file only parses options, drives the library (include/trialsearch.h)
 * and reports.  Exit status: 0 all records read, 1 some rejected, 2 usage,
 * 3 index or I/O failure, 75 index locked by another indexer, 130/143
 * interrupted (what was done is committed).
 */
#include "trialsearch.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define EXIT_REJECTED 1
#define EXIT_USAGE 2
#define EXIT_DB 3
#define EXIT_LOCKED 75

static const char *prog = "trialsearch-index";
static volatile sig_atomic_t stop_signal;

typedef struct indexer {
    ts_db_t *db;
    int strict, quiet, progress, json;
    unsigned long batch_size;
    unsigned long pending;      /* records put since the last commit */
    uint64_t read, added, updated, unchanged, older, rejected, deleted, skipped;
    uint64_t bytes, bytes_done; /* bytes read: this path, paths before */
    double start, last_progress;
    ts_status_t fatal;          /* a database failure that stops the run */
    int stopped_strict;
} indexer_t;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s [--db DIR] [options] PATH...\n"
            "       %s [--db DIR] --delete ID...\n"
            "       %s [--db DIR] --stats [--json]\n"
            "\n"
            "Read ClinicalTrials.gov records (legacy XML, API v2 JSON, classic API JSON,\n"
            "plain-text trial pages) and add them to the index.  PATH is a file, a\n"
            "directory (recursive), an archive (.zip .tar .tar.gz .tgz .gz .xz, read in\n"
            "place) or - for standard input.  A record replaces the earlier version of\n"
            "the same NCT id; unchanged records are skipped.\n"
            "\n"
            "Options:\n"
            "  --db DIR           index directory (default: $TRIALSEARCH_DB, else\n"
            "                     ${XDG_DATA_HOME:-~/.local/share}/trialsearch/index)\n"
            "  --format FMT       auto (default), xml, json, classic or text\n"
            "  --delete           the arguments are NCT ids to remove\n"
            "  --prune            remove records not seen in this run's inputs\n"
            "  --strict           stop at the first bad record (it is not indexed)\n"
            "  --wait[=SECONDS]   wait for another indexer to finish (default: forever)\n"
            "  --batch-size N     commit every N records (default 1000)\n"
            "  --stats            print statistics of the index\n"
            "  --json             --stats and the summary as JSON\n"
            "  -q, --quiet        no progress and no summary\n"
            "  --progress=WHEN    auto (on a terminal, default), always or never\n"
            "  -h, --help         this help\n"
            "  -V, --version      the version\n"
            "\n"
            "Exit status: 0 done, 1 some records rejected, 2 usage, 3 index or I/O\n"
            "failure, 75 index locked by another indexer, 130/143 interrupted (work\n"
            "done so far is committed).\n",
            prog, prog, prog);
}

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

/* Exit status for a failing library status. */
static int exit_for(ts_status_t st)
{
    return st == TS_ERR_LOCKED ? EXIT_LOCKED : EXIT_DB;
}

/* ---- progress ---------------------------------------------------------- */

static void show_progress(indexer_t *ix, int final)
{
    if (!ix->progress)
        return;
    double t = now();
    if (!final && t - ix->last_progress < 0.25)
        return;
    ix->last_progress = t;
    double el = t - ix->start;
    fprintf(stderr, "\r%llu records  %.0f records/s  %.1f MB read  %llu rejected%s",
            (unsigned long long)ix->read, el > 0 ? ix->read / el : 0.0,
            (ix->bytes_done + ix->bytes) / 1e6, (unsigned long long)ix->rejected,
            final ? "\n" : "\033[K");
    fflush(stderr);
}

/* Clear the progress line before a message. */
static void clear_progress(indexer_t *ix)
{
    if (ix->progress)
        fputs("\r\033[K", stderr);
}

/* ---- scan callbacks ------------------------------------------------------ */

static ts_status_t on_record(void *ctx, ts_record_t *rec)
{
    indexer_t *ix = ctx;
    ts_put_result_t res;
    if (stop_signal) {
        ts_record_free(rec);
        return TS_ERR_INVALID; /* stops the scan; main tells why */
    }
    ix->read++;
    ts_status_t st = ts_db_put(ix->db, rec, &res);
    if (st == TS_ERR_BAD_RECORD) {
        clear_progress(ix);
        fprintf(stderr, "%s: %s: %s\n", prog, rec->source ? rec->source : "-", ts_last_error());
        ix->rejected++;
        ts_record_free(rec);
        return ix->strict ? (ix->stopped_strict = 1, TS_ERR_BAD_RECORD) : TS_OK;
    }
    ts_record_free(rec);
    if (st != TS_OK) {
        ix->fatal = st;
        return st;
    }
    switch (res) {
    case TS_PUT_NEW: ix->added++; break;
    case TS_PUT_UPDATED: ix->updated++; break;
    case TS_PUT_UNCHANGED: ix->unchanged++; break;
    case TS_PUT_OLDER: ix->older++; break;
    }
    if (res == TS_PUT_NEW || res == TS_PUT_UPDATED) {
        if (++ix->pending >= ix->batch_size) {
            st = ts_db_commit(ix->db);
            if (st != TS_OK) {
                ix->fatal = st;
                return st;
            }
            ix->pending = 0;
        }
    }
    show_progress(ix, 0);
    return TS_OK;
}

static ts_status_t on_reject(void *ctx, const char *source, const char *where,
                             ts_status_t code, const char *reason)
{
    indexer_t *ix = ctx;
    (void)code;
    clear_progress(ix);
    fprintf(stderr, "%s: %s%s%s: %s\n", prog, source, where ? ": " : "", where ? where : "", reason);
    ix->rejected++;
    if (ix->strict) {
        ix->stopped_strict = 1;
        return TS_ERR_BAD_RECORD;
    }
    return TS_OK;
}

/* A file met in a directory walk that is no trial record (a README, a
 * topics file): said once, not counted as a rejection. */
static void on_skip(void *ctx, const char *source, const char *reason)
{
    indexer_t *ix = ctx;
    ix->skipped++;
    if (ix->quiet)
        return;
    clear_progress(ix);
    fprintf(stderr, "%s: skipping %s: %s\n", prog, source, reason);
}

static void on_progress(void *ctx, uint64_t bytes)
{
    indexer_t *ix = ctx;
    ix->bytes = bytes;
    show_progress(ix, 0);
}

/* ---- commands ------------------------------------------------------------ */

static int print_stats(const char *path, int json)
{
    ts_db_t *db;
    ts_stats_t s;
    ts_status_t st = ts_db_open(path, TS_DB_READ, &db);
    if (st == TS_OK) {
        st = ts_db_stats(db, &s);
        ts_db_close(db);
    }
    if (st != TS_OK) {
        fprintf(stderr, "%s: %s\n", prog, ts_last_error());
        return exit_for(st);
    }
    if (json)
        printf("{\"path\":\"%s\",\"documents\":%llu,\"terms\":%llu,\"size_bytes\":%llu,"
               "\"schema_version\":%d,\"last_update\":\"%s\",\"analyzer\":\"%s\"}\n",
               path, (unsigned long long)s.documents, (unsigned long long)s.terms,
               (unsigned long long)s.size_bytes, s.schema_version, s.last_update, s.analyzer);
    else
        printf("index:          %s\n"
               "documents:      %llu\n"
               "terms:          %llu\n"
               "size on disk:   %.1f MB\n"
               "schema version: %d\n"
               "last update:    %s\n"
               "analyzer:       %s\n",
               path, (unsigned long long)s.documents, (unsigned long long)s.terms,
               s.size_bytes / 1e6, s.schema_version, s.last_update[0] ? s.last_update : "never",
               s.analyzer);
    return 0;
}

/* Open the index for writing, waiting up to wait_s seconds for a lock
 * (wait_s < 0: forever; 0: not at all). */
static ts_status_t open_writer(const char *path, double wait_s, ts_db_t **db)
{
    double until = now() + wait_s;
    int told = 0;
    for (;;) {
        ts_status_t st = ts_db_open(path, TS_DB_WRITE, db);
        if (st != TS_ERR_LOCKED || wait_s == 0 || (wait_s > 0 && now() >= until) || stop_signal)
            return st;
        if (!told++)
            fprintf(stderr, "%s: index is locked by another indexer; waiting\n", prog);
        usleep(200 * 1000);
    }
}

static void print_summary(indexer_t *ix, int interrupted)
{
    double el = now() - ix->start;
    if (ix->json) {
        printf("{\"read\":%llu,\"new\":%llu,\"updated\":%llu,\"unchanged\":%llu,\"older\":%llu,"
               "\"deleted\":%llu,\"rejected\":%llu,\"skipped_files\":%llu,\"bytes\":%llu,\"elapsed_s\":%.3f,"
               "\"records_per_s\":%.1f,\"interrupted\":%s}\n",
               (unsigned long long)ix->read, (unsigned long long)ix->added,
               (unsigned long long)ix->updated, (unsigned long long)ix->unchanged,
               (unsigned long long)ix->older, (unsigned long long)ix->deleted,
               (unsigned long long)ix->rejected, (unsigned long long)ix->skipped,
               (unsigned long long)(ix->bytes_done + ix->bytes),
               el, el > 0 ? ix->read / el : 0.0, interrupted ? "true" : "false");
        return;
    }
    printf("%llu records read: %llu new, %llu updated, %llu unchanged, %llu older versions "
           "skipped, %llu deleted, %llu rejected; %.1f s, %.0f records/s\n",
           (unsigned long long)ix->read, (unsigned long long)ix->added,
           (unsigned long long)ix->updated, (unsigned long long)ix->unchanged,
           (unsigned long long)ix->older, (unsigned long long)ix->deleted,
           (unsigned long long)ix->rejected, el, el > 0 ? ix->read / el : 0.0);
}

int main(int argc, char **argv)
{
    enum { OPT_FORMAT = 256, OPT_DELETE, OPT_PRUNE, OPT_STRICT, OPT_WAIT, OPT_BATCH,
           OPT_STATS, OPT_JSON, OPT_PROGRESS, OPT_DB };
    static const struct option opts[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "delete", no_argument, NULL, OPT_DELETE },
        { "prune", no_argument, NULL, OPT_PRUNE },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "wait", optional_argument, NULL, OPT_WAIT },
        { "batch-size", required_argument, NULL, OPT_BATCH },
        { "stats", no_argument, NULL, OPT_STATS },
        { "json", no_argument, NULL, OPT_JSON },
        { "quiet", no_argument, NULL, 'q' },
        { "progress", required_argument, NULL, OPT_PROGRESS },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    indexer_t ix;
    memset(&ix, 0, sizeof ix);
    ix.batch_size = 1000;
    const char *db_path = NULL, *progress = "auto";
    ts_format_t fmt = TS_FORMAT_AUTO;
    int del = 0, prune = 0, stats = 0;
    double wait_s = 0;
    int c;
    while ((c = getopt_long(argc, argv, "qhV", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db_path = optarg; break;
        case OPT_FORMAT:
            if (ts_format_parse(optarg, &fmt) != TS_OK)
                die_usage("unknown format '%s' (auto, xml, json, classic, text)", optarg);
            break;
        case OPT_DELETE: del = 1; break;
        case OPT_PRUNE: prune = 1; break;
        case OPT_STRICT: ix.strict = 1; break;
        case OPT_WAIT: {
            char *end;
            wait_s = optarg ? strtod(optarg, &end) : -1;
            if (optarg && (*end || wait_s < 0))
                die_usage("--wait takes a number of seconds, not '%s'", optarg);
            break;
        }
        case OPT_BATCH: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1)
                die_usage("--batch-size takes a positive number, not '%s'", optarg);
            ix.batch_size = (unsigned long)n;
            break;
        }
        case OPT_STATS: stats = 1; break;
        case OPT_JSON: ix.json = 1; break;
        case 'q': ix.quiet = 1; break;
        case OPT_PROGRESS:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
                die_usage("--progress takes auto, always or never");
            progress = optarg;
            break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("%s %s (schema %d)\n", prog, TS_VERSION, TS_SCHEMA_VERSION); return 0;
        default: fprintf(stderr, "Try '%s --help'.\n", prog); return EXIT_USAGE;
        }
    }
    char *default_path = NULL;
    if (!db_path) {
        default_path = ts_db_default_path();
        if (!default_path) {
            fprintf(stderr, "%s: %s\n", prog, ts_last_error());
            return EXIT_USAGE;
        }
        db_path = default_path;
    }
    if (stats) {
        if (optind < argc || del || prune)
            die_usage("--stats takes no other arguments");
        int rc = print_stats(db_path, ix.json);
        free(default_path);
        return rc;
    }
    if (optind >= argc && !prune)
        die_usage(del ? "--delete needs NCT ids" : "no input: give files, directories, archives or -");
    if (del && prune)
        die_usage("--delete and --prune do not go together");

    ix.progress = !ix.quiet && (strcmp(progress, "always") == 0 ||
                                (strcmp(progress, "auto") == 0 && isatty(2)));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    ts_status_t st = open_writer(db_path, wait_s, &ix.db);
    if (st != TS_OK) {
        fprintf(stderr, "%s: %s: %s\n", prog, db_path, ts_last_error());
        free(default_path);
        return exit_for(st);
    }
    ix.start = now();
    int rc = 0, incomplete = 0;
    if (del) {
        for (int i = optind; i < argc && st == TS_OK; i++) {
            int removed = 0;
            st = ts_db_delete(ix.db, argv[i], &removed);
            if (st == TS_OK && !removed)
                fprintf(stderr, "%s: %s: not in the index\n", prog, argv[i]);
            ix.deleted += removed;
        }
        if (st != TS_OK)
            ix.fatal = st;
    } else {
        ts_scan_cbs_t cbs = { .record = on_record, .reject = on_reject, .progress = on_progress,
                              .ctx = &ix, .skip = on_skip };
        for (int i = optind; i < argc && !ix.fatal && !stop_signal && !ix.stopped_strict; i++) {
            ix.bytes_done += ix.bytes;
            ix.bytes = 0;
            st = ts_scan_path(argv[i], fmt, &cbs);
            if (st == TS_ERR_NOT_FOUND || (st != TS_OK && !ix.fatal && !stop_signal && !ix.stopped_strict)) {
                clear_progress(&ix);
                fprintf(stderr, "%s: %s\n", prog, ts_last_error());
                ix.rejected++;
                incomplete = 1;
            }
        }
        incomplete |= ix.stopped_strict || stop_signal || ix.fatal;
        if (prune && !incomplete) {
            uint64_t removed = 0;
            st = ts_db_prune(ix.db, &removed);
            if (st != TS_OK)
                ix.fatal = st;
            ix.deleted += removed;
        } else if (prune) {
            clear_progress(&ix);
            fprintf(stderr, "%s: not pruning: this run did not read all its inputs\n", prog);
        }
    }
    show_progress(&ix, 1);
    if (ix.fatal) {
        fprintf(stderr, "%s: %s: %s; the index keeps its last commit\n", prog, db_path, ts_last_error());
        ts_db_cancel(ix.db);
        ts_db_close(ix.db);
        free(default_path);
        return exit_for(ix.fatal);
    }
    st = ts_db_close(ix.db);
    if (st != TS_OK) {
        fprintf(stderr, "%s: %s: committing: %s\n", prog, db_path, ts_last_error());
        free(default_path);
        return exit_for(st);
    }
    if (!ix.quiet)
        print_summary(&ix, stop_signal != 0);
    if (stop_signal) {
        fprintf(stderr, "%s: interrupted by signal %d: %llu records committed; run again to complete\n",
                prog, (int)stop_signal, (unsigned long long)(ix.added + ix.updated));
        rc = 128 + stop_signal;
    } else if (ix.rejected) {
        rc = EXIT_REJECTED;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
        rc = EXIT_DB;
    }
    free(default_path);
    return rc;
}
