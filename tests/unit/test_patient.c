/* test_patient.c - reading a free-text patient description: age, sex and
 * the salient terms that `trialsearch --patient` searches for. */
#include "unit.h"
#include "ts_internal.h"
#include "patient.h"

#include <math.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Parse text; fail the test if the parse fails. */
static void parse(const char *text, _ts_patient_t *p)
{
    ts_status_t st = _ts_patient_parse(text, p);
    if (st != TS_OK)
        fail_msg("parse: %s: %s", ts_status_name(st), ts_last_error());
}

/* The term with this text, or NULL. */
static const _ts_pterm_t *term(const _ts_patient_t *p, const char *text)
{
    for (size_t i = 0; i < p->n_terms; i++)
        if (strcmp(p->terms[i].text, text) == 0)
            return &p->terms[i];
    return NULL;
}

/* The term with this text; fails the test when it is missing. */
static const _ts_pterm_t *need(const _ts_patient_t *p, const char *text)
{
    const _ts_pterm_t *t = term(p, text);
    if (!t) {
        for (size_t i = 0; i < p->n_terms; i++)
            print_message("  have %.2f %s\n", p->terms[i].weight, p->terms[i].text);
        fail_msg("no term \"%s\"", text);
    }
    return t;
}

/* Rank of a term (0 = first), or n_terms when missing. */
static size_t rank_of(const _ts_patient_t *p, const char *text)
{
    size_t i;
    for (i = 0; i < p->n_terms; i++)
        if (strcmp(p->terms[i].text, text) == 0)
            break;
    return i;
}

/* Age and sex of text. */
static void check_demo(const char *text, double age, int sex)
{
    _ts_patient_t p;
    parse(text, &p);
    if (fabs(p.age - age) > 0.001 || p.sex != sex)
        fail_msg("\"%s\": age %g sex %c, want %g %c", text, p.age, p.sex ? p.sex : '0',
                 age, sex ? sex : '0');
    _ts_patient_free(&p);
}

static void test_age_sex_forms(void **state)
{
    (void)state;
    check_demo("A 58-year-old man with chest pain.", 58, 'M');
    check_demo("58 yo M with chest pain.", 58, 'M');
    check_demo("58 y/o F with chest pain.", 58, 'F');
    check_demo("A 75 y.o. gentleman with dysphagia.", 75, 'M');
    check_demo("48 M with a h/o HTN.", 48, 'M');
    check_demo("74M hx of CAD s/p CABG.", 74, 'M');
    check_demo("Pt is a 22yo F otherwise healthy.", 22, 'F');
    check_demo("F, 62, presents with dyspnea.", 62, 'F');
    check_demo("M/48: palpitations for two days.", 48, 'M');
    check_demo("A 2-month-old infant with fever.", 2.0 / 12, 0);
    check_demo("A 5 months old male with an undescended testis.", 5.0 / 12, 'M');
    check_demo("A 3-day-old female infant with jaundice.", 3 / 365.25, 'F');
    check_demo("A 6 week old boy with stridor.", 6 * 7 / 365.25, 'M');
    check_demo("A teenage girl with asthma.", 16, 'F');
    check_demo("A woman in her 60s with knee pain.", 65, 'F');
    check_demo("A man in his late 70s with anemia.", 78, 'M');
    check_demo("A lady in her mid-forties with migraine.", 45, 'F');
    check_demo("A sixty-five-year-old woman with gout.", 65, 'F');
    check_demo("The patient is 41 years of age and has epilepsy. He takes valproate.", 41, 'M');
    check_demo("Fernandez is a 41 year man with an itchy foot.", 41, 'M');
    check_demo("A 30 year old mother of two with postpartum depression.", 30, 'F');
    check_demo("A 57-year old farmer has tremors. He is on levodopa.", 57, 'M');
    check_demo("19 yo female G1P1 with headache.", 19, 'F');
    check_demo("Mrs. Jones has asthma.", TS_AGE_NONE, 'F');
    /* pronouns as the last resort, the majority when clear */
    check_demo("70 y/o with COPD. She has had decreased appetite. Her cough is worse.", 70, 'F');
    check_demo("70 y/o with COPD. He was admitted. His O2 is low.", 70, 'M');
    check_demo("Pregnant, 24 weeks, with pyelonephritis.", TS_AGE_NONE, 'F');
    /* nothing said */
    check_demo("Chronic cough and fever for two weeks.", TS_AGE_NONE, 0);
}

static void test_age_range(void **state)
{
    (void)state;
    _ts_patient_t p;
    parse("A woman in her 60s with knee pain.", &p);
    assert_true(p.age_min == 60 && p.age_max == 69);
    _ts_patient_free(&p);
    parse("A teenage boy with acne.", &p);
    assert_true(p.age_min == 13 && p.age_max == 19 && p.sex == 'M');
    _ts_patient_free(&p);
    parse("A 45-year-old man.", &p);
    assert_true(p.age == 45 && p.age_min == 45 && p.age_max == 45);
    _ts_patient_free(&p);
    parse("Recurrent otitis.", &p);
    assert_true(p.age < 0 && p.age_min < 0 && p.age_max < 0);
    _ts_patient_free(&p);
}

/* Ages and sexes of other people are not the patient's. */
static void test_relatives(void **state)
{
    (void)state;
    check_demo("He lives with his 80-year-old mother. He has asthma.", TS_AGE_NONE, 'M');
    check_demo("A 35-year-old woman with myasthenia. Her 70-year-old father has hypertension.",
               35, 'F');
    check_demo("A 12 year old girl came to the clinic with her mother.", 12, 'F');
    check_demo("Seizures began at age 13; he is now a 41-year-old man.", 41, 'M');
    check_demo("Her father, a 60-year-old man, brought her in. She has a rash.", TS_AGE_NONE, 'F');
    check_demo("Temperature in the 90s, sats in the 80s.", TS_AGE_NONE, 0);
}

static void test_terms_and_phrases(void **state)
{
    (void)state;
    _ts_patient_t p;
    parse("Patient is a 45-year-old man with a history of amyotrophic lateral sclerosis "
          "and type 2 diabetes. He presented to the clinic today complaining of "
          "worsening dysphagia. Exam reveals fasciculations. He was started on riluzole "
          "100 mg daily.", &p);
    need(&p, "amyotrophic lateral sclerosis");
    need(&p, "lateral sclerosis");
    need(&p, "type 2 diabetes");
    need(&p, "diabetes");
    need(&p, "dysphagia");
    need(&p, "fasciculations");
    need(&p, "riluzole");
    /* boilerplate, numbers, units and modifiers are no terms */
    static const char *const none[] = {
        "patient", "man", "history", "year", "old", "45", "presented", "clinic",
        "today", "complaining", "exam", "reveals", "started", "mg", "100", "daily",
        "worsening", "type", "2", "he", "worsening dysphagia", NULL
    };
    for (const char *const *w = none; *w; w++)
        if (term(&p, *w))
            fail_msg("boilerplate term \"%s\"", *w);
    /* no phrase crosses a dropped word or a sentence */
    assert_null(term(&p, "diabetes dysphagia"));
    assert_null(term(&p, "sclerosis type 2 diabetes"));
    /* every weight in 0..1, highest first */
    for (size_t i = 0; i < p.n_terms; i++) {
        assert_true(p.terms[i].weight > 0 && p.terms[i].weight <= 1);
        if (i)
            assert_true(p.terms[i - 1].weight >= p.terms[i].weight);
    }
    _ts_patient_free(&p);

    /* numbers and letters that are part of a name */
    parse("Hep C cirrhosis with grade II varices. IGF-1 was high. HPV 16 positive. "
          "Non-Hodgkin's lymphoma. Vitamin D deficiency.", &p);
    need(&p, "hep c cirrhosis");
    need(&p, "hep c");
    need(&p, "grade ii varices");
    need(&p, "igf 1");
    need(&p, "hpv 16");
    need(&p, "non hodgkin lymphoma");
    need(&p, "vitamin d deficiency");
    need(&p, "vitamin d");
    assert_null(term(&p, "ii"));
    assert_null(term(&p, "c"));
    assert_null(term(&p, "16"));
    _ts_patient_free(&p);
}

static void test_lab_lines_and_vitals(void **state)
{
    (void)state;
    _ts_patient_t p;
    parse("A 63-year-old man with acute urinary retention.\n"
          "Hgb: 13.6 g/dl\n"
          "WBC: 8000 /mm3\n"
          "Nitrite: negative\n"
          "Sodium                   137 meq/L\n"
          "Fecal occult blood       Negative\n"
          "Her BP is 150/85, HR 115, RR 15, SpO2 98% on RA.\n", &p);
    need(&p, "urinary retention");
    static const char *const none[] = {
        "hgb", "wbc", "nitrite", "sodium", "fecal", "occult", "fecal occult", "bp",
        "hr", "rr", "spo2", "ra", "meq", "g", "dl", "mm3", "137", NULL
    };
    for (const char *const *w = none; *w; w++)
        if (term(&p, *w))
            fail_msg("lab or vital term \"%s\"", *w);
    _ts_patient_free(&p);
}

static void test_negation(void **state)
{
    (void)state;
    _ts_patient_t p;
    parse("A 50-year-old man with hypertension. He denies chest pain, fever or chills. "
          "No history of diabetes. Biopsy was negative for carcinoma. He has been free of "
          "seizures for years. Pancreatitis without necrosis. He has gout but no asthma. "
          "He does not smoke. Nausea is not reported; vomiting is.", &p);
    assert_false(need(&p, "hypertension")->negated);
    assert_true(need(&p, "chest pain")->negated);
    assert_true(need(&p, "fever")->negated);
    assert_true(need(&p, "chills")->negated);
    assert_true(need(&p, "diabetes")->negated);
    assert_true(need(&p, "carcinoma")->negated);
    assert_true(need(&p, "seizures")->negated);
    assert_false(need(&p, "pancreatitis")->negated);
    assert_true(need(&p, "necrosis")->negated);
    assert_false(need(&p, "gout")->negated);
    assert_true(need(&p, "asthma")->negated);
    assert_false(need(&p, "vomiting")->negated);   /* after ';', a new clause */
    /* negated mentions weigh less than affirmed ones */
    assert_true(need(&p, "asthma")->weight < need(&p, "gout")->weight);
    _ts_patient_free(&p);

    /* a word said both ways is not negated */
    parse("No cough at first. Two days later a cough began.", &p);
    assert_false(need(&p, "cough")->negated);
    _ts_patient_free(&p);
}

static void test_weights(void **state)
{
    (void)state;
    _ts_patient_t p;
    parse("A 60-year-old woman with melanoma. She enjoys gardening. "
          "She likes knitting. Her mood is fine. She has mild gastritis. "
          "She was diagnosed with vitiligo last year. Melanoma recurred in 2020. "
          "Melanoma of the scalp was excised.", &p);
    double mel = need(&p, "melanoma")->weight;
    double gar = need(&p, "gardening")->weight;
    double kni = need(&p, "knitting")->weight;
    double vit = need(&p, "vitiligo")->weight;
    double gas = need(&p, "gastritis")->weight;
    /* the first sentence counts more than a later one */
    assert_true(mel > gar);
    _ts_patient_t f;
    parse("A 60-year-old woman with wanderlust. She enjoys knitting.", &f);
    assert_true(need(&f, "wanderlust")->weight > need(&f, "knitting")->weight);
    _ts_patient_free(&f);
    /* a diagnosis cue counts more than a plain later mention */
    assert_true(vit > kni);
    /* a clinical-looking word counts more than a plain one */
    assert_true(gas > kni);
    /* repetition adds up to the cap */
    assert_true(mel <= 1.0);
    _ts_patient_t q;
    parse("A 60-year-old woman with melanoma. She enjoys gardening.", &q);
    assert_true(mel > need(&q, "melanoma")->weight);
    _ts_patient_free(&q);
    _ts_patient_free(&p);
}

static void test_family_and_others(void **state)
{
    (void)state;
    _ts_patient_t p;
    parse("A 47-year-old woman with major depression. Her family history is positive "
          "for colon cancer in her father. Her husband was recently diagnosed with "
          "lung cancer. Daughter reports insomnia.", &p);
    assert_false(need(&p, "depression")->other);
    assert_true(need(&p, "colon cancer")->other);
    assert_true(need(&p, "lung cancer")->other);
    assert_false(need(&p, "insomnia")->other);     /* told by the daughter */
    assert_true(need(&p, "colon cancer")->weight < need(&p, "insomnia")->weight);
    assert_int_equal(p.sex, 'F');
    _ts_patient_free(&p);

    /* the patient's own mention wins over a relative's */
    parse("She has asthma. Her family history is positive for asthma in her mother.", &p);
    assert_false(need(&p, "asthma")->other);
    _ts_patient_free(&p);
    parse("Her family history is positive for asthma in her mother.", &p);
    assert_true(need(&p, "asthma")->other);
    _ts_patient_free(&p);
}

static void test_abbreviations(void **state)
{
    (void)state;
    _ts_patient_t p;
    parse("65 yo man with HTN, CAD s/p CABG, DMII and C diff colitis. h/o CVA.", &p);
    assert_true(need(&p, "htn")->acronym);
    assert_true(need(&p, "hypertension")->expansion);
    assert_false(need(&p, "htn")->expansion);
    need(&p, "coronary artery disease");
    need(&p, "type 2 diabetes");
    need(&p, "clostridium difficile");
    need(&p, "stroke");
    assert_null(term(&p, "s/p"));
    assert_null(term(&p, "h/o"));
    /* a word that is in the text too is no expansion */
    _ts_patient_free(&p);
    parse("Hypertension for years; HTN poorly controlled.", &p);
    assert_false(need(&p, "hypertension")->expansion);
    _ts_patient_free(&p);
}

static void test_unicode_and_edges(void **state)
{
    (void)state;
    _ts_patient_t p;
    parse("A 40-year-old woman with Sj\xc3\xb6gren\xe2\x80\x99s syndrome and "
          "\xef\xac\x81" "bromyalgia.", &p);
    need(&p, "sjogren syndrome");
    need(&p, "fibromyalgia");
    _ts_patient_free(&p);

    parse("", &p);
    assert_int_equal(p.n_terms, 0);
    assert_true(p.age < 0);
    assert_int_equal(p.sex, 0);
    _ts_patient_free(&p);

    parse("ab\xff\xfe cd \xc3 lupus", &p);      /* invalid UTF-8 */
    need(&p, "lupus");
    _ts_patient_free(&p);

    /* de-identification marks break phrases and are no terms */
    parse("Seen on [**2148-10-1**] for gout flare.", &p);
    need(&p, "gout flare");
    for (size_t i = 0; i < p.n_terms; i++)
        assert_null(strstr(p.terms[i].text, "2148"));
    _ts_patient_free(&p);

    assert_int_equal(_ts_patient_parse(NULL, &p), TS_ERR_INVALID);
    assert_int_equal(_ts_patient_parse("x", NULL), TS_ERR_INVALID);
    _ts_patient_free(NULL);
}

/* Out of memory is reported, not a crash. */
static void test_nomem(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        size_t big = 32u << 20;
        char *text = malloc(big + 1);
        if (!text)
            _exit(11);
        for (size_t i = 0; i < big; i++)
            text[i] = "ab cd "[i % 6];
        text[big] = '\0';
        struct rlimit rl;
        getrlimit(RLIMIT_AS, &rl);
        FILE *f = fopen("/proc/self/statm", "r");
        unsigned long pages = 0;
        if (!f || fscanf(f, "%lu", &pages) != 1)
            _exit(12);
        fclose(f);
        rl.rlim_cur = pages * (unsigned long)sysconf(_SC_PAGESIZE) + (16u << 20);
        setrlimit(RLIMIT_AS, &rl);
        _ts_patient_t p;
        ts_status_t st = _ts_patient_parse(text, &p);
        _exit(st == TS_ERR_NOMEM && p.n_terms == 0 && strstr(ts_last_error(), "memory")
                  ? 0 : 20 + (int)st);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- the TREC 2021 topics ------------------------------------------------ */

/* The text of topic number n in the topics file (entities decoded), or
 * NULL.  Caller frees. */
static char *topic_text(const char *xml, int n)
{
    char open[64];
    snprintf(open, sizeof open, "<topic number=\"%d\">", n);
    const char *s = strstr(xml, open);
    if (!s)
        return NULL;
    s += strlen(open);
    const char *e = strstr(s, "</topic>");
    if (!e)
        return NULL;
    char *out = malloc((size_t)(e - s) + 1), *o = out;
    assert_non_null(out);
    while (s < e) {
        if (strncmp(s, "&amp;", 5) == 0) {
            *o++ = '&';
            s += 5;
        } else if (strncmp(s, "&lt;", 4) == 0) {
            *o++ = '<';
            s += 4;
        } else if (strncmp(s, "&gt;", 4) == 0) {
            *o++ = '>';
            s += 4;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

/* The topics file, or NULL (the test is skipped). */
static char *topics_xml(void)
{
    const char *path = unit_shared("data/trec-ct-2021/topics2021.xml");
    struct stat st;
    if (!path || stat(path, &st) != 0) {
        print_message("skip: %s not found (set TS_SHARED)\n",
                      path ? path : "../shared/data/trec-ct-2021/topics2021.xml");
        return NULL;
    }
    size_t len;
    return unit_slurp(path, &len);
}

static void test_trec_topics(void **state)
{
    (void)state;
    char *xml = topics_xml();
    if (!xml)
        skip();
    /* topic, age, sex, key terms that must rank in the top 15 */
    static const struct {
        int n;
        double age;
        int sex;
        const char *key[3];
    } want[] = {
        { 1, 45, 'M', { "anaplastic astrocytoma", NULL } },
        { 2, 48, 'M', { "bicuspid aortic valve", "hypertension", NULL } },
        { 4, 44, 'F', { "polycystic ovary syndrome", "burkitt lymphoma", NULL } },
        { 5, 74, 'M', { "coronary artery disease", "stroke", NULL } },
        { 6, 55, 'F', { "end stage renal disease", "clostridium difficile", NULL } },
        { 7, 60, 'M', { "cirrhosis", "esophageal varices", "hepatitis c" } },
        { 8, 57, 'M', { "chronic lymphocytic leukemia", NULL } },
        { 10, 22, 'F', { "systemic mastocytosis", NULL } },
        { 12, 34, 'F', { "marfan syndrome", "mitral valve prolapse", NULL } },
        { 14, 70, 'F', { "copd", "obesity hypoventilation syndrome", NULL } },
        { 17, 64, 'F', { "multiple myeloma", "systemic amyloidosis", NULL } },
        { 29, 24, 'M', { "type 1 diabetes", NULL } },
        { 37, 20, 'F', { "relapsing remitting multiple sclerosis", NULL } },
        { 39, 3 / 365.25, 'F', { "jaundice", NULL } },
        { 41, 57, 'M', { "parkinson disease", NULL } },
        { 49, 12, 'F', { "turner syndrome", NULL } },
        { 50, 5.0 / 12, 'M', { "undescended testis", NULL } },
        { 55, 22, 'M', { "wilson disease", "tremor", NULL } },
        { 59, 15, 'M', { "asthma", NULL } },
        { 66, 16, 'F', { "hashimoto disease", NULL } },
        { 72, 16, 'F', { "myasthenia gravis", NULL } },
    };
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        char *text = topic_text(xml, want[w].n);
        assert_non_null(text);
        _ts_patient_t p;
        parse(text, &p);
        if (fabs(p.age - want[w].age) > 0.001 || p.sex != want[w].sex)
            fail_msg("topic %d: age %g sex %c, want %g %c", want[w].n, p.age,
                     p.sex ? p.sex : '0', want[w].age, want[w].sex);
        for (int k = 0; k < 3 && want[w].key[k]; k++) {
            size_t r = rank_of(&p, want[w].key[k]);
            if (r >= 15) {
                for (size_t i = 0; i < p.n_terms && i < 20; i++)
                    print_message("  %.2f %s\n", p.terms[i].weight, p.terms[i].text);
                fail_msg("topic %d: \"%s\" ranks %zu", want[w].n, want[w].key[k], r);
            }
            assert_false(need(&p, want[w].key[k])->negated);
        }
        _ts_patient_free(&p);
        free(text);
    }

    /* specific scopes in real notes */
    char *text = topic_text(xml, 2);
    _ts_patient_t p;
    parse(text, &p);
    /* "...which showed no angiographically apparent flow-limiting coronary
     * artery disease" */
    assert_true(need(&p, "coronary artery disease")->negated);
    _ts_patient_free(&p);
    free(text);
    text = topic_text(xml, 38);
    parse(text, &p);
    /* "Her 70-year-old father has hypertension." */
    assert_true(need(&p, "hypertension")->other);
    assert_int_equal(p.age, 35);
    _ts_patient_free(&p);
    free(text);
    text = topic_text(xml, 34);
    parse(text, &p);
    /* "Her husband was recently diagnosed with colon cancer" */
    assert_true(need(&p, "colon cancer")->other);
    _ts_patient_free(&p);
    free(text);

    /* every topic states the patient's age and sex */
    int with_age = 0, with_sex = 0;
    for (int n = 1; n <= 75; n++) {
        text = topic_text(xml, n);
        assert_non_null(text);
        parse(text, &p);
        with_age += p.age >= 0;
        with_sex += p.sex != 0;
        assert_true(p.n_terms > 0);
        _ts_patient_free(&p);
        free(text);
    }
    assert_int_equal(with_age, 75);
    assert_int_equal(with_sex, 75);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_age_sex_forms),
        cmocka_unit_test(test_age_range),
        cmocka_unit_test(test_relatives),
        cmocka_unit_test(test_terms_and_phrases),
        cmocka_unit_test(test_lab_lines_and_vitals),
        cmocka_unit_test(test_negation),
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_family_and_others),
        cmocka_unit_test(test_abbreviations),
        cmocka_unit_test(test_unicode_and_edges),
        cmocka_unit_test(test_nomem),
        cmocka_unit_test(test_trec_topics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
