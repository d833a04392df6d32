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


/* Read one shared file with _ts_read_text into s, named source (the path
 * when NULL). */
static void read_shared_as(unit_scan_t *s, const char *rel, const char *source)
{
    char path[4096];
    size_t len;
    char *buf;
    ts_scan_cbs_t cbs = unit_cbs(s);

    snprintf(path, sizeof path, "%s", unit_shared(rel));
    buf = unit_slurp(path, &len);
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
    assert_true(unit_list_has(&r->other_text, "Allocation: Randomized"));
    assert_true(unit_list_has(&r->other_text, "Masking: Single (Investigator)"));
    assert_true(unit_list_has(&r->other_text, "Responsible Party: Potapnev Michael"));
    assert_true(unit_list_has(&r->other_text, "paroxysmal spike-wave"));
    /* a link is page furniture, not the trial's text */
    assert_false(unit_list_has(&r->other_text, "https://yadi.sk"));
    unit_scan_free(&s);
}

/* Seed 001: the classic page of the ALS trial: a condition with a comma,
 * multi-line outcome descriptions, criteria ended by a key row. */
static void test_seed_classic_als(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&s, SEED1);
    ts_record_t *r = only(&s);

    assert_string_equal(r->nct_id, "NCT03828123");
    assert_string_equal(r->brief_title, "Autologous Multipotent Mesenchymal Stromal Cells in "
                                        "the Treatment of Amyotrophic Lateral Sclerosis");
    assert_string_equal(r->acronym, "AMSC-ALS-001");
    assert_has(r->official_title, "A Prospective, Non-randomized, Open Label Study");
    assert_string_equal(r->overall_status, "COMPLETED");
    assert_int_equal(r->phases.n, 2);
    assert_list(&r->phases, 0, "PHASE1");
    assert_list(&r->phases, 1, "PHASE2");
    assert_string_equal(r->study_type, "INTERVENTIONAL");
    /* the registry's XML holds this as one condition */
    assert_int_equal(r->conditions.n, 1);
    assert_list(&r->conditions, 0, "Motor Neuron Disease, Amyotrophic Lateral Sclerosis");
    assert_int_equal(r->n_interventions, 1);
    assert_string_equal(r->interventions[0].type, "Biological");
    assert_string_equal(r->interventions[0].name, "Suspension of human autologous MSC 3P in 1.5 ml");
    assert_has(r->interventions[0].description, "Intrathecal application");
    assert_int_equal(r->n_arms, 1);
    assert_string_equal(r->arms[0].label, "Autologous Multipotent MSC");
    assert_int_equal(r->enrollment, 26);
    assert_true(r->min_age == 18.0);
    assert_true(r->max_age == 65.0);
    assert_string_equal(r->sex, "ALL");
    assert_int_equal(r->healthy_volunteers, 0);
    assert_string_equal(r->start_date, "2012-01");
    assert_string_equal(r->primary_completion_date, "2017-08-18");
    assert_string_equal(r->completion_date, "2017-08-18");
    assert_string_equal(r->first_posted, "2019-02-04");
    assert_string_equal(r->last_update, "2019-02-12");

    assert_int_equal(r->n_primary_outcomes, 4);
    assert_string_equal(r->primary_outcomes[0].time_frame, "1 year");
    assert_has(r->primary_outcomes[0].description, "Brain and spinal cord MRI");
    assert_string_equal(r->primary_outcomes[1].measure,
                        "Efficacy: Inhibition of the disease progression - ALS functional rating scale");
    assert_string_equal(r->primary_outcomes[1].time_frame, "18 months");
    assert_has(r->primary_outcomes[1].description, "- salivation");
    assert_has(r->primary_outcomes[1].description, "maximum score: 40");
    /* a description glued to the time frame's bracket */
    assert_string_equal(r->primary_outcomes[3].measure,
                        "Efficacy: Inhibition of the disease progression - Forced vital capacity (FVC)");
    assert_string_equal(r->primary_outcomes[3].description,
                        "FVC (%) will be measured at Visits I, and VI through X.");

    assert_has(r->inclusion, "El Escorial criteria");
    assert_has(r->exclusion, "FVC less than 70%");
    assert_has(r->exclusion, "fertile men not using proven contraceptive measures");
    assert_lacks(r->exclusion, "Bioinova");
    assert_lacks(r->exclusion, "Responsible Party");
    assert_true(unit_list_has(&r->other_text, "Responsible Party: Bioinova, s.r.o."));
    assert_int_equal(r->secondary_ids.n, 1);
    assert_list(&r->secondary_ids, 0, "AMSC-ALS-001");
    assert_int_equal(r->keywords.n, 2);
    assert_has(r->keywords.v[1], "TDP-43 Proteinopathies");
    unit_scan_free(&s);
}

/* Seed 002: the classic page of the Swedish MS trial: locations grouped
 * by country, outcomes with their description after the bracket. */
static void test_seed_classic_ms(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&s, SEED2);
    ts_record_t *r = only(&s);

    assert_string_equal(r->nct_id, "NCT03778333");
    assert_string_equal(r->brief_title, "Mesenchymal Stem Cells for Progressive Multiple Sclerosis_Sweden");
    assert_null(r->acronym);
    assert_string_equal(r->official_title, "Mesenchymal Stem Cells for Progressive Multiple Sclerosis_Sweden");
    assert_string_equal(r->overall_status, "COMPLETED");
    assert_int_equal(r->phases.n, 1);
    assert_list(&r->phases, 0, "PHASE1");
    assert_list(&r->conditions, 0, "Autologous Mesenchymal Stem Cells Multiple Sclerosis");
    assert_int_equal(r->enrollment, 7);
    assert_string_equal(r->start_date, "2012-12-01");
    assert_string_equal(r->primary_completion_date, "2016-12");
    assert_string_equal(r->completion_date, "2016-12-31");
    assert_string_equal(r->first_posted, "2018-12-19");
    assert_string_equal(r->last_update, "2018-12-19");
    assert_true(r->min_age == 18.0);
    assert_true(r->max_age == 65.0);
    assert_true(unit_list_has(&r->other_text,
                              "Intervention Model Description: Open-label phase 1, single-center"));

    assert_int_equal(r->n_primary_outcomes, 4);
    assert_string_equal(r->primary_outcomes[1].measure,
                        "To evaluate effects on MS disease activity measured by cumulative number of MRI T2 lesions.");
    assert_string_equal(r->primary_outcomes[1].time_frame, "48 weeks");
    assert_string_equal(r->primary_outcomes[1].description, "Brain MRI examination");
    assert_string_equal(r->primary_outcomes[3].time_frame, "24 weeks");

    assert_has(r->inclusion, "Diagnosis of MS");
    assert_has(r->inclusion, "EDSS 3,0-7,0");
    assert_has(r->exclusion, "eGFR < 60 mL/min/1.73m2");
    assert_has(r->exclusion, "research ethics board guidelines");

    assert_int_equal(r->n_locations, 2);
    assert_string_equal(r->locations[0].facility,
                        "Karolinska Institute, Karolinska University Hospital Solna");
    assert_string_equal(r->locations[0].city, "Stockholm");
    assert_string_equal(r->locations[0].country, "Sweden");
    assert_string_equal(r->locations[0].zip, "171 76");
    assert_null(r->locations[0].state);
    assert_string_equal(r->locations[1].facility,
                        "Karolinska Institute, Karolinska University Hospital");
    assert_string_equal(r->locations[1].zip, "17176");

    assert_list(&r->secondary_ids, 0, "MSC-progressive MS");
    assert_int_equal(r->keywords.n, 3);
    assert_list(&r->keywords, 0, "Mesenchymal Stem Cells Multiple Sclerosis");
    /* FDA rows are not about the trial's subject */
    assert_false(unit_list_has(&r->other_text, "FDA-regulated"));
    unit_scan_free(&s);
}

/* Seed 003: a third-party page: no NCT id, headings with empty values. */
static void test_seed_third_party(void **state)
{
    unit_scan_t s = { 0 }, again = { 0 }, other = { 0 };
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&s, SEED3);
    ts_record_t *r = only(&s);

    /* a local id, derived from the file name: the same on every read */
    assert_non_null(r->nct_id);
    assert_int_equal(strlen(r->nct_id), 14);
    assert_memory_equal(r->nct_id, "TS", 2);
    read_shared(&again, SEED3);
    assert_string_equal(only(&again)->nct_id, r->nct_id);
    read_shared_as(&other, SEED3, "elsewhere/another-page.txt");
    assert_string_not_equal(only(&other)->nct_id, r->nct_id);

    assert_null(r->brief_title);
    assert_has(r->brief_summary, "Multiple sclerosis (MS) is a chronic inflammatory disease");
    assert_has(r->brief_summary, "evaluate the safety of injecting MSCs in people with MS");
    assert_has(r->detailed_description, "International Mesenchymal Stem Cells Transplantation");
    assert_lacks(r->brief_summary, "MSCs have the remarkable ability");
    assert_has(r->inclusion, "Relapsing remitting MS (RRMS)");
    assert_has(r->inclusion, "Positive cerebrospinal fluid (CSF) (oligoclonal banding).");
    assert_null(r->exclusion);
    assert_has(r->eligibility, "Primary progressive MS (PPMS)");
    /* empty headings give nothing */
    assert_null(r->overall_status);
    assert_int_equal(r->phases.n, 0);
    assert_int_equal(r->conditions.n, 0);
    assert_int_equal(r->n_interventions, 0);
    assert_int_equal(r->enrollment, -1);
    assert_null(r->sex);
    assert_true(r->min_age == TS_AGE_NONE);
    assert_true(r->max_age == TS_AGE_NONE);
    assert_int_equal(r->healthy_volunteers, -1);
    /* the groups line is kept; the footer is not */
    assert_true(unit_list_has(&r->other_text, "1 participants in 2 patient groups"));
    assert_false(unit_list_has(&r->other_text, "Research sites"));
    assert_false(unit_list_has(&r->other_text, "Legal"));
    unit_scan_free(&s);
    unit_scan_free(&again);
    unit_scan_free(&other);
}

/* Seed 004: a registry aggregator's page. */
static void test_seed_aggregator(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&s, SEED4);
    ts_record_t *r = only(&s);

    assert_string_equal(r->nct_id, "NCT02116634");
    assert_string_equal(r->brief_title, "Mesenchymal Stem Cell Injection in Amyotrophic Lateral Sclerosis");
    assert_string_equal(r->overall_status, "WITHDRAWN");
    assert_int_equal(r->phases.n, 1);
    assert_list(&r->phases, 0, "PHASE1");
    assert_string_equal(r->study_type, "INTERVENTIONAL");
    assert_int_equal(r->conditions.n, 1);
    assert_list(&r->conditions, 0, "Amyotrophic Lateral Sclerosis");
    assert_int_equal(r->n_interventions, 1);
    assert_string_equal(r->interventions[0].type, "Biological");
    assert_string_equal(r->interventions[0].name, "mesenchymal stem cell");
    assert_string_equal(r->lead_sponsor, "Alzahra Hospital, Iran");
    assert_string_equal(r->brief_summary,
                        "Whether the mesenchymal injection on ALS patients is effective or not?");
    assert_has(r->detailed_description, "EMG (electromyography) and spirometry");
    assert_string_equal(r->sex, "ALL");
    assert_int_equal(r->enrollment, -1);     /* "Not specified" */
    assert_has(r->inclusion, "sporadic ALS according to escorial criteria");
    assert_has(r->inclusion, "Signed consent form");
    assert_has(r->exclusion, "pregnancy or lactation");
    assert_has(r->exclusion, "Hypersensitivity to any component");
    assert_lacks(r->exclusion, "Study & Design");
    assert_lacks(r->exclusion, "INTERVENTIONAL");

    assert_int_equal(r->n_primary_outcomes, 1);
    assert_has(r->primary_outcomes[0].measure, "Effect of Intrathecal injection");
    assert_lacks(r->primary_outcomes[0].measure, "Name Time Method");
    assert_int_equal(r->n_secondary_outcomes, 1);
    assert_has(r->secondary_outcomes[0].measure, "FVC (forced vital capacity)");

    /* the arms table, flattened, is kept as text */
    assert_true(unit_list_has(&r->other_text, "intra spinal injection"));
    assert_true(unit_list_has(&r->other_text, "SINGLE_GROUP"));

    /* one location, though the page shows it twice, flags removed */
    assert_int_equal(r->n_locations, 1);
    assert_string_equal(r->locations[0].facility, "Neurosciences Research Center");
    assert_string_equal(r->locations[0].city, "Isfahan");
    assert_string_equal(r->locations[0].country, "Iran, Islamic Republic of");
    unit_scan_free(&s);
}

/* The text page and the registry's XML record of the same trial agree on
 * every value both show. */
static void compare_with_xml(const char *seed, const char *xml_rel)
{
    unit_scan_t t = { 0 }, x = { 0 };
    char path[4096];
    size_t len;
    ts_scan_cbs_t cbs = unit_cbs(&x);

    read_shared(&t, seed);
    snprintf(path, sizeof path, "%s", unit_shared(xml_rel));
    char *buf = unit_slurp(path, &len);
    assert_int_equal(_ts_read_xml(buf, len, path, &cbs), TS_OK);
    free(buf);
    ts_record_t *a = only(&t), *b = only(&x);

    assert_string_equal(a->nct_id, b->nct_id);
    assert_string_equal(a->brief_title, b->brief_title);
    assert_string_equal(a->official_title, b->official_title);
    assert_string_equal(a->overall_status, b->overall_status);
    assert_int_equal(a->phases.n, b->phases.n);
    for (size_t i = 0; i < a->phases.n; i++)
        assert_string_equal(a->phases.v[i], b->phases.v[i]);
    assert_string_equal(a->study_type, b->study_type);
    assert_int_equal(a->enrollment, b->enrollment);
    assert_true(a->min_age == b->min_age);
    assert_true(a->max_age == b->max_age);
    assert_string_equal(a->sex, b->sex);
    assert_int_equal(a->healthy_volunteers, b->healthy_volunteers);
    assert_string_equal(a->start_date, b->start_date);
    assert_string_equal(a->primary_completion_date, b->primary_completion_date);
    assert_string_equal(a->completion_date, b->completion_date);
    assert_string_equal(a->first_posted, b->first_posted);
    assert_int_equal(a->n_interventions, b->n_interventions);
    assert_string_equal(a->interventions[0].type, b->interventions[0].type);
    assert_string_equal(a->interventions[0].name, b->interventions[0].name);
    /* the page lists every outcome in one list */
    assert_int_equal(a->n_primary_outcomes,
                     b->n_primary_outcomes + b->n_secondary_outcomes);
    assert_int_equal(a->n_locations, b->n_locations);
    for (size_t i = 0; i < a->n_locations; i++) {
        assert_string_equal(a->locations[i].facility, b->locations[i].facility);
        assert_string_equal(a->locations[i].city, b->locations[i].city);
        assert_string_equal(a->locations[i].country, b->locations[i].country);
    }
    unit_scan_free(&t);
    unit_scan_free(&x);
}

static void test_same_as_xml(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    compare_with_xml(SEED2, "data/ctgov-xml/seed-trials-2020-07/NCT0377xxxx/NCT03778333.xml");
    compare_with_xml(SEED1, "data/ctgov-xml/seed-trials-2020-07/NCT0382xxxx/NCT03828123.xml");
}

/* No sentence of the sites' furniture reaches any field of any seed. */
static void test_no_boilerplate(void **state)
{
    static const char *const seeds[] = { SEED0, SEED1, SEED2, SEED3, SEED4 };
    static const char *const junk[] = {
        "Choosing to participate",
        "The safety and scientific validity",
        "Listing a study does not mean",
        "Study Details",
        "Tabular View",
        "No Results Posted",
        "How to Read a Study Record",
        "Loading...",
        "To learn more about this study",
        "Please refer to this study",
        "Learn About Clinical Studies",
        "Data sourced from clinicaltrials.gov",
        "Research sites",
        "Explore scientific publications",
        "neuroprotective mechanisms",  /* the aggregator's generated questions */
        "Key Record Dates",
        "Last Verified",
        "![]()",
        "Publications automatically indexed",
    };
    (void)state;
    UNIT_NEED_SHARED();
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        unit_scan_t s = { 0 };
        read_shared(&s, seeds[i]);
        char *json = ts_record_to_json(only(&s), 0);
        assert_non_null(json);
        for (size_t j = 0; j < sizeof junk / sizeof junk[0]; j++)
            if (strstr(json, junk[j]))
                fail_msg("%s: \"%s\" was indexed", seeds[i], junk[j]);
        /* and no field holds a table's pipes */
        assert_null(strstr(json, " |"));
        free(json);
        unit_scan_free(&s);
    }
}

/* Headings are found whatever their case, bullets and line ends, and
 * values are normalized like the other formats'. */
static void test_tolerant_headings(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;
    assert_int_equal(read_str(&s,
        "STATUS AND PHASE\r\nRecruiting\r\nPhase 2/Phase 3\r\n"
        "conditions\r\nAsthma\r\nCOPD\r\n"
        "Treatments\r\nDrug: Salbutamol\r\nBreathing exercises\r\n"
        "- About\r\nA trial of inhalers.\r\n"
        "Enrollment:\r\n1,200 patients\r\n"
        "sex\r\nFemale\r\nAges\r\n18 - 65 years\r\n"
        "Volunteers\r\nNo healthy volunteers\r\n"
        "Inclusion Criteria\r\nadults with asthma\r\n"
        "Exclusion criteria:\r\nsmokers\r\n"
        "Lead sponsor\r\nAcme Pharma\r\nCity Hospital\r\n"
        "Primary Outcome Measures\r\n- FEV1 [ Time Frame: 12 weeks ]\r\n"
        "Secondary Outcome Measures\r\n- Exacerbations [ Time Frame: 1 year ]\r\n",
        "pages/asthma.txt"), TS_OK);
    ts_record_t *r = only(&s);
    assert_memory_equal(r->nct_id, "TS", 2);
    assert_string_equal(r->overall_status, "RECRUITING");
    assert_int_equal(r->phases.n, 2);
    assert_list(&r->phases, 0, "PHASE2");
    assert_list(&r->phases, 1, "PHASE3");
    assert_int_equal(r->conditions.n, 2);
    assert_list(&r->conditions, 1, "COPD");
    assert_int_equal(r->n_interventions, 2);
    assert_string_equal(r->interventions[0].type, "Drug");
    assert_string_equal(r->interventions[0].name, "Salbutamol");
    assert_null(r->interventions[1].type);
    assert_string_equal(r->interventions[1].name, "Breathing exercises");
    assert_string_equal(r->brief_summary, "A trial of inhalers.");
    assert_int_equal(r->enrollment, 1200);
    assert_string_equal(r->sex, "FEMALE");
    assert_true(r->min_age == 18.0);
    assert_true(r->max_age == 65.0);
    assert_int_equal(r->healthy_volunteers, 0);
    assert_string_equal(r->inclusion, "adults with asthma");
    assert_string_equal(r->exclusion, "smokers");
    assert_string_equal(r->lead_sponsor, "Acme Pharma");
    assert_list(&r->collaborators, 0, "City Hospital");
    assert_int_equal(r->n_primary_outcomes, 1);
    assert_string_equal(r->primary_outcomes[0].time_frame, "12 weeks");
    assert_int_equal(r->n_secondary_outcomes, 1);
    assert_string_equal(r->secondary_outcomes[0].measure, "Exacerbations");
    unit_scan_free(&s);

    /* a byte order mark before the first heading */
    memset(&s, 0, sizeof s);
    assert_int_equal(read_str(&s, "\xEF\xBB\xBF" "Status and phase\nRecruiting\nPhase 2\n"
                                  "Conditions\nAsthma\nTreatments\nDrug: Salbutamol\n",
                              "pages/bom.txt"), TS_OK);
    r = only(&s);
    assert_string_equal(r->overall_status, "RECRUITING");
    assert_list(&r->conditions, 0, "Asthma");
    unit_scan_free(&s);
}

/* A classic page of a recruiting trial: outcome headings, several
 * interventions in one cell, stages without ages, contacts, locations in
 * several countries with states and comma'd country names. */
static void test_classic_recruiting(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;
    assert_int_equal(read_str(&s,
        "A Study of Drug X in Asthma (DX-1)\n"
        "ClinicalTrials.gov Identifier: NCT01234567 |\n"
        "Recruitment Status : Recruiting\n"
        "First Posted : March 3, 2020\n"
        "Last Update Posted : May 1, 2023\n"
        "|\n"
        "Condition or disease | Intervention/treatment | Phase |\n"
        "---|---|---|\n"
        "Asthma | Drug: Drug X Drug: Placebo Procedure: Spirometry | Phase 2 |\n"
        "\n"
        "Study Type : | Interventional (Clinical Trial) |\n"
        "Estimated Enrollment : | 1,200 participants |\n"
        "Estimated Study Start Date : | March 2020 |\n"
        "Arm | Intervention/treatment |\n"
        "---|---|\n"
        "Experimental: Drug X\nDrug X daily\n|\nDrug: Drug X\nGiven orally |\n"
        "Placebo Comparator: Placebo\nMatching placebo\n|\nDrug: Placebo\nSugar pill |\n"
        "Primary Outcome Measures :\n"
        "- FEV1 change [ Time Frame: 12 weeks ]\n"
        "Secondary Outcome Measures :\n"
        "- Exacerbations [ Time Frame: 1 year ]\n"
        "- Quality of life [ Time Frame: 1 year ]\n"
        "Choosing to participate in a study is an important personal decision.\n"
        "Ages Eligible for Study: | Child, Adult, Older Adult |\n"
        "Sexes Eligible for Study: | All |\n"
        "Accepts Healthy Volunteers: | Accepts Healthy Volunteers |\n"
        "Inclusion Criteria:\n- asthma\nExclusion Criteria:\n- smokers\n"
        "Contact: Jane Doe, MD | 555-1234 | jane@example.org |\n"
        "Please refer to this study by its ClinicalTrials.gov identifier (NCT number): NCT01234567\n"
        "United States, California\n"
        "University of California | Recruiting |\n"
        "Los Angeles, California, United States, 90095\n"
        "Contact: John Roe | 555 |\n"
        "Principal Investigator: | John Roe, MD | UCLA |\n"
        "Stanford Hospital | Not yet recruiting |\n"
        "Palo Alto, California, United States, 94305\n"
        "Korea, Republic of\n"
        "Seoul National University Hospital\n"
        "Seoul, Korea, Republic of, 03080\n"
        "Responsible Party: | Acme Pharma |\n"
        "Other Study ID Numbers: |\nDX-001 |\n"
        "Last Verified: | May 2023 |\n"
        "asthma drug x |\n",
        "classic.txt"), TS_OK);
    ts_record_t *r = only(&s);
    assert_string_equal(r->nct_id, "NCT01234567");
    assert_string_equal(r->brief_title, "A Study of Drug X in Asthma");
    assert_string_equal(r->acronym, "DX-1");
    assert_string_equal(r->overall_status, "RECRUITING");
    assert_string_equal(r->start_date, "2020-03");
    assert_int_equal(r->enrollment, 1200);
    assert_int_equal(r->n_interventions, 3);
    assert_string_equal(r->interventions[1].name, "Placebo");
    assert_string_equal(r->interventions[1].description, "Sugar pill");
    assert_list(&r->interventions[1].arm_labels, 0, "Placebo");
    assert_string_equal(r->interventions[2].type, "Procedure");
    assert_string_equal(r->interventions[2].name, "Spirometry");
    assert_int_equal(r->n_arms, 2);
    assert_string_equal(r->arms[1].type, "Placebo Comparator");
    assert_int_equal(r->n_primary_outcomes, 1);
    assert_int_equal(r->n_secondary_outcomes, 2);
    assert_string_equal(r->secondary_outcomes[1].measure, "Quality of life");
    assert_true(r->min_age == TS_AGE_NONE);
    assert_true(r->max_age == TS_AGE_NONE);
    assert_int_equal(r->healthy_volunteers, 1);
    assert_string_equal(r->exclusion, "- smokers");

    assert_int_equal(r->n_locations, 3);
    assert_string_equal(r->locations[0].facility, "University of California");
    assert_string_equal(r->locations[0].city, "Los Angeles");
    assert_string_equal(r->locations[0].state, "California");
    assert_string_equal(r->locations[0].zip, "90095");
    assert_string_equal(r->locations[0].country, "United States");
    assert_string_equal(r->locations[1].facility, "Stanford Hospital");
    assert_string_equal(r->locations[1].city, "Palo Alto");
    assert_string_equal(r->locations[2].facility, "Seoul National University Hospital");
    assert_string_equal(r->locations[2].city, "Seoul");
    assert_null(r->locations[2].state);
    assert_string_equal(r->locations[2].country, "Korea, Republic of");
    assert_int_equal(r->n_officials, 1);
    assert_string_equal(r->officials[0].affiliation, "UCLA");
    assert_list(&r->secondary_ids, 0, "DX-001");
    assert_int_equal(r->keywords.n, 1);
    assert_list(&r->keywords, 0, "asthma drug x");
    /* contact people are not indexed */
    char *json = ts_record_to_json(r, 0);
    assert_non_null(json);
    assert_null(strstr(json, "jane@example.org"));
    assert_null(strstr(json, "555"));
    free(json);
    unit_scan_free(&s);
}

/* Invalid UTF-8 and NUL bytes: rejected with the source and the offset. */
static void test_bad_bytes(void **state)
{
    unit_scan_t s = { 0 };
    ts_scan_cbs_t cbs = unit_cbs(&s);
    static const char bad[] = "Title\nClinicalTrials.gov Identifier: NCT01234567\nbad \xC3\x28 byte\n";
    static const char nul[] = "Title\nStatus\n\0Completed\n";
    (void)state;

    assert_int_equal(_ts_read_text(bad, sizeof bad - 1, "pages/bad.txt", &cbs), TS_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.rejected, 1);
    assert_has(s.last_reject, "pages/bad.txt");
    assert_has(s.last_reject, "UTF-8");
    assert_has(s.last_reject, "byte offset 53");   /* where \xC3 is */
    assert_has(s.last_reject, "bad-record");

    assert_int_equal(_ts_read_text(nul, sizeof nul - 1, "pages/nul.txt", &cbs), TS_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.rejected, 2);
    assert_has(s.last_reject, "pages/nul.txt");
    assert_has(s.last_reject, "NUL");
    assert_has(s.last_reject, "offset 13");
    unit_scan_free(&s);
}

/* Prose with no trial structure is not a trial page. */
static void test_prose_rejected(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;
    assert_int_equal(read_str(&s,
        "It was a bright cold day in April, and the clocks were striking thirteen.\n"
        "Winston Smith, his chin nuzzled into his breast in an effort to escape the\n"
        "vile wind, slipped quickly through the glass doors of Victory Mansions.\n"
        "Status: he had none.\n\nThe hallway smelt of boiled cabbage (NCT01234567).\n",
        "books/1984.txt"), TS_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.rejected, 1);
    assert_has(s.last_reject, "books/1984.txt");
    assert_has(s.last_reject, "not a trial page");
    unit_scan_free(&s);
}

/* Empty and blank buffers are rejected, not turned into empty records. */
static void test_empty(void **state)
{
    unit_scan_t s = { 0 };
    ts_scan_cbs_t cbs = unit_cbs(&s);
    (void)state;
    assert_int_equal(_ts_read_text("", 0, "empty.txt", &cbs), TS_OK);
    assert_int_equal(s.rejected, 1);
    assert_has(s.last_reject, "empty.txt");
    assert_int_equal(read_str(&s, " \n\r\n\t\n", "blank.txt"), TS_OK);
    assert_int_equal(s.rejected, 2);
    assert_has(s.last_reject, "blank.txt");
    assert_int_equal(s.n, 0);
    unit_scan_free(&s);
}

/* A reject callback that says stop stops the read with its status. */
static ts_status_t stop_reject(void *ctx, const char *source, const char *where,
                               ts_status_t code, const char *reason)
{
    (void)ctx; (void)source; (void)where; (void)code; (void)reason;
    return TS_ERR_IO;
}

static void test_reject_stops(void **state)
{
    unit_scan_t s = { 0 };
    ts_scan_cbs_t cbs = unit_cbs(&s);
    (void)state;
    cbs.reject = stop_reject;
    assert_int_equal(_ts_read_text("just words\n", 11, "w.txt", &cbs), TS_ERR_IO);
    assert_int_equal(s.n, 0);
}

/* Through the public API: a text page read from disk as --format text. */
static void test_scan_path(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;
    UNIT_NEED_SHARED();
    unit_scan_path(&s, unit_shared(SEED4), TS_FORMAT_TEXT);
    assert_int_equal(s.n, 1);
    assert_non_null(unit_find(&s, "NCT02116634"));
    unit_scan_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_classic_epilepsy),
        cmocka_unit_test(test_seed_classic_als),
        cmocka_unit_test(test_seed_classic_ms),
        cmocka_unit_test(test_seed_third_party),
        cmocka_unit_test(test_seed_aggregator),
        cmocka_unit_test(test_same_as_xml),
        cmocka_unit_test(test_no_boilerplate),
        cmocka_unit_test(test_tolerant_headings),
        cmocka_unit_test(test_classic_recruiting),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_prose_rejected),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_reject_stops),
        cmocka_unit_test(test_scan_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
