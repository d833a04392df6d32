/* lat.h - shared pieces of the benchmark's latency programs.
 *
 * Reading a query file, joining a topic's words into an OR query, a
 * monotonic clock, and the latency summary every program prints (one
 * line of JSON).  Header-only: each program is a single file plus this.
 * Valid C11 and C++17 (bench/xapian.cc includes it too).
 */
#ifndef BENCH_LAT_H
#define BENCH_LAT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct lat_queries {
    size_t n;
    char **v;
} lat_queries_t;

/* Seconds on the monotonic clock. */
static inline double lat_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds of CPU time used by this process (all its threads). */
static inline double lat_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read the non-empty lines of path that do not start with '#' (trailing
 * white space removed).  Exits with a message on failure.  The strings
 * are never freed (the program ends with them). */
static inline lat_queries_t lat_read_queries(const char *path)
{
    lat_queries_t q = { 0, NULL };
    size_t cap = 0;
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t sz = 0;
    ssize_t len;
    if (!f) {
        perror(path);
        exit(2);
    }
    while ((len = getline(&line, &sz, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
                           line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = 0;
        if (len == 0 || line[0] == '#')
            continue;
        if (q.n == cap) {
            cap = cap ? cap * 2 : 256;
            q.v = (char **)realloc(q.v, cap * sizeof *q.v);
            if (!q.v) {
                perror("realloc");
                exit(2);
            }
        }
        q.v[q.n] = strdup(line);
        if (!q.v[q.n]) {
            perror("strdup");
            exit(2);
        }
        q.n++;
    }
    free(line);
    fclose(f);
    if (q.n == 0) {
        fprintf(stderr, "%s: no queries\n", path);
        exit(2);
    }
    return q;
}

/* The words of s (separated by blanks) joined by sep: "a b" with " OR "
 * gives "a OR b".  Each word may be wrapped in quote (a string put
 * before and after it, "" for none).  Caller frees. */
static inline char *lat_join_words(const char *s, const char *sep, const char *quote)
{
    size_t cap = strlen(s) * (2 + 2 * strlen(quote)) + strlen(s) * strlen(sep) + 1;
    char *out = (char *)malloc(cap);
    size_t o = 0;
    int first = 1;
    if (!out) {
        perror("malloc");
        exit(2);
    }
    while (*s) {
        size_t gap = strspn(s, " \t");
        s += gap;
        size_t len = strcspn(s, " \t");
        if (!len)
            break;
        if (!first) {
            memcpy(out + o, sep, strlen(sep));
            o += strlen(sep);
        }
        first = 0;
        memcpy(out + o, quote, strlen(quote));
        o += strlen(quote);
        memcpy(out + o, s, len);
        o += len;
        memcpy(out + o, quote, strlen(quote));
        o += strlen(quote);
        s += len;
    }
    out[o] = 0;
    return out;
}

static inline int lat_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-th percentile (0 < p <= 100) of the sorted samples v[0..n-1],
 * nearest rank. */
static inline double lat_pct(const double *v, size_t n, double p)
{
    size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

/* Print the summary of n latencies (seconds, sorted here) as one line of
 * JSON on stdout: count, percentiles and mean in milliseconds, queries
 * per second over the timed rounds, and the queries that found a hit
 * (out of nq distinct queries) and that failed.  cpu (may be NULL) holds
 * the CPU seconds of the same runs (sorted here too): their p50 and p99
 * tell the work done from the waiting on a busy machine. */
static inline void lat_report(double *v, double *cpu, size_t n, double wall, size_t nq,
                              size_t with_hits, size_t errors)
{
    double sum = 0;
    qsort(v, n, sizeof *v, lat_cmp);
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    printf("{\"runs\": %zu, \"queries\": %zu, \"with_hits\": %zu, \"errors\": %zu, "
           "\"p50_ms\": %.4f, \"p95_ms\": %.4f, \"p99_ms\": %.4f, \"mean_ms\": %.4f, "
           "\"max_ms\": %.4f, \"qps\": %.1f",
           n, nq, with_hits, errors, 1e3 * lat_pct(v, n, 50), 1e3 * lat_pct(v, n, 95),
           1e3 * lat_pct(v, n, 99), n ? 1e3 * sum / (double)n : 0.0, n ? 1e3 * v[n - 1] : 0.0,
           wall > 0 ? (double)n / wall : 0.0);
    if (cpu && n) {
        qsort(cpu, n, sizeof *cpu, lat_cmp);
        printf(", \"cpu_p50_ms\": %.4f, \"cpu_p99_ms\": %.4f",
               1e3 * lat_pct(cpu, n, 50), 1e3 * lat_pct(cpu, n, 99));
    }
    printf("}\n");
}

#endif
