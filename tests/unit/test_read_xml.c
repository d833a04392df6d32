/* test_read_xml.c - the ClinicalTrials.gov legacy XML reader.
 *
 * Real records are read in place from ../shared/data/ctgov-xml and
 * checked field by field; broken documents must be rejected with a
 * message naming their source, never crash and never print. */
#include "unit.h"

#include "ts_internal.h"

#include <fcntl.h>
#include <unistd.h>

#define XML_DIR "data/ctgov-xml"


/* Read one shared file with _ts_read_xml into s; the source named in
 * messages is the path. */
static void read_shared(unit_scan_t *s, const char *rel)
{
    char path[4096];
    size_t len;
    char *buf;
    ts_scan_cbs_t cbs = unit_cbs(s);

    snprintf(path, sizeof path, "%s", unit_shared(rel));
    buf = unit_slurp(path, &len);
    assert_int_equal(_ts_read_xml(buf, len, path, &cbs), TS_OK);
    free(buf);
}

/* Read a string with _ts_read_xml; returns the call's status. */
static ts_status_t read_str(unit_scan_t *s, const char *buf, size_t len,
                            const char *source)
{
    ts_scan_cbs_t cbs = unit_cbs(s);
    return _ts_read_xml(buf, len, source, &cbs);
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

/* The epilepsy MSC seed trial, field by field. */
static void test_seed_epilepsy(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    unit_scan_t s = { 0 };
    read_shared(&s, XML_DIR "/seed-trials-2020-07/NCT0249xxxx/NCT02497443.xml");
    ts_record_t *r = only(&s);

    assert_string_equal(r->nct_id, "NCT02497443");
    assert_int_equal(r->format, TS_FORMAT_XML);
    assert_non_null(r->source);
    assert_non_null(strstr(r->source, "NCT02497443.xml"));
    assert_int_equal(r->secondary_ids.n, 1);
    assert_list(&r->secondary_ids, 0, "Minsk-MH001");
    assert_string_equal(r->brief_title,
                        "Safety of Autologous MSC Infusion to Treat Epilepsy");
    assert_string_equal(r->official_title,
                        "Phase 1 Study of Autologous Mesenchymal Stem Cell "
                        "Application for Therapy of Drug-Resistant "
                        "Symptomatic Epilepsy");
    assert_string_equal(r->acronym, "AMSCDRSE");
    /* The file says "Unknown status" (last known: active, not recruiting). */
    assert_string_equal(r->overall_status, "UNKNOWN");
    assert_int_equal(r->phases.n, 2);
    assert_list(&r->phases, 0, "PHASE1");
    assert_list(&r->phases, 1, "PHASE2");
    assert_string_equal(r->study_type, "INTERVENTIONAL");

    assert_int_equal(r->conditions.n, 1);
    assert_list(&r->conditions, 0, "Epilepsy");
    assert_int_equal(r->condition_mesh.n, 1);
    assert_list(&r->condition_mesh, 0, "Epilepsy");
    assert_int_equal(r->condition_mesh_ancestors.n, 0);
    assert_int_equal(r->intervention_mesh.n, 0);
    assert_int_equal(r->keywords.n, 9);
    assert_list(&r->keywords, 0, "drug-resistant symptomatic epilepsy");
    assert_list(&r->keywords, 8, "efficacy");

    assert_int_equal(r->n_interventions, 1);
    assert_string_equal(r->interventions[0].type, "Biological");
    assert_string_equal(r->interventions[0].name,
                        "Autologous mesenchymal stem cells");
    assert_non_null(strstr(r->interventions[0].description,
                           "neuroinduced MSCs (0.04 - 0.1 x 106 cells/kg"));
    assert_int_equal(r->interventions[0].arm_labels.n, 1);
    assert_list(&r->interventions[0].arm_labels, 0, "study group");

    assert_int_equal(r->n_arms, 2);
    assert_string_equal(r->arms[0].label, "study group");
    assert_string_equal(r->arms[0].type, "Experimental");
    assert_int_equal(r->arms[0].interventions.n, 1);
    assert_list(&r->arms[0].interventions, 0,
                "Biological: Autologous mesenchymal stem cells");
    assert_string_equal(r->arms[1].label, "control group");
    assert_string_equal(r->arms[1].type, "No Intervention");
    assert_int_equal(r->arms[1].interventions.n, 0);
    assert_non_null(strstr(r->arms[1].description, "phenobarbital"));

    assert_int_equal(r->n_primary_outcomes, 1);
    assert_non_null(strstr(r->primary_outcomes[0].measure,
                           "Safety of autologous bone marrow-derived"));
    assert_string_equal(r->primary_outcomes[0].time_frame, "360 days");
    /* Outcome descriptions keep their line breaks. */
    assert_string_equal(r->primary_outcomes[0].description,
                        "vital signs\nadverse events related to infusion\n"
                        "physical examination indexes");
    assert_int_equal(r->n_secondary_outcomes, 1);
    /* &gt; is decoded. */
    assert_non_null(strstr(r->secondary_outcomes[0].description,
                           "(>50% reduction of seizure)"));

    assert_non_null(r->brief_summary);
    assert_non_null(strstr(r->brief_summary, "frequent (>5 events per"));
    assert_null(strstr(r->brief_summary, "&gt;"));
    assert_non_null(r->detailed_description);
    /* Paragraphs stay apart; blanks at line starts are gone. */
    assert_non_null(strstr(r->detailed_description,
                           "transferred to the clinical center.\n\nThe pts"));
    assert_null(strstr(r->detailed_description, "&quot;"));
    assert_non_null(strstr(r->detailed_description, "\"10-20\" scheme"));

    assert_non_null(r->eligibility);
    assert_non_null(strstr(r->eligibility, "Inclusion Criteria:"));
    assert_non_null(r->inclusion);
    assert_non_null(strstr(r->inclusion, "Clinical diagnosis of symptomatic epilepsy"));
    assert_null(strstr(r->inclusion, "Central nervous system tumours"));
    assert_non_null(r->exclusion);
    assert_non_null(strstr(r->exclusion, "Central nervous system tumours"));
    assert_null(strstr(r->exclusion, "Signed informed consent"));

    assert_true(r->min_age == 18.0);
    assert_true(r->max_age == 60.0);
    assert_string_equal(r->sex, "ALL");
    assert_int_equal(r->healthy_volunteers, 0);
    assert_int_equal(r->enrollment, 60);

    assert_string_equal(r->lead_sponsor,
                        "Ministry of Public Health, Republic of Belarus");
    assert_int_equal(r->collaborators.n, 0);
    assert_int_equal(r->n_officials, 1);
    assert_string_equal(r->officials[0].name, "Tatiana V Dakukina, MD,PhD");
    assert_string_equal(r->officials[0].role, "Principal Investigator");
    assert_non_null(strstr(r->officials[0].affiliation, "Minsk, Belarus"));
    assert_int_equal(r->n_locations, 0);

    assert_string_equal(r->start_date, "2011-04");
    assert_string_equal(r->primary_completion_date, "2017-12");
    assert_string_equal(r->completion_date, "2019-12");
    assert_string_equal(r->first_posted, "2015-07-14");
    assert_string_equal(r->last_update, "2017-06-16");
    unit_scan_free(&s);
}

/* The 2014 schema: firstreceived_date / lastchanged_date, gender "Both",
 * no state in the address. */
static void test_schema_2014(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    unit_scan_t s = { 0 };
    read_shared(&s, XML_DIR "/misc-2014-fabianvf/NCT0204xxxx/NCT02045212.xml");
    ts_record_t *r = only(&s);

    assert_string_equal(r->nct_id, "NCT02045212");
    assert_list(&r->secondary_ids, 0, "RGN-ON-001");
    assert_string_equal(r->overall_status, "RECRUITING");
    assert_int_equal(r->phases.n, 1);
    assert_list(&r->phases, 0, "PHASE2");
    assert_string_equal(r->study_type, "INTERVENTIONAL");
    assert_string_equal(r->first_posted, "2014-01-21");
    assert_string_equal(r->last_update, "2014-04-27");
    assert_string_equal(r->start_date, "2014-02");
    assert_string_equal(r->sex, "ALL");
    assert_true(r->min_age == 18.0);
    assert_true(r->max_age == TS_AGE_NONE);
    assert_int_equal(r->enrollment, 20);
    assert_int_equal(r->conditions.n, 2);
    assert_list(&r->conditions, 1, "Optic Nerve Injuries");
    assert_int_equal(r->condition_mesh.n, 10);
    assert_list(&r->condition_mesh, 2, "Optic Neuropathy, Ischemic");

    assert_int_equal(r->n_interventions, 2);
    assert_int_equal(r->interventions[0].other_names.n, 1);
    assert_list(&r->interventions[0].other_names, 0, "RPh201");
    assert_int_equal(r->n_arms, 2);
    assert_list(&r->arms[0].interventions, 0, "Drug: RPh201");
    assert_int_equal(r->arms[1].interventions.n, 1);
    assert_list(&r->arms[1].interventions, 0, "Drug: Placebo");
    assert_string_equal(r->arms[1].type, "Placebo Comparator");

    assert_int_equal(r->n_locations, 1);
    assert_non_null(strstr(r->locations[0].facility, "Western Galilee-Nahariya"));
    assert_string_equal(r->locations[0].city, "Nahariya");
    assert_null(r->locations[0].state);
    assert_null(r->locations[0].zip);
    assert_string_equal(r->locations[0].country, "Israel");
    assert_int_equal(r->n_officials, 1);
    assert_string_equal(r->officials[0].name, "Zvi Segal,, MD");
    assert_int_equal(r->keywords.n, 3);
    /* safety_issue is not part of the outcome. */
    assert_string_equal(r->secondary_outcomes[0].time_frame, "26/39 weeks");
    unit_scan_free(&s);
}

/* A 2023 AllPublicXML record with collaborators, locations, officials,
 * many secondary ids, intervention MeSH and CR characters (&#xD;). */
static void test_allpublicxml_2023(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    unit_scan_t s = { 0 };
    read_shared(&s, XML_DIR "/allpublicxml-2023-02/NCT0000xxxx/NCT00005940.xml");
    ts_record_t *r = only(&s);

    assert_string_equal(r->nct_id, "NCT00005940");
    /* org_study_id 1470.00 comes again as a secondary id: kept once. */
    assert_int_equal(r->secondary_ids.n, 8);
    assert_list(&r->secondary_ids, 0, "1470.00");
    assert_list(&r->secondary_ids, 1, "NCI-2013-01361");
    assert_list(&r->secondary_ids, 7, "P01CA044991");
    assert_string_equal(r->lead_sponsor, "Fred Hutchinson Cancer Center");
    assert_int_equal(r->collaborators.n, 1);
    assert_list(&r->collaborators, 0, "National Cancer Institute (NCI)");
    assert_int_equal(r->n_officials, 1);
    assert_string_equal(r->officials[0].name, "Johnnie Orozco");
    assert_string_equal(r->officials[0].role, "Principal Investigator");

    assert_int_equal(r->n_locations, 3);
    assert_string_equal(r->locations[0].facility,
                        "Pacific Northwest National Laboratory");
    assert_string_equal(r->locations[0].city, "Richland");
    assert_string_equal(r->locations[0].state, "Washington");
    assert_string_equal(r->locations[0].zip, "99352");
    assert_string_equal(r->locations[0].country, "United States");
    assert_string_equal(r->locations[2].zip, "98109");

    assert_int_equal(r->conditions.n, 7);
    assert_list(&r->conditions, 4, "Adult Acute Myeloid Leukemia With t(15;17)(q22;q12)");
    assert_int_equal(r->condition_mesh.n, 3);
    assert_int_equal(r->intervention_mesh.n, 10);
    assert_list(&r->intervention_mesh, 0, "Iodine");
    assert_list(&r->intervention_mesh, 9, "Antibodies, Monoclonal");

    assert_int_equal(r->n_interventions, 9);
    assert_string_equal(r->interventions[0].type, "Radiation");
    assert_int_equal(r->interventions[0].other_names.n, 3);
    assert_list(&r->interventions[1].other_names, 4, "Myeloleukon");
    assert_int_equal(r->n_arms, 1);
    assert_int_equal(r->arms[0].interventions.n, 9);
    assert_list(&r->arms[0].interventions, 8, "Other: laboratory biomarker analysis");
    assert_list(&r->arms[0].interventions, 0,
                "Radiation: iodine I 131 monoclonal antibody BC8");
    assert_list(&r->arms[0].interventions, 1, "Drug: busulfan");

    assert_int_equal(r->n_primary_outcomes, 1);
    assert_string_equal(r->primary_outcomes[0].measure, "Disease-free survival (DFS)");
    assert_int_equal(r->n_secondary_outcomes, 3);

    /* No carriage return survives from &#xD;. */
    assert_null(strchr(r->brief_summary, '\r'));
    assert_null(strchr(r->detailed_description, '\r'));
    assert_non_null(strstr(r->detailed_description, "PRIMARY OBJECTIVES:"));

    assert_true(r->min_age == 16.0);
    assert_true(r->max_age == 55.0);
    assert_int_equal(r->enrollment, 18);
    assert_string_equal(r->overall_status, "COMPLETED");
    assert_list(&r->phases, 0, "PHASE2");
    assert_string_equal(r->start_date, "1999-10");
    assert_string_equal(r->primary_completion_date, "2006-01");
    assert_null(r->completion_date);
    assert_string_equal(r->first_posted, "2003-07-09");
    assert_string_equal(r->last_update, "2017-08-30");
    unit_scan_free(&s);
}

/* "N/A" ages mean no limit; the results section is not read as design. */
static void test_na_ages(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    unit_scan_t s = { 0 };
    read_shared(&s, XML_DIR "/allpublicxml-2023-02/NCT0000xxxx/NCT00001262.xml");
    ts_record_t *r = only(&s);

    assert_string_equal(r->nct_id, "NCT00001262");
    assert_string_equal(r->brief_title, "Copper Histidine Therapy for Menkes Diseases");
    assert_true(r->min_age == TS_AGE_NONE);
    assert_true(r->max_age == TS_AGE_NONE);
    assert_int_equal(r->enrollment, 60);
    assert_int_equal(r->phases.n, 2);
    /* The 4 primary outcomes of the design, not those of the results. */
    assert_int_equal(r->n_primary_outcomes, 4);
    unit_scan_free(&s);
}

/* A minimal document in the layout, with the given body inside
 * <clinical_study>. */
static char *doc_with(const char *body)
{
    const char *head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clinical_study>\n";
    const char *tail = "</clinical_study>\n";
    size_t n = strlen(head) + strlen(body) + strlen(tail) + 1;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "%s%s%s", head, body, tail);
    return s;
}

/* Entities, character references and CDATA are decoded; study type with
 * a bracketed note; other_outcome goes to the secondary outcomes; why
 * stopped and study population to other_text; arms match labels. */
static void test_inline_values(void **state)
{
    (void)state;
    unit_scan_t s = { 0 };
    char *doc = doc_with(
        "<id_info><nct_id> NCT01234567 </nct_id>"
        "<nct_alias>NCT00000001</nct_alias></id_info>\n"
        "<brief_title>A &amp; B &lt;trial&gt; caf&#233; <![CDATA[x<y]]></brief_title>\n"
        "<overall_status>Active, not recruiting</overall_status>\n"
        "<why_stopped>Sponsor decision</why_stopped>\n"
        "<phase>Early Phase 1</phase>\n"
        "<study_type>Observational [Patient Registry]</study_type>\n"
        "<other_outcome><measure>Quality of life</measure></other_outcome>\n"
        "<enrollment type=\"Anticipated\">1,200</enrollment>\n"
        "<arm_group><arm_group_label>Cohort A</arm_group_label></arm_group>\n"
        "<intervention><intervention_type>Other</intervention_type>"
        "<intervention_name>Survey</intervention_name>"
        "<arm_group_label>Cohort A</arm_group_label></intervention>\n"
        "<intervention><intervention_name>Untyped</intervention_name>"
        "<arm_group_label>Cohort A</arm_group_label></intervention>\n"
        "<eligibility><study_pop><textblock>Adults in Ohio</textblock></study_pop>"
        "<gender>Female</gender><minimum_age>6 Months</minimum_age>"
        "<healthy_volunteers>Accepts Healthy Volunteers</healthy_volunteers></eligibility>\n"
        "<study_first_submitted>March 3, 2010</study_first_submitted>\n"
        "<last_update_submitted>May 5, 2012</last_update_submitted>\n");
    assert_int_equal(read_str(&s, doc, strlen(doc), "inline.xml"), TS_OK);
    ts_record_t *r = only(&s);

    assert_string_equal(r->nct_id, "NCT01234567");
    assert_int_equal(r->secondary_ids.n, 1);
    assert_list(&r->secondary_ids, 0, "NCT00000001");
    assert_string_equal(r->brief_title, "A & B <trial> caf\xc3\xa9 x<y");
    assert_string_equal(r->overall_status, "ACTIVE_NOT_RECRUITING");
    assert_list(&r->phases, 0, "EARLY_PHASE1");
    assert_string_equal(r->study_type, "OBSERVATIONAL");
    assert_int_equal(r->n_primary_outcomes, 0);
    assert_int_equal(r->n_secondary_outcomes, 1);
    assert_string_equal(r->secondary_outcomes[0].measure, "Quality of life");
    assert_int_equal(r->enrollment, 1200);
    assert_int_equal(r->arms[0].interventions.n, 2);
    assert_list(&r->arms[0].interventions, 0, "Other: Survey");
    assert_list(&r->arms[0].interventions, 1, "Untyped");
    assert_true(unit_list_has(&r->other_text, "Sponsor decision"));
    assert_true(unit_list_has(&r->other_text, "Adults in Ohio"));
    assert_string_equal(r->sex, "FEMALE");
    assert_true(r->min_age > 0.49 && r->min_age < 0.51);
    assert_true(r->max_age == TS_AGE_NONE);
    assert_int_equal(r->healthy_volunteers, 1);
    /* No posted dates: the submitted ones stand in. */
    assert_string_equal(r->first_posted, "2010-03-03");
    assert_string_equal(r->last_update, "2012-05-05");
    free(doc);
    unit_scan_free(&s);
}

/* Run f with stderr sent to a temporary file; returns how many bytes
 * were printed there. */
static long stderr_bytes_during(void (*f)(void *), void *arg)
{
    char path[] = "/tmp/ts_test_read_xml_XXXXXX";
    int fd = mkstemp(path);
    int saved;
    struct stat st;

    assert_true(fd >= 0);
    fflush(stderr);
    saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fd, 2) >= 0);
    f(arg);
    fflush(stderr);
    assert_true(dup2(saved, 2) >= 0);
    close(saved);
    assert_int_equal(fstat(fd, &st), 0);
    close(fd);
    unlink(path);
    return (long)st.st_size;
}

typedef struct bad_case {
    unit_scan_t s;
    const char *buf;
    size_t len;
    const char *source;
    ts_status_t st;
} bad_case_t;

static void run_bad(void *arg)
{
    bad_case_t *c = arg;
    c->st = read_str(&c->s, c->buf, c->len, c->source);
}

/* Read buf and expect exactly one rejection, naming source and holding
 * want, with no record, no failure of the call and nothing printed. */
static void expect_reject_code(const char *buf, size_t len, const char *source,
                               const char *code, const char *want)
{
    bad_case_t c;
    long printed;

    memset(&c, 0, sizeof c);
    c.buf = buf;
    c.len = len;
    c.source = source;
    printed = stderr_bytes_during(run_bad, &c);
    assert_int_equal(c.st, TS_OK);
    assert_int_equal(c.s.n, 0);
    assert_int_equal(c.s.rejected, 1);
    assert_non_null(strstr(c.s.last_reject, source));
    assert_non_null(strstr(c.s.last_reject, code));
    if (!strstr(c.s.last_reject, want))
        fail_msg("rejection \"%s\" lacks \"%s\"", c.s.last_reject, want);
    assert_int_equal(printed, 0);
    unit_scan_free(&c.s);
}

/* A malformed record: rejected as a bad record. */
static void expect_reject(const char *buf, size_t len, const char *source,
                          const char *want)
{
    expect_reject_code(buf, len, source, "bad-record", want);
}

/* A truncated file: malformed, located by the id seen in its text. */
static void test_truncated(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s",
             unit_shared(XML_DIR "/seed-trials-2020-07/NCT0249xxxx/NCT02497443.xml"));
    char *buf = unit_slurp(path, &len);

    expect_reject(buf, len / 2, "cut.xml", "malformed XML: line ");
    expect_reject(buf, len / 2, "cut.xml", "NCT02497443");
    expect_reject(buf, 40, "cut40.xml", "malformed XML");
    free(buf);

    const char *bad = "<clinical_study><id_info><nct_id>NCT1</nct_id></id_info>"
                      "<brief_title>x</brief_titl></clinical_study>";
    expect_reject(bad, strlen(bad), "mismatch.xml", "malformed XML: line 1:");
    const char *junk = "this is not xml at all";
    expect_reject(junk, strlen(junk), "junk.xml", "malformed XML");
    const char *nul = "<clinical_study>\0</clinical_study>";
    expect_reject(nul, 34, "nul.xml", "malformed XML");
}

static void test_wrong_root(void **state)
{
    (void)state;
    const char *doc = "<?xml version=\"1.0\"?><study><nct_id>NCT00000102</nct_id></study>";
    expect_reject_code(doc, strlen(doc), "other.xml", "not-a-record", "not a clinical_study document");
    const char *rss = "<rss version=\"2.0\"><channel/></rss>";
    expect_reject_code(rss, strlen(rss), "feed.xml", "not-a-record", "<rss>");
}

static void test_empty(void **state)
{
    (void)state;
    expect_reject("", 0, "empty.xml", "empty");
    expect_reject("  \n", 3, "blank.xml", "malformed XML");
}

static void test_no_nct_id(void **state)
{
    (void)state;
    char *doc = doc_with("<id_info><org_study_id>X-1</org_study_id></id_info>"
                         "<brief_title>No id here</brief_title>"
                         "<overall_status>Completed</overall_status>");
    expect_reject(doc, strlen(doc), "noid.xml", "noid.xml");
    free(doc);
}

/* Entities declared in an internal DTD are not expanded (no "billion
 * laughs"), and an external DTD or entity is never fetched. */
static void test_entity_safety(void **state)
{
    (void)state;
    unit_scan_t s = { 0 };
    const char *laughs =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE clinical_study [\n"
        "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
        "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
        "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
        "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
        "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
        "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
        "<!ENTITY ext SYSTEM \"file:///etc/passwd\">\n"
        "]>\n<clinical_study><id_info><nct_id>NCT00000002</nct_id></id_info>"
        "<brief_title>T &h; &h; &ext;</brief_title></clinical_study>\n";
    long printed;
    bad_case_t c;

    memset(&c, 0, sizeof c);
    c.buf = laughs;
    c.len = strlen(laughs);
    c.source = "laughs.xml";
    printed = stderr_bytes_during(run_bad, &c);
    assert_int_equal(c.st, TS_OK);
    assert_int_equal(printed, 0);
    /* Either read (without the entities) or rejected; never expanded. */
    assert_int_equal(c.s.n + c.s.rejected, 1);
    if (c.s.n == 1) {
        assert_non_null(c.s.recs[0]->brief_title);
        assert_true(strlen(c.s.recs[0]->brief_title) < 100);
        assert_null(strstr(c.s.recs[0]->brief_title, "root:"));
    }
    unit_scan_free(&c.s);
    unit_scan_free(&s);
}

/* A large record (a 3 MB summary and 20,000 locations) is read whole. */
static void test_large_record(void **state)
{
    (void)state;
    unit_scan_t s = { 0 };
    size_t words = 3u << 18, nloc = 5000, cap = words * 4 + nloc * 160 + 4096;
    char *buf = malloc(cap);
    size_t n = 0;

    assert_non_null(buf);
    n += (size_t)snprintf(buf + n, cap - n,
                          "<clinical_study><id_info><nct_id>NCT09999999</nct_id>"
                          "</id_info><brief_summary><textblock>");
    for (size_t i = 0; i < words; i++) {
        memcpy(buf + n, "abc ", 4);
        n += 4;
    }
    n += (size_t)snprintf(buf + n, cap - n, "zz</textblock></brief_summary>");
    for (size_t i = 0; i < nloc; i++)
        n += (size_t)snprintf(buf + n, cap - n,
                              "<location><facility><name>Site %zu</name>"
                              "<address><city>C</city><country>Chile</country>"
                              "</address></facility></location>", i);
    n += (size_t)snprintf(buf + n, cap - n, "</clinical_study>");
    assert_true(n < cap);

    assert_int_equal(read_str(&s, buf, n, "big.xml"), TS_OK);
    ts_record_t *r = only(&s);
    assert_int_equal(strlen(r->brief_summary), words * 4 + 2);
    assert_int_equal(r->n_locations, nloc);
    assert_string_equal(r->locations[nloc - 1].facility, "Site 4999");
    free(buf);
    unit_scan_free(&s);
}

/* A reject callback that stops the scan: its status is returned. */
static ts_status_t stop_on_reject(void *ctx, const char *source, const char *where,
                                  ts_status_t code, const char *reason)
{
    (void)ctx; (void)source; (void)where; (void)code; (void)reason;
    return TS_ERR_IO;
}

static void test_reject_stops(void **state)
{
    (void)state;
    unit_scan_t s = { 0 };
    ts_scan_cbs_t cbs = unit_cbs(&s);
    cbs.reject = stop_on_reject;
    assert_int_equal(_ts_read_xml("<a>", 3, "stop.xml", &cbs), TS_ERR_IO);
    assert_int_equal(s.n, 0);
}

/* Every file of the legacy XML corpus, through the public scan of the
 * whole folder with format detection (as `trialsearch-index ctgov-xml`
 * reads it): 3,599 records, none rejected, each with id, title, status
 * and type. */
static void test_scan_corpus(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    unit_scan_t s = { 0 };
    size_t no_type = 0, with_loc = 0, with_elig = 0, with_arms = 0;

    unit_scan_path(&s, unit_shared(XML_DIR), TS_FORMAT_AUTO);
    if (s.rejected)
        fail_msg("%zu rejected, last: %s", s.rejected, s.last_reject);
    assert_int_equal(s.n, 3599);
    for (size_t i = 0; i < s.n; i++) {
        ts_record_t *r = s.recs[i];
        assert_non_null(r->nct_id);
        assert_int_equal(r->format, TS_FORMAT_XML);
        assert_int_equal(strncmp(r->nct_id, "NCT", 3), 0);
        assert_int_equal(strlen(r->nct_id), 11);
        /* The file is named after its id. */
        assert_non_null(strstr(r->source, r->nct_id));
        if (!r->brief_title || !r->overall_status)
            fail_msg("%s: title or status missing", r->nct_id);
        if (!r->study_type) {
            /* One withheld record says <study_type>N/A</study_type>. */
            assert_string_equal(r->overall_status, "WITHHELD");
            no_type++;
        }
        assert_non_null(r->last_update);
        assert_non_null(r->first_posted);
        with_loc += r->n_locations > 0;
        with_elig += r->eligibility != NULL;
        with_arms += r->n_arms > 0;
    }
    assert_true(no_type <= 1);
    assert_true(with_loc > 2900);
    assert_true(with_elig > 3500);
    assert_true(with_arms > 900);
    unit_scan_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_epilepsy),
        cmocka_unit_test(test_schema_2014),
        cmocka_unit_test(test_allpublicxml_2023),
        cmocka_unit_test(test_na_ages),
        cmocka_unit_test(test_inline_values),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_wrong_root),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_no_nct_id),
        cmocka_unit_test(test_entity_safety),
        cmocka_unit_test(test_large_record),
        cmocka_unit_test(test_reject_stops),
        cmocka_unit_test(test_scan_corpus),
    };
    return cmocka_run_group_tests_name("read_xml", tests, NULL, NULL);
}
