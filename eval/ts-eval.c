/* ts-eval - condensed-list relevance figures of TREC runs (metrics.h).
 *
 * With one run it prints each topic's figures and the means; with several
 * a table of the means, one row per run, and how much better the first
 * run is than each other one.  --random N gives the expected figures of a
 * random order of each topic's judged documents instead of a run.
 * Exit status: 0 done, 2 usage, 3 unreadable input or failed output.
 */
#include "metrics.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "ts-eval";

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s [options] QRELS RUN...\n"
            "       %s [options] --random N QRELS\n"
            "\n"
            "Condensed-list evaluation of TREC runs (TOPIC Q0 DOC RANK SCORE TAG):\n"
            "each ranking keeps only the documents judged for its topic, then\n"
            "nDCG@10 (graded gains), P@10 and R@100 (grade >= %d is relevant) are\n"
            "computed.  Means are over the topics with a relevant document in the\n"
            "collection.\n"
            "\n"
            "Options:\n"
            "  --docs FILE    ids of the documents in the collection (first word of\n"
            "                 each line); judgments of other documents are ignored\n"
            "  --json         JSON Lines: {\"type\":\"topic\",...} and {\"type\":\"mean\",...}\n"
            "  --per-topic    per-topic figures even with several runs\n"
            "  --random N     figures of a random order of the judged documents,\n"
            "                 averaged over N shuffles (no RUN)\n"
            "  --seed S       seed of the shuffles (default 1)\n"
            "  -h, --help     this help\n"
            "\n"
            "With several runs the last column says how much higher the first run's\n"
            "nDCG@10 is than the row's, in percent of the row's.\n"
            "Exit status: 0 done, 2 usage, 3 unreadable input or failed output.\n",
            prog, prog, EV_RELEVANT);
}

/* Open path ("-" is standard input) or print why not and return NULL. */
static FILE *open_in(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
    return f;
}

/* Close a file opened by open_in. */
static void close_in(FILE *f)
{
    if (f != stdin)
        fclose(f);
}

/* The name of a run for tables: its file name without directories and
 * without a .run or .txt ending, in buf. */
static const char *run_name(const char *path, char *buf, size_t len)
{
    const char *b = strrchr(path, '/');
    size_t n;

    b = b ? b + 1 : path;
    snprintf(buf, len, "%s", b);
    n = strlen(buf);
    if (n > 4 && (strcmp(buf + n - 4, ".run") == 0 || strcmp(buf + n - 4, ".txt") == 0))
        buf[n - 4] = '\0';
    return buf;
}

/* Print s as a JSON string. */
static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* Print one mean as JSON (name may be NULL: the random baseline). */
static void json_mean(const char *name, const ev_mean_t *m)
{
    printf("{\"type\":\"mean\",\"run\":");
    if (name)
        json_str(name);
    else
        printf("null");
    printf(",\"topics\":%zu,\"judged_topics\":%zu,\"ndcg10\":%.4f,\"p10\":%.4f,"
           "\"r100\":%.4f}\n",
           m->topics, m->judged_topics, m->ndcg10, m->p10, m->r100);
}

/* Print per-topic figures, text or JSON. */
static void print_topics(const char *name, const ev_topic_t *t, size_t n, int json)
{
    if (!json)
        printf("%-6s %6s %8s %6s %8s %6s %6s\n", "topic", "judged", "eligible",
               "ranked", "nDCG@10", "P@10", "R@100");
    for (size_t i = 0; i < n; i++) {
        if (json) {
            printf("{\"type\":\"topic\",\"run\":");
            json_str(name);
            printf(",\"topic\":");
            json_str(t[i].topic);
            printf(",\"judged\":%zu,\"eligible\":%zu,\"ranked\":%zu,\"ndcg10\":%.4f,"
                   "\"p10\":%.4f,\"r100\":",
                   t[i].judged, t[i].eligible, t[i].retrieved, t[i].ndcg10, t[i].p10);
            if (t[i].eligible)
                printf("%.4f}\n", t[i].r100);
            else
                printf("null}\n");
        } else {
            printf("%-6s %6zu %8zu %6zu %8.4f %6.4f ", t[i].topic, t[i].judged,
                   t[i].eligible, t[i].retrieved, t[i].ndcg10, t[i].p10);
            if (t[i].eligible)
                printf("%6.4f\n", t[i].r100);
            else
                printf("%6s\n", "-");
        }
    }
}

/* Print the row of one run's means in the comparison table; first is the
 * first run's nDCG@10 (negative for the first row itself). */
static void print_row(const char *name, const ev_mean_t *m, double first)
{
    printf("%-22s %8.4f %6.4f %6.4f", name, m->ndcg10, m->p10, m->r100);
    if (first >= 0 && m->ndcg10 > 0)
        printf(" %+9.1f%%", 100.0 * (first - m->ndcg10) / m->ndcg10);
    putchar('\n');
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"docs", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"per-topic", no_argument, NULL, 't'},
        {"random", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *docs_path = NULL;
    int json = 0, per_topic = 0, c, rc = 0;
    unsigned long rounds = 0, seed = 1;
    char err[512], *end;
    ev_qrels_t q;
    FILE *f;

    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            docs_path = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 't':
            per_topic = 1;
            break;
        case 'r':
        case 's':
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (!*optarg || *end || errno || (c == 'r' && (v == 0 || v > 1000000))) {
                fprintf(stderr, "%s: --%s: not a valid number: %s\n", prog,
                        c == 'r' ? "random" : "seed", optarg);
                return 2;
            }
            *(c == 'r' ? &rounds : &seed) = v;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind < (rounds ? 1 : 2) || (rounds && argc - optind != 1)) {
        usage(stderr);
        return 2;
    }

    if (!(f = open_in(argv[optind])))
        return 3;
    if (ev_qrels_read(f, argv[optind], &q, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        close_in(f);
        return 3;
    }
    close_in(f);
    if (docs_path) {
        ev_docs_t d;
        if (!(f = open_in(docs_path)))
            return 3;
        if (ev_docs_read(f, docs_path, &d, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            close_in(f);
            return 3;
        }
        close_in(f);
        ev_qrels_restrict(&q, &d);
        ev_docs_free(&d);
    }

    if (rounds) {
        ev_mean_t m = ev_random(&q, (unsigned)rounds, seed);
        if (json)
            json_mean(NULL, &m);
        else
            printf("random order of the judged documents (%lu shuffles): nDCG@10 %.4f  "
                   "P@10 %.4f  R@100 %.4f  (mean of %zu topics)\n",
                   rounds, m.ndcg10, m.p10, m.r100, m.topics);
        goto out;
    }

    int nruns = argc - optind - 1;
    double first = -1;
    if (nruns > 1 && !json && !per_topic)
        printf("%-22s %8s %6s %6s %10s\n", "run", "nDCG@10", "P@10", "R@100", "gain of 1st");
    for (int i = optind + 1; i < argc; i++) {
        ev_run_t r;
        ev_topic_t *t;
        size_t nt;
        char name[256];

        run_name(argv[i], name, sizeof name);
        if (!(f = open_in(argv[i]))) {
            rc = 3;
            break;
        }
        if (ev_run_read(f, argv[i], &r, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            close_in(f);
            rc = 3;
            break;
        }
        close_in(f);
        if (ev_evaluate(&q, &r, &t, &nt) != 0) {
            fprintf(stderr, "%s: out of memory\n", prog);
            ev_run_free(&r);
            rc = 3;
            break;
        }
        ev_mean_t m = ev_mean(t, nt);
        if (nruns == 1 || per_topic)
            print_topics(name, t, nt, json);
        if (json)
            json_mean(name, &m);
        else if (nruns == 1 || per_topic)
            printf("mean of %zu topics (of %zu judged): nDCG@10 %.4f  P@10 %.4f  "
                   "R@100 %.4f\n",
                   m.topics, m.judged_topics, m.ndcg10, m.p10, m.r100);
        else
            print_row(name, &m, first);
        if (first < 0)
            first = m.ndcg10;
        free(t);
        ev_run_free(&r);
    }
out:
    ev_qrels_free(&q);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
        return 3;
    }
    return rc;
}
