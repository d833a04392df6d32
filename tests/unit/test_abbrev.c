/* test_abbrev.c - abbreviation definitions mined from record text
 * (lib/abbrev.c, Schwartz-Hearst).
 *
 * Hand-checked sentences: each must give exactly the pairs listed, no
 * more.  Then the miner runs over every real record in ../shared/data and
 * must find the definitions a user searching "ALS" or "MSC" relies on.
 * The time mining took is printed; set TS_ABBREV_TOP=N to print the N
 * most frequent mined pairs too. */
#include "unit.h"

#include "abbrev.h"
#include "ts_internal.h"

#include <time.h>

/* ---- collecting pairs ---------------------------------------------- */

typedef struct pairs {
    char buf[4096];     /* "SF=LF;SF=LF;" */
    size_t n;
} pairs_t;

static void collect(const char *sf, const char *lf, void *ctx)
{
    pairs_t *p = ctx;
    size_t used = strlen(p->buf);
    snprintf(p->buf + used, sizeof p->buf - used, "%s=%s;", sf, lf);
    p->n++;
}

/* All pairs of text, joined as "SF=LF;" in order. */
static const char *mine(const char *text, pairs_t *p)
{
    memset(p, 0, sizeof *p);
    _ts_abbrev_scan(text, collect, p);
    return p->buf;
}

#define MINES(text, want)                                                    \
    do {                                                                     \
        pairs_t p_;                                                          \
        assert_string_equal(mine(text, &p_), want);                          \
    } while (0)

/* ---- hand-checked cases -------------------------------------------- */

static void test_classic(void **state)
{
    (void)state;
    MINES("Patients with amyotrophic lateral sclerosis (ALS) will receive",
          "ALS=amyotrophic lateral sclerosis;");
    MINES("Intrathecal Mesenchymal Stromal Cells (MSCs) for ALS",
          "MSCs=mesenchymal stromal cells;");
    MINES("adults with type 2 diabetes mellitus (T2DM) and obesity",
          "T2DM=type 2 diabetes mellitus;");
    MINES("advanced non-small cell lung cancer (NSCLC) after platinum",
          "NSCLC=non-small cell lung cancer;");
    MINES("treated for hepatocellular carcinoma (HCC).",
          "HCC=hepatocellular carcinoma;");
    MINES("the primary endpoint is overall survival (OS) at 2 years",
          "OS=overall survival;");
    /* the first letter must start a word: the "s" inside "systemic" is passed over */
    MINES("after a systemic sclerosis (SSc) diagnosis",
          "SSc=systemic sclerosis;");
    /* a hyphenated long form and a short form with a hyphen */
    MINES("levels of interleukin-6 (IL-6) in plasma",
          "IL-6=interleukin-6;");
    /* the shortest long form that explains the short form */
    MINES("Patients with moderate to severe chronic obstructive pulmonary disease (COPD)",
          "COPD=chronic obstructive pulmonary disease;");
    /* a long form never starts with a function word: look further back */
    MINES("acceptance and commitment therapy (ACT) sessions",
          "ACT=acceptance and commitment therapy;");
    MINES("adolescents and young adults (AYA) with cancer",
          "AYA=adolescents and young adults;");
    MINES("patients are randomized to arm (ARM)", "");
    /* two definitions in one sentence */
    MINES("multiple sclerosis (MS) or neuromyelitis optica (NMO) are excluded",
          "MS=multiple sclerosis;NMO=neuromyelitis optica;");
}

static void test_reverse(void **state)
{
    (void)state;
    MINES("Subjects with ALS (amyotrophic lateral sclerosis) are eligible",
          "ALS=amyotrophic lateral sclerosis;");
    MINES("TNF (also called tumour necrosis factor) was measured",
          "TNF=tumour necrosis factor;");
    /* a long parenthesis that explains nothing */
    MINES("ALS (see the protocol for details) patients", "");
}

static void test_layout(void **state)
{
    (void)state;
    /* legacy XML wraps its text: the long form spans a line break */
    MINES("patients with amyotrophic lateral\n      sclerosis (ALS) who",
          "ALS=amyotrophic lateral sclerosis;");
    /* upper case is folded in the long form, the short form is kept */
    MINES("Acute Myeloid Leukemia (AML)", "AML=acute myeloid leukemia;");
    /* quotes and bullets around the long form are trimmed */
    MINES("- \"deep vein thrombosis\" (DVT)", "DVT=deep vein thrombosis;");
    /* "(ALS; n = 20)", "(ALS, 2010)": the part before ; or , */
    MINES("amyotrophic lateral sclerosis (ALS; n = 20)",
          "ALS=amyotrophic lateral sclerosis;");
    MINES("amyotrophic lateral sclerosis (ALS, 2010 criteria)",
          "ALS=amyotrophic lateral sclerosis;");
    /* nested parentheses: the inner one and the outer one both count */
    MINES("serum interleukin 6 (IL-6 (pg/mL)) and C-reactive protein (CRP)",
          "IL-6=interleukin 6;CRP=c-reactive protein;");
    MINES("(motor neuron disease (MND)) excluded", "MND=motor neuron disease;");
    /* an unclosed parenthesis is no definition and no crash */
    MINES("heart failure (HF", "");
    MINES("(", "");
    MINES(")(", "");
    MINES("", "");
    _ts_abbrev_scan(NULL, collect, NULL);       /* allowed, finds nothing */
}

static void test_not_abbreviations(void **state)
{
    (void)state;
    MINES("a difference was seen (p < 0.05)", "");
    MINES("a difference was seen (p<0.05)", "");
    MINES("twenty patients (n = 20) and controls (n=20)", "");
    MINES("as described earlier (see above)", "");
    MINES("weight-based dosing (mg/kg) of the drug", "");
    MINES("common infections (e.g., urinary tract infections)", "");
    MINES("at 12 months (range 6-18)", "");
    MINES("hazard ratio (95% CI)", "");
    MINES("aged 18 to 65 years (inclusive)", "");
    /* two-word "short forms" that are ordinary words */
    MINES("made from white blood cells (T cells)", "");
    MINES("patients are randomized to the control arm (Arm A)", "");
    MINES("levels of interleukin 2 (IL 2)", "IL 2=interleukin 2;");
    /* the long form holds the short form itself */
    MINES("in ALS patients (ALS)", "");
    /* letters that cannot be found, in order, in the words before */
    MINES("the placebo group (GLP-1)", "");
    /* a definition does not reach back over a sentence end */
    MINES("Adults only. Sclerosis (AS) ", "");
    MINES("A study of lateral. Sclerosis (ALS)", "");
    /* nor over a previous parenthesis */
    MINES("acute lymphoblastic (phase 2) leukemia (ALL)", "");
    /* nor over a list item */
    MINES("Inclusion:\n- age over 18\n- life expectancy (LE)",
          "LE=life expectancy;");
    MINES("- amyotrophic\n- lateral sclerosis (ALS)", "");
}

static void test_word_limit(void **state)
{
    (void)state;
    /* "AB": at most min(2 + 5, 2 * 2) = 4 words */
    MINES("alpha x y beta (AB)", "AB=alpha x y beta;");
    MINES("alpha w x y beta (AB)", "");
    /* a long form longer than 255 bytes is dropped, not cut */
    MINES("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa Bbbb (AB)",
          "");
}

static void test_key(void **state)
{
    (void)state;
    char out[_TS_ABBREV_SF_MAX + 1];
    static const char *const cases[][2] = {
        { "MSCs", "msc" }, { "MSC", "msc" }, { "AEs", "ae" }, { "ALS", "als" },
        { "MS", "ms" }, { "Ms", "ms" }, { "COPS", "cops" }, { "pts", "pts" },
        { "mAbs", "mabs" }, { "T2DM", "t2dm" }, { "IL-6", "il-6" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = _ts_abbrev_key(cases[i][0], out);
        assert_string_equal(out, cases[i][1]);
        assert_int_equal(n, strlen(cases[i][1]));
    }
}

/* ---- the real records ---------------------------------------------- */

/* Counts of (key, long form) pairs, each counted once per record. */
typedef struct entry {
    char *key;          /* "sf-key\tlong form" */
    char sf[_TS_ABBREV_SF_MAX + 1];
    size_t count;
    size_t last_rec;
} entry_t;

typedef struct miner {
    entry_t *tab;
    size_t cap, used, recs, found;
    double seconds;
} miner_t;

static void count_pair(const char *sf, const char *lf, void *ctx)
{
    miner_t *m = ctx;
    char key[_TS_ABBREV_SF_MAX + 1], both[_TS_ABBREV_SF_MAX + _TS_ABBREV_LF_MAX + 2];
    uint64_t h;
    size_t i;

    _ts_abbrev_key(sf, key);
    snprintf(both, sizeof both, "%s\t%s", key, lf);
    m->found++;
    if (m->used * 2 >= m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        entry_t *nt = calloc(ncap, sizeof *nt);
        assert_non_null(nt);
        for (size_t j = 0; j < m->cap; j++) {
            if (!m->tab[j].key)
                continue;
            h = _ts_hash64(m->tab[j].key, strlen(m->tab[j].key), _TS_HASH_INIT);
            for (i = h % ncap; nt[i].key; i = (i + 1) % ncap)
                ;
            nt[i] = m->tab[j];
        }
        free(m->tab);
        m->tab = nt;
        m->cap = ncap;
    }
    h = _ts_hash64(both, strlen(both), _TS_HASH_INIT);
    for (i = h % m->cap; m->tab[i].key && strcmp(m->tab[i].key, both) != 0; i = (i + 1) % m->cap)
        ;
    if (!m->tab[i].key) {
        m->tab[i].key = strdup(both);
        assert_non_null(m->tab[i].key);
        snprintf(m->tab[i].sf, sizeof m->tab[i].sf, "%s", sf);
        m->used++;
    }
    if (m->tab[i].last_rec != m->recs) {
        m->tab[i].count++;
        m->tab[i].last_rec = m->recs;
    }
}

static void mine_text(miner_t *m, const char *text)
{
    if (text)
        _ts_abbrev_scan(text, count_pair, m);
}

/* Mine the texts the indexer mines: titles, summaries, criteria,
 * interventions and outcomes. */
static ts_status_t on_record(void *ctx, ts_record_t *rec)
{
    miner_t *m = ctx;
    struct timespec t0, t1;

    m->recs++;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mine_text(m, rec->brief_title);
    mine_text(m, rec->official_title);
    mine_text(m, rec->brief_summary);
    mine_text(m, rec->detailed_description);
    mine_text(m, rec->eligibility);
    for (size_t i = 0; i < rec->n_interventions; i++)
        mine_text(m, rec->interventions[i].description);
    for (size_t i = 0; i < rec->n_primary_outcomes; i++) {
        mine_text(m, rec->primary_outcomes[i].measure);
        mine_text(m, rec->primary_outcomes[i].description);
    }
    for (size_t i = 0; i < rec->n_secondary_outcomes; i++) {
        mine_text(m, rec->secondary_outcomes[i].measure);
        mine_text(m, rec->secondary_outcomes[i].description);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    m->seconds += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ts_record_free(rec);
    return TS_OK;
}

static ts_status_t on_reject(void *ctx, const char *source, const char *where,
                             ts_status_t code, const char *reason)
{
    (void)ctx; (void)source; (void)where; (void)code; (void)reason;
    return TS_OK;
}

/* Count of the pair (key, long form), 0 when it was not mined. */
static size_t pair_count(const miner_t *m, const char *key, const char *lf)
{
    char both[512];
    snprintf(both, sizeof both, "%s\t%s", key, lf);
    for (size_t i = 0; i < m->cap; i++)
        if (m->tab[i].key && strcmp(m->tab[i].key, both) == 0)
            return m->tab[i].count;
    return 0;
}

static int by_count(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->key ? x->key : "", y->key ? y->key : "");
}

static void test_shared_records(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    const char *dir = unit_shared("data");
    struct stat st;
    if (stat(dir, &st) != 0) {
        print_message("skip: %s not found\n", dir);
        skip();
    }

    miner_t m;
    ts_scan_cbs_t cbs;
    memset(&m, 0, sizeof m);
    memset(&cbs, 0, sizeof cbs);
    cbs.record = on_record;
    cbs.reject = on_reject;
    cbs.ctx = &m;
    assert_int_equal(ts_scan_path(dir, TS_FORMAT_AUTO, &cbs), TS_OK);

    /* the shared set holds about 4,000 records */
    assert_true(m.recs > 3500);
    assert_true(m.used > 1000);

    /* what a user searching the short form relies on */
    assert_true(pair_count(&m, "als", "amyotrophic lateral sclerosis") >= 1);
    assert_true(pair_count(&m, "msc", "mesenchymal stem cells") +
                pair_count(&m, "msc", "mesenchymal stem cell") +
                pair_count(&m, "msc", "mesenchymal stromal cells") >= 2);
    assert_true(pair_count(&m, "copd", "chronic obstructive pulmonary disease") >= 5);
    /* nothing mined from statistics or sample sizes */
    for (size_t i = 0; i < m.cap; i++) {
        if (!m.tab[i].key)
            continue;
        if (strchr(m.tab[i].sf, '=') || strchr(m.tab[i].sf, '<'))
            fail_msg("mined a non-abbreviation: %s", m.tab[i].key);
    }

    /* it runs at index time: the time is shown, never asserted (a loaded
     * machine or a sanitizer build must not fail the test) */
    double per_rec_ms = m.seconds * 1000.0 / (double)m.recs;
    print_message("%zu records, %zu definitions, %zu distinct pairs; mining %.1f ms "
                  "(%.4f ms a record)\n",
                  m.recs, m.found, m.used, m.seconds * 1000.0, per_rec_ms);

    const char *top = getenv("TS_ABBREV_TOP");
    if (top && atoi(top) > 0) {
        qsort(m.tab, m.cap, sizeof *m.tab, by_count);
        for (int i = 0; i < atoi(top) && i < (int)m.used; i++)
            print_message("%5zu  %-10s %s\n", m.tab[i].count, m.tab[i].sf,
                          strchr(m.tab[i].key, '\t') + 1);
    }
    for (size_t i = 0; i < m.cap; i++)
        free(m.tab[i].key);
    free(m.tab);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic),
        cmocka_unit_test(test_reverse),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_not_abbreviations),
        cmocka_unit_test(test_word_limit),
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_shared_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
