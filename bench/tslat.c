/* tslat.c - in-process query latency of a trialsearch index.
 *
 * Usage: bench-tslat DB QUERIES [--or | --patient] [--details] [--plain]
 *                    [--rounds N] [--no-warmup] [--slowest N]
 *
 * Opens the index once with the public API (include/trialsearch.h) and
 * runs each query with ts_search, top 10: the hits come back as records
 * (TS_Q_NO_DETAILS, as for `trialsearch --ids`), with --details also
 * with snippets and matched fields, as `trialsearch` prints them; with
 * --plain as plain BM25 (TS_Q_PLAIN: no expansion, no field weights):
 * what the same words cost with those features off.  With
 * --or the words of each line (a prepared patient topic) are joined with
 * OR; with --patient each line is a case description for opts.patient.
 * Every query runs once to warm up (not with --no-warmup: for long
 * queries on an index already in the page cache), then N rounds (default
 * 3) are timed one by one; prints the latency summary of lat.h (the time to open the
 * index on stderr).  --slowest N also lists, on stderr, the N queries
 * with the most CPU time (the least of their rounds), to find what makes
 * the tail of the distribution.
 */
#include "trialsearch.h"
#include "lat.h"

static int patient, details, plain;

/* A query and the least CPU time of its rounds, for --slowest. */
typedef struct timed {
    const char *q;
    double cpu;
} timed_t;

static int by_cpu_desc(const void *a, const void *b)
{
    double x = ((const timed_t *)a)->cpu, y = ((const timed_t *)b)->cpu;
    return (x < y) - (x > y);
}

/* Run one query; the number of hits, or -1 on an error (reported). */
static int run(ts_db_t *db, const char *q)
{
    ts_query_opts_t opts;
    ts_results_t *res;
    ts_query_opts_init(&opts);
    if (patient)
        opts.patient = q;
    else
        opts.query = q;
    opts.limit = 10;
    if (!details)
        opts.flags |= TS_Q_NO_DETAILS;
    if (plain)
        opts.flags |= TS_Q_PLAIN;
    ts_status_t st = ts_search(db, &opts, &res);
    if (st != TS_OK) {
        fprintf(stderr, "bench-tslat: %s: %s: %s\n", q, ts_status_name(st), ts_last_error());
        return -1;
    }
    int n = (int)ts_results_count(res);
    ts_results_free(res);
    return n;
}

int main(int argc, char **argv)
{
    int or_words = 0, rounds = 3, np = 0, warmup = 1, slowest = 0;
    const char *pos[2] = { NULL, NULL };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--or") == 0)
            or_words = 1;
        else if (strcmp(argv[i], "--patient") == 0)
            patient = 1;
        else if (strcmp(argv[i], "--details") == 0)
            details = 1;
        else if (strcmp(argv[i], "--plain") == 0)
            plain = 1;
        else if (strcmp(argv[i], "--no-warmup") == 0)
            warmup = 0;
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--slowest") == 0 && i + 1 < argc)
            slowest = atoi(argv[++i]);
        else if (np < 2)
            pos[np++] = argv[i];
        else
            np = 3;
    }
    if (np != 2 || rounds < 1 || (or_words && patient)) {
        fprintf(stderr, "usage: bench-tslat DB QUERIES [--or | --patient] [--details] [--plain]"
                " [--rounds N] [--no-warmup] [--slowest N]\n");
        return 2;
    }
    lat_queries_t q = lat_read_queries(pos[1]);
    if (or_words)
        for (size_t i = 0; i < q.n; i++)
            q.v[i] = lat_join_words(q.v[i], " OR ", "");

    ts_db_t *db;
    double o0 = lat_now();
    if (ts_db_open(pos[0], TS_DB_READ, &db) != TS_OK) {
        fprintf(stderr, "bench-tslat: %s\n", ts_last_error());
        return 3;
    }
    double open_s = lat_now() - o0;

    size_t with_hits = 0, errors = 0, nt = 0;
    for (size_t i = 0; warmup && i < q.n; i++) {
        int h = run(db, q.v[i]);
        with_hits += h > 0;
        errors += h < 0;
    }
    double *t = malloc(q.n * (size_t)rounds * sizeof *t);
    double *c = malloc(q.n * (size_t)rounds * sizeof *c);
    if (!t || !c) {
        perror("malloc");
        return 3;
    }
    double w0 = lat_now();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < q.n; i++) {
            double t0 = lat_now(), c0 = lat_cpu();
            int h = run(db, q.v[i]);
            t[nt] = lat_now() - t0;
            c[nt++] = lat_cpu() - c0;
            if (!warmup && r == 0) {
                with_hits += h > 0;
                errors += h < 0;
            }
        }
    double wall = lat_now() - w0;
    fprintf(stderr, "bench-tslat: index opened in %.3f ms\n", open_s * 1e3);
    if (slowest > 0) {
        timed_t *tq = malloc(q.n * sizeof *tq);
        if (!tq) {
            perror("malloc");
            return 3;
        }
        for (size_t i = 0; i < q.n; i++) {
            tq[i].q = q.v[i];
            tq[i].cpu = c[i];
            for (int r = 1; r < rounds; r++)
                if (c[r * q.n + i] < tq[i].cpu)
                    tq[i].cpu = c[r * q.n + i];
        }
        qsort(tq, q.n, sizeof *tq, by_cpu_desc);
        for (size_t i = 0; i < q.n && i < (size_t)slowest; i++)
            fprintf(stderr, "bench-tslat: %8.3f ms CPU  %s\n", tq[i].cpu * 1e3, tq[i].q);
        free(tq);
    }
    lat_report(t, c, nt, wall, q.n, with_hits, errors);
    ts_db_close(db);
    return 0;
}
