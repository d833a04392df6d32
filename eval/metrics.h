/* metrics.h - relevance figures for TREC-style runs over a small corpus.
 *
 * Condensed-list evaluation (for a collection that holds only a few of the
 * judged documents): each topic's ranking is first reduced to the documents
 * judged for that topic, in their order, and the figures are computed on
 * what remains.
 *
 * - nDCG@10: graded gains as judged (2 eligible, 1 excluded, 0 not
 *   relevant; negative grades count 0), discount log2(rank + 1).  The
 *   ideal ranking is made of the topic's judged documents that are in the
 *   collection, best grade first.
 * - P@10: eligible (grade >= EV_RELEVANT) documents among the first 10 of
 *   the condensed list, divided by 10.
 * - R@100: eligible documents among the first 100 of the condensed list,
 *   divided by the eligible documents of the topic in the collection.
 *
 * Which topics count in a mean: those with at least one eligible document
 * in the collection, for all three figures.  On the others P@10 and R@100
 * say nothing (there is nothing to find) and nDCG@10 only rewards putting
 * "excluded" trials first; one topic set keeps the three figures
 * comparable.  A counted topic missing from the run counts with 0.  The
 * per-topic figures are given for every judged topic (nDCG@10 0 when no
 * judged document has a positive grade; R@100 0 without eligible ones).
 *
 * Everything here is plain C with no dependency; functions that read text
 * take a FILE so tests can feed them strings.  Names are ev_*.
 */
#ifndef TS_EVAL_METRICS_H
#define TS_EVAL_METRICS_H

#include <stddef.h>
#include <stdio.h>

/* Grade from which a judged document counts as relevant for P@10, R@100. */
#define EV_RELEVANT 2
/* Cut-offs. */
#define EV_NDCG_K 10
#define EV_P_K 10
#define EV_R_K 100
#define EV_NDCG_MAX_K 64

/* One judgment. */
typedef struct ev_judgment {
    char *topic;
    char *doc;
    int rel;
} ev_judgment_t;

/* Relevance judgments, sorted by topic then document. */
typedef struct ev_qrels {
    ev_judgment_t *v;
    size_t n;
} ev_qrels_t;

/* One line of a run. */
typedef struct ev_entry {
    char *topic;
    char *doc;
    double score;
    size_t line;    /* position in the file: ties on score keep it */
} ev_entry_t;

/* A run, sorted by topic, then score (best first), then file order. */
typedef struct ev_run {
    ev_entry_t *v;
    size_t n;
} ev_run_t;

/* A set of document ids (the collection), sorted. */
typedef struct ev_docs {
    char **v;
    size_t n;
} ev_docs_t;

/* The figures of one topic. */
typedef struct ev_topic {
    const char *topic;      /* belongs to the qrels */
    size_t judged;          /* judged documents (in the collection) */
    size_t eligible;        /* of which eligible */
    size_t retrieved;       /* judged documents the run ranked */
    double ndcg10, p10, r100;
} ev_topic_t;

/* Means over the topics that count (see above). */
typedef struct ev_mean {
    size_t topics;          /* topics counted */
    size_t judged_topics;   /* topics with a judged document (all counted or not) */
    double ndcg10, p10, r100;
} ev_mean_t;

/* Read qrels ("TOPIC ITER DOC REL" per line; blank lines and lines
 * starting with '#' are skipped).  A document judged twice for one topic
 * keeps its highest grade.  Returns 0, or -1 with a message in err (which
 * names `name` and the line) on a malformed line or out of memory; *q is
 * then empty.  Free with ev_qrels_free. */
int ev_qrels_read(FILE *f, const char *name, ev_qrels_t *q, char *err, size_t errlen);
void ev_qrels_free(ev_qrels_t *q);

/* Read a run ("TOPIC Q0 DOC RANK SCORE TAG" per line; the rank column is
 * ignored, as trec_eval does: order is by score, ties in file order).  A
 * document listed twice for a topic keeps its best place.  Returns 0 or -1
 * with a message in err.  Free with ev_run_free. */
int ev_run_read(FILE *f, const char *name, ev_run_t *r, char *err, size_t errlen);
void ev_run_free(ev_run_t *r);

/* Read a list of document ids: the first word of each line; blank lines,
 * '#' comments and words not starting with a letter or digit are skipped,
 * so a TSV with a header works.  Returns 0 or -1 with a message in err. */
int ev_docs_read(FILE *f, const char *name, ev_docs_t *d, char *err, size_t errlen);
void ev_docs_free(ev_docs_t *d);
/* 1 if id is in d. */
int ev_docs_has(const ev_docs_t *d, const char *id);

/* Drop from q the judgments of documents not in the collection d. */
void ev_qrels_restrict(ev_qrels_t *q, const ev_docs_t *d);

/* nDCG@k of a ranking given as the grades of its documents in order
 * (already condensed), against the grades of all judged documents
 * (any order).  0 when no judged grade is positive.  k is at most
 * EV_NDCG_MAX_K. */
double ev_ndcg(const int *ranked, size_t n, const int *judged, size_t m, size_t k);

/* Evaluate run r against q, one ev_topic per topic of q (topics of r
 * without judgments are ignored), in topic order (numeric when topics are
 * numbers).  *out is allocated (free it with free()); its strings belong
 * to q.  Returns 0, or -1 when out of memory. */
int ev_evaluate(const ev_qrels_t *q, const ev_run_t *r, ev_topic_t **out, size_t *n);

/* The means of n topic results, by the rules above. */
ev_mean_t ev_mean(const ev_topic_t *t, size_t n);

/* Expected figures of a random order of each topic's judged documents,
 * averaged over `rounds` shuffles drawn from seed. */
ev_mean_t ev_random(const ev_qrels_t *q, unsigned rounds, unsigned long seed);

#endif
