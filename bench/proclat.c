/* proclat.c - latency of one process per query.
 *
 * Usage: bench-proclat [--rounds N] [--join SEP] QUERIES -- CMD ARG...
 *
 * For each query line, runs CMD with its arguments, an argument "{}"
 * replaced by the query (with --join, by its words joined with SEP, e.g.
 * " OR ") and "{file}" by the name of a temporary file holding the query
 * line.  Standard output goes to /dev/null; the time from fork to the
 * end of the process is one sample.  Exit status 0 (hits) and 1 (no hit)
 * count as answers, anything else as an error.  Every query runs once
 * untimed (page cache warm, as for the in-process timings), then N
 * rounds (default 1).  Prints the latency summary of lat.h.
 */
#include "lat.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run argv (already substituted) once; returns its exit status, or -1
 * when it could not run or died from a signal.  *cpu gets the CPU
 * seconds (user + system) the process used. */
static int run(char **argv, double *cpu)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(3);
    }
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 1);
        execvp(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
    int rounds = 1, i = 1;
    const char *join = NULL, *qfile = NULL;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--join") == 0 && i + 1 < argc)
            join = argv[++i];
        else
            qfile = argv[i];
    }
    if (!qfile || i + 1 >= argc || rounds < 1) {
        fprintf(stderr, "usage: bench-proclat [--rounds N] [--join SEP] QUERIES -- CMD ARG...\n");
        return 2;
    }
    int cmd = i + 1, nargs = argc - cmd;
    lat_queries_t q = lat_read_queries(qfile);
    char tmpl[] = "/tmp/bench-proclat-XXXXXX";
    int tfd = mkstemp(tmpl);
    if (tfd < 0) {
        perror("mkstemp");
        return 3;
    }
    close(tfd);
    char **args = calloc((size_t)nargs + 1, sizeof *args);
    double *t = malloc(q.n * (size_t)rounds * sizeof *t);
    double *c = malloc(q.n * (size_t)rounds * sizeof *c);
    size_t nt = 0, with_hits = 0, errors = 0;
    if (!args || !t || !c) {
        perror("malloc");
        return 3;
    }
    for (int r = -1; r < rounds; r++)
        for (size_t k = 0; k < q.n; k++) {
            char *text = join ? lat_join_words(q.v[k], join, "") : q.v[k];
            for (int a = 0; a < nargs; a++) {
                args[a] = argv[cmd + a];
                if (strcmp(args[a], "{}") == 0)
                    args[a] = text;
                else if (strcmp(args[a], "{file}") == 0)
                    args[a] = tmpl;
            }
            FILE *f = fopen(tmpl, "w");
            if (!f || fprintf(f, "%s\n", q.v[k]) < 0 || fclose(f) != 0) {
                perror(tmpl);
                return 3;
            }
            double t0 = lat_now(), cpu = 0;
            int st = run(args, &cpu);
            double dt = lat_now() - t0;
            if (r < 0) {
                with_hits += st == 0;
                if (st != 0 && st != 1) {
                    errors++;
                    fprintf(stderr, "bench-proclat: %s exited %d on: %s\n", args[0], st, q.v[k]);
                }
            } else {
                t[nt] = dt;
                c[nt++] = cpu;
            }
            if (join)
                free(text);
        }
    unlink(tmpl);
    double busy = 0;
    for (size_t k = 0; k < nt; k++)
        busy += t[k];
    lat_report(t, c, nt, busy, q.n, with_hits, errors);
    return 0;
}
