/* read_json.c - reader of ClinicalTrials.gov JSON: API v2 and classic API.
 *
 * Two shapes of study object are understood:
 *   API v2       {"protocolSection": {"identificationModule": {"nctId": ...
 *   classic API  {"ProtocolSection": {"IdentificationModule": {"NCTId": ...
 * They carry the same data under different names, so one mapping function
 * reads both through a table of paths per shape (json_paths_t below).
 *
 * Containers: a single study object; an API v2 page {"studies": [...],
 * "nextPageToken": ...}; a JSON array of studies; classic
 * {"FullStudiesResponse": {"FullStudies": [{"Rank": 1, "Study": {...}}]}}
 * or {"Study": {...}}; and a stream of several top-level values (JSON
 * Lines), read value by value so that one broken line is rejected as
 * "line N" and the others are read.
 *
 * The whole buffer is parsed with jansson (no streaming).  jansson refuses
 * input nested deeper than its parser limit (2048), so deeply nested input
 * is rejected as malformed, and NUL characters (raw or \u0000) are refused
 * (JSON_ALLOW_NUL is not used).
 */
#include "ts_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ------------------------------------------------------------------ */
/* Where each record field lives in each shape                          */

enum { OC_PRIMARY, OC_SECONDARY, OC_OTHER, OC_KINDS };

/* Paths are dotted member names.  Lists ("...[]" in the docs) are JSON
 * arrays; a lone value where an array is expected is read as a list of
 * one.  Paths of list items are relative to the item. */
typedef struct json_paths {
    const char *protocol;       /* the protocol section, from the study */
    const char *derived;        /* the derived section, from the study */
    /* below: relative to the protocol section (or the derived section) */
    const char *nct_id, *org_id, *secondary_ids, *secondary_id, *aliases;
    const char *brief_title, *official_title, *acronym;
    const char *status, *why_stopped, *start, *primary_completion,
        *completion, *first_posted, *last_update;
    const char *lead_sponsor, *collaborators, *collaborator;
    const char *brief_summary, *detailed_description;
    const char *conditions, *keywords;
    const char *study_type, *phases, *enrollment;
    const char *arms, *arm_label, *arm_type, *arm_description,
        *arm_interventions;
    const char *interventions, *iv_type, *iv_name, *iv_description,
        *iv_other_names, *iv_arm_labels;
    const char *outcomes[OC_KINDS], *oc_measure[OC_KINDS],
        *oc_time_frame[OC_KINDS], *oc_description[OC_KINDS];
    const char *criteria, *healthy, *sex, *min_age, *max_age,
        *study_population;
    const char *officials, *off_name, *off_affiliation, *off_role;
    const char *locations, *locations_alt, *loc_facility, *loc_city,
        *loc_state, *loc_zip, *loc_country;
    /* relative to the derived section */
    const char *cond_mesh, *cond_mesh_term, *cond_anc, *cond_anc_term;
    const char *iv_mesh, *iv_mesh_term, *iv_anc, *iv_anc_term;
} json_paths_t;

static const json_paths_t v2_paths = {
    .protocol = "protocolSection",
    .derived = "derivedSection",
    .nct_id = "identificationModule.nctId",
    .org_id = "identificationModule.orgStudyIdInfo.id",
    .secondary_ids = "identificationModule.secondaryIdInfos",
    .secondary_id = "id",
    .aliases = "identificationModule.nctIdAliases",
    .brief_title = "identificationModule.briefTitle",
    .official_title = "identificationModule.officialTitle",
    .acronym = "identificationModule.acronym",
    .status = "statusModule.overallStatus",
    .why_stopped = "statusModule.whyStopped",
    .start = "statusModule.startDateStruct.date",
    .primary_completion = "statusModule.primaryCompletionDateStruct.date",
    .completion = "statusModule.completionDateStruct.date",
    .first_posted = "statusModule.studyFirstPostDateStruct.date",
    .last_update = "statusModule.lastUpdatePostDateStruct.date",
    .lead_sponsor = "sponsorCollaboratorsModule.leadSponsor.name",
    .collaborators = "sponsorCollaboratorsModule.collaborators",
    .collaborator = "name",
    .brief_summary = "descriptionModule.briefSummary",
    .detailed_description = "descriptionModule.detailedDescription",
    .conditions = "conditionsModule.conditions",
    .keywords = "conditionsModule.keywords",
    .study_type = "designModule.studyType",
    .phases = "designModule.phases",
    .enrollment = "designModule.enrollmentInfo.count",
    .arms = "armsInterventionsModule.armGroups",
    .arm_label = "label",
    .arm_type = "type",
    .arm_description = "description",
    .arm_interventions = "interventionNames",
    .interventions = "armsInterventionsModule.interventions",
    .iv_type = "type",
    .iv_name = "name",
    .iv_description = "description",
    .iv_other_names = "otherNames",
    .iv_arm_labels = "armGroupLabels",
    .outcomes = {"outcomesModule.primaryOutcomes",
                 "outcomesModule.secondaryOutcomes",
                 "outcomesModule.otherOutcomes"},
    .oc_measure = {"measure", "measure", "measure"},
    .oc_time_frame = {"timeFrame", "timeFrame", "timeFrame"},
    .oc_description = {"description", "description", "description"},
    .criteria = "eligibilityModule.eligibilityCriteria",
    .healthy = "eligibilityModule.healthyVolunteers",
    .sex = "eligibilityModule.sex",
    .min_age = "eligibilityModule.minimumAge",
    .max_age = "eligibilityModule.maximumAge",
    .study_population = "eligibilityModule.studyPopulation",
    .officials = "contactsLocationsModule.overallOfficials",
    .off_name = "name",
    .off_affiliation = "affiliation",
    .off_role = "role",
    .locations = "contactsLocationsModule.locations",
    /* Some re-exports carry a copy under this name; read it only when
     * "locations" is absent. */
    .locations_alt = "contactsLocationsModule.locations_nested",
    .loc_facility = "facility",
    .loc_city = "city",
    .loc_state = "state",
    .loc_zip = "zip",
    .loc_country = "country",
    .cond_mesh = "conditionBrowseModule.meshes",
    .cond_mesh_term = "term",
    .cond_anc = "conditionBrowseModule.ancestors",
    .cond_anc_term = "term",
    .iv_mesh = "interventionBrowseModule.meshes",
    .iv_mesh_term = "term",
    .iv_anc = "interventionBrowseModule.ancestors",
    .iv_anc_term = "term",
};

static const json_paths_t classic_paths = {
    .protocol = "ProtocolSection",
    .derived = "DerivedSection",
    .nct_id = "IdentificationModule.NCTId",
    .org_id = "IdentificationModule.OrgStudyIdInfo.OrgStudyId",
    .secondary_ids = "IdentificationModule.SecondaryIdInfoList.SecondaryIdInfo",
    .secondary_id = "SecondaryId",
    .aliases = "IdentificationModule.NCTIdAliasList.NCTIdAlias",
    .brief_title = "IdentificationModule.BriefTitle",
    .official_title = "IdentificationModule.OfficialTitle",
    .acronym = "IdentificationModule.Acronym",
    .status = "StatusModule.OverallStatus",
    .why_stopped = "StatusModule.WhyStopped",
    .start = "StatusModule.StartDateStruct.StartDate",
    .primary_completion =
        "StatusModule.PrimaryCompletionDateStruct.PrimaryCompletionDate",
    .completion = "StatusModule.CompletionDateStruct.CompletionDate",
    .first_posted = "StatusModule.StudyFirstPostDateStruct.StudyFirstPostDate",
    .last_update = "StatusModule.LastUpdatePostDateStruct.LastUpdatePostDate",
    .lead_sponsor = "SponsorCollaboratorsModule.LeadSponsor.LeadSponsorName",
    .collaborators = "SponsorCollaboratorsModule.CollaboratorList.Collaborator",
    .collaborator = "CollaboratorName",
    .brief_summary = "DescriptionModule.BriefSummary",
    .detailed_description = "DescriptionModule.DetailedDescription",
    .conditions = "ConditionsModule.ConditionList.Condition",
    .keywords = "ConditionsModule.KeywordList.Keyword",
    .study_type = "DesignModule.StudyType",
    .phases = "DesignModule.PhaseList.Phase",
    .enrollment = "DesignModule.EnrollmentInfo.EnrollmentCount",
    .arms = "ArmsInterventionsModule.ArmGroupList.ArmGroup",
    .arm_label = "ArmGroupLabel",
    .arm_type = "ArmGroupType",
    .arm_description = "ArmGroupDescription",
    .arm_interventions = "ArmGroupInterventionList.ArmGroupInterventionName",
    .interventions = "ArmsInterventionsModule.InterventionList.Intervention",
    .iv_type = "InterventionType",
    .iv_name = "InterventionName",
    .iv_description = "InterventionDescription",
    .iv_other_names = "InterventionOtherNameList.InterventionOtherName",
    .iv_arm_labels = "InterventionArmGroupLabelList.InterventionArmGroupLabel",
    .outcomes = {"OutcomesModule.PrimaryOutcomeList.PrimaryOutcome",
                 "OutcomesModule.SecondaryOutcomeList.SecondaryOutcome",
                 "OutcomesModule.OtherOutcomeList.OtherOutcome"},
    .oc_measure = {"PrimaryOutcomeMeasure", "SecondaryOutcomeMeasure",
                   "OtherOutcomeMeasure"},
    .oc_time_frame = {"PrimaryOutcomeTimeFrame", "SecondaryOutcomeTimeFrame",
                      "OtherOutcomeTimeFrame"},
    .oc_description = {"PrimaryOutcomeDescription",
                       "SecondaryOutcomeDescription",
                       "OtherOutcomeDescription"},
    .criteria = "EligibilityModule.EligibilityCriteria",
    .healthy = "EligibilityModule.HealthyVolunteers",
    .sex = "EligibilityModule.Gender",
    .min_age = "EligibilityModule.MinimumAge",
    .max_age = "EligibilityModule.MaximumAge",
    .study_population = "EligibilityModule.StudyPopulation",
    .officials = "ContactsLocationsModule.OverallOfficialList.OverallOfficial",
    .off_name = "OverallOfficialName",
    .off_affiliation = "OverallOfficialAffiliation",
    .off_role = "OverallOfficialRole",
    .locations = "ContactsLocationsModule.LocationList.Location",
    .locations_alt = NULL,
    .loc_facility = "LocationFacility",
    .loc_city = "LocationCity",
    .loc_state = "LocationState",
    .loc_zip = "LocationZip",
    .loc_country = "LocationCountry",
    .cond_mesh = "ConditionBrowseModule.ConditionMeshList.ConditionMesh",
    .cond_mesh_term = "ConditionMeshTerm",
    .cond_anc = "ConditionBrowseModule.ConditionAncestorList.ConditionAncestor",
    .cond_anc_term = "ConditionAncestorTerm",
    .iv_mesh = "InterventionBrowseModule.InterventionMeshList.InterventionMesh",
    .iv_mesh_term = "InterventionMeshTerm",
    .iv_anc =
        "InterventionBrowseModule.InterventionAncestorList.InterventionAncestor",
    .iv_anc_term = "InterventionAncestorTerm",
};

/* ------------------------------------------------------------------ */
/* Reading values out of jansson trees                                  */

/* The value at a dotted path of member names under o, or NULL when a
 * member is missing or something on the way is not an object.  An empty
 * or NULL path is o itself. */
static json_t *jpath(json_t *o, const char *path)
{
    char key[128];

    if (!path)
        return o;
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key); /* NULL when o is not an object */
        path += n + (dot != NULL);
    }
    return o;
}

/* The string at path under o, or NULL when absent or not a string. */
static const char *jstr(json_t *o, const char *path)
{
    json_t *v = jpath(o, path);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Items of a list value: an array has its elements, a lone value is a
 * list of one, NULL (absent) a list of none.  JSON null counts as absent. */
static size_t jlen(json_t *v)
{
    if (!v || json_is_null(v))
        return 0;
    return json_is_array(v) ? json_array_size(v) : 1;
}

static json_t *jitem(json_t *v, size_t i)
{
    return json_is_array(v) ? json_array_get(v, i) : v;
}

/* ------------------------------------------------------------------ */
/* Filling a record (sticky status: nothing happens once rc is set)     */

typedef struct jmap {
    ts_record_t *rec;
    const json_paths_t *p;
    int v2;                     /* API v2: long texts are Markdown-ish */
    ts_status_t rc;
} jmap_t;

/* A copy of API v2 markup text s that reads like the legacy XML's: a
 * backslash before ASCII punctuation goes ("\>" -> ">", "\\" -> "\") and
 * a "* " bullet opening a line becomes "- ".  Caller frees; NULL when out
 * of memory. */
static char *md_plain(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1), *o = out;
    int bol = 1; /* only blanks so far on this line */

    if (!out)
        return NULL;
    for (const char *c = s; *c; c++) {
        unsigned char next = (unsigned char)c[1];
        if (*c == '\\' && next < 0x80 && ispunct(next)) {
            *o++ = *++c;
            bol = 0;
            continue;
        }
        if (bol && *c == '*' && (next == ' ' || next == '\t')) {
            *o++ = '-';
            bol = 0;
            continue;
        }
        if (*c == '\n')
            bol = 1;
        else if (*c != ' ' && *c != '\t' && *c != '\r')
            bol = 0;
        *o++ = *c;
    }
    *o = '\0';
    return out;
}

/* *dst = cleaned s (see _ts_set).  long_text keeps line breaks and, in
 * API v2, turns its markup into plain text. */
static void put(jmap_t *m, char **dst, const char *s, int long_text)
{
    if (m->rc || !s)
        return;
    if (long_text && m->v2) {
        char *plain = md_plain(s);
        if (!plain) {
            m->rc = TS_ERR_NOMEM;
            return;
        }
        m->rc = _ts_set(dst, plain, 1);
        free(plain);
    } else {
        m->rc = _ts_set(dst, s, long_text);
    }
}

/* Display form of an API v2 enumeration ("ACTIVE_COMPARATOR" -> "Active
 * Comparator", as the XML and classic API write it); other text is kept
 * as it is. */
static void put_label(jmap_t *m, char **dst, const char *s)
{
    char buf[128];
    size_t n, i;
    int word = 1;

    if (m->rc || !s)
        return;
    n = strlen(s);
    for (i = 0; i < n; i++)
        if (!(isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
              s[i] == '_'))
            break;
    if (i < n || n == 0 || n >= sizeof buf) {
        put(m, dst, s, 0);
        return;
    }
    for (i = 0; i < n; i++) {
        if (s[i] == '_') {
            buf[i] = ' ';
            word = 1;
        } else {
            buf[i] = word ? s[i] : (char)tolower((unsigned char)s[i]);
            word = 0;
        }
    }
    buf[n] = '\0';
    put(m, dst, buf, 0);
}

/* An enumerated field: its canonical value, or the text as it is when
 * norm does not know it (so nothing is lost). */
static void put_enum(jmap_t *m, char **dst, const char *s,
                     const char *(*norm)(const char *))
{
    const char *canon;

    if (m->rc || !s)
        return;
    canon = norm(s);
    put(m, dst, canon ? canon : s, 0);
}

/* A date field as YYYY[-MM[-DD]]; unreadable dates are left out. */
static void put_date(jmap_t *m, char **dst, const char *s)
{
    char *d;

    if (m->rc || !s)
        return;
    d = _ts_parse_date(s);
    if (d) {
        free(*dst);
        *dst = d;
    }
}

/* Append each string of list (or the string at item_path of each of its
 * items) to l; unique: skip values already there. */
static void add_all(jmap_t *m, ts_strlist_t *l, json_t *list,
                    const char *item_path, int unique)
{
    for (size_t i = 0; i < jlen(list) && !m->rc; i++) {
        const char *s = jstr(jitem(list, i), item_path);
        if (s)
            m->rc = unique ? _ts_strlist_add_unique(l, s)
                           : _ts_strlist_add(l, s);
    }
}

/* The enrollment: a number (API v2) or a string of digits (classic). */
static long enrollment(json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) >= 0 ? (long)json_integer_value(v) : -1;
    if (json_is_real(v))
        return json_real_value(v) >= 0 ? (long)json_real_value(v) : -1;
    if (json_is_string(v))
        return _ts_parse_count(json_string_value(v));
    return -1;
}

/* Healthy volunteers: true/false (API v2) or "No" / "Accepts Healthy
 * Volunteers" (classic). */
static int healthy(json_t *v)
{
    if (json_is_boolean(v))
        return json_is_true(v) ? 1 : 0;
    if (json_is_string(v))
        return _ts_parse_yesno(json_string_value(v));
    return -1;
}

/* Fill m->rec from study (either shape, paths in m->p). */
static void map_study(jmap_t *m, json_t *study)
{
    const json_paths_t *p = m->p;
    ts_record_t *r = m->rec;
    json_t *ps = jpath(study, p->protocol);
    json_t *ds = jpath(study, p->derived);
    json_t *list;

    /* identification */
    put(m, &r->nct_id, jstr(ps, p->nct_id), 0);
    if (!m->rc && jstr(ps, p->org_id))
        m->rc = _ts_strlist_add_unique(&r->secondary_ids, jstr(ps, p->org_id));
    add_all(m, &r->secondary_ids, jpath(ps, p->secondary_ids), p->secondary_id, 1);
    add_all(m, &r->secondary_ids, jpath(ps, p->aliases), NULL, 1);
    put(m, &r->brief_title, jstr(ps, p->brief_title), 0);
    put(m, &r->official_title, jstr(ps, p->official_title), 0);
    put(m, &r->acronym, jstr(ps, p->acronym), 0);

    /* status and dates */
    put_enum(m, &r->overall_status, jstr(ps, p->status), _ts_norm_status);
    put_date(m, &r->start_date, jstr(ps, p->start));
    put_date(m, &r->primary_completion_date, jstr(ps, p->primary_completion));
    put_date(m, &r->completion_date, jstr(ps, p->completion));
    put_date(m, &r->first_posted, jstr(ps, p->first_posted));
    put_date(m, &r->last_update, jstr(ps, p->last_update));

    /* sponsors */
    put(m, &r->lead_sponsor, jstr(ps, p->lead_sponsor), 0);
    add_all(m, &r->collaborators, jpath(ps, p->collaborators), p->collaborator, 0);

    /* description */
    put(m, &r->brief_summary, jstr(ps, p->brief_summary), 1);
    put(m, &r->detailed_description, jstr(ps, p->detailed_description), 1);

    /* conditions */
    add_all(m, &r->conditions, jpath(ps, p->conditions), NULL, 0);
    add_all(m, &r->keywords, jpath(ps, p->keywords), NULL, 0);

    /* design */
    put_enum(m, &r->study_type, jstr(ps, p->study_type), _ts_norm_study_type);
    list = jpath(ps, p->phases);
    for (size_t i = 0; i < jlen(list) && !m->rc; i++) {
        const char *s = jstr(jitem(list, i), NULL);
        if (s)
            _ts_norm_phases(&r->phases, s);
    }
    r->enrollment = enrollment(jpath(ps, p->enrollment));

    /* arms and interventions */
    list = jpath(ps, p->arms);
    for (size_t i = 0; i < jlen(list) && !m->rc; i++) {
        json_t *it = jitem(list, i);
        ts_arm_t *a;
        if (!json_is_object(it))
            continue;
        if (!(a = _ts_add_arm(r))) {
            m->rc = TS_ERR_NOMEM;
            break;
        }
        put(m, &a->label, jstr(it, p->arm_label), 0);
        put_label(m, &a->type, jstr(it, p->arm_type));
        put(m, &a->description, jstr(it, p->arm_description), 1);
        add_all(m, &a->interventions, jpath(it, p->arm_interventions), NULL, 0);
    }
    list = jpath(ps, p->interventions);
    for (size_t i = 0; i < jlen(list) && !m->rc; i++) {
        json_t *it = jitem(list, i);
        ts_intervention_t *iv;
        if (!json_is_object(it))
            continue;
        if (!(iv = _ts_add_intervention(r))) {
            m->rc = TS_ERR_NOMEM;
            break;
        }
        put_label(m, &iv->type, jstr(it, p->iv_type));
        put(m, &iv->name, jstr(it, p->iv_name), 0);
        put(m, &iv->description, jstr(it, p->iv_description), 1);
        add_all(m, &iv->other_names, jpath(it, p->iv_other_names), NULL, 0);
        add_all(m, &iv->arm_labels, jpath(it, p->iv_arm_labels), NULL, 0);
    }

    /* outcomes; the record has no place for "other" outcomes, so their
     * measures and descriptions go to other_text */
    for (int k = 0; k < OC_KINDS; k++) {
        list = jpath(ps, p->outcomes[k]);
        for (size_t i = 0; i < jlen(list) && !m->rc; i++) {
            json_t *it = jitem(list, i);
            ts_outcome_t *oc;
            if (!json_is_object(it))
                continue;
            if (k == OC_OTHER) {
                char *text = NULL;
                put(m, &text, jstr(it, p->oc_measure[k]), 0);
                if (!m->rc && text)
                    m->rc = _ts_strlist_add(&r->other_text, text);
                free(text);
                text = NULL;
                put(m, &text, jstr(it, p->oc_description[k]), 1);
                if (!m->rc && text)
                    m->rc = _ts_strlist_add(&r->other_text, text);
                free(text);
                continue;
            }
            if (!(oc = _ts_add_outcome(r, k == OC_PRIMARY))) {
                m->rc = TS_ERR_NOMEM;
                break;
            }
            put(m, &oc->measure, jstr(it, p->oc_measure[k]), 0);
            put(m, &oc->time_frame, jstr(it, p->oc_time_frame[k]), 0);
            put(m, &oc->description, jstr(it, p->oc_description[k]), 1);
        }
    }

    /* eligibility */
    put(m, &r->eligibility, jstr(ps, p->criteria), 1);
    r->healthy_volunteers = healthy(jpath(ps, p->healthy));
    put_enum(m, &r->sex, jstr(ps, p->sex), _ts_norm_sex);
    r->min_age = _ts_parse_age(jstr(ps, p->min_age));
    r->max_age = _ts_parse_age(jstr(ps, p->max_age));

    /* officials and locations */
    list = jpath(ps, p->officials);
    for (size_t i = 0; i < jlen(list) && !m->rc; i++) {
        json_t *it = jitem(list, i);
        ts_official_t *o;
        if (!json_is_object(it))
            continue;
        if (!(o = _ts_add_official(r))) {
            m->rc = TS_ERR_NOMEM;
            break;
        }
        put(m, &o->name, jstr(it, p->off_name), 0);
        put(m, &o->affiliation, jstr(it, p->off_affiliation), 0);
        put_label(m, &o->role, jstr(it, p->off_role));
    }
    list = jpath(ps, p->locations);
    if (!list && p->locations_alt)
        list = jpath(ps, p->locations_alt);
    for (size_t i = 0; i < jlen(list) && !m->rc; i++) {
        json_t *it = jitem(list, i);
        ts_location_t *l;
        if (!json_is_object(it))
            continue;
        if (!(l = _ts_add_location(r))) {
            m->rc = TS_ERR_NOMEM;
            break;
        }
        put(m, &l->facility, jstr(it, p->loc_facility), 0);
        put(m, &l->city, jstr(it, p->loc_city), 0);
        put(m, &l->state, jstr(it, p->loc_state), 0);
        put(m, &l->zip, jstr(it, p->loc_zip), 0);
        put(m, &l->country, jstr(it, p->loc_country), 0);
    }

    /* MeSH terms derived by the registry */
    add_all(m, &r->condition_mesh, jpath(ds, p->cond_mesh), p->cond_mesh_term, 1);
    add_all(m, &r->condition_mesh_ancestors, jpath(ds, p->cond_anc),
            p->cond_anc_term, 1);
    add_all(m, &r->intervention_mesh, jpath(ds, p->iv_mesh), p->iv_mesh_term, 1);
    add_all(m, &r->intervention_mesh_ancestors, jpath(ds, p->iv_anc),
            p->iv_anc_term, 1);

    /* texts with no field of their own */
    {
        const char *texts[2];
        texts[0] = jstr(ps, p->why_stopped);
        texts[1] = jstr(ps, p->study_population);
        for (int k = 0; k < 2 && !m->rc; k++) {
            char *text = NULL;
            put(m, &text, texts[k], 1);
            if (!m->rc && text)
                m->rc = _ts_strlist_add(&r->other_text, text);
            free(text);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Containers                                                           */

typedef struct jreader {
    const char *source;
    ts_format_t fmt;            /* as asked: AUTO, V2JSON or CLASSIC_JSON */
    const ts_scan_cbs_t *cbs;
} jreader_t;

/* Read one study object; where locates it (may be NULL). */
static ts_status_t read_study(jreader_t *rd, json_t *study, const char *where)
{
    json_t *ps = json_object_get(study, v2_paths.protocol);
    int v2 = ps != NULL;
    const json_paths_t *p = v2 ? &v2_paths : &classic_paths;
    const char *id;
    char loc[160];
    jmap_t m;

    if (!v2)
        ps = json_object_get(study, classic_paths.protocol);
    id = jstr(ps, p->nct_id);
    if (id && where)
        snprintf(loc, sizeof loc, "%s, %.40s", where, id);
    else
        snprintf(loc, sizeof loc, "%.40s", where ? where : id ? id : "");
    where = loc[0] ? loc : NULL;

    if (!json_is_object(ps))
        return _ts_reject(rd->cbs, rd->source, where, TS_ERR_BAD_RECORD,
                          "%s is not an object", p->protocol);
    if (rd->fmt == TS_FORMAT_V2JSON && !v2)
        return _ts_reject(rd->cbs, rd->source, where, TS_ERR_BAD_RECORD,
                          "classic API study (ProtocolSection) where API v2 "
                          "JSON was asked for");
    if (rd->fmt == TS_FORMAT_CLASSIC_JSON && v2)
        return _ts_reject(rd->cbs, rd->source, where, TS_ERR_BAD_RECORD,
                          "API v2 study (protocolSection) where classic API "
                          "JSON was asked for");

    memset(&m, 0, sizeof m);
    m.p = p;
    m.v2 = v2;
    m.rc = TS_OK;
    if (!(m.rec = ts_record_new()))
        return _ts_reject(rd->cbs, rd->source, where, TS_ERR_NOMEM,
                          "out of memory");
    map_study(&m, study);
    if (m.rc != TS_OK) {
        ts_record_free(m.rec);
        return _ts_reject(rd->cbs, rd->source, where, m.rc,
                          "out of memory");
    }
    return _ts_emit(rd->cbs, m.rec,
                    v2 ? TS_FORMAT_V2JSON : TS_FORMAT_CLASSIC_JSON,
                    rd->source, where);
}

static ts_status_t read_value(jreader_t *rd, json_t *v, const char *where,
                              int nested);

/* Read each element of a list of studies as "record N" (after where). */
static ts_status_t read_list(jreader_t *rd, json_t *list, const char *where)
{
    char loc[96];

    for (size_t i = 0; i < json_array_size(list); i++) {
        ts_status_t st;
        snprintf(loc, sizeof loc, "%.60s%srecord %zu", where ? where : "",
                 where ? " " : "", i + 1);
        st = read_value(rd, json_array_get(list, i), loc, 1);
        if (st != TS_OK)
            return st;
    }
    return TS_OK;
}

/* Read one JSON value: a study, {"Study": study}, or (unless nested, so
 * that containers do not nest in containers) a list or page of them. */
static ts_status_t read_value(jreader_t *rd, json_t *v, const char *where,
                              int nested)
{
    json_t *c;

    if (json_is_object(v)) {
        if (json_object_get(v, v2_paths.protocol) ||
            json_object_get(v, classic_paths.protocol))
            return read_study(rd, v, where);
        if (json_is_object(c = json_object_get(v, "Study")))
            return read_study(rd, c, where);
        if (!nested && json_is_array(c = json_object_get(v, "studies")))
            return read_list(rd, c, where);
        if (!nested &&
            json_is_array(c = jpath(v, "FullStudiesResponse.FullStudies")))
            return read_list(rd, c, where);
        if (!nested && json_is_object(jpath(v, "FullStudiesResponse")))
            return TS_OK; /* a classic answer with no studies */
        return _ts_reject(rd->cbs, rd->source, where, TS_ERR_BAD_RECORD,
                          "not a ClinicalTrials.gov study: no protocolSection "
                          "(API v2) or ProtocolSection (classic API)");
    }
    if (json_is_array(v) && !nested)
        return read_list(rd, v, where);
    return _ts_reject(rd->cbs, rd->source, where, TS_ERR_BAD_RECORD,
                      "not a ClinicalTrials.gov study: a JSON %s",
                      json_is_array(v) ? "array" : json_is_string(v) ? "string"
                      : json_is_number(v) ? "number" : "literal");
}

/* 1 if s[0..len) holds one JSON object or array on its own (blanks
 * around it allowed).  sure_id relies on what this and looks_like_lines
 * accept (second_line_opens). */
static int line_parses(const char *s, size_t len)
{
    json_error_t err;
    json_t *v = json_loadb(s, len, 0, &err);
    int ok = v != NULL;
    json_decref(v);
    return ok;
}

/* Whether a buffer whose whole parse failed is a stream of values (JSON
 * Lines) with a broken one: one of its first two non-blank lines holds a
 * complete value of its own. */
static int looks_like_lines(const char *buf, size_t len)
{
    size_t off = 0;
    int seen = 0;

    while (off < len && seen < 2) {
        const char *nl = memchr(buf + off, '\n', len - off);
        size_t end = nl ? (size_t)(nl - buf) : len;
        size_t i = off;
        while (i < end && isspace((unsigned char)buf[i]))
            i++;
        if (i < end) {
            seen++;
            if (line_parses(buf + off, end - off))
                return 1;
        }
        off = end + 1;
    }
    return 0;
}

/* Whether what follows a value that ended at s[0] leaves the reader no
 * more to do: blanks to the end of the line (one_line: a line of JSON
 * Lines, after which a parse resumes anyway), or to the end of s. */
static int nothing_after(const char *s, size_t len, int one_line)
{
    for (size_t i = 0; i < len; i++) {
        if (one_line && s[i] == '\n')
            return 1;
        if (!isspace((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

/* Whether a value spread over lines, s[0..len), could be read as JSON
 * Lines after a failed parse: its second non-blank line starts with a
 * bracket, so that it may parse on its own (looks_like_lines, which this
 * must follow). */
static int second_line_opens(const char *s, size_t len)
{
    const char *nl = memchr(s, '\n', len);
    if (!nl)
        return 0;
    for (const char *p = nl + 1; p < s + len; p++) {
        if (*p == '{' || *p == '[')
            return 1;
        if (!isspace((unsigned char)*p))
            return 0;
    }
    return 0;
}

/* The NCT id of the study object that starts at s[0] ('{'), told from
 * its raw text by a lexical pass, when the parser is sure to find the
 * same one and to make one record or one rejection of it:
 * - the object ends, at *end (the offset past its closing brace), and
 *   nothing_after it; with one_line, on the line it starts on; else, if
 *   it spans lines, its second line does not open a value (so that a
 *   failed parse is one rejection, not JSON Lines);
 * - one of its own keys is protocolSection or ProtocolSection (a study,
 *   not a list of them);
 * - exactly one key in all of it is nctId or NCTId, and its value is a
 *   string of letters and digits; no key holds an escape.
 * Copies the id into out; NULL when not sure.  Brackets are counted, not
 * matched: a value that is not valid JSON is left to the parser to reject. */
static const char *sure_id(const char *s, size_t len, int one_line, size_t *end,
                           char out[_TS_ID_MAX + 1])
{
    int depth = 0, study = 0, ids = 0, id_next = 0;
    const char *id = NULL;
    size_t id_len = 0;

    if (len == 0 || s[0] != '{')
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '"') {
            size_t start = ++i;
            int esc = 0;
            for (; i < len && s[i] != '"'; i++) {
                if (s[i] == '\\') {
                    esc = 1;
                    i++;
                }
                /* A control character, raw or escaped, is not JSON: the
                 * parser rejects the line and resumes on the next one,
                 * where this pass would go on reading the string. */
                if (i < len && (unsigned char)s[i] < 0x20)
                    return NULL;
            }
            if (i >= len)
                return NULL;
            size_t n = i - start, k = i + 1;
            while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' ||
                               (!one_line && s[k] == '\n')))
                k++;
            if (k < len && s[k] == ':') { /* a key */
                if (esc)
                    return NULL;
                if (n == 5 && (memcmp(s + start, "nctId", 5) == 0 ||
                               memcmp(s + start, "NCTId", 5) == 0)) {
                    if (++ids > 1)
                        return NULL; /* a list of studies, or a linked id */
                    id_next = 1;
                    continue;
                }
                if (depth == 1 && n == 15 && (memcmp(s + start, "protocolSection", 15) == 0 ||
                                              memcmp(s + start, "ProtocolSection", 15) == 0))
                    study = 1;
            } else if (id_next) { /* the value of nctId */
                if (!esc && n > 0 && n <= _TS_ID_MAX) {
                    id = s + start;
                    id_len = n;
                }
            }
            id_next = 0;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == ':')
            continue;
        if (c == '\n') {
            if (one_line)
                return NULL;
            continue;
        }
        id_next = 0; /* any other value of nctId is not a plain string */
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                if (!study || ids != 1 || !id ||
                    !nothing_after(s + i + 1, len - i - 1, one_line) ||
                    (!one_line && second_line_opens(s, i + 1)))
                    return NULL;
                for (size_t k = 0; k < id_len; k++)
                    if (!_ts_id_char(id[k]))
                        return NULL;
                memcpy(out, id, id_len);
                out[id_len] = '\0';
                *end = i + 1;
                return out;
            }
        }
    }
    return NULL;
}

/* Whether the record that starts at buf[0] is to be read: without
 * cbs->wants, or when its id is not sure (sure_id), always; otherwise as
 * cbs->wants says.  When not, *skip gets its length. */
static int wanted(const jreader_t *rd, const char *buf, size_t len, int one_line, size_t *skip)
{
    char id[_TS_ID_MAX + 1];
    size_t end;

    if (!rd->cbs->wants || !sure_id(buf, len, one_line, &end, id))
        return 1;
    if (rd->cbs->wants(rd->cbs->ctx, id))
        return 1;
    *skip = end;
    return 0;
}

/* Read a stream of JSON values one after the other ("line N" is the line
 * each starts on, buf starting on *linep, which ends on the line after
 * the last one read).  A value that does not parse is rejected and reading
 * resumes on the line after the one it started on. */
static ts_status_t read_stream(jreader_t *rd, const char *buf, size_t len, long *linep)
{
    size_t off = 0;
    long line = *linep;
    char loc[48];
    ts_status_t st = TS_OK;

    while (st == TS_OK) {
        json_error_t err;
        json_t *v;

        while (off < len && isspace((unsigned char)buf[off])) {
            if (buf[off] == '\n')
                line++;
            off++;
        }
        if (off >= len)
            break;
        /* A study passed over ends its line but for blanks, so the line
         * count and where reading resumes are those of a parse. */
        size_t skip;
        if (!wanted(rd, buf + off, len - off, 1, &skip)) {
            off += skip;
            continue;
        }
        snprintf(loc, sizeof loc, "line %ld", line);
        v = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK, &err);
        if (!v) {
            const char *nl = memchr(buf + off, '\n', len - off);
            st = _ts_reject(rd->cbs, rd->source, loc, TS_ERR_BAD_RECORD,
                            "malformed JSON: %s at line %ld column %d",
                            err.text, line + err.line - 1, err.column);
            off = nl ? (size_t)(nl - buf) + 1 : len;
            line++;
        } else {
            size_t used = err.position > 0 ? (size_t)err.position : 1;
            if (used > len - off)
                used = len - off;
            st = read_value(rd, v, loc, 0);
            json_decref(v);
            for (size_t i = off; i < off + used; i++)
                line += buf[i] == '\n';
            off += used;
        }
    }
    *linep = line;
    return st;
}

/* See ts_internal.h. */
ts_status_t _ts_read_json(const char *buf, size_t len, const char *source,
                          ts_format_t fmt, const ts_scan_cbs_t *cbs)
{
    jreader_t rd;
    json_error_t err;
    json_t *root;
    size_t i;
    long line = 1;

    rd.source = source;
    rd.fmt = fmt;
    rd.cbs = cbs;
    if (fmt != TS_FORMAT_AUTO && fmt != TS_FORMAT_V2JSON &&
        fmt != TS_FORMAT_CLASSIC_JSON)
        return _ts_error(TS_ERR_INVALID, "JSON reader asked for format %s",
                         ts_format_name(fmt));

    size_t bom = _ts_bom_len(buf, len);
    buf += bom;
    len -= bom;
    for (i = 0; i < len && isspace((unsigned char)buf[i]); i++)
        ;
    if (i == len)
        return _ts_reject(cbs, source, NULL, TS_ERR_BAD_RECORD,
                          "empty JSON input");
    size_t skip;
    if (!wanted(&rd, buf + i, len - i, 0, &skip))
        return TS_OK; /* one study, not wanted */

    root = json_loadb(buf, len, JSON_DISABLE_EOF_CHECK, &err);
    if (root) {
        size_t used = err.position > 0 ? (size_t)err.position : len;
        for (i = used; i < len && isspace((unsigned char)buf[i]); i++)
            ;
        if (i >= len) { /* one document */
            ts_status_t st = read_value(&rd, root, NULL, 0);
            json_decref(root);
            return st;
        }
        json_decref(root);
        /* more values, or more lines: a stream (JSON Lines) */
        if (buf[i] == '{' || buf[i] == '[' || memchr(buf + used, '\n', i - used))
            return read_stream(&rd, buf, len, &line);
        /* trailing garbage: let the strict parse say where */
        root = json_loadb(buf, len, 0, &err);
        if (root) { /* cannot happen; be safe */
            ts_status_t st = read_value(&rd, root, NULL, 0);
            json_decref(root);
            return st;
        }
    } else if (looks_like_lines(buf, len)) {
        return read_stream(&rd, buf, len, &line);
    }
    return _ts_reject(cbs, source, NULL, TS_ERR_BAD_RECORD,
                      "malformed JSON: %s at line %d column %d", err.text,
                      err.line, err.column);
}

/* See ts_internal.h. */
int _ts_json_lines_start(const char *buf, size_t len)
{
    size_t bom = _ts_bom_len(buf, len);
    return looks_like_lines(buf + bom, len - bom);
}

/* See ts_internal.h. */
ts_status_t _ts_read_json_lines(const char *buf, size_t len, const char *source,
                                ts_format_t fmt, const ts_scan_cbs_t *cbs, long *line)
{
    jreader_t rd = { source, fmt, cbs };

    size_t bom = *line == 1 ? _ts_bom_len(buf, len) : 0;
    return read_stream(&rd, buf + bom, len - bom, line);
}
