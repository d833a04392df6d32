/* ts_internal.h - declarations shared between the files of libtrialsearch.
 *
 * Names here are _ts_* (shared between files, not exported).  One section
 * per file.  Nothing here is part of the public API.
 */
#ifndef TS_INTERNAL_H
#define TS_INTERNAL_H

#include "trialsearch.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TS_PRINTF(a, b)
#endif

/* ---- error.c ------------------------------------------------------- */

/* Record msg as this thread's last error and return st. */
ts_status_t _ts_error(ts_status_t st, const char *fmt, ...) TS_PRINTF(2, 3);
/* Forget the last error (ts_last_error() returns ""). */
void _ts_error_clear(void);

/* ---- text.c: strings and values shared by every reader -------------- */

/* A copy of s[0..len) with white space folded: leading and trailing blanks
 * go, runs of spaces and tabs become one space.  keep_lines: line breaks
 * are kept (at most one blank line in a row, each line trimmed); else they
 * fold to spaces too.  NULL if the result is empty or out of memory. */
char *_ts_clean(const char *s, size_t len, int keep_lines);

/* *dst = cleaned copy of s (keep_lines as above), freeing the old value.
 * An empty or NULL s leaves *dst unchanged.  TS_ERR_NOMEM on failure. */
ts_status_t _ts_set(char **dst, const char *s, int keep_lines);

/* Append a cleaned copy of s to l (empty strings are skipped).
 * _ts_strlist_add_unique skips values already present (exactly). */
ts_status_t _ts_strlist_add(ts_strlist_t *l, const char *s);
ts_status_t _ts_strlist_add_unique(ts_strlist_t *l, const char *s);
int _ts_strlist_has(const ts_strlist_t *l, const char *s);
void _ts_strlist_free(ts_strlist_t *l);

/* New zeroed element at the end of the record's array; NULL when out of
 * memory. */
ts_intervention_t *_ts_add_intervention(ts_record_t *rec);
ts_arm_t *_ts_add_arm(ts_record_t *rec);
ts_outcome_t *_ts_add_outcome(ts_record_t *rec, int primary);
ts_location_t *_ts_add_location(ts_record_t *rec);
ts_official_t *_ts_add_official(ts_record_t *rec);

/* Canonical values.  Each accepts the spellings of every supported format
 * (legacy XML "Active, not recruiting", API v2 "ACTIVE_NOT_RECRUITING",
 * classic "Active, not recruiting", text pages "Recruiting") and returns a
 * static string, or NULL when the text is not recognised. */
const char *_ts_norm_status(const char *s);
const char *_ts_norm_study_type(const char *s);
const char *_ts_norm_sex(const char *s);
/* Add the phases named in s ("Phase 1/Phase 2", "PHASE1", "Early Phase 1",
 * "N/A", "Phase 1 Phase 2", "Phase 2/3") to l as "EARLY_PHASE1",
 * "PHASE1".."PHASE4", "NA".  Returns how many were recognised. */
int _ts_norm_phases(ts_strlist_t *l, const char *s);
/* Display form of canonical values: "Active, not recruiting", "Phase 1",
 * "Interventional".  Returns the input when unknown. */
const char *_ts_status_label(const char *canon);
const char *_ts_phase_label(const char *canon);

/* An age limit in years: "18 Years", "6 Months", "2 Weeks", "30 Days",
 * "65" (years).  TS_AGE_NONE for "N/A", empty, NULL or unreadable. */
double _ts_parse_age(const char *s);
/* A date as "YYYY-MM-DD", "YYYY-MM" or "YYYY" (malloc'd): accepts
 * "April 5, 2022", "April 2011", "2011-04", "2022-04-05", "5 April 2022".
 * NULL when unreadable. */
char *_ts_parse_date(const char *s);
/* 1 for yes/true/"Accepts Healthy Volunteers", 0 for no/false/"No healthy
 * volunteers"/"Does not accept ...", -1 else. */
int _ts_parse_yesno(const char *s);
/* First whole number in s ("60 participants", "1,200"), or -1. */
long _ts_parse_count(const char *s);

/* Fill rec->inclusion and rec->exclusion from rec->eligibility where the
 * text marks them ("Inclusion Criteria:" ... "Exclusion Criteria:"),
 * unless a reader already set them. */
ts_status_t _ts_split_eligibility(ts_record_t *rec);

/* A stable id for a record that has no NCT id, derived from the base name
 * of its source (without extension): "TS" followed by 12 hex digits.
 * Writes at most 15 bytes including the NUL into out. */
void _ts_local_id(const char *source, char out[16]);

/* 64-bit FNV-1a hash, continuing from h (start with _TS_HASH_INIT). */
#define _TS_HASH_INIT 0xcbf29ce484222325ULL
uint64_t _ts_hash64(const void *data, size_t len, uint64_t h);

/* 1 if s[0..len) is valid UTF-8 with no NUL byte; else 0 and *bad gets
 * the offset of the first bad byte. */
int _ts_valid_utf8(const char *s, size_t len, size_t *bad);

/* 3 when buf[0..len) starts with a UTF-8 byte order mark, else 0. */
size_t _ts_bom_len(const char *buf, size_t len);

/* ---- record.c ------------------------------------------------------- */

/* Longest NCT id accepted: registry ids are short, and the unique term
 * must stay far below Xapian's 245-byte term limit. */
#define _TS_ID_MAX 64

/* Whether c may be part of an id a reader tells before parsing (an ASCII
 * letter or digit: ts_scan_cbs_t.wants). */
static inline int _ts_id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Hand a finished record to the scan: checks it has an id (else rejects
 * it), sets its format and source, splits its eligibility text, then
 * calls cbs->record (which takes ownership).  rec is consumed in every
 * case.  where locates it in the source for messages (may be NULL). */
ts_status_t _ts_emit(const ts_scan_cbs_t *cbs, ts_record_t *rec,
                     ts_format_t fmt, const char *source, const char *where);

/* Report a rejected record or file through cbs->reject. */
ts_status_t _ts_reject(const ts_scan_cbs_t *cbs, const char *source,
                       const char *where, ts_status_t code,
                       const char *fmt, ...) TS_PRINTF(5, 6);

/* Parse the JSON made by ts_record_to_json back into a record.  NULL on
 * malformed input or out of memory. */
ts_record_t *_ts_record_from_json(const char *json, size_t len);

/* json (ts_record_to_json without source) with the record's format and
 * source added, as ts_record_to_json with source writes it.  Caller frees;
 * NULL without memory. */
char *_ts_record_json_add_source(const char *json, const ts_record_t *rec);

/* ---- readers: read_xml.c, read_json.c, read_text.c ------------------ */

/* Each reads every record in buf[0..len) and hands it on with _ts_emit;
 * bad records are reported with _ts_reject and the rest goes on.
 * Returns TS_OK, or the status a callback stopped with. */
ts_status_t _ts_read_xml(const char *buf, size_t len, const char *source,
                         const ts_scan_cbs_t *cbs);
/* fmt: TS_FORMAT_V2JSON, TS_FORMAT_CLASSIC_JSON or TS_FORMAT_AUTO (decided
 * per object).  Accepts a single study object, {"studies":[...]}, classic
 * {"FullStudiesResponse":{"FullStudies":[{"Study":...}]}}, a JSON array of
 * studies, or JSON Lines. */
ts_status_t _ts_read_json(const char *buf, size_t len, const char *source,
                          ts_format_t fmt, const ts_scan_cbs_t *cbs);
/* 1 when buf[0..len) starts as JSON Lines (one of its first two non-blank
 * lines is a whole JSON value, as _ts_read_json decides): a large file
 * that does is read piece by piece (input.c). */
int _ts_json_lines_start(const char *buf, size_t len);
/* The JSON Lines in buf[0..len), whole lines, the first being line *line
 * of source (for the places named in messages); fmt as for _ts_read_json.
 * *line becomes the number of the line after them. */
ts_status_t _ts_read_json_lines(const char *buf, size_t len, const char *source,
                                ts_format_t fmt, const ts_scan_cbs_t *cbs, long *line);
ts_status_t _ts_read_text(const char *buf, size_t len, const char *source,
                          const ts_scan_cbs_t *cbs);

/* ---- analyze.c ------------------------------------------------------ */

/* Settings of the analyzer, stored in the index and compared on open. */
#define _TS_ANALYZER "utf8proc-nfkc-casefold-stripmark;stem=english;v1"

/* Unicode normalization used for indexing: NFKC, case folded, marks
 * removed.  Caller frees.  NULL when out of memory; invalid UTF-8 bytes
 * are replaced by U+FFFD first. */
char *_ts_normalize(const char *s, size_t len);
/* The same for a query: words are folded, but the operators AND OR NOT
 * XOR NEAR ADJ (upper case) are kept as typed. */
char *_ts_normalize_query(const char *s);

/* ---- schema.c ------------------------------------------------------- */

/* Value slots. */
enum {
    TS_SLOT_START = 0,          /* "YYYYMMDD" (missing parts: 01) */
    TS_SLOT_PRIMARY_COMPLETION,
    TS_SLOT_COMPLETION,
    TS_SLOT_FIRST_POSTED,
    TS_SLOT_UPDATED,
    TS_SLOT_ENROLLMENT,         /* sortable_serialise(count) */
    TS_SLOT_MIN_AGE,            /* sortable_serialise(years or 0) */
    TS_SLOT_MAX_AGE,            /* sortable_serialise(years or 1000) */
    TS_SLOT_HASH,               /* content hash, 16 hex digits */
    TS_SLOT_FORMAT,             /* format rank, one digit */
    TS_SLOT_F_STATUS,           /* facet values, joined by '\x1f' */
    TS_SLOT_F_PHASE,
    TS_SLOT_F_CONDITION,
    TS_SLOT_F_COUNTRY,
    TS_SLOT_F_SPONSOR,
    TS_SLOT_F_TYPE,
    TS_SLOT_ID,                 /* the NCT id (schema 3) */
    TS_SLOT_COUNT
};

/* What a record field contributes to a schema field. */
typedef enum _ts_src {
    _TS_SRC_NONE = 0,
    _TS_SRC_TITLE, _TS_SRC_CONDITION, _TS_SRC_MESH, _TS_SRC_KEYWORD,
    _TS_SRC_INTERVENTION, _TS_SRC_PRIMARY, _TS_SRC_SECONDARY,
    _TS_SRC_SUMMARY, _TS_SRC_ELIGIBILITY, _TS_SRC_INCLUSION,
    _TS_SRC_EXCLUSION, _TS_SRC_SPONSOR, _TS_SRC_LOCATION,
    _TS_SRC_OFFICIAL, _TS_SRC_OTHER, _TS_SRC_ID,
    _TS_SRC_STATUS, _TS_SRC_PHASE, _TS_SRC_TYPE, _TS_SRC_SEX,
    _TS_SRC_HEALTHY, _TS_SRC_COUNTRY
} _ts_src_t;

/* One row of the schema: it drives indexing, the query parser, --help and
 * the man page.
 * - name, aliases: the query language's field names.
 * - prefixes: Xapian term prefixes, space separated (the first is where
 *   the field is indexed; a field with several searches each).
 * - kind: free text, exact filter, or range over slot.
 * - weight: for free text, its place in the default search: 0 out of it
 *   (exclusion criteria); 1 in it; TS_WEIGHT_SHORT (2) also one of the
 *   short fields where an added phrase is looked for (search.cc,
 *   short_fields_query); TS_WEIGHT_TWICE (3) also counted twice: the words
 *   are indexed once more under TS_PREFIX_WEIGHTED, with which a
 *   default-search word is ORed at query time.
 * - src: which record data feeds it (_TS_SRC_NONE for a field that only
 *   searches the prefixes of others).
 * - positions: free text: 1 when the field's own terms are its words,
 *   stems and word positions; 0 for the long fields of the default
 *   search, whose own terms are stems only ("ZXBtrial"), without
 *   positions: their words as written and positions are in the unprefixed
 *   copy, and a phrase or an exact word in such a field is matched as the
 *   field's stems plus the phrase or word in the default search
 *   (search.cc, stems_only).  Positions are half the size of an index,
 *   the long fields' words as written a fifth of a record's terms.
 * Term prefixes in use: Q unique id; S title; XC condition; XM MeSH; XK
 * keyword; XI intervention and arms; XOP/XOS primary/secondary outcome; XB
 * summary and description; XEL criteria with no marked parts; XIN/XEX
 * inclusion/exclusion; XSP sponsor; XL location; XPI official; XT other
 * text; XID ids (folded); XST status; XPH phase; XTY study type; XSX sex;
 * XHV healthy volunteers; XCO country (folded); XW titles and conditions
 * once more (TS_PREFIX_WEIGHTED); XMH each MeSH heading whole
 * (TS_PREFIX_HEADING). */
#define TS_PREFIX_WEIGHTED "XW"
/* A record's MeSH headings and their ancestors, each one term: "XMH" and
 * the heading in _ts_vocab_key form ("XMHlung diseases"), weighted as a
 * word named once.  A MeSH expansion (search.cc, heading_query) reads
 * that one posting list rather than all of its words'. */
#define TS_PREFIX_HEADING "XMH"
#define TS_WEIGHT_SHORT 2
#define TS_WEIGHT_TWICE 3

typedef struct _ts_field {
    ts_field_info_t info;
    const char *prefixes;
    int slot;                   /* range fields: value slot, else -1 */
    unsigned weight;
    _ts_src_t src;
    int positions;
} _ts_field_t;

extern const _ts_field_t _ts_schema[];
extern const size_t _ts_schema_len;

/* The row named name or one of its aliases (ASCII case ignored), or NULL. */
const _ts_field_t *_ts_schema_find(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* TS_INTERNAL_H */
