/* trialsearch-index - read trial records and keep the index up to date.
 *
 * This file only parses options, drives the library (include/trialsearch.h)
 * and reports.  Exit status: 0 all records read, 1 some rejected, 2 usage,
 * 3 index or I/O failure, 75 index locked by another indexer, 130/143
 * interrupted (what was done is committed).
 *
 * With --jobs N (default: the number of processors) the work is shared by
 * N worker processes.  Each worker reads every input and keeps the
 * records whose NCT id hashes to it (ts_shard_of), so all versions of a
 * trial meet in one worker; where a reader can tell a record's id before
 * parsing it (on_wants), the other workers pass it over unparsed.  Then:
 * - a new index (missing or empty): each worker fills a shard of its own
 *   in DB.build-PID/, written as segments of --segment-size records
 *   (TS_DB_SEGMENTS), and the shards are merged into DB by compaction
 *   (ts_db_compact) at the end;
 * - a sharded index (a stub, made with --shards): each worker writes the
 *   shards it owns directly, one writer per shard;
 * - an existing single index: workers check their records against it
 *   read-only (ts_db_check) and pass only new and changed ones, as JSON
 *   lines through a pipe, to the one writer, this process.
 * Only worker 0 reports rejected records, skipped files and unreadable
 * inputs (every worker meets them), but for a record that its own worker
 * alone parsed; counters live in shared memory for progress and the
 * summary.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "trialsearch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_REJECTED 1
#define EXIT_USAGE 2
#define EXIT_DB 3
#define EXIT_LOCKED 75

/* Records per commit.  Xapian's cost per record grows with the changes
 * pending in a transaction: small batches are faster and keep memory low
 * (about 40 MB per writer at 100; see --batch-size in the man page). */
#define DEFAULT_BATCH 100
#define MAX_JOBS 64

static const char *prog = "trialsearch-index";
static volatile sig_atomic_t stop_signal;

/* What one process counted; kept in shared memory when there are workers. */
typedef struct counts {
    uint64_t read, added, updated, unchanged, older, rejected, deleted, skipped;
    uint64_t bytes;             /* input bytes read so far */
    int incomplete;             /* did not read all its inputs */
} counts_t;

/* Shared between the processes of a run: slot 0 is the parent's. */
typedef struct shared {
    volatile int abort;         /* a worker failed: the others stop */
    volatile int stdin_done;    /* tee_stdin read standard input to its end */
    counts_t slot[MAX_JOBS + 1];
} shared_t;

typedef struct indexer {
    ts_db_t *db;                /* the writer (single process, or feed parent) */
    int strict, quiet, progress, json, prune;
    unsigned long batch_size;
    unsigned long segment_size; /* records per segment of a new index's shard */
    unsigned long pending;      /* records put on db since the last commit */
    counts_t *c;                /* this process's counters */
    shared_t *sh;               /* all counters */
    int nslots;                 /* slots in use */
    uint64_t bytes_done;        /* bytes of the inputs before this one */
    double start, last_progress;
    ts_status_t fatal;          /* a database failure that stops the run */
    int stopped_strict;
    int unread;                 /* part of an input could not be read */
    /* workers */
    int worker, nworkers;       /* this worker of nworkers (0: no workers) */
    int claimed;                /* the record being read is this worker's by
                                 * the id its reader told on_wants */
    unsigned nshards;           /* ids are routed by ts_shard_of(id, nshards) */
    ts_db_t **shard_db;         /* per shard: this worker's writer, or NULL */
    unsigned long *shard_pending;
    ts_db_t *check_db;          /* feed: the index, read-only */
    FILE *feed;                 /* feed: records for the writer */
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
            "  -j, --jobs N       worker processes (default: the number of processors)\n"
            "  --shards N         make a new index of N shards kept apart, opened as one\n"
            "                     through the stub file DIR/XAPIANDB\n"
            "  --batch-size N     commit every N records (default %d)\n"
            "  --segment-size N   a new index is built in segments of N records per\n"
            "                     worker, merged at the end (default %d; 0: one)\n"
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
            prog, prog, prog, DEFAULT_BATCH, TS_DB_SEGMENT_DOCS);
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

/* The whole number s if it is one from min to max, else -1. */
static long count_arg(const char *s, long min, long max)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    return end == s || *end || errno || n < min || n > max ? -1 : n;
}

/* Exit status for a failing library status. */
static int exit_for(ts_status_t st)
{
    return st == TS_ERR_LOCKED ? EXIT_LOCKED : EXIT_DB;
}

/* The counters of every process of the run added up. */
static counts_t total(const indexer_t *ix)
{
    counts_t t;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < ix->nslots; i++) {
        const counts_t *c = &ix->sh->slot[i];
        t.read += c->read;
        t.added += c->added;
        t.updated += c->updated;
        t.unchanged += c->unchanged;
        t.older += c->older;
        t.rejected += c->rejected;
        t.deleted += c->deleted;
        t.skipped += c->skipped;
        t.incomplete |= c->incomplete;
        if (c->bytes > t.bytes) /* every worker reads every input */
            t.bytes = c->bytes;
    }
    return t;
}

/* ---- progress ---------------------------------------------------------- */

/* The progress line (on stderr), at most four times a second.  Workers
 * leave it to the parent. */
static void show_progress(indexer_t *ix, int final)
{
    if (!ix->progress || ix->nworkers)
        return;
    double t = now();
    if (!final && t - ix->last_progress < 0.25)
        return;
    ix->last_progress = t;
    double el = t - ix->start;
    counts_t c = total(ix);
    fprintf(stderr, "\r%llu records  %.0f records/s  %.1f MB read  %llu rejected%s",
            (unsigned long long)c.read, el > 0 ? c.read / el : 0.0, c.bytes / 1e6,
            (unsigned long long)c.rejected, final ? "\n" : "\033[K");
    fflush(stderr);
}

/* Clear the progress line before a message. */
static void clear_progress(indexer_t *ix)
{
    if (ix->progress)
        fputs("\r\033[K", stderr);
}

/* Messages about inputs (rejects, skipped files, unreadable paths) are
 * given by one process only: every worker meets them, but for a record
 * that only its worker read (claimed). */
static int reporter(const indexer_t *ix)
{
    return ix->worker == 0 || ix->claimed;
}

/* Whether this worker puts the records of shard k (ts_shard_of): with
 * shards, the ones it writes; else the one it is. */
static int owns(const indexer_t *ix, unsigned k)
{
    return ix->shard_db ? ix->shard_db[k] != NULL : k == (unsigned)ix->worker;
}

/* The id a record will have, told by its reader before parsing it: the
 * other workers' records are passed over unparsed.  Whatever the record
 * then turns out to be, this worker alone reads it, so it alone puts or
 * reports it (claimed). */
static int on_wants(void *ctx, const char *id)
{
    indexer_t *ix = ctx;
    ix->claimed = owns(ix, ts_shard_of(id, ix->nshards));
    return ix->claimed;
}

/* ---- putting records ------------------------------------------------------ */

/* Put rec into db, count the outcome and commit every batch_size changes
 * (*pending counts them).  Returns TS_OK or the status that stops the run
 * (ix->fatal is set; for a bad record under --strict, stopped_strict). */
static ts_status_t put_record(indexer_t *ix, ts_db_t *db, unsigned long *pending,
                              const ts_record_t *rec)
{
    ts_put_result_t res;
    ts_status_t st = ts_db_put(db, rec, &res);
    if (st == TS_ERR_BAD_RECORD) {
        clear_progress(ix);
        fprintf(stderr, "%s: %s: %s\n", prog, rec->source ? rec->source : "-", ts_last_error());
        ix->c->rejected++;
        return ix->strict ? (ix->stopped_strict = 1, TS_ERR_BAD_RECORD) : TS_OK;
    }
    if (st != TS_OK)
        return ix->fatal = st;
    switch (res) {
    case TS_PUT_NEW: ix->c->added++; break;
    case TS_PUT_UPDATED: ix->c->updated++; break;
    case TS_PUT_UNCHANGED: ix->c->unchanged++; break;
    case TS_PUT_OLDER: ix->c->older++; break;
    }
    if ((res == TS_PUT_NEW || res == TS_PUT_UPDATED) && ++*pending >= ix->batch_size) {
        st = ts_db_commit(db);
        if (st != TS_OK)
            return ix->fatal = st;
        *pending = 0;
    }
    return TS_OK;
}

/* A feeding worker: pass a new or changed record to the writer as a JSON
 * line ("R {...}"); an unchanged or older one is only counted (and, for
 * --prune, named: "S ID"). */
static ts_status_t feed_record(indexer_t *ix, const ts_record_t *rec)
{
    ts_put_result_t res;
    ts_status_t st = ts_db_check(ix->check_db, rec, &res);
    if (st != TS_OK)
        return ix->fatal = st;
    if (res == TS_PUT_UNCHANGED || res == TS_PUT_OLDER) {
        if (res == TS_PUT_UNCHANGED)
            ix->c->unchanged++;
        else
            ix->c->older++;
        if (ix->prune)
            fprintf(ix->feed, "S %s\n", rec->nct_id);
    } else {
        char *json = ts_record_to_json(rec, 1);
        if (!json) {
            fprintf(stderr, "%s: out of memory\n", prog);
            return ix->fatal = TS_ERR_NOMEM;
        }
        fputs("R ", ix->feed);
        fputs(json, ix->feed);
        fputc('\n', ix->feed);
        free(json);
    }
    if (ferror(ix->feed)) {
        fprintf(stderr, "%s: passing records to the writer: %s\n", prog, strerror(errno));
        return ix->fatal = TS_ERR_IO;
    }
    return TS_OK;
}

/* ---- scan callbacks ------------------------------------------------------ */

static ts_status_t on_record(void *ctx, ts_record_t *rec)
{
    indexer_t *ix = ctx;
    ts_db_t *db = ix->db;
    unsigned long *pending = &ix->pending;
    if (stop_signal || (ix->sh && ix->sh->abort)) {
        ts_record_free(rec);
        return TS_ERR_INVALID; /* stops the scan; main tells why */
    }
    if (ix->nworkers) {
        unsigned k = ts_shard_of(rec->nct_id, ix->nshards);
        int mine = owns(ix, k);
        int claimed = ix->claimed;
        ix->claimed = 0;
        if (claimed && !mine) {
            /* Its reader told another id than the record has, which the
             * readers rule out; no other worker read it: say so. */
            clear_progress(ix);
            fprintf(stderr, "%s: %s: %s: read as another trial's before parsing; not indexed\n",
                    prog, rec->source ? rec->source : "-", rec->nct_id);
            ix->c->rejected++;
            ts_record_free(rec);
            return TS_OK;
        }
        if (!mine) {
            ts_record_free(rec); /* another worker's */
            return TS_OK;
        }
        if (ix->shard_db) {
            db = ix->shard_db[k];
            pending = &ix->shard_pending[k];
        }
    }
    ix->c->read++;
    ts_status_t st = ix->feed ? feed_record(ix, rec) : put_record(ix, db, pending, rec);
    ts_record_free(rec);
    show_progress(ix, 0);
    return st;
}

static ts_status_t on_reject(void *ctx, const char *source, const char *where,
                             ts_status_t code, const char *reason)
{
    indexer_t *ix = ctx;
    /* An input, or part of an archive, that could not be read: records
     * in it were not seen, so nothing may be pruned. */
    if (code == TS_ERR_IO || code == TS_ERR_NOMEM)
        ix->unread = 1;
    if (reporter(ix)) {
        clear_progress(ix);
        fprintf(stderr, "%s: %s%s%s: %s\n", prog, source, where ? ": " : "", where ? where : "",
                reason);
        ix->c->rejected++;
    }
    ix->claimed = 0;
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
    int report = reporter(ix);
    ix->claimed = 0;
    if (!report)
        return;
    ix->c->skipped++;
    if (ix->quiet)
        return;
    clear_progress(ix);
    fprintf(stderr, "%s: skipping %s: %s\n", prog, source, reason);
}

static void on_progress(void *ctx, uint64_t bytes)
{
    indexer_t *ix = ctx;
    ix->c->bytes = ix->bytes_done + bytes;
    show_progress(ix, 0);
}

/* Read every input path through the callbacks; unreadable inputs are
 * reported (by the reporter) and counted as rejected.  Sets
 * ix->c->incomplete when not everything was read. */
static void scan_inputs(indexer_t *ix, char **paths, int n, ts_format_t fmt)
{
    /* Workers pass over each other's records unparsed where a reader can
     * tell the id beforehand; under --strict every worker reads every
     * record, so that all of them stop at the first bad one. */
    ts_scan_cbs_t cbs = { .record = on_record, .reject = on_reject, .progress = on_progress,
                          .ctx = ix, .skip = on_skip,
                          .wants = ix->nworkers > 1 && !ix->strict ? on_wants : NULL };
    int incomplete = 0;
    for (int i = 0; i < n && !ix->fatal && !stop_signal && !ix->stopped_strict; i++) {
        ix->claimed = 0; /* a scan cut short may leave a record told */
        if (ix->sh && ix->sh->abort)
            break;
        ix->bytes_done = ix->c->bytes;
        ts_status_t st = ts_scan_path(paths[i], fmt, &cbs);
        if (st == TS_ERR_NOT_FOUND ||
            (st != TS_OK && !ix->fatal && !stop_signal && !ix->stopped_strict &&
             !(ix->sh && ix->sh->abort))) {
            if (reporter(ix)) {
                clear_progress(ix);
                fprintf(stderr, "%s: %s\n", prog, ts_last_error());
                ix->c->rejected++;
            }
            incomplete = 1;
        }
    }
    ix->c->incomplete = incomplete || ix->unread || ix->stopped_strict || stop_signal || ix->fatal ||
                        (ix->sh && ix->sh->abort);
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

/* Open the index for writing (flags: TS_DB_WRITE, and TS_DB_SCRATCH for
 * a build shard), waiting up to wait_s seconds for a lock (wait_s < 0:
 * forever; 0: not at all). */
static ts_status_t open_writer(const char *path, int flags, double wait_s, ts_db_t **db)
{
    double until = now() + wait_s;
    int told = 0;
    for (;;) {
        ts_status_t st = ts_db_open(path, flags, db);
        if (st != TS_ERR_LOCKED || wait_s == 0 || (wait_s > 0 && now() >= until) || stop_signal)
            return st;
        if (!told++)
            fprintf(stderr, "%s: index is locked by another indexer; waiting\n", prog);
        usleep(200 * 1000);
    }
}

/* The peak memory of the run in MB: the largest resident set of this
 * process and of the workers it has waited for (each worker holds its own
 * writer, so with --jobs N the whole run takes up to N times this). */
static double peak_mb(void)
{
    struct rusage self, workers_ru;
    long kb = 0;
    if (getrusage(RUSAGE_SELF, &self) == 0)
        kb = self.ru_maxrss; /* kilobytes, on Linux */
    if (getrusage(RUSAGE_CHILDREN, &workers_ru) == 0 && workers_ru.ru_maxrss > kb)
        kb = workers_ru.ru_maxrss;
    return kb / 1024.0;
}

static void print_summary(indexer_t *ix, int interrupted)
{
    double el = now() - ix->start;
    counts_t c = total(ix);
    double peak = peak_mb();
    if (ix->json) {
        printf("{\"read\":%llu,\"new\":%llu,\"updated\":%llu,\"unchanged\":%llu,\"older\":%llu,"
               "\"deleted\":%llu,\"rejected\":%llu,\"skipped_files\":%llu,\"bytes\":%llu,\"elapsed_s\":%.3f,"
               "\"records_per_s\":%.1f,\"peak_mb\":%.1f,\"jobs\":%d,\"interrupted\":%s}\n",
               (unsigned long long)c.read, (unsigned long long)c.added,
               (unsigned long long)c.updated, (unsigned long long)c.unchanged,
               (unsigned long long)c.older, (unsigned long long)c.deleted,
               (unsigned long long)c.rejected, (unsigned long long)c.skipped,
               (unsigned long long)c.bytes, el, el > 0 ? c.read / el : 0.0, peak,
               ix->nslots > 1 ? ix->nslots - 1 : 1, interrupted ? "true" : "false");
        return;
    }
    printf("%llu records read: %llu new, %llu updated, %llu unchanged, %llu older versions "
           "skipped, %llu deleted, %llu rejected; %.1f s, %.0f records/s, peak memory %.0f MB\n",
           (unsigned long long)c.read, (unsigned long long)c.added,
           (unsigned long long)c.updated, (unsigned long long)c.unchanged,
           (unsigned long long)c.older, (unsigned long long)c.deleted,
           (unsigned long long)c.rejected, el, el > 0 ? c.read / el : 0.0, peak);
}

/* ---- workers ----------------------------------------------------------- */

static pid_t workers[MAX_JOBS];
static int n_workers;

/* Start worker w of n: run body(ix) in a child process with the worker
 * fields set and return its pid (-1 on failure, said).  The child is
 * killed when the parent dies and exits with body's status. */
static pid_t start_worker(indexer_t *ix, int w, int n, int (*body)(indexer_t *, void *),
                          void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0) {
        if (pid < 0)
            fprintf(stderr, "%s: cannot start a worker: %s\n", prog, strerror(errno));
        return pid;
    }
    /* A worker dies with its parent, at once: after a SIGKILL of the
     * indexer, every shard is at its last commit (a new index's shards are
     * thrown away by the next run) and no orphan keeps a lock. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(EXIT_DB);
    ix->worker = w;
    ix->nworkers = n;
    ix->c = &ix->sh->slot[w + 1];
    fflush(NULL);
    _exit(body(ix, arg));
}

static int worker_failed;       /* the first failing exit status of a worker */
static int signal_forwarded;

/* Pass a stop signal on to the workers, once. */
static void forward_signal(void)
{
    if (!stop_signal || signal_forwarded)
        return;
    for (int i = 0; i < n_workers; i++)
        if (workers[i] > 0)
            kill(workers[i], stop_signal);
    signal_forwarded = 1;
}

/* Collect the workers that have ended, without waiting.  A worker failing
 * (exit 3 or 75) stops the others.  Returns how many are still running. */
static int reap_workers(indexer_t *ix)
{
    int status, alive = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        for (int i = 0; i < n_workers; i++) {
            if (workers[i] != pid)
                continue;
            workers[i] = -1;
            int code = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_DB;
            if (WIFSIGNALED(status) && !stop_signal && !ix->sh->abort)
                fprintf(stderr, "%s: a worker died of signal %d\n", prog, WTERMSIG(status));
            if (code >= EXIT_DB && !worker_failed) {
                worker_failed = code;
                ix->sh->abort = 1;
            }
        }
    for (int i = 0; i < n_workers; i++)
        alive += workers[i] > 0;
    return alive;
}

/* Wait for the workers, showing progress and passing a signal on.
 * Returns the first failing exit status of a worker, or 0. */
static int wait_workers(indexer_t *ix)
{
    for (;;) {
        forward_signal();
        if (reap_workers(ix) == 0)
            return worker_failed;
        show_progress(ix, 0);
        usleep(50 * 1000);
    }
}

/* Remove a tree made by this program (a build directory of shards). */
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Remove build directories DB.build-PID left by indexers that died (their
 * process is gone). */
static void remove_stale_builds(const char *db_path)
{
    char *dir = strdup(db_path), *base = strrchr(dir, '/');
    const char *name = base ? base + 1 : dir;
    if (base)
        *base = '\0';
    DIR *d = opendir(base ? (dir[0] ? dir : "/") : ".");
    size_t len = strlen(name);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, name, len) || strncmp(e->d_name + len, ".build-", 7))
            continue;
        long pid = strtol(e->d_name + len + 7, NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", base ? (dir[0] ? dir : "") : ".", e->d_name);
            remove_tree(path);
        }
    }
    if (d)
        closedir(d);
    free(dir);
}

/* What a shard-writing worker needs besides the indexer. */
typedef struct shard_job {
    char **inputs;
    int n_inputs;
    ts_format_t fmt;
    char **shards;              /* paths of all shards */
    double wait_s;
    int open_flags;             /* for ts_db_open */
    int tee;                    /* standard input comes through tee_r */
    int tee_r[MAX_JOBS], tee_w[MAX_JOBS]; /* each worker's pipe */
} shard_job_t;

/* Worker body: write the shards this worker owns (k % nworkers ==
 * worker), prune them when asked and everything was read.  Exit status:
 * 0, or 3/75 on an index failure (said here). */
static int shard_worker(indexer_t *ix, void *arg)
{
    shard_job_t *job = arg;
    if (job->tee) {
        /* Standard input is this worker's pipe; no other end stays open
         * here, or a pipe would never end. */
        if (dup2(job->tee_r[ix->worker], STDIN_FILENO) < 0) {
            fprintf(stderr, "%s: standard input: %s\n", prog, strerror(errno));
            return EXIT_DB;
        }
        for (int i = 0; i < ix->nworkers; i++) {
            close(job->tee_r[i]);
            close(job->tee_w[i]);
        }
    }
    ix->shard_db = calloc(ix->nshards, sizeof *ix->shard_db);
    ix->shard_pending = calloc(ix->nshards, sizeof *ix->shard_pending);
    if (!ix->shard_db || !ix->shard_pending) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_DB;
    }
    ts_status_t st = TS_OK;
    unsigned k;
    for (k = 0; k < ix->nshards && st == TS_OK; k++)
        if (k % (unsigned)ix->nworkers == (unsigned)ix->worker) {
            st = open_writer(job->shards[k], job->open_flags, job->wait_s, &ix->shard_db[k]);
            if (st == TS_OK && (job->open_flags & TS_DB_SEGMENTS))
                st = ts_db_set_segment_size(ix->shard_db[k], ix->segment_size);
            if (st != TS_OK)
                fprintf(stderr, "%s: %s: %s\n", prog, job->shards[k], ts_last_error());
        }
    if (st == TS_OK) {
        scan_inputs(ix, job->inputs, job->n_inputs, job->fmt);
        if (job->tee && !ix->sh->stdin_done)
            ix->c->incomplete = 1; /* the copy of standard input stopped short */
        if (ix->prune && !ix->c->incomplete)
            for (k = 0; k < ix->nshards && !ix->fatal; k++) {
                uint64_t removed = 0;
                if (ix->shard_db[k] && (st = ts_db_prune(ix->shard_db[k], &removed)) != TS_OK)
                    ix->fatal = st;
                ix->c->deleted += removed;
            }
        else if (ix->prune && reporter(ix)) {
            clear_progress(ix);
            fprintf(stderr, "%s: not pruning: this run did not read all its inputs\n", prog);
        }
    } else {
        ix->fatal = st;
        ix->sh->abort = 1;
    }
    if (ix->fatal && st == TS_OK)
        fprintf(stderr, "%s: %s; the index keeps its last commit\n", prog, ts_last_error());
    for (k = 0; k < ix->nshards; k++) {
        if (!ix->shard_db[k])
            continue;
        if (ix->fatal)
            ts_db_cancel(ix->shard_db[k]);
        ts_status_t cs = ts_db_close(ix->shard_db[k]);
        if (cs != TS_OK && !ix->fatal) {
            fprintf(stderr, "%s: %s: %s; the index keeps its last commit\n", prog,
                    job->shards[k], ts_last_error());
            ix->fatal = cs;
        }
    }
    return ix->fatal ? exit_for(ix->fatal) : 0;
}

/* What a feeding worker needs. */
typedef struct feed_job {
    char **inputs;
    int n_inputs;
    ts_format_t fmt;
    const char *db_path;
    int fd[MAX_JOBS];           /* write end of each worker's pipe */
    int rfd[MAX_JOBS];          /* read end of each (the parent's) */
} feed_job_t;

/* Worker body: check this worker's records against the index and pass
 * the new and changed ones on (feed_record). */
static int feed_worker(indexer_t *ix, void *arg)
{
    feed_job_t *job = arg;
    /* Only the parent may hold a read end: were a worker to, the others
     * would block for ever writing to a parent that stopped reading. */
    for (int i = 0; i < ix->nworkers; i++) {
        close(job->rfd[i]);
        if (i != ix->worker)
            close(job->fd[i]);
    }
    ix->feed = fdopen(job->fd[ix->worker], "w");
    ts_status_t st = ix->feed ? ts_db_open(job->db_path, TS_DB_READ, &ix->check_db) : TS_ERR_IO;
    if (st != TS_OK) {
        fprintf(stderr, "%s: %s: %s\n", prog, job->db_path, ts_last_error());
        return exit_for(st);
    }
    scan_inputs(ix, job->inputs, job->n_inputs, job->fmt);
    if (ix->fatal && ix->fatal != TS_ERR_IO && ix->fatal != TS_ERR_NOMEM)
        fprintf(stderr, "%s: %s: %s\n", prog, job->db_path, ts_last_error());
    ts_db_close(ix->check_db);
    if (fclose(ix->feed) != 0 && !ix->fatal)
        ix->fatal = TS_ERR_IO;
    return ix->fatal ? exit_for(ix->fatal) : 0;
}

/* One line from a feeding worker: put its record ("R json") or note its
 * id as seen ("S id").  Returns TS_OK or the status that stops the run. */
static ts_status_t take_line(indexer_t *ix, char *line, size_t len)
{
    if (len > 2 && line[0] == 'S' && line[1] == ' ') {
        line[len] = '\0';
        ts_status_t st = ts_db_mark_seen(ix->db, line + 2);
        return st == TS_OK ? TS_OK : (ix->fatal = st);
    }
    ts_record_t *rec = len > 2 && line[0] == 'R' ? ts_record_from_json(line + 2, len - 2) : NULL;
    if (!rec) {
        fprintf(stderr, "%s: a worker passed a record that cannot be read\n", prog);
        return ix->fatal = TS_ERR_INTERNAL;
    }
    ts_status_t st = put_record(ix, ix->db, &ix->pending, rec);
    ts_record_free(rec);
    return st;
}

/* The writer's side of feeding: read the workers' pipes until all are
 * closed, putting what they pass.  Then wait for them. */
static int drain_feeds(indexer_t *ix, int *fds, int n)
{
    struct pollfd pfd[MAX_JOBS];
    char *buf[MAX_JOBS];
    size_t used[MAX_JOBS], cap[MAX_JOBS];
    int open_fds = n, forwarded = 0;
    for (int i = 0; i < n; i++) {
        pfd[i].fd = fds[i];
        pfd[i].events = POLLIN;
        buf[i] = NULL;
        used[i] = cap[i] = 0;
    }
    while (open_fds > 0 && !ix->fatal && !ix->stopped_strict) {
        if (stop_signal && !forwarded) {
            for (int i = 0; i < n_workers; i++)
                kill(workers[i], stop_signal);
            forwarded = 1;
        }
        int r = poll(pfd, n, 250);
        show_progress(ix, 0);
        if (r <= 0)
            continue;
        for (int i = 0; i < n && !ix->fatal; i++) {
            if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (cap[i] - used[i] < 65536) {
                size_t ncap = cap[i] ? cap[i] * 2 : 1 << 20;
                char *nb = realloc(buf[i], ncap);
                if (!nb) {
                    fprintf(stderr, "%s: out of memory\n", prog);
                    ix->fatal = TS_ERR_NOMEM;
                    break;
                }
                buf[i] = nb;
                cap[i] = ncap;
            }
            ssize_t got = read(pfd[i].fd, buf[i] + used[i], cap[i] - used[i] - 1);
            if (got <= 0) {
                if (got < 0 && errno == EINTR)
                    continue;
                close(pfd[i].fd);
                pfd[i].fd = -1;
                open_fds--;
                continue;
            }
            used[i] += (size_t)got;
            size_t start = 0;
            char *nl;
            while (!ix->fatal && (nl = memchr(buf[i] + start, '\n', used[i] - start))) {
                take_line(ix, buf[i] + start, (size_t)(nl - (buf[i] + start)));
                start = (size_t)(nl - buf[i]) + 1;
            }
            memmove(buf[i], buf[i] + start, used[i] - start);
            used[i] -= start;
        }
    }
    for (int i = 0; i < n; i++) {
        if (pfd[i].fd >= 0)
            close(pfd[i].fd); /* a worker still writing stops (EPIPE) */
        free(buf[i]);
    }
    if (ix->fatal || ix->stopped_strict)
        ix->sh->abort = 1;
    return wait_workers(ix);
}

/* ---- the ways a run goes ---------------------------------------------- */

typedef struct run {
    char **inputs;
    int n_inputs;
    ts_format_t fmt;
    const char *db_path;
    double wait_s;
    int jobs;
    int reads_stdin;            /* "-" is among the inputs */
} run_t;

/* Make the shared counters (slot 0 for this process). */
static int make_shared(indexer_t *ix, int nworkers)
{
    shared_t *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        fprintf(stderr, "%s: shared memory: %s\n", prog, strerror(errno));
        return -1;
    }
    memset(sh, 0, sizeof *sh);
    sh->slot[0] = *ix->c;
    ix->sh = sh;
    ix->c = &sh->slot[0];
    ix->nslots = nworkers + 1;
    return 0;
}

/* Copy standard input to each worker's pipe (fds[0..n)), so that every
 * worker reads it, as every worker reads a file.  A block is read when
 * every worker has taken the last one; the pipes are written without
 * blocking, so the workers are watched all along (reap_workers).  A
 * worker that stopped reading (it ended or failed) is passed by; a
 * signal (passed on first) or a failed worker stops the copy; so does a
 * read error, which is said and counted as a rejected input.  Only a copy
 * to the end of standard input sets sh->stdin_done: without it a worker
 * takes its reading as incomplete and does not prune.  The pipes are
 * closed. */
static void tee_stdin(indexer_t *ix, int *fds, int n)
{
    static char buf[1 << 16];
    size_t len = 0, off[MAX_JOBS];
    int open_fds = 0;

    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < n; i++) {
        off[i] = 0;
        if (fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK) != 0) {
            close(fds[i]);
            fds[i] = -1;
        }
        open_fds += fds[i] >= 0;
    }
    while (open_fds > 0) {
        reap_workers(ix);
        if (stop_signal || ix->sh->abort) {
            forward_signal();
            break;
        }
        struct pollfd pf[MAX_JOBS];
        int who[MAX_JOBS], np = 0, reading;
        for (int i = 0; i < n; i++)
            if (fds[i] >= 0 && off[i] < len) {
                pf[np] = (struct pollfd){ .fd = fds[i], .events = POLLOUT };
                who[np++] = i;
            }
        reading = np == 0; /* every worker has the last block: read the next */
        if (reading)
            pf[np++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
        int ready = poll(pf, (nfds_t)np, 50);
        show_progress(ix, 0);
        if (ready <= 0)
            continue; /* a timeout, or a signal: seen at the top */
        if (reading) {
            ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
            if (r < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (r < 0) {
                clear_progress(ix);
                fprintf(stderr, "%s: <stdin>: %s\n", prog, strerror(errno));
                ix->c->rejected++;
                ix->c->incomplete = 1;
                ix->sh->abort = 1;
                break;
            }
            if (r == 0) {
                ix->sh->stdin_done = 1;
                break;
            }
            len = (size_t)r;
            for (int i = 0; i < n; i++)
                off[i] = 0;
            continue;
        }
        for (int k = 0; k < np; k++) {
            int i = who[k];
            if (!pf[k].revents)
                continue;
            ssize_t w = write(fds[i], buf + off[i], len - off[i]);
            if (w > 0) {
                off[i] += (size_t)w;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                close(fds[i]); /* the worker ended */
                fds[i] = -1;
                open_fds--;
            }
        }
    }
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* n pipes, read ends in r and write ends in w; on failure none is left
 * open and the failure is reported.  Returns 0 or -1. */
static int make_pipes(int *r, int *w, int n)
{
    for (int i = 0; i < n; i++) {
        int p[2];
        if (pipe(p) != 0) {
            fprintf(stderr, "%s: pipe: %s\n", prog, strerror(errno));
            while (i-- > 0)
                close(r[i]), close(w[i]);
            return -1;
        }
        r[i] = p[0];
        w[i] = p[1];
    }
    return 0;
}

/* Write the shards in shards[0..n) with run->jobs workers (at most one
 * per shard), opened with open_flags.  With "-" among the inputs and more
 * than one worker, this process reads standard input for them all
 * (tee_stdin).  Returns 0 or the exit status of a failure. */
static int run_sharded(indexer_t *ix, const run_t *run, char **shards, unsigned n, int open_flags)
{
    int w = run->jobs < (int)n ? run->jobs : (int)n;
    if (make_shared(ix, w) != 0)
        return EXIT_DB;
    shard_job_t job = { run->inputs, run->n_inputs, run->fmt, shards, run->wait_s, open_flags,
                        0, { 0 }, { 0 } };
    job.tee = run->reads_stdin && w > 1;
    if (job.tee && make_pipes(job.tee_r, job.tee_w, w) != 0)
        return EXIT_DB;
    ix->nshards = n;
    n_workers = 0;
    for (int i = 0; i < w; i++) {
        pid_t pid = start_worker(ix, i, w, shard_worker, &job);
        if (pid < 0) {
            ix->sh->abort = 1;
            break;
        }
        workers[n_workers++] = pid;
    }
    if (job.tee) {
        for (int i = 0; i < w; i++)
            close(job.tee_r[i]);
        tee_stdin(ix, job.tee_w, w);
    }
    int failed = wait_workers(ix);
    return failed ? failed : (n_workers < w ? EXIT_DB : 0);
}

/* Build a new index (db_path missing or empty; ix->db holds its lock)
 * with run->jobs workers writing shards in DB.build-PID, then merge them
 * into it. */
static int run_build(indexer_t *ix, const run_t *run)
{
    char tmp[4096];
    int rc = 0;
    snprintf(tmp, sizeof tmp, "%s.build-%ld", run->db_path, (long)getpid());
    remove_stale_builds(run->db_path);
    if (mkdir(tmp, 0777) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, tmp, strerror(errno));
        return EXIT_DB;
    }
    char *shards[MAX_JOBS];
    for (int i = 0; i < run->jobs; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/shard-%d", tmp, i);
        shards[i] = strdup(p);
    }
    /* The shards are merged, synced, at the end, and thrown away if this
     * run fails: their commits need not reach the disk.  Each is written
     * in segments (stub files listing them), which keeps every commit
     * cheap however large the index grows. */
    rc = run_sharded(ix, run, shards, (unsigned)run->jobs,
                     TS_DB_WRITE | TS_DB_SCRATCH | TS_DB_SEGMENTS);
    ts_status_t st = ts_db_close(ix->db); /* the merge takes the lock again */
    ix->db = NULL;
    if (rc == 0 && st == TS_OK)
        st = ts_db_compact((const char *const *)shards, (size_t)run->jobs, run->db_path);
    if (rc == 0 && st != TS_OK) {
        fprintf(stderr, "%s: %s: %s\n", prog, run->db_path, ts_last_error());
        rc = exit_for(st);
    }
    for (int i = 0; i < run->jobs; i++)
        free(shards[i]);
    remove_tree(tmp);
    return rc;
}

/* Add to an existing index (ix->db, open for writing) with run->jobs
 * workers checking records and this process writing the new and changed
 * ones. */
static int run_feed(indexer_t *ix, const run_t *run)
{
    if (make_shared(ix, run->jobs) != 0)
        return EXIT_DB;
    feed_job_t job = { run->inputs, run->n_inputs, run->fmt, run->db_path, { 0 }, { 0 } };
    ix->nshards = (unsigned)run->jobs;
    if (make_pipes(job.rfd, job.fd, run->jobs) != 0)
        return EXIT_DB;
    n_workers = 0;
    for (int i = 0; i < run->jobs; i++) {
        pid_t pid = start_worker(ix, i, run->jobs, feed_worker, &job);
        if (pid < 0)
            break;
        workers[n_workers++] = pid;
    }
    for (int i = 0; i < run->jobs; i++)
        close(job.fd[i]);
    signal(SIGPIPE, SIG_IGN);
    int failed = drain_feeds(ix, job.rfd, run->jobs);
    if (n_workers < run->jobs && !failed)
        failed = EXIT_DB;
    return failed;
}

/* Make a new sharded index at path: the directory, n empty shards
 * shard-0 ... and the stub.  Fills shards[] with their paths. */
static int make_sharded(const char *path, unsigned n, char **shards)
{
    char *rel[MAX_JOBS];
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return EXIT_DB;
    }
    for (unsigned k = 0; k < n; k++) {
        char p[4200], r[32];
        snprintf(r, sizeof r, "shard-%u", k);
        snprintf(p, sizeof p, "%s/%s", path, r);
        shards[k] = strdup(p);
        rel[k] = strdup(r);
        ts_db_t *db;
        ts_status_t st = ts_db_open(p, TS_DB_WRITE, &db);
        if (st == TS_OK)
            st = ts_db_close(db);
        if (st != TS_OK) {
            fprintf(stderr, "%s: %s: %s\n", prog, p, ts_last_error());
            return exit_for(st);
        }
    }
    ts_status_t st = ts_stub_write(path, (const char *const *)rel, n);
    for (unsigned k = 0; k < n; k++)
        free(rel[k]);
    if (st != TS_OK) {
        fprintf(stderr, "%s: %s\n", prog, ts_last_error());
        return exit_for(st);
    }
    return 0;
}

/* --delete on a sharded index: each id is removed from its shard. */
static int delete_sharded(indexer_t *ix, char **ids, int n, char **shards, unsigned nshards,
                          double wait_s)
{
    ts_db_t **dbs = calloc(nshards, sizeof *dbs);
    ts_status_t st = dbs ? TS_OK : TS_ERR_NOMEM;
    for (int i = 0; i < n && st == TS_OK; i++) {
        unsigned k = ts_shard_of(ids[i], nshards);
        if (!dbs[k] && (st = open_writer(shards[k], TS_DB_WRITE, wait_s, &dbs[k])) != TS_OK) {
            fprintf(stderr, "%s: %s: %s\n", prog, shards[k], ts_last_error());
            break;
        }
        int removed = 0;
        st = ts_db_delete(dbs[k], ids[i], &removed);
        if (st == TS_OK && !removed)
            fprintf(stderr, "%s: %s: not in the index\n", prog, ids[i]);
        ix->c->deleted += removed;
    }
    if (st != TS_OK && st != TS_ERR_LOCKED)
        fprintf(stderr, "%s: %s; the index keeps its last commit\n", prog, ts_last_error());
    for (unsigned k = 0; k < nshards; k++) {
        if (!dbs[k])
            continue;
        if (st != TS_OK)
            ts_db_cancel(dbs[k]);
        ts_status_t cs = ts_db_close(dbs[k]);
        if (cs != TS_OK && st == TS_OK) {
            fprintf(stderr, "%s: %s: %s\n", prog, shards[k], ts_last_error());
            st = cs;
        }
    }
    free(dbs);
    return st == TS_OK ? 0 : exit_for(st);
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int main(int argc, char **argv)
{
    enum { OPT_FORMAT = 256, OPT_DELETE, OPT_PRUNE, OPT_STRICT, OPT_WAIT, OPT_BATCH, OPT_SEGMENT,
           OPT_STATS, OPT_JSON, OPT_PROGRESS, OPT_DB, OPT_SHARDS };
    static const struct option opts[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "delete", no_argument, NULL, OPT_DELETE },
        { "prune", no_argument, NULL, OPT_PRUNE },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "wait", optional_argument, NULL, OPT_WAIT },
        { "jobs", required_argument, NULL, 'j' },
        { "shards", required_argument, NULL, OPT_SHARDS },
        { "batch-size", required_argument, NULL, OPT_BATCH },
        { "segment-size", required_argument, NULL, OPT_SEGMENT },
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
    shared_t solo; /* the counters when there are no workers */
    memset(&solo, 0, sizeof solo);
    ix.sh = &solo;
    ix.c = &solo.slot[0];
    ix.nslots = 1;
    ix.batch_size = DEFAULT_BATCH;
    ix.segment_size = TS_DB_SEGMENT_DOCS;
    const char *db_path = NULL, *progress = "auto";
    ts_format_t fmt = TS_FORMAT_AUTO;
    int del = 0, stats = 0, jobs = 0, nshards = 0, reads_stdin = 0;
    double wait_s = 0;
    int c;
    while ((c = getopt_long(argc, argv, "qhVj:", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db_path = optarg; break;
        case OPT_FORMAT:
            if (ts_format_parse(optarg, &fmt) != TS_OK)
                die_usage("unknown format '%s' (auto, xml, json, classic, text)", optarg);
            break;
        case OPT_DELETE: del = 1; break;
        case OPT_PRUNE: ix.prune = 1; break;
        case OPT_STRICT: ix.strict = 1; break;
        case OPT_WAIT: {
            char *end;
            wait_s = optarg ? strtod(optarg, &end) : -1;
            if (optarg && (*end || wait_s < 0))
                die_usage("--wait takes a number of seconds, not '%s'", optarg);
            break;
        }
        case 'j':
        case OPT_SHARDS: {
            long n = count_arg(optarg, 1, MAX_JOBS);
            if (n < 0)
                die_usage("--%s takes a number from 1 to %d, not '%s'",
                          c == 'j' ? "jobs" : "shards", MAX_JOBS, optarg);
            *(c == 'j' ? &jobs : &nshards) = (int)n;
            break;
        }
        case OPT_BATCH: {
            long n = count_arg(optarg, 1, LONG_MAX);
            if (n < 0)
                die_usage("--batch-size takes a positive number, not '%s'", optarg);
            ix.batch_size = (unsigned long)n;
            break;
        }
        case OPT_SEGMENT: {
            long n = count_arg(optarg, 0, LONG_MAX);
            if (n < 0)
                die_usage("--segment-size takes a number of records (0: one segment), not '%s'",
                          optarg);
            ix.segment_size = (unsigned long)n;
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
        if (optind < argc || del || ix.prune)
            die_usage("--stats takes no other arguments");
        int rc = print_stats(db_path, ix.json);
        free(default_path);
        return rc;
    }
    if (optind >= argc && !ix.prune)
        die_usage(del ? "--delete needs NCT ids" : "no input: give files, directories, archives or -");
    if (del && ix.prune)
        die_usage("--delete and --prune do not go together");
    if (jobs == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cpus < 1 ? 1 : cpus > MAX_JOBS ? MAX_JOBS : (int)cpus;
    }
    for (int i = optind; i < argc && !del; i++) {
        struct stat in_st;
        /* A pipe named as a path (`<(zcat x.gz)`) or a device can be read
         * once only: by one process.  Standard input too, but for a new
         * or sharded index, where this process passes it on to every
         * worker (tee_stdin). */
        if (strcmp(argv[i], "-") == 0)
            reads_stdin = 1;
        else if (stat(argv[i], &in_st) == 0 && !S_ISREG(in_st.st_mode) && !S_ISDIR(in_st.st_mode))
            jobs = 1;
    }

    ix.progress = !ix.quiet && (strcmp(progress, "always") == 0 ||
                                (strcmp(progress, "auto") == 0 && isatty(2)));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* A sharded index (an existing stub, or a new one for --shards). */
    char **shards = NULL;
    size_t n_stub = 0;
    ts_status_t st = ts_stub_read(db_path, &shards, &n_stub);
    if (st == TS_ERR_INVALID || st == TS_ERR_IO || st == TS_ERR_NOMEM) {
        fprintf(stderr, "%s: %s\n", prog, ts_last_error());
        free(default_path);
        return st == TS_ERR_INVALID ? EXIT_USAGE : EXIT_DB;
    }
    if (st == TS_OK && nshards && (size_t)nshards != n_stub)
        die_usage("%s has %zu shards, not %d", db_path, n_stub, nshards);
    if (st != TS_OK && nshards) {
        struct stat sb;
        if (stat(db_path, &sb) == 0) {
            DIR *d = opendir(db_path);
            int empty = d != NULL;
            struct dirent *e;
            while (d && (e = readdir(d)))
                empty &= !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
            if (d)
                closedir(d);
            if (!empty)
                die_usage("--shards makes a new index: %s already exists and is not sharded", db_path);
        }
        if (!del) {
            shards = calloc((size_t)nshards, sizeof *shards);
            int rc = shards ? make_sharded(db_path, (unsigned)nshards, shards) : EXIT_DB;
            if (rc) {
                free(default_path);
                return rc;
            }
            n_stub = (size_t)nshards;
        }
    }

    run_t run = { argv + optind, argc - optind, fmt, db_path, wait_s, jobs, reads_stdin };
    ix.start = now();
    int rc = 0, failed = 0;
    if (n_stub && del) {
        failed = delete_sharded(&ix, argv + optind, argc - optind, shards, (unsigned)n_stub, wait_s);
    } else if (n_stub) {
        failed = run_sharded(&ix, &run, shards, (unsigned)n_stub, TS_DB_WRITE);
    } else {
        st = open_writer(db_path, TS_DB_WRITE, wait_s, &ix.db);
        if (st != TS_OK) {
            fprintf(stderr, "%s: %s: %s\n", prog, db_path, ts_last_error());
            free(default_path);
            return exit_for(st);
        }
        uint64_t docs = 0;
        if (jobs > 1 && !del && ts_db_doccount(ix.db, &docs) != TS_OK)
            docs = 1;
        if (del) {
            for (int i = optind; i < argc && st == TS_OK; i++) {
                int removed = 0;
                st = ts_db_delete(ix.db, argv[i], &removed);
                if (st == TS_OK && !removed)
                    fprintf(stderr, "%s: %s: not in the index\n", prog, argv[i]);
                ix.c->deleted += removed;
            }
            if (st != TS_OK)
                ix.fatal = st;
        } else if (jobs > 1 && docs == 0) {
            failed = run_build(&ix, &run); /* closes ix.db */
        } else {
            if (jobs > 1 && !reads_stdin) /* a feeding worker cannot share it */
                failed = run_feed(&ix, &run);
            else
                scan_inputs(&ix, run.inputs, run.n_inputs, fmt);
            counts_t t = total(&ix);
            if (ix.prune && !t.incomplete && !ix.fatal && !failed) {
                uint64_t removed = 0;
                st = ts_db_prune(ix.db, &removed);
                if (st != TS_OK)
                    ix.fatal = st;
                ix.c->deleted += removed;
            } else if (ix.prune && !ix.fatal && !failed) {
                clear_progress(&ix);
                fprintf(stderr, "%s: not pruning: this run did not read all its inputs\n", prog);
            }
        }
        if (ix.db && ix.fatal) {
            fprintf(stderr, "%s: %s: %s; the index keeps its last commit\n", prog, db_path,
                    ts_last_error());
            ts_db_cancel(ix.db);
            ts_db_close(ix.db);
            free(default_path);
            return exit_for(ix.fatal);
        }
        if (ix.db && failed)
            ts_db_cancel(ix.db);
        if (ix.db && (st = ts_db_close(ix.db)) != TS_OK) {
            fprintf(stderr, "%s: %s: %s; the index keeps its last commit\n", prog, db_path,
                    ts_last_error());
            free(default_path);
            return exit_for(st);
        }
    }
    ix.nworkers = 0;
    show_progress(&ix, 1);
    if (shards)
        free_list(shards, n_stub);
    if (failed) {
        free(default_path);
        return failed;
    }
    counts_t t = total(&ix);
    if (!ix.quiet)
        print_summary(&ix, stop_signal != 0);
    if (stop_signal) {
        fprintf(stderr, "%s: interrupted by signal %d: %llu records committed; run again to complete\n",
                prog, (int)stop_signal, (unsigned long long)(t.added + t.updated));
        rc = 128 + stop_signal;
    } else if (t.rejected) {
        rc = EXIT_REJECTED;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
        rc = EXIT_DB;
    }
    free(default_path);
    return rc;
}
