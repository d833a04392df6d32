/* test_metrics.c - the evaluation figures against values worked out by
 * hand (the arithmetic is in the comments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

#define EPS 1e-5

/* log2(3) = 1.5849625, log2(5) = 2.3219281 */

/* A FILE reading the string s. */
static FILE *str_file(const char *s)
{
    FILE *f = fmemopen((void *)s, strlen(s), "r");
    assert_non_null(f);
    return f;
}

static void load_qrels(const char *text, ev_qrels_t *q)
{
    char err[256];
    FILE *f = str_file(text);
    if (ev_qrels_read(f, "qrels", q, err, sizeof err) != 0)
        fail_msg("%s", err);
    fclose(f);
}

static void load_run(const char *text, ev_run_t *r)
{
    char err[256];
    FILE *f = str_file(text);
    if (ev_run_read(f, "run", r, err, sizeof err) != 0)
        fail_msg("%s", err);
    fclose(f);
}

static void load_docs(const char *text, ev_docs_t *d)
{
    char err[256];
    FILE *f = str_file(text);
    if (ev_docs_read(f, "docs", d, err, sizeof err) != 0)
        fail_msg("%s", err);
    fclose(f);
}

/* The result of topic id in t[0..n-1]; fails when absent. */
static const ev_topic_t *find(const ev_topic_t *t, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].topic, id) == 0)
            return &t[i];
    fail_msg("topic %s missing", id);
    return NULL;
}

static void test_ndcg_by_hand(void **state)
{
    (void)state;
    /* grades 2,0,1 ranked; judged 2,1,0,0.
     * DCG = 2/log2(2) + 0 + 1/log2(4) = 2.5
     * IDCG = 2/1 + 1/log2(3) = 2.6309298;  nDCG = 0.9502325 */
    int ranked[] = {2, 0, 1}, judged[] = {0, 1, 0, 2};
    assert_float_equal(ev_ndcg(ranked, 3, judged, 4, 10), 0.9502325, EPS);
    /* the perfect order scores 1 */
    int best[] = {2, 1, 0, 0};
    assert_float_equal(ev_ndcg(best, 4, judged, 4, 10), 1.0, EPS);
    /* nothing positive judged: 0, not a division by zero */
    int zeros[] = {0, 0};
    assert_float_equal(ev_ndcg(zeros, 2, zeros, 2, 10), 0.0, EPS);
    /* a gain past the cut-off does not count: 10 zeros, then a 2 */
    int late[11] = {0};
    late[10] = 2;
    assert_float_equal(ev_ndcg(late, 11, late, 11, 10), 0.0, EPS);
    /* k = 1: only the first place matters; 1 against an ideal 2 */
    int one[] = {1, 2};
    assert_float_equal(ev_ndcg(one, 2, one, 2, 1), 0.5, EPS);
}

/* Judgments for topics 1, 2, 3 and 10; X is judged but not in the
 * collection. */
static const char QRELS[] =
    "# comment and blank line are skipped\n"
    "\n"
    "1 0 A 2\n"
    "1 0 B 1\n"
    "1 0 C 0\n"
    "1 0 D 2\n"
    "1 0 X 2\n"
    "2 0 E 1\n"
    "2 0 F 0\n"
    "3 0 G 2\n"
    "10 0 H 2\n";

static const char DOCS[] = "nct_id\tcorpus\nA\tx\nB\nC\nD\nE\nF\nG\nH\nU\nZ\n";

/* U and Z are unjudged; A is listed twice; topic 2's rank column
 * disagrees with its scores (scores win); topic 3 is missing; topic 10
 * has a tie on score (file order wins). */
static const char RUN[] =
    "1 Q0 U 1 9.0 t\n"
    "1 Q0 C 2 8.0 t\n"
    "1 Q0 A 3 7.0 t\n"
    "1 Q0 X 4 6.5 t\n"
    "1 Q0 B 5 6.0 t\n"
    "1 Q0 A 6 5.0 t\n"
    "2 Q0 E 1 2.0 t\n"
    "2 Q0 F 2 3.0 t\n"
    "10 Q0 Z 1 5 t\n"
    "10 Q0 H 2 5 t\n";

static void test_condensed_with_collection(void **state)
{
    ev_qrels_t q;
    ev_run_t r;
    ev_docs_t d;
    ev_topic_t *t;
    size_t n;
    (void)state;

    load_qrels(QRELS, &q);
    load_docs(DOCS, &d);
    load_run(RUN, &r);
    assert_true(ev_docs_has(&d, "A"));
    assert_false(ev_docs_has(&d, "X"));
    ev_qrels_restrict(&q, &d);
    assert_int_equal(q.n, 8);   /* X dropped */
    assert_int_equal(ev_evaluate(&q, &r, &t, &n), 0);
    assert_int_equal(n, 4);
    /* numeric topic order: 1 2 3 10 */
    assert_string_equal(t[0].topic, "1");
    assert_string_equal(t[2].topic, "3");
    assert_string_equal(t[3].topic, "10");

    /* Topic 1: condensed list C(0) A(2) B(1); ideal 2 2 1 0.
     * DCG = 0 + 2/log2(3) + 1/log2(4) = 1.2618595 + 0.5 = 1.7618595
     * IDCG = 2 + 1.2618595 + 0.5 = 3.7618595;  nDCG = 0.4683461
     * P@10 = 1/10; R@100 = 1 of 2 eligible (A, D). */
    const ev_topic_t *t1 = find(t, n, "1");
    assert_int_equal(t1->judged, 4);
    assert_int_equal(t1->eligible, 2);
    assert_int_equal(t1->retrieved, 3);
    assert_float_equal(t1->ndcg10, 0.4683461, EPS);
    assert_float_equal(t1->p10, 0.1, EPS);
    assert_float_equal(t1->r100, 0.5, EPS);

    /* Topic 2, by score: F(0) E(1); DCG = 1/log2(3) = 0.6309298; IDCG = 1. */
    const ev_topic_t *t2 = find(t, n, "2");
    assert_float_equal(t2->ndcg10, 0.6309298, EPS);
    assert_int_equal(t2->eligible, 0);

    /* Topic 3 was not ranked: all zero. */
    const ev_topic_t *t3 = find(t, n, "3");
    assert_int_equal(t3->retrieved, 0);
    assert_float_equal(t3->ndcg10, 0.0, EPS);

    /* Topic 10: Z is unjudged, so H is first of the condensed list. */
    const ev_topic_t *t10 = find(t, n, "10");
    assert_float_equal(t10->ndcg10, 1.0, EPS);
    assert_float_equal(t10->p10, 0.1, EPS);
    assert_float_equal(t10->r100, 1.0, EPS);

    /* Means over the topics with an eligible document: 1, 3 and 10.
     * nDCG (0.4683461 + 0 + 1) / 3 = 0.4894487; P@10 0.2 / 3;
     * R@100 (0.5 + 0 + 1) / 3 = 0.5.  Topic 2 is left out. */
    ev_mean_t m = ev_mean(t, n);
    assert_int_equal(m.topics, 3);
    assert_int_equal(m.judged_topics, 4);
    assert_float_equal(m.ndcg10, 0.4894487, EPS);
    assert_float_equal(m.p10, 0.0666667, EPS);
    assert_float_equal(m.r100, 0.5, EPS);

    free(t);
    ev_run_free(&r);
    ev_docs_free(&d);
    ev_qrels_free(&q);
}

static void test_condensed_without_collection(void **state)
{
    ev_qrels_t q;
    ev_run_t r;
    ev_topic_t *t;
    size_t n;
    (void)state;

    /* Without a collection list X counts: condensed C(0) A(2) X(2) B(1),
     * ideal 2 2 2 1 0.
     * DCG = 2/log2(3) + 2/log2(4) + 1/log2(5) = 1.2618595 + 1 + 0.4306766
     *     = 2.6925361;  IDCG = 2 + 1.2618595 + 1 + 0.4306766 = 4.6925361
     * nDCG = 0.5737929; P@10 = 0.2; R@100 = 2/3. */
    load_qrels(QRELS, &q);
    load_run(RUN, &r);
    assert_int_equal(ev_evaluate(&q, &r, &t, &n), 0);
    const ev_topic_t *t1 = find(t, n, "1");
    assert_int_equal(t1->judged, 5);
    assert_float_equal(t1->ndcg10, 0.5737929, EPS);
    assert_float_equal(t1->p10, 0.2, EPS);
    assert_float_equal(t1->r100, 2.0 / 3.0, EPS);
    free(t);
    ev_run_free(&r);
    ev_qrels_free(&q);
}

static void test_cutoffs(void **state)
{
    char qrels[8192], run[8192];
    size_t ql = 0, rl = 0;
    ev_qrels_t q;
    ev_run_t r;
    ev_topic_t *t;
    size_t n;
    (void)state;

    /* Topic 5: 101 judged documents ranked in order, only the 101st
     * eligible: outside R@100, P@10 and nDCG@10.  Topic 6: 12 eligible
     * documents all ranked: P@10 = 1, R@100 = 1, nDCG@10 = 1. */
    for (int i = 0; i <= 100; i++) {
        ql += (size_t)snprintf(qrels + ql, sizeof qrels - ql, "5 0 D%03d %d\n", i,
                               i == 100 ? 2 : 0);
        rl += (size_t)snprintf(run + rl, sizeof run - rl, "5 Q0 D%03d %d %d t\n", i,
                               i + 1, 1000 - i);
    }
    for (int i = 0; i < 12; i++) {
        ql += (size_t)snprintf(qrels + ql, sizeof qrels - ql, "6 0 E%02d 2\n", i);
        rl += (size_t)snprintf(run + rl, sizeof run - rl, "6 Q0 E%02d %d %d t\n", i,
                               i + 1, 100 - i);
    }
    load_qrels(qrels, &q);
    load_run(run, &r);
    assert_int_equal(ev_evaluate(&q, &r, &t, &n), 0);
    const ev_topic_t *t5 = find(t, n, "5"), *t6 = find(t, n, "6");
    assert_int_equal(t5->retrieved, 101);
    assert_float_equal(t5->r100, 0.0, EPS);
    assert_float_equal(t5->p10, 0.0, EPS);
    assert_float_equal(t5->ndcg10, 0.0, EPS);
    assert_float_equal(t6->p10, 1.0, EPS);
    assert_float_equal(t6->r100, 1.0, EPS);
    assert_float_equal(t6->ndcg10, 1.0, EPS);
    free(t);
    ev_run_free(&r);
    ev_qrels_free(&q);
}

static void test_random(void **state)
{
    ev_qrels_t q;
    (void)state;

    /* Topic 1: one eligible and one not.  Half the orders put the eligible
     * first (nDCG 1), half second (nDCG 1/log2(3) = 0.6309298): expected
     * 0.8154649.  Topic 2: every document eligible: always 1, P@10 3/10. */
    load_qrels("1 0 A 2\n1 0 B 0\n2 0 C 2\n2 0 D 2\n2 0 E 2\n", &q);
    ev_mean_t m = ev_random(&q, 20000, 7);
    assert_int_equal(m.topics, 2);
    assert_float_equal(m.ndcg10, (0.8154649 + 1.0) / 2, 0.01);
    assert_float_equal(m.p10, (0.1 + 0.3) / 2, EPS);
    assert_float_equal(m.r100, 1.0, EPS);
    /* the same seed gives the same figures */
    ev_mean_t again = ev_random(&q, 20000, 7);
    assert_float_equal(again.ndcg10, m.ndcg10, 0.0);
    ev_qrels_free(&q);
}

static void test_bad_input(void **state)
{
    char err[256] = "";
    ev_qrels_t q;
    ev_run_t r;
    FILE *f;
    (void)state;

    f = str_file("1 0 A 2\n1 0 B\n");
    assert_int_equal(ev_qrels_read(f, "q.txt", &q, err, sizeof err), -1);
    fclose(f);
    assert_non_null(strstr(err, "q.txt:2:"));
    assert_int_equal(q.n, 0);

    f = str_file("1 Q0 A 1 high t\n");
    assert_int_equal(ev_run_read(f, "r.run", &r, err, sizeof err), -1);
    fclose(f);
    assert_non_null(strstr(err, "r.run:1:"));

    /* a repeated judgment keeps its highest grade */
    load_qrels("1 0 A 0\n1 0 A 2\n1 0 A 1\n", &q);
    assert_int_equal(q.n, 1);
    assert_int_equal(q.v[0].rel, 2);
    ev_qrels_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ndcg_by_hand),
        cmocka_unit_test(test_condensed_with_collection),
        cmocka_unit_test(test_condensed_without_collection),
        cmocka_unit_test(test_cutoffs),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
