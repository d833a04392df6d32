/* test_read_json.c - the JSON readers: ClinicalTrials.gov API v2 and the
 * retired classic API, every container they come in, and bad input.
 *
 * Field values are checked against the shared data files, read in place:
 * data/ctgov-api-v2-json/studies.jsonl and
 * data/ctgov-classic-api-json/studies.jsonl. */
#include "unit.h"

#include "ts_internal.h"


/* Read buf with the JSON reader; the scan itself must not fail. */
static void read_json(unit_scan_t *s, const char *buf, size_t len,
                      const char *source, ts_format_t fmt)
{
    ts_scan_cbs_t cbs = unit_cbs(s);
    ts_status_t st = _ts_read_json(buf, len, source, fmt, &cbs);
    if (st != TS_OK)
        fail_msg("read %s: %s: %s", source, ts_status_name(st), ts_last_error());
}

static void read_str(unit_scan_t *s, const char *buf, ts_format_t fmt)
{
    read_json(s, buf, strlen(buf), "inline.json", fmt);
}

/* Read a shared JSON Lines file. */
static void read_shared(unit_scan_t *s, const char *rel, ts_format_t fmt)
{
    size_t len;
    char *buf = unit_slurp(unit_shared(rel), &len);
    read_json(s, buf, len, rel, fmt);
    free(buf);
}

#define V2_FILE "data/ctgov-api-v2-json/studies.jsonl"
#define CLASSIC_FILE "data/ctgov-classic-api-json/studies.jsonl"

/* ------------------------------------------------------------------ */
/* Field by field                                                      */

static void test_v2_fields(void **state)
{
    unit_scan_t s = {0};
    ts_record_t *r;
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&s, V2_FILE, TS_FORMAT_V2JSON);

    /* An observational study with results (from AACT's fixtures). */
    r = unit_find(&s, "NCT05594173");
    assert_non_null(r);
    assert_int_equal(r->format, TS_FORMAT_V2JSON);
    assert_non_null(r->source);
    assert_true(_ts_strlist_has(&r->secondary_ids, "15-9431.10"));
    assert_true(_ts_strlist_has(&r->secondary_ids, "R01DC011020"));
    assert_string_equal(r->brief_title, "Chewing and Oral Processing of Solid Food");
    assert_string_equal(r->official_title,
                        "Chewing and Oral Processing of Solid Food in Healthy Swallowing");
    assert_string_equal(r->acronym, "NIH_HVX6");
    assert_string_equal(r->overall_status, "COMPLETED");
    assert_string_equal(r->study_type, "OBSERVATIONAL");
    assert_int_equal(r->phases.n, 0);
    assert_string_equal(r->start_date, "2019-09-13");
    assert_string_equal(r->primary_completion_date, "2020-12-20");
    assert_string_equal(r->completion_date, "2020-12-20");
    assert_string_equal(r->first_posted, "2022-10-26");
    assert_string_equal(r->last_update, "2022-11-21");
    assert_string_equal(r->lead_sponsor, "University Health Network, Toronto");
    assert_int_equal(r->collaborators.n, 1);
    assert_string_equal(r->collaborators.v[0],
                        "National Institute on Deafness and Other Communication Disorders (NIDCD)");
    assert_non_null(strstr(r->brief_summary, "Food texture modification is commonly used"));
    /* "soft \& bite-sized" in the API's markup */
    assert_non_null(strstr(r->detailed_description, "soft & bite-sized"));
    assert_null(strchr(r->detailed_description, '\\'));
    assert_int_equal(r->conditions.n, 1);
    assert_string_equal(r->conditions.v[0], "Dysphagia");
    assert_int_equal(r->keywords.n, 0);
    assert_int_equal(r->condition_mesh.n, 1);
    assert_string_equal(r->condition_mesh.v[0], "Deglutition Disorders");
    assert_int_equal(r->condition_mesh_ancestors.n, 5);
    assert_true(_ts_strlist_has(&r->condition_mesh_ancestors, "Esophageal Diseases"));
    assert_int_equal(r->intervention_mesh.n, 0);
    assert_int_equal(r->enrollment, 20);
    assert_int_equal(r->n_arms, 0);
    assert_int_equal(r->n_interventions, 1);
    assert_string_equal(r->interventions[0].type, "Other");
    assert_string_equal(r->interventions[0].name, "Food texture modification");
    assert_non_null(strstr(r->interventions[0].description, "minced and moist"));
    assert_int_equal(r->n_primary_outcomes, 2);
    assert_int_equal(r->n_secondary_outcomes, 0);
    assert_string_equal(r->primary_outcomes[1].measure, "Total Chewing Duration Per Bolus");
    assert_string_equal(r->primary_outcomes[1].time_frame, "Baseline (single timepoint only)");
    assert_non_null(strstr(r->primary_outcomes[1].description, "electromyography"));
    /* "* " bullets read like the XML's "- " */
    assert_non_null(strstr(r->eligibility, "- Healthy adults under age 60"));
    assert_non_null(r->inclusion);
    assert_non_null(strstr(r->inclusion, "Healthy adults"));
    assert_non_null(r->exclusion);
    assert_non_null(strstr(r->exclusion, "Type 1 Diabetes"));
    assert_int_equal(r->healthy_volunteers, 1);
    assert_string_equal(r->sex, "ALL");
    assert_true(r->min_age == 18.0);
    assert_true(r->max_age == 60.0);
    assert_int_equal(r->n_officials, 1);
    assert_string_equal(r->officials[0].name, "Catriona M Steele, PhD");
    assert_string_equal(r->officials[0].role, "Principal Investigator");
    assert_string_equal(r->officials[0].affiliation, "University Health Network, Toronto");
    assert_int_equal(r->n_locations, 1);
    assert_string_equal(r->locations[0].facility,
                        "Toronto Rehabilitation Institute - University Health Network");
    assert_string_equal(r->locations[0].city, "Toronto");
    assert_string_equal(r->locations[0].state, "Ontario");
    assert_string_equal(r->locations[0].zip, "M5G 2A2");
    assert_string_equal(r->locations[0].country, "Canada");
    assert_true(unit_list_has(&r->other_text, "Healthy adult volunteers"));

    /* An interventional phase 1/2 trial with arms. */
    r = unit_find(&s, "NCT05756322");
    assert_non_null(r);
    assert_string_equal(r->overall_status, "RECRUITING");
    assert_string_equal(r->study_type, "INTERVENTIONAL");
    assert_int_equal(r->phases.n, 2);
    assert_string_equal(r->phases.v[0], "PHASE1");
    assert_string_equal(r->phases.v[1], "PHASE2");
    assert_int_equal(r->enrollment, 60);
    assert_int_equal(r->keywords.n, 1);
    assert_string_equal(r->keywords.v[0], "CDC7 inhibitor");
    assert_int_equal(r->n_arms, 1);
    assert_string_equal(r->arms[0].label, "Dose Finding and Expansion Phase");
    assert_string_equal(r->arms[0].type, "Experimental");
    assert_int_equal(r->arms[0].interventions.n, 1);
    assert_string_equal(r->arms[0].interventions.v[0], "Drug: LBS-007");
    assert_string_equal(r->interventions[0].type, "Drug");
    assert_int_equal(r->interventions[0].arm_labels.n, 1);
    assert_string_equal(r->interventions[0].arm_labels.v[0], "Dose Finding and Expansion Phase");
    assert_int_equal(r->n_primary_outcomes, 2);
    assert_int_equal(r->n_secondary_outcomes, 4);
    assert_int_equal(r->healthy_volunteers, 0);
    assert_true(r->max_age == 120.0);
    assert_int_equal(r->n_locations, 5);
    assert_string_equal(r->locations[0].city, "Wollongong");
    assert_null(r->locations[0].zip);
    assert_true(_ts_strlist_has(&r->condition_mesh, "Leukemia"));
    assert_true(_ts_strlist_has(&r->collaborators, "Lin BioScience Pty Ltd"));

    /* Escaped comparison signs read as plain text. */
    r = unit_find(&s, "NCT05304754");
    assert_non_null(r);
    assert_non_null(strstr(r->eligibility, "ejection fraction > 40%"));

    /* Aliases of the NCT id count as secondary ids. */
    r = unit_find(&s, "NCT02300909");
    assert_non_null(r);
    assert_true(_ts_strlist_has(&r->secondary_ids, "NCT02380456"));
    assert_true(_ts_strlist_has(&r->secondary_ids, "AFLUD001"));

    unit_scan_free(&s);
}

static void test_classic_fields(void **state)
{
    unit_scan_t s = {0};
    ts_record_t *r;
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&s, CLASSIC_FILE, TS_FORMAT_CLASSIC_JSON);

    r = unit_find(&s, "NCT00023673");
    assert_non_null(r);
    assert_int_equal(r->format, TS_FORMAT_CLASSIC_JSON);
    assert_true(_ts_strlist_has(&r->secondary_ids, "RTOG L-0117"));
    assert_true(_ts_strlist_has(&r->secondary_ids, "CDR0000068850"));
    assert_true(_ts_strlist_has(&r->secondary_ids, "NCI-2012-02401"));
    assert_string_equal(r->brief_title,
                        "Radiation Therapy Combined With Paclitaxel and Carboplatin in "
                        "Treating Patients With Stage III Non-Small Cell Lung Cancer");
    assert_non_null(strstr(r->official_title, "A Phase I/II Dose Intensification Study"));
    assert_null(r->acronym);
    assert_string_equal(r->overall_status, "COMPLETED");
    assert_string_equal(r->study_type, "INTERVENTIONAL");
    assert_int_equal(r->phases.n, 2);
    assert_string_equal(r->phases.v[0], "PHASE1");
    assert_string_equal(r->phases.v[1], "PHASE2");
    assert_string_equal(r->start_date, "2001-07");
    assert_string_equal(r->primary_completion_date, "2009-01");
    assert_string_equal(r->completion_date, "2013-11");
    assert_string_equal(r->first_posted, "2003-04-09");
    assert_string_equal(r->last_update, "2017-12-22");
    assert_string_equal(r->lead_sponsor, "Radiation Therapy Oncology Group");
    assert_int_equal(r->collaborators.n, 1);
    assert_string_equal(r->collaborators.v[0], "National Cancer Institute (NCI)");
    assert_non_null(strstr(r->brief_summary, "RATIONALE: Radiation therapy uses high-energy x-rays"));
    assert_non_null(strstr(r->detailed_description, "OBJECTIVES:"));
    assert_int_equal(r->conditions.n, 1);
    assert_string_equal(r->conditions.v[0], "Lung Cancer");
    assert_int_equal(r->keywords.n, 6);
    assert_string_equal(r->keywords.v[5], "adenosquamous cell lung cancer");
    assert_int_equal(r->condition_mesh.n, 2);
    assert_string_equal(r->condition_mesh.v[1], "Carcinoma, Non-Small-Cell Lung");
    assert_int_equal(r->condition_mesh_ancestors.n, 8);
    assert_int_equal(r->intervention_mesh.n, 2);
    assert_string_equal(r->intervention_mesh.v[0], "Paclitaxel");
    assert_int_equal(r->enrollment, 63);
    assert_int_equal(r->n_arms, 4);
    assert_string_equal(r->arms[0].label, "Phase I: 75.25 Gy/36 fx + chemotherapy");
    assert_string_equal(r->arms[0].type, "Experimental");
    assert_int_equal(r->arms[0].interventions.n, 3);
    assert_string_equal(r->arms[0].interventions.v[2],
                        "Radiation: three-dimensional conformal radiation therapy");
    assert_int_equal(r->n_interventions, 3);
    assert_string_equal(r->interventions[2].type, "Radiation");
    assert_string_equal(r->interventions[2].name, "three-dimensional conformal radiation therapy");
    assert_int_equal(r->n_primary_outcomes, 2);
    assert_int_equal(r->n_secondary_outcomes, 4);
    assert_string_equal(r->primary_outcomes[0].time_frame, "From start of treatment to 90 days");
    assert_non_null(strstr(r->eligibility, "DISEASE CHARACTERISTICS:"));
    assert_non_null(strstr(r->eligibility, "No prior complete tumor resection"));
    assert_int_equal(r->healthy_volunteers, 0);
    assert_string_equal(r->sex, "ALL");
    assert_true(r->min_age == TS_AGE_NONE);
    assert_true(r->max_age == TS_AGE_NONE);
    assert_int_equal(r->n_officials, 1);
    assert_string_equal(r->officials[0].name, "Jeffrey Bradley, MD");
    assert_string_equal(r->officials[0].role, "Study Chair");
    assert_int_equal(r->n_locations, 41);
    assert_string_equal(r->locations[0].facility, "Mobile Infirmary Medical Center");
    assert_string_equal(r->locations[0].city, "Mobile");
    assert_string_equal(r->locations[0].state, "Alabama");
    assert_string_equal(r->locations[0].zip, "36652-2144");
    assert_string_equal(r->locations[0].country, "United States");

    r = unit_find(&s, "NCT02028676");
    assert_non_null(r);
    assert_string_equal(r->acronym, "ARROW");
    assert_int_equal(r->phases.n, 1);
    assert_string_equal(r->phases.v[0], "PHASE4");
    assert_int_equal(r->enrollment, 1206);
    assert_true(r->min_age > 0.24 && r->min_age < 0.26); /* 3 Months */
    assert_true(r->max_age == 17.0);
    assert_int_equal(r->n_arms, 9);
    assert_int_equal(r->n_interventions, 9);
    assert_int_equal(r->interventions[2].other_names.n, 5);
    assert_string_equal(r->interventions[2].other_names.v[0], "ABC: abacavir: Ziagen");
    assert_int_equal(r->n_primary_outcomes, 9);
    assert_int_equal(r->n_secondary_outcomes, 49);
    assert_int_equal(r->collaborators.n, 3);
    assert_string_equal(r->collaborators.v[2], "GlaxoSmithKline");
    assert_int_equal(r->n_locations, 4);
    assert_non_null(r->exclusion);
    assert_non_null(strstr(r->exclusion, "Pneumocystis jiroveci"));

    /* Classic "Accepts Healthy Volunteers" and "Female". */
    {
        size_t yes = 0, female = 0;
        for (size_t i = 0; i < s.n; i++) {
            yes += s.recs[i]->healthy_volunteers == 1;
            female += s.recs[i]->sex && strcmp(s.recs[i]->sex, "FEMALE") == 0;
        }
        assert_int_equal(yes, 70);
        assert_int_equal(female, 16);
    }
    unit_scan_free(&s);
}

/* ------------------------------------------------------------------ */
/* Whole files                                                         */

/* Every record of a shared file is read, with its id, a title, a
 * canonical status and a study type; nothing is rejected. */
static void check_all(const char *rel, ts_format_t fmt, size_t expect)
{
    unit_scan_t s = {0};
    size_t with_criteria = 0, with_phases = 0;

    read_shared(&s, rel, fmt);
    if (s.rejected)
        fail_msg("%zu rejected, last: %s", s.rejected, s.last_reject);
    assert_int_equal(s.n, expect);
    for (size_t i = 0; i < s.n; i++) {
        ts_record_t *r = s.recs[i];
        assert_non_null(r->nct_id);
        assert_int_equal(strncmp(r->nct_id, "NCT", 3), 0);
        assert_non_null(r->brief_title);
        assert_non_null(r->overall_status);
        if (!_ts_status_label(r->overall_status) ||
            strcmp(_ts_status_label(r->overall_status), r->overall_status) == 0)
            fail_msg("%s: status %s not canonical", r->nct_id, r->overall_status);
        assert_non_null(r->study_type);
        assert_non_null(r->last_update);
        assert_true(r->enrollment >= 0);
        with_criteria += r->eligibility != NULL;
        with_phases += r->phases.n > 0;
    }
    assert_int_equal(with_criteria, expect);
    assert_true(with_phases > expect / 3);
    unit_scan_free(&s);
}

static void test_all_v2(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    check_all(V2_FILE, TS_FORMAT_V2JSON, 277);
    check_all(V2_FILE, TS_FORMAT_AUTO, 277);
}

static void test_all_classic(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    check_all(CLASSIC_FILE, TS_FORMAT_CLASSIC_JSON, 206);
    check_all(CLASSIC_FILE, TS_FORMAT_AUTO, 206);
}

/* ------------------------------------------------------------------ */
/* Containers                                                          */

#define V2A "{\"protocolSection\":{\"identificationModule\":{\"nctId\":\"NCT00000001\"," \
            "\"briefTitle\":\"Alpha\"},\"statusModule\":{\"overallStatus\":\"RECRUITING\"}}}"
#define V2B "{\"protocolSection\":{\"identificationModule\":{\"nctId\":\"NCT00000002\"," \
            "\"briefTitle\":\"Beta\"}}}"
#define V2C "{\"protocolSection\":{\"identificationModule\":{\"nctId\":\"NCT00000003\"," \
            "\"briefTitle\":\"Gamma\"}}}"
#define CLA "{\"ProtocolSection\":{\"IdentificationModule\":{\"NCTId\":\"NCT00000011\"," \
            "\"BriefTitle\":\"Delta\"},\"StatusModule\":{\"OverallStatus\":" \
            "\"Active, not recruiting\"}}}"
#define CLB "{\"ProtocolSection\":{\"IdentificationModule\":{\"NCTId\":\"NCT00000012\"," \
            "\"BriefTitle\":\"Epsilon\"}}}"

static void expect_ids(const char *json, ts_format_t fmt, size_t rejected,
                       const char *const *ids, size_t n)
{
    unit_scan_t s = {0};
    read_str(&s, json, fmt);
    if (s.rejected != rejected)
        fail_msg("%zu rejected (want %zu), last: %s", s.rejected, rejected,
                 s.last_reject);
    assert_int_equal(s.n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(s.recs[i]->nct_id, ids[i]);
    unit_scan_free(&s);
}

static void test_containers(void **state)
{
    static const char *const abc[] = {"NCT00000001", "NCT00000002", "NCT00000003"};
    static const char *const cl[] = {"NCT00000011", "NCT00000012"};
    static const char *const mixed[] = {"NCT00000001", "NCT00000011"};
    unit_scan_t s = {0};
    (void)state;

    /* a single study, pretty-printed over several lines */
    expect_ids("{\n  \"protocolSection\": {\n    \"identificationModule\": {\n"
               "      \"nctId\": \"NCT00000001\"\n    }\n  }\n}\n",
               TS_FORMAT_AUTO, 0, abc, 1);
    /* an API v2 page */
    expect_ids("{\"studies\":[" V2A "," V2B "," V2C "],\"nextPageToken\":\"abc\"}",
               TS_FORMAT_AUTO, 0, abc, 3);
    /* a bare array */
    expect_ids("[" V2A ",\n" V2B ",\n" V2C "]", TS_FORMAT_V2JSON, 0, abc, 3);
    /* the classic API's answer, a wrapped study, a bare classic study */
    expect_ids("{\"FullStudiesResponse\":{\"APIVrs\":\"1.01.05\",\"FullStudies\":["
               "{\"Rank\":1,\"Study\":" CLA "},{\"Rank\":2,\"Study\":" CLB "}]}}",
               TS_FORMAT_CLASSIC_JSON, 0, cl, 2);
    expect_ids("{\"Study\":" CLA "}", TS_FORMAT_AUTO, 0, cl, 1);
    expect_ids(CLA, TS_FORMAT_AUTO, 0, cl, 1);
    /* a mixed array in auto mode: each object decides its shape */
    expect_ids("[" V2A "," CLA "]", TS_FORMAT_AUTO, 0, mixed, 2);
    /* JSON Lines, blank lines and CRLF allowed */
    expect_ids(V2A "\r\n" V2B "\r\n\n" V2C "\n", TS_FORMAT_AUTO, 0, abc, 3);
    /* a BOM before a document, and before JSON Lines */
    expect_ids("\xEF\xBB\xBF" V2A, TS_FORMAT_AUTO, 0, abc, 1);
    expect_ids("\xEF\xBB\xBF" V2A "\n" V2B "\n" V2C "\n", TS_FORMAT_AUTO, 0, abc, 3);
    /* the piece-by-piece reader skips a BOM on the first line only */
    {
        const char *lines = "\xEF\xBB\xBF" V2A "\n" V2B "\n";
        assert_true(_ts_json_lines_start(lines, strlen(lines)));
        ts_scan_cbs_t cbs = unit_cbs(&s);
        long line = 1;
        assert_int_equal(_ts_read_json_lines(lines, strlen(lines), "bom.jsonl",
                                             TS_FORMAT_AUTO, &cbs, &line), TS_OK);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.rejected, 0);
        assert_int_equal(line, 3);          /* the line after the piece */
        line = 7;
        assert_int_equal(_ts_read_json_lines(lines, strlen(lines), "bom.jsonl",
                                             TS_FORMAT_AUTO, &cbs, &line), TS_OK);
        assert_int_equal(s.n, 3);           /* mid-file: the BOM line is bad */
        assert_int_equal(s.rejected, 1);
        assert_non_null(strstr(s.last_reject, "bom.jsonl line 7: "));
        assert_int_equal(line, 9);
        unit_scan_free(&s);
        memset(&s, 0, sizeof s);
    }

    /* Statuses of both shapes are canonical. */
    read_str(&s, "[" V2A "," CLA "]", TS_FORMAT_AUTO);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.recs[0]->overall_status, "RECRUITING");
    assert_int_equal(s.recs[0]->format, TS_FORMAT_V2JSON);
    assert_string_equal(s.recs[1]->overall_status, "ACTIVE_NOT_RECRUITING");
    assert_int_equal(s.recs[1]->format, TS_FORMAT_CLASSIC_JSON);
    unit_scan_free(&s);
}

/* One broken line in JSON Lines: that line is rejected as "line 2", the
 * others are read. */
static void test_jsonl_bad_line(void **state)
{
    static const char *const ac[] = {"NCT00000001", "NCT00000003"};
    unit_scan_t s = {0};
    (void)state;

    read_str(&s, V2A "\n{\"protocolSection\": {\"identificationModule\": \n" V2C "\n",
             TS_FORMAT_AUTO);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.recs[0]->nct_id, "NCT00000001");
    assert_string_equal(s.recs[1]->nct_id, "NCT00000003");
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, "inline.json line 2: bad-record"));
    assert_non_null(strstr(s.last_reject, "malformed JSON"));
    unit_scan_free(&s);

    /* the first line broken (truncated) */
    read_str(&s, "{\"protocolSection\": {\"identificationModule\": {\"nctId\n"
                 V2A "\n" V2C "\n", TS_FORMAT_AUTO);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, "line 1: "));
    unit_scan_free(&s);

    /* a line that is no JSON at all */
    read_str(&s, V2A "\nhello\n" V2C "\n", TS_FORMAT_AUTO);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, "line 2: bad-record: malformed JSON"));
    unit_scan_free(&s);

    /* a line that is valid JSON but no study, in the middle */
    read_str(&s, V2A "\n{\"hello\": \"world\"}\n" V2C "\n", TS_FORMAT_AUTO);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.recs[1]->nct_id, ac[1]);
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, "line 2: "));
    assert_non_null(strstr(s.last_reject, "not a ClinicalTrials.gov study"));
    unit_scan_free(&s);
}

/* ------------------------------------------------------------------ */
/* Bad input                                                           */

/* Reading json gives no record and one rejection whose message has want. */
static void expect_reject(const char *json, size_t len, ts_format_t fmt,
                          const char *want)
{
    unit_scan_t s = {0};
    read_json(&s, json, len, "bad.json", fmt);
    assert_int_equal(s.n, 0);
    if (s.rejected != 1 || !strstr(s.last_reject, want))
        fail_msg("want one rejection with \"%s\", got %zu: %s", want,
                 s.rejected, s.last_reject);
    unit_scan_free(&s);
}

static void expect_reject_str(const char *json, ts_format_t fmt, const char *want)
{
    expect_reject(json, strlen(json), fmt, want);
}

static void test_malformed(void **state)
{
    static const char nul[] = "{\"protocolSection\":{\"identificationModule\":"
                              "{\"nctId\":\"NCT0\\u00000001\"}}}";
    static const char raw_nul[] = "{\"protocolSection\":{\"identificationModule\":"
                                  "{\"nctId\":\"NCT0\0000001\"}}}";
    (void)state;

    expect_reject_str("{\"protocolSection\": {", TS_FORMAT_AUTO,
                  "malformed JSON: ");
    expect_reject_str("{\"protocolSection\": {}}}", TS_FORMAT_AUTO,
                  "malformed JSON");
    expect_reject_str("{\n\"a\": [1, 2,, 3]\n}", TS_FORMAT_AUTO,
                  "at line 2 column");
    expect_reject_str("", TS_FORMAT_AUTO, "empty");
    expect_reject_str(" \n\t\n", TS_FORMAT_AUTO, "empty");
    expect_reject(nul, strlen(nul), TS_FORMAT_AUTO, "malformed JSON");
    expect_reject(raw_nul, sizeof raw_nul - 1, TS_FORMAT_AUTO, "malformed JSON");
    /* invalid UTF-8 */
    expect_reject_str("{\"protocolSection\":{\"identificationModule\":"
                      "{\"nctId\":\"NCT\xff\"}}}",
                      TS_FORMAT_AUTO, "malformed JSON");
}

static void test_deep_nesting(void **state)
{
    size_t n = 100000;
    char *buf = malloc(2 * n + 1);
    (void)state;

    assert_non_null(buf);
    memset(buf, '[', n);
    expect_reject(buf, n, TS_FORMAT_AUTO, "malformed JSON");
    /* balanced, so only the depth is wrong */
    memset(buf + n, ']', n);
    expect_reject(buf, 2 * n, TS_FORMAT_AUTO, "malformed JSON");
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = '{';
        buf[2 * i + 1] = i + 1 < n ? ':' : '}';
    }
    expect_reject(buf, 2 * n, TS_FORMAT_AUTO, "malformed JSON");
    free(buf);
}

static void test_wrong_shape(void **state)
{
    unit_scan_t s = {0};
    (void)state;

    expect_reject_str("{\"hello\": \"world\"}", TS_FORMAT_AUTO,
                  "not a ClinicalTrials.gov study");
    expect_reject_str("\"a string\"", TS_FORMAT_AUTO, "malformed JSON");
    expect_reject_str("{\"protocolSection\": [1, 2]}", TS_FORMAT_AUTO,
                  "protocolSection is not an object");
    /* a study without an id */
    expect_reject_str("{\"protocolSection\": {\"identificationModule\": "
                      "{\"briefTitle\": \"x\"}}}",
                      TS_FORMAT_AUTO, "no NCT id");
    /* an id of the wrong type is no id */
    expect_reject_str("{\"protocolSection\": {\"identificationModule\": "
                      "{\"nctId\": 5}}}",
                      TS_FORMAT_AUTO, "no NCT id");
    /* the shape the caller did not ask for, with the id in the locator */
    expect_reject(CLA, strlen(CLA), TS_FORMAT_V2JSON, "NCT00000011: bad-record: classic API");
    expect_reject(V2A, strlen(V2A), TS_FORMAT_CLASSIC_JSON, "NCT00000001: bad-record: API v2");

    /* Bad elements of an array are rejected as "record N"; the rest is read. */
    read_str(&s, "[" V2A ", 42, [" V2B "], {\"x\":1}, " V2C "]", TS_FORMAT_AUTO);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.rejected, 3);
    assert_non_null(strstr(s.last_reject, "record 4"));
    unit_scan_free(&s);

    /* Wrong types inside a study are ignored, not fatal. */
    read_str(&s, "{\"protocolSection\":{\"identificationModule\":{\"nctId\":\"NCT00000009\","
                 "\"briefTitle\":[\"x\"]},\"conditionsModule\":{\"conditions\":\"Asthma\","
                 "\"keywords\":[1,null,\"wheeze\"]},\"designModule\":{\"enrollmentInfo\":"
                 "{\"count\":\"12\"},\"phases\":7},\"armsInterventionsModule\":{\"armGroups\":"
                 "[1,{\"label\":\"A\"}]},\"eligibilityModule\":{\"healthyVolunteers\":\"yes\","
                 "\"minimumAge\":18}}}", TS_FORMAT_AUTO);
    assert_int_equal(s.rejected, 0);
    assert_int_equal(s.n, 1);
    assert_null(s.recs[0]->brief_title);
    assert_int_equal(s.recs[0]->conditions.n, 1);
    assert_string_equal(s.recs[0]->conditions.v[0], "Asthma");
    assert_int_equal(s.recs[0]->keywords.n, 1);
    assert_int_equal(s.recs[0]->enrollment, 12);
    assert_int_equal(s.recs[0]->phases.n, 0);
    assert_int_equal(s.recs[0]->n_arms, 1);
    assert_int_equal(s.recs[0]->healthy_volunteers, 1);
    assert_true(s.recs[0]->min_age == TS_AGE_NONE);
    unit_scan_free(&s);
}

/* A page of 10,000 studies is read whole. */
static void test_big_array(void **state)
{
    size_t n = 10000, cap = n * 96 + 64, off = 0;
    char *buf = malloc(cap);
    unit_scan_t s = {0};
    (void)state;

    assert_non_null(buf);
    off += (size_t)snprintf(buf + off, cap - off, "{\"studies\":[");
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(buf + off, cap - off,
                                "%s{\"protocolSection\":{\"identificationModule\":"
                                "{\"nctId\":\"NCT%08zu\"}}}", i ? "," : "", i);
    off += (size_t)snprintf(buf + off, cap - off, "]}");
    assert_true(off < cap);
    read_json(&s, buf, off, "big.json", TS_FORMAT_AUTO);
    assert_int_equal(s.rejected, 0);
    assert_int_equal(s.n, n);
    assert_string_equal(s.recs[n - 1]->nct_id, "NCT00009999");
    unit_scan_free(&s);
    free(buf);
}

/* A callback's stop status ends the read and is returned. */
static ts_status_t stop_record(void *ctx, ts_record_t *rec)
{
    (*(int *)ctx)++;
    ts_record_free(rec);
    return TS_ERR_IO;
}

static ts_status_t count_reject(void *ctx, const char *source, const char *where,
                                ts_status_t code, const char *reason)
{
    (void)source, (void)where, (void)code, (void)reason;
    *(int *)ctx += 100;
    return TS_OK;
}

static void test_stop(void **state)
{
    const char *json = V2A "\n" V2B "\n";
    ts_scan_cbs_t cbs;
    int seen = 0;
    (void)state;

    memset(&cbs, 0, sizeof cbs);
    cbs.record = stop_record;
    cbs.reject = count_reject;
    cbs.ctx = &seen;
    assert_int_equal(_ts_read_json(json, strlen(json), "x", TS_FORMAT_AUTO, &cbs),
                     TS_ERR_IO);
    assert_int_equal(seen, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_fields),
        cmocka_unit_test(test_classic_fields),
        cmocka_unit_test(test_all_v2),
        cmocka_unit_test(test_all_classic),
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_jsonl_bad_line),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_wrong_shape),
        cmocka_unit_test(test_big_array),
        cmocka_unit_test(test_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
