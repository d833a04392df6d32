/* schema.c - the one table of fields.
 *
 * The indexer (db.cc) reads it to decide which terms a record gets, the
 * query parser (search.cc) to learn the field names, aliases and prefixes,
 * and the command line tools and man pages to document the query language.
 * Term prefixes and value slots are listed in ts_internal.h.
 *
 * A field with a non-zero weight is part of the default (unprefixed)
 * search; above 1 it is one of the short fields where a trial says what
 * it is about, and at 3 (titles, conditions) its words count twice there
 * (ts_internal.h, TS_WEIGHT_*).  Exclusion criteria are not in the
 * default search.
 */
#include "ts_internal.h"

#include <strings.h>
#include <string.h>

#define TEXT(n, a, p, w, s, h) { { n, a, TS_FIELD_TEXT, h }, p, -1, w, s, 1 }
/* A long free-text field of the default search: stems only of its own, no
 * positions (ts_internal.h). */
#define LONG(n, a, p, w, s, h) { { n, a, TS_FIELD_TEXT, h }, p, -1, w, s, 0 }
#define FILTER(n, a, p, s, h)  { { n, a, TS_FIELD_FILTER, h }, p, -1, 0, s, 0 }
#define RANGE(n, a, slot, h)   { { n, a, TS_FIELD_RANGE, h }, "", slot, 0, _TS_SRC_NONE, 0 }

const _ts_field_t _ts_schema[] = {
    TEXT("title", "titles", "S", TS_WEIGHT_TWICE, _TS_SRC_TITLE,
         "brief and official titles, acronym"),
    TEXT("condition", "cond", "XC", TS_WEIGHT_TWICE, _TS_SRC_CONDITION,
         "conditions or diseases studied"),
    TEXT("intervention", "intr", "XI", TS_WEIGHT_SHORT, _TS_SRC_INTERVENTION,
         "interventions (type, name, other names, description) and arms"),
    TEXT("outcome", "outc", "XOP XOS", 0, _TS_SRC_NONE,
         "primary and secondary outcome measures"),
    LONG("primary", "", "XOP", 1, _TS_SRC_PRIMARY,
         "primary outcome measures"),
    LONG("secondary", "", "XOS", 1, _TS_SRC_SECONDARY,
         "secondary outcome measures"),
    TEXT("keyword", "keywords", "XK", TS_WEIGHT_SHORT, _TS_SRC_KEYWORD,
         "keywords given by the sponsor"),
    TEXT("mesh", "", "XM", TS_WEIGHT_SHORT, _TS_SRC_MESH,
         "MeSH terms of conditions and interventions (with ancestors)"),
    LONG("summary", "descr", "XB", 1, _TS_SRC_SUMMARY,
         "brief summary and detailed description"),
    LONG("eligibility", "elig", "XEL XIN XEX", 1, _TS_SRC_ELIGIBILITY,
         "eligibility criteria, all of it"),
    LONG("inclusion", "", "XIN", 1, _TS_SRC_INCLUSION,
         "inclusion criteria"),
    TEXT("exclusion", "", "XEX", 0, _TS_SRC_EXCLUSION,
         "exclusion criteria (not in the default search)"),
    TEXT("sponsor", "spons", "XSP", 1, _TS_SRC_SPONSOR,
         "lead sponsor and collaborators"),
    LONG("location", "locn", "XL", 1, _TS_SRC_LOCATION,
         "facilities, cities, states and countries"),
    LONG("official", "investigator", "XPI", 1, _TS_SRC_OFFICIAL,
         "overall officials and their affiliations"),
    LONG("other", "", "XT", 1, _TS_SRC_OTHER,
         "text under headings that have no field of their own"),
    FILTER("id", "nct", "XID", _TS_SRC_ID,
           "NCT id or secondary id, exactly"),
    FILTER("status", "", "XST", _TS_SRC_STATUS,
           "overall status: recruiting, completed, ... or open"),
    FILTER("phase", "", "XPH", _TS_SRC_PHASE,
           "phase: early1, 1, 2, 3, 4, 1/2, 2/3, na"),
    FILTER("type", "studytype", "XTY", _TS_SRC_TYPE,
           "study type: interventional, observational, expanded_access"),
    FILTER("sex", "gender", "XSX", _TS_SRC_SEX,
           "sex: female or male (admits trials open to all), all"),
    FILTER("healthy", "", "XHV", _TS_SRC_HEALTHY,
           "accepts healthy volunteers: yes or no"),
    FILTER("country", "", "XCO", _TS_SRC_COUNTRY,
           "country of a location"),
    FILTER("age", "", "", _TS_SRC_NONE,
           "an age in years the trial's age limits admit (missing limits admit)"),
    RANGE("start", "", TS_SLOT_START, "start date: 2012..2016, 2020-01-01.."),
    RANGE("primary_completion", "", TS_SLOT_PRIMARY_COMPLETION,
          "primary completion date range"),
    RANGE("completion", "", TS_SLOT_COMPLETION, "completion date range"),
    RANGE("posted", "first_posted", TS_SLOT_FIRST_POSTED,
          "first posted date range"),
    RANGE("updated", "last_update", TS_SLOT_UPDATED,
          "last update posted date range"),
    RANGE("enrollment", "", TS_SLOT_ENROLLMENT, "enrollment range: 50..200"),
};

const size_t _ts_schema_len = sizeof _ts_schema / sizeof _ts_schema[0];

const _ts_field_t *_ts_schema_find(const char *name)
{
    size_t nlen = strlen(name);
    for (size_t i = 0; i < _ts_schema_len; i++) {
        const _ts_field_t *f = &_ts_schema[i];
        if (strcasecmp(f->info.name, name) == 0)
            return f;
        /* aliases: space separated words */
        for (const char *a = f->info.aliases; *a;) {
            size_t len = strcspn(a, " ");
            if (len == nlen && strncasecmp(a, name, len) == 0)
                return f;
            a += len;
            a += strspn(a, " ");
        }
    }
    return NULL;
}

size_t ts_schema_field_count(void)
{
    return _ts_schema_len;
}

const ts_field_info_t *ts_schema_field(size_t i)
{
    return i < _ts_schema_len ? &_ts_schema[i].info : NULL;
}
