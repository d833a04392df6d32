/* test_cross_format.c - one trial read from two formats gives the same
 * record.
 *
 * Pairs in the shared data:
 * - NCT00023673 and NCT02028676: legacy XML (data/ctgov-xml/misc-2016-
 *   2021-aact-fixtures, "processed this data on May 11, 2018") and classic
 *   API JSON (data/ctgov-classic-api-json, data version October 18, 2023).
 *   The registry entries were not updated between the two snapshots (same
 *   last update posted: December 22, 2017 and June 6, 2014), so every
 *   field the sponsor enters must be equal.  What the registry derives
 *   itself was recomputed in between and differs in the source files
 *   (checked by hand against the files, not parser bugs):
 *     . MeSH terms.  NCT00023673: the 2018 XML also lists the intervention
 *       term "Albumin-Bound Paclitaxel", absent in 2023.  NCT02028676: the
 *       2018 XML lists "Immunologic Deficiency Syndromes" as a condition
 *       term; in 2023 it is an ancestor of the terms instead.
 *     . Legacy XML has no MeSH ancestors at all.
 *     . NCT02028676: one official's affiliation was renamed ("MRC/UVRI
 *       Uganda Research Unit on Aids" in 2018, "MRC/UVRI and LSHTM Uganda
 *       Research Unit" in 2023).
 *     . NCT00023673: the XML lists each intervention's arm labels in
 *       another order; they are compared as sets.
 *   Layout differs too: the XML wraps its text blocks at ~100 columns and
 *   marks list items with "-" and "1."; the classic API drops the list
 *   markers.  Texts are compared after dropping list markers, white space
 *   and markup characters.
 * - NCT05594173: API v2 JSON (data version 2024-06-10) and classic API
 *   JSON (November 22, 2022), both with last update posted November 21,
 *   2022: equal in every field, MeSH included, once the API v2 Markdown
 *   ("* " bullets, "\&") is read as text.
 */
#include "unit.h"

#include <ctype.h>

#include "ts_internal.h"

/* ------------------------------------------------------------------ */

/* Read the shared file rel (XML or JSON) into s; nothing may be rejected. */
static void read_shared(unit_scan_t *s, const char *rel, ts_format_t fmt)
{
    ts_scan_cbs_t cbs = unit_cbs(s);
    size_t len;
    char *buf = unit_slurp(unit_shared(rel), &len);
    ts_status_t st = fmt == TS_FORMAT_XML
                         ? _ts_read_xml(buf, len, rel, &cbs)
                         : _ts_read_json(buf, len, rel, fmt, &cbs);
    free(buf);
    if (st != TS_OK)
        fail_msg("read %s: %s: %s", rel, ts_status_name(st), ts_last_error());
    if (s->rejected)
        fail_msg("read %s: %zu rejected, last: %s", rel, s->rejected, s->last_reject);
}

#define XML_DIR "data/ctgov-xml/misc-2016-2021-aact-fixtures/"
#define V2_FILE "data/ctgov-api-v2-json/studies.jsonl"
#define CLASSIC_FILE "data/ctgov-classic-api-json/studies.jsonl"

/* ------------------------------------------------------------------ */
/* Comparing                                                           */

/* Length of a list marker opening line s ("- ", "* ", "• ", "1. ",
 * "(2) ", "a. "), or 0. */
static size_t list_marker(const char *s)
{
    size_t i = 0;

    if ((s[0] == '-' || s[0] == '*') && s[1] == ' ')
        return 2;
    if (strncmp(s, "\xE2\x80\xA2 ", 4) == 0) /* bullet */
        return 4;
    if (s[i] == '(')
        i++;
    if (isdigit((unsigned char)s[i])) {
        while (i < 4 && isdigit((unsigned char)s[i]))
            i++;
    } else if (isalpha((unsigned char)s[i])) {
        i++;
    } else {
        return 0;
    }
    return (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ' ? i + 2 : 0;
}

/* What a text says, whatever its layout: list markers opening a line are
 * dropped, then all white space and the markup characters - * and •.
 * Caller frees; "" for NULL. */
static char *fold(const char *s)
{
    char *out = malloc(s ? strlen(s) + 1 : 1), *o = out;
    int bol = 1;

    assert_non_null(out);
    for (; s && *s;) {
        if (bol) {
            size_t n;
            while (*s == ' ' || *s == '\t')
                s++;
            while ((n = list_marker(s)) > 0) {
                s += n;
                while (*s == ' ')
                    s++;
            }
            bol = 0;
            continue;
        }
        if (*s == '\n')
            bol = 1;
        if (strncmp(s, "\xE2\x80\xA2", 3) == 0) {
            s += 3;
            continue;
        }
        if (!isspace((unsigned char)*s) && *s != '-' && *s != '*')
            *o++ = *s;
        s++;
    }
    *o = '\0';
    return out;
}

static void same_text(const char *what, const char *a, const char *b)
{
    char *fa = fold(a), *fb = fold(b);
    if (strcmp(fa, fb) != 0) {
        size_t i = 0;
        while (fa[i] && fa[i] == fb[i])
            i++;
        fail_msg("%s differs at folded offset %zu: \"%.60s\" vs \"%.60s\"", what,
                 i, fa + i, fb + i);
    }
    free(fa);
    free(fb);
}

/* Both NULL, or equal strings. */
static void same_str(const char *what, const char *a, const char *b)
{
    if (!a || !b) {
        if (a != b)
            fail_msg("%s: \"%s\" vs \"%s\"", what, a ? a : "(null)", b ? b : "(null)");
        return;
    }
    if (strcmp(a, b) != 0)
        fail_msg("%s: \"%s\" vs \"%s\"", what, a, b);
}

/* Same strings in the same order. */
static void same_list(const char *what, const ts_strlist_t *a, const ts_strlist_t *b)
{
    if (a->n != b->n)
        fail_msg("%s: %zu values vs %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        same_str(what, a->v[i], b->v[i]);
}

/* Same strings, in any order. */
static void same_set(const char *what, const ts_strlist_t *a, const ts_strlist_t *b)
{
    if (a->n != b->n)
        fail_msg("%s: %zu values vs %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (!_ts_strlist_has(b, a->v[i]))
            fail_msg("%s: \"%s\" only on one side", what, a->v[i]);
}

/* Every value of a is in b. */
static void subset(const char *what, const ts_strlist_t *a, const ts_strlist_t *b)
{
    for (size_t i = 0; i < a->n; i++)
        if (!_ts_strlist_has(b, a->v[i]))
            fail_msg("%s: \"%s\" missing", what, a->v[i]);
}

/* Everything the sponsor enters is the same in a and b (MeSH terms and
 * officials' affiliations are left to the callers). */
static void same_trial(const ts_record_t *a, const ts_record_t *b)
{
    same_str("nct_id", a->nct_id, b->nct_id);
    same_str("brief_title", a->brief_title, b->brief_title);
    same_str("official_title", a->official_title, b->official_title);
    same_str("acronym", a->acronym, b->acronym);
    same_str("overall_status", a->overall_status, b->overall_status);
    same_list("phases", &a->phases, &b->phases);
    same_str("study_type", a->study_type, b->study_type);
    same_list("conditions", &a->conditions, &b->conditions);
    same_list("keywords", &a->keywords, &b->keywords);
    same_set("secondary_ids", &a->secondary_ids, &b->secondary_ids);

    assert_int_equal(a->n_interventions, b->n_interventions);
    for (size_t i = 0; i < a->n_interventions; i++) {
        same_str("intervention name", a->interventions[i].name, b->interventions[i].name);
        same_str("intervention type", a->interventions[i].type, b->interventions[i].type);
        same_list("intervention other names", &a->interventions[i].other_names,
                  &b->interventions[i].other_names);
        same_set("intervention arm labels", &a->interventions[i].arm_labels,
                 &b->interventions[i].arm_labels);
        same_text("intervention description", a->interventions[i].description,
                  b->interventions[i].description);
    }
    assert_int_equal(a->n_arms, b->n_arms);
    for (size_t i = 0; i < a->n_arms; i++) {
        same_str("arm label", a->arms[i].label, b->arms[i].label);
        same_str("arm type", a->arms[i].type, b->arms[i].type);
        same_text("arm description", a->arms[i].description, b->arms[i].description);
    }
    assert_int_equal(a->n_primary_outcomes, b->n_primary_outcomes);
    for (size_t i = 0; i < a->n_primary_outcomes; i++) {
        same_str("primary outcome", a->primary_outcomes[i].measure,
                 b->primary_outcomes[i].measure);
        same_str("primary time frame", a->primary_outcomes[i].time_frame,
                 b->primary_outcomes[i].time_frame);
        same_text("primary outcome description", a->primary_outcomes[i].description,
                  b->primary_outcomes[i].description);
    }
    assert_int_equal(a->n_secondary_outcomes, b->n_secondary_outcomes);
    for (size_t i = 0; i < a->n_secondary_outcomes; i++)
        same_str("secondary outcome", a->secondary_outcomes[i].measure,
                 b->secondary_outcomes[i].measure);

    assert_true(a->min_age == b->min_age);
    assert_true(a->max_age == b->max_age);
    same_str("sex", a->sex, b->sex);
    assert_int_equal(a->healthy_volunteers, b->healthy_volunteers);
    assert_int_equal(a->enrollment, b->enrollment);
    same_str("lead_sponsor", a->lead_sponsor, b->lead_sponsor);
    same_list("collaborators", &a->collaborators, &b->collaborators);
    same_str("start_date", a->start_date, b->start_date);
    same_str("primary_completion_date", a->primary_completion_date,
             b->primary_completion_date);
    same_str("completion_date", a->completion_date, b->completion_date);
    same_str("first_posted", a->first_posted, b->first_posted);
    same_str("last_update", a->last_update, b->last_update);

    assert_int_equal(a->n_officials, b->n_officials);
    for (size_t i = 0; i < a->n_officials; i++) {
        same_str("official", a->officials[i].name, b->officials[i].name);
        same_str("official role", a->officials[i].role, b->officials[i].role);
    }
    assert_int_equal(a->n_locations, b->n_locations);
    for (size_t i = 0; i < a->n_locations; i++) {
        same_str("location facility", a->locations[i].facility, b->locations[i].facility);
        same_str("location city", a->locations[i].city, b->locations[i].city);
        same_str("location country", a->locations[i].country, b->locations[i].country);
    }

    same_text("brief_summary", a->brief_summary, b->brief_summary);
    same_text("detailed_description", a->detailed_description, b->detailed_description);
    same_text("eligibility", a->eligibility, b->eligibility);
    same_text("inclusion", a->inclusion, b->inclusion);
    same_text("exclusion", a->exclusion, b->exclusion);
}

/* ------------------------------------------------------------------ */
/* The pairs                                                           */

static void test_xml_classic_nct00023673(void **state)
{
    unit_scan_t x = {0}, c = {0};
    ts_record_t *a, *b;
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&x, XML_DIR "NCT0002xxxx/NCT00023673.xml", TS_FORMAT_XML);
    read_shared(&c, CLASSIC_FILE, TS_FORMAT_CLASSIC_JSON);
    a = unit_find(&x, "NCT00023673");
    b = unit_find(&c, "NCT00023673");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->format, TS_FORMAT_XML);
    assert_int_equal(b->format, TS_FORMAT_CLASSIC_JSON);

    same_trial(a, b);
    /* Not vacuous: the trial has all of these. */
    assert_int_equal(a->n_locations, 41);
    assert_int_equal(a->n_arms, 4);
    assert_int_equal(a->phases.n, 2);
    assert_non_null(a->eligibility);
    assert_non_null(a->detailed_description);

    same_list("condition_mesh", &a->condition_mesh, &b->condition_mesh);
    /* 2018 XML: also "Albumin-Bound Paclitaxel" (see the top). */
    subset("intervention_mesh", &b->intervention_mesh, &a->intervention_mesh);
    assert_int_equal(a->intervention_mesh.n, b->intervention_mesh.n + 1);
    assert_true(_ts_strlist_has(&a->intervention_mesh, "Albumin-Bound Paclitaxel"));
    for (size_t i = 0; i < a->n_officials; i++)
        same_str("official affiliation", a->officials[i].affiliation,
                 b->officials[i].affiliation);
    unit_scan_free(&x);
    unit_scan_free(&c);
}

static void test_xml_classic_nct02028676(void **state)
{
    unit_scan_t x = {0}, c = {0};
    ts_record_t *a, *b;
    size_t renamed = 0;
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&x, XML_DIR "NCT0202xxxx/NCT02028676.xml", TS_FORMAT_XML);
    read_shared(&c, CLASSIC_FILE, TS_FORMAT_CLASSIC_JSON);
    a = unit_find(&x, "NCT02028676");
    b = unit_find(&c, "NCT02028676");
    assert_non_null(a);
    assert_non_null(b);

    same_trial(a, b);
    assert_int_equal(a->n_interventions, 9);
    assert_int_equal(a->n_secondary_outcomes, 49);
    assert_non_null(a->inclusion);
    assert_non_null(a->exclusion);

    /* 2018 XML: "Immunologic Deficiency Syndromes" is a condition term;
     * in the 2023 data it is one of the ancestors (see the top). */
    subset("condition_mesh", &b->condition_mesh, &a->condition_mesh);
    assert_int_equal(a->condition_mesh.n, b->condition_mesh.n + 1);
    assert_true(_ts_strlist_has(&a->condition_mesh, "Immunologic Deficiency Syndromes"));
    assert_true(_ts_strlist_has(&b->condition_mesh_ancestors,
                                "Immunologic Deficiency Syndromes"));
    same_list("intervention_mesh", &a->intervention_mesh, &b->intervention_mesh);
    /* One affiliation renamed between the snapshots, the rest equal. */
    for (size_t i = 0; i < a->n_officials; i++) {
        if (strcmp(a->officials[i].affiliation, b->officials[i].affiliation) != 0) {
            assert_string_equal(a->officials[i].affiliation,
                                "MRC/UVRI Uganda Research Unit on Aids");
            assert_string_equal(b->officials[i].affiliation,
                                "MRC/UVRI and LSHTM Uganda Research Unit");
            renamed++;
        }
    }
    assert_int_equal(renamed, 1);
    unit_scan_free(&x);
    unit_scan_free(&c);
}

static void test_v2_classic_nct05594173(void **state)
{
    unit_scan_t v = {0}, c = {0};
    ts_record_t *a, *b;
    (void)state;
    UNIT_NEED_SHARED();
    read_shared(&v, V2_FILE, TS_FORMAT_V2JSON);
    read_shared(&c, CLASSIC_FILE, TS_FORMAT_CLASSIC_JSON);
    a = unit_find(&v, "NCT05594173");
    b = unit_find(&c, "NCT05594173");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->format, TS_FORMAT_V2JSON);

    same_trial(a, b);
    assert_int_equal(a->n_primary_outcomes, 2);
    assert_non_null(a->exclusion);
    same_list("condition_mesh", &a->condition_mesh, &b->condition_mesh);
    same_list("condition_mesh_ancestors", &a->condition_mesh_ancestors,
              &b->condition_mesh_ancestors);
    same_list("intervention_mesh", &a->intervention_mesh, &b->intervention_mesh);
    same_list("intervention_mesh_ancestors", &a->intervention_mesh_ancestors,
              &b->intervention_mesh_ancestors);
    for (size_t i = 0; i < a->n_officials; i++)
        same_str("official affiliation", a->officials[i].affiliation,
                 b->officials[i].affiliation);
    for (size_t i = 0; i < a->n_locations; i++) {
        same_str("location state", a->locations[i].state, b->locations[i].state);
        same_str("location zip", a->locations[i].zip, b->locations[i].zip);
    }
    /* Markdown read as text: the same words, and exactly the same text
     * where the API v2 only escaped punctuation. */
    same_str("detailed_description", a->detailed_description, b->detailed_description);
    same_str("other_text", a->other_text.n ? a->other_text.v[0] : NULL,
             b->other_text.n ? b->other_text.v[0] : NULL);
    unit_scan_free(&v);
    unit_scan_free(&c);
}

/* The folding itself: layout and list markers go, words stay. */
static void test_fold(void **state)
{
    char *a, *b;
    (void)state;
    a = fold("Inclusion Criteria:\n\n  1. Age 3 months\n     to 17 years\n  - HIV-1 positive");
    b = fold("Inclusion Criteria:\nAge 3 months to 17 years\n* HIV1 positive");
    assert_string_equal(a, b);
    free(a);
    free(b);
    a = fold("Age 3 months");
    b = fold("Age 4 months");
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_xml_classic_nct00023673),
        cmocka_unit_test(test_xml_classic_nct02028676),
        cmocka_unit_test(test_v2_classic_nct05594173),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
