/* trialsearch.h - the public C API of libtrialsearch.
 *
 * libtrialsearch reads clinical trial registry records (ClinicalTrials.gov
 * legacy XML, API v2 JSON, classic API JSON and plain-text trial pages),
 * keeps them in a full-text index and searches it.
 *
 * Conventions
 * - Every name is ts_* (functions, types) or TS_* (constants).
 * - Functions that can fail return ts_status_t.  On failure a message for
 *   people is available from ts_last_error() in the same thread until the
 *   next call that fails.
 * - Handles (ts_db_t, ts_results_t) are opaque.  Objects belong to their
 *   parent: a hit belongs to its results, results to nothing (free them with
 *   ts_results_free).  A returned `const char *` lives as long as its owner.
 *   Anything the caller must free is said so at the function.
 * - A ts_db_t serves one thread at a time: threads that search at once
 *   open a handle each (as trialsearch --batch --jobs N does).  Handles
 *   on the same index in different threads are fine.
 * - No C++ exception ever leaves this library.
 */
#ifndef TRIALSEARCH_H
#define TRIALSEARCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TS_VERSION "0.2.0"
/* Version of the index layout.  An index written with another schema
 * version is refused with TS_ERR_VERSION: re-index. */
#define TS_SCHEMA_VERSION 8

/* ------------------------------------------------------------------ */
/* Status codes                                                        */

typedef enum ts_status {
    TS_OK = 0,
    TS_ERR_NOT_FOUND,   /* no such index, record or file */
    TS_ERR_LOCKED,      /* the index is locked by another writer */
    TS_ERR_MODIFIED,    /* the index changed under a reader (after retries) */
    TS_ERR_CORRUPT,     /* the index is damaged */
    TS_ERR_VERSION,     /* index schema/analyzer mismatch: re-index */
    TS_ERR_BAD_QUERY,   /* query syntax error */
    TS_ERR_BAD_RECORD,  /* a record could not be read */
    TS_ERR_IO,          /* read, write or disk-full error */
    TS_ERR_NOMEM,       /* out of memory */
    TS_ERR_INVALID,     /* invalid argument or usage */
    TS_ERR_INTERNAL,    /* unexpected failure inside the library */
    TS_ERR_NOT_RECORD   /* an input that is no trial record in any format */
} ts_status_t;

/* Short stable name of a status ("locked", "bad-query", ...). */
const char *ts_status_name(ts_status_t st);

/* Message describing the most recent failure in this thread ("" if none).
 * Valid until the next failing call in this thread. */
const char *ts_last_error(void);

/* ------------------------------------------------------------------ */
/* The record model                                                    */

typedef enum ts_format {
    TS_FORMAT_AUTO = 0,
    TS_FORMAT_XML,          /* ClinicalTrials.gov legacy <clinical_study> */
    TS_FORMAT_V2JSON,       /* ClinicalTrials.gov API v2 JSON */
    TS_FORMAT_CLASSIC_JSON, /* retired classic API JSON */
    TS_FORMAT_TEXT          /* plain-text trial page */
} ts_format_t;

/* "xml", "json", "classic", "text" ("auto" for TS_FORMAT_AUTO). */
const char *ts_format_name(ts_format_t fmt);
/* Parse a format name as accepted by --format.  TS_ERR_INVALID if unknown. */
ts_status_t ts_format_parse(const char *name, ts_format_t *out);

/* A list of strings; v[0..n-1] are NUL-terminated. */
typedef struct ts_strlist {
    size_t n;
    char **v;
} ts_strlist_t;

typedef struct ts_intervention {
    char *type;         /* "Drug", "Biological", ... (display form) */
    char *name;
    char *description;
    ts_strlist_t other_names;
    ts_strlist_t arm_labels;
} ts_intervention_t;

typedef struct ts_arm {
    char *label;
    char *type;         /* "Experimental", "No Intervention", ... */
    char *description;
    ts_strlist_t interventions;
} ts_arm_t;

typedef struct ts_outcome {
    char *measure;
    char *time_frame;
    char *description;
} ts_outcome_t;

typedef struct ts_location {
    char *facility;
    char *city;
    char *state;
    char *zip;
    char *country;
} ts_location_t;

typedef struct ts_official {
    char *name;
    char *role;
    char *affiliation;
} ts_official_t;

/* Age limits are in years; TS_AGE_NONE means no limit was given. */
#define TS_AGE_NONE (-1.0)

/* One trial.  Every string is NULL when absent, NUL-terminated UTF-8 with
 * white space folded (runs of blanks become one space; long texts keep
 * their line breaks).  Enumerated fields hold the canonical values noted.
 * Dates are "YYYY", "YYYY-MM" or "YYYY-MM-DD".  The record owns everything
 * it points to; free it with ts_record_free. */
typedef struct ts_record {
    char *nct_id;               /* "NCT01234567", or a derived local id */
    ts_strlist_t secondary_ids; /* org study id, secondary ids, aliases */
    char *brief_title;
    char *official_title;
    char *acronym;
    char *overall_status;       /* API v2 enum: "RECRUITING", "COMPLETED" ... */
    ts_strlist_t phases;        /* "EARLY_PHASE1" "PHASE1".."PHASE4" "NA" */
    char *study_type;           /* "INTERVENTIONAL" "OBSERVATIONAL" "EXPANDED_ACCESS" */
    ts_strlist_t conditions;
    ts_strlist_t condition_mesh;     /* MeSH terms of the conditions */
    ts_strlist_t condition_mesh_ancestors;
    ts_strlist_t intervention_mesh;
    ts_strlist_t intervention_mesh_ancestors;
    ts_strlist_t keywords;
    ts_intervention_t *interventions;
    size_t n_interventions;
    ts_arm_t *arms;
    size_t n_arms;
    ts_outcome_t *primary_outcomes;
    size_t n_primary_outcomes;
    ts_outcome_t *secondary_outcomes;
    size_t n_secondary_outcomes;
    char *brief_summary;
    char *detailed_description;
    char *eligibility;          /* the whole criteria text */
    char *inclusion;            /* inclusion part, where marked */
    char *exclusion;            /* exclusion part, where marked */
    double min_age;             /* years, or TS_AGE_NONE */
    double max_age;             /* years, or TS_AGE_NONE */
    char *sex;                  /* "ALL" "FEMALE" "MALE" */
    int healthy_volunteers;     /* 1 yes, 0 no, -1 unknown */
    long enrollment;            /* participants, or -1 unknown */
    char *lead_sponsor;
    ts_strlist_t collaborators;
    ts_official_t *officials;
    size_t n_officials;
    ts_location_t *locations;
    size_t n_locations;
    char *start_date;
    char *primary_completion_date;
    char *completion_date;
    char *first_posted;
    char *last_update;
    ts_strlist_t other_text;    /* text under headings with no field */
    /* Provenance: not part of the trial's content. */
    ts_format_t format;
    char *source;               /* path[:member] it was read from */
} ts_record_t;

/* A new, empty record (ages TS_AGE_NONE, enrollment and healthy -1).
 * NULL when out of memory.  Free with ts_record_free. */
ts_record_t *ts_record_new(void);
/* Free a record and everything it owns.  NULL is allowed. */
void ts_record_free(ts_record_t *rec);
/* The record as a JSON object text (every field present in the record;
 * provenance included when with_source is non-zero).  Caller frees with
 * free().  NULL when out of memory. */
char *ts_record_to_json(const ts_record_t *rec, int with_source);

/* ------------------------------------------------------------------ */
/* Reading records                                                     */

/* Callbacks of a scan.  record: receives each record read and takes
 * ownership of it; a status other than TS_OK stops the scan and is
 * returned by it.  reject: told about each record or file that could not
 * be read, with source "path" or "archive:member", a locator of the record
 * in it ("record 3", "line 12", "NCT01234567") or NULL, the status and a
 * reason; a status other than TS_OK stops the scan.  progress (optional):
 * total input bytes read so far (compressed bytes for archives).  skip
 * (optional): told about a file found by walking a directory that is no
 * trial record at all (TS_ERR_NOT_RECORD: a README, a topics file ...);
 * without it such files are rejected.  wants (optional): told the NCT id
 * of the next record, as written (ASCII letters and digits, case kept),
 * when a reader can tell it from the raw text for sure, before parsing it
 * (a legacy XML document, a single API v2 or classic study object);
 * returning 0 passes the record over unparsed, and no callback is called
 * for it; returning non-zero reads it, and exactly one call of record,
 * reject or skip follows (none when that callback is NULL, or when the
 * scan fails for want of memory).  Records whose id cannot be told so are
 * read as usual.  Standard input is named "<stdin>". */
typedef struct ts_scan_cbs {
    ts_status_t (*record)(void *ctx, ts_record_t *rec);
    ts_status_t (*reject)(void *ctx, const char *source, const char *where,
                          ts_status_t code, const char *reason);
    void (*progress)(void *ctx, uint64_t bytes);
    void *ctx;
    void (*skip)(void *ctx, const char *source, const char *reason);
    int (*wants)(void *ctx, const char *id);
} ts_scan_cbs_t;

/* Guess the format of a buffer (and its name, which may be NULL).
 * TS_FORMAT_AUTO when none fits. */
ts_format_t ts_detect_format(const char *buf, size_t len, const char *name);

/* Read the records in one buffer, named `source` in messages.  fmt may be
 * TS_FORMAT_AUTO.  Returns TS_OK when the buffer was read (even if some
 * records were rejected through cbs->reject), or the status a callback
 * stopped with. */
ts_status_t ts_parse_buffer(const char *buf, size_t len, const char *source,
                            ts_format_t fmt, const ts_scan_cbs_t *cbs);

/* Read every record under path: a file, a directory (recursive, in name
 * order; hidden files and files named README*, MANIFEST*, *.md, *.tsv ...
 * are passed over), an archive (.zip .tar .tar.gz .tgz .gz .xz, read in
 * place) or "-" for standard input.  Unreadable files and members are
 * rejected through cbs->reject and the scan goes on. */
ts_status_t ts_scan_path(const char *path, ts_format_t fmt,
                         const ts_scan_cbs_t *cbs);

/* ------------------------------------------------------------------ */
/* The index                                                           */

typedef struct ts_db ts_db_t;

#define TS_DB_READ   0x0   /* open for searching */
#define TS_DB_WRITE  0x1   /* open for indexing; creates the index */
#define TS_DB_SCRATCH 0x2  /* with TS_DB_WRITE: an index thrown away unless
                              its writer finishes (a shard of a build that is
                              merged at the end): commits are not forced to
                              disk, so a crash of the machine can lose them */
#define TS_DB_SEGMENTS 0x4 /* with TS_DB_WRITE | TS_DB_SCRATCH, for a new index:
                              write it as segments of TS_DB_SEGMENT_DOCS
                              records each (separate indexes PATH.seg-0000,
                              PATH.seg-0001, ...), listed by a stub file at
                              PATH; merge them with ts_db_compact */
#define TS_DB_SEGMENT_DOCS 10000

/* The index location when none is given: $TRIALSEARCH_DB, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/trialsearch/index.  Caller frees.
 * NULL when out of memory or when no home directory is known. */
char *ts_db_default_path(void);

/* Open the index at path.  TS_DB_WRITE creates it if missing and fails
 * with TS_ERR_LOCKED while another writer holds it.  A reader fails with
 * TS_ERR_NOT_FOUND when there is no index, TS_ERR_VERSION when it was
 * written by an incompatible schema.  *out is set on success only. */
ts_status_t ts_db_open(const char *path, int flags, ts_db_t **out);

/* Open several indexes (directories or Xapian stub files listing local
 * and remote shards) for searching as one. */
ts_status_t ts_db_open_many(const char *const *paths, size_t n, ts_db_t **out);

/* Close the index.  For a writer, pending changes are committed first;
 * the status says whether that commit succeeded.  NULL is allowed. */
ts_status_t ts_db_close(ts_db_t *db);

/* Make the changes so far durable and visible to readers. */
ts_status_t ts_db_commit(ts_db_t *db);

/* Discard changes not yet committed (used to abandon a failed batch).
 * In a segmented index, earlier segments keep what they hold. */
ts_status_t ts_db_cancel(ts_db_t *db);

/* A segmented index (TS_DB_SEGMENTS) starts its next segment at the first
 * commit after docs records went into the current one; 0: never. */
ts_status_t ts_db_set_segment_size(ts_db_t *db, uint64_t docs);

/* Re-read a reader's view of the index to see the latest commit. */
ts_status_t ts_db_reopen(ts_db_t *db);

typedef enum ts_put_result {
    TS_PUT_NEW = 0,     /* the id was not in the index */
    TS_PUT_UPDATED,     /* replaced an earlier version */
    TS_PUT_UNCHANGED,   /* identical to the stored version: skipped */
    TS_PUT_OLDER        /* the index holds a newer version: skipped */
} ts_put_result_t;

/* Add or replace one record (keyed by nct_id).  A record whose content
 * equals the stored one is skipped; so is one whose last update is older
 * than the stored one's (or equal, from a less complete format).  The
 * record stays the caller's.  Records lacking an id are TS_ERR_BAD_RECORD. */
ts_status_t ts_db_put(ts_db_t *db, const ts_record_t *rec,
                      ts_put_result_t *result);

/* Remove the record with this NCT id.  *removed (may be NULL) is set to
 * 1 if it was there, 0 if not. */
ts_status_t ts_db_delete(ts_db_t *db, const char *id, int *removed);

/* Remove every record that no ts_db_put on this handle has named since it
 * was opened.  *removed (may be NULL) gets the count. */
ts_status_t ts_db_prune(ts_db_t *db, uint64_t *removed);

/* Fetch one record by NCT id (or secondary id).  Caller frees *out with
 * ts_record_free.  TS_ERR_NOT_FOUND if absent. */
ts_status_t ts_db_get(ts_db_t *db, const char *id, ts_record_t **out);

typedef struct ts_stats {
    uint64_t documents;
    uint64_t terms;             /* distinct terms */
    uint64_t size_bytes;        /* on disk */
    int schema_version;
    char last_update[32];       /* ISO 8601 UTC of the last commit, or "" */
    char analyzer[64];          /* analyzer settings stored in the index */
} ts_stats_t;

ts_status_t ts_db_stats(ts_db_t *db, ts_stats_t *out);

/* ------------------------------------------------------------------ */
/* Searching                                                           */

typedef enum ts_sort {
    TS_SORT_RELEVANCE = 0,
    TS_SORT_START,
    TS_SORT_UPDATED,
    TS_SORT_ENROLLMENT
} ts_sort_t;

/* Search options.  Zero-initialise, then set what you need
 * (ts_query_opts_init does it and sets limit 10, age TS_AGE_NONE,
 * healthy -1).  Filter strings use the query language's values and may
 * list several values separated by commas (any of them admits). */
typedef struct ts_query_opts {
    const char *query;          /* query language text (may be NULL/"") */
    const char *status;         /* "recruiting", "open", ... */
    const char *phase;          /* "1", "2", "1/2", "early1", "na" */
    const char *type;           /* "interventional", ... */
    const char *sex;            /* "female" admits FEMALE and ALL trials */
    const char *country;
    double age;                 /* admit trials whose limits admit this age */
    int healthy;                /* 1 accepts healthy volunteers, 0 not, -1 any */
    size_t offset;
    size_t limit;
    ts_sort_t sort;
    int reverse;
    const char *facets;         /* "status,phase,condition,country,sponsor" */
    unsigned snippet_chars;     /* 0: default 200 */
    int flags;                  /* TS_Q_* */
    const char *patient;        /* a case description: rank the trials this
                                   patient may be eligible for (query is
                                   then ignored) */
    const char *similar;        /* an NCT id: the trials most like it */
} ts_query_opts_t;

#define TS_Q_NO_FALLBACK    0x1  /* no partial matches when all words fail */
#define TS_Q_NO_EXPAND      0x2  /* no abbreviation, synonym or MeSH expansion */
#define TS_Q_NO_FIELDS      0x4  /* no field weights: every field counts alike */
#define TS_Q_NO_ELIGIBILITY 0x8  /* patient: ignore its age and sex */
#define TS_Q_NO_EXCLUSION   0x10 /* patient: no penalty for matching a
                                    trial's exclusion criteria */
#define TS_Q_NO_FEEDBACK    0x20 /* patient: no pseudo-relevance feedback */
#define TS_Q_STRICT_ELIGIBILITY 0x40 /* patient: leave out (rather than
                                        demote) trials its age or sex
                                        excludes */
#define TS_Q_NO_SPELLING    0x80 /* no "did you mean" correction */
#define TS_Q_NO_DETAILS     0x100 /* hits without snippets or matched fields
                                     (faster, for ids and rankings) */
/* Plain BM25: what --plain means (no expansion, no field weights, no
 * eligibility, exclusion or feedback). */
#define TS_Q_PLAIN (TS_Q_NO_EXPAND | TS_Q_NO_FIELDS | TS_Q_NO_ELIGIBILITY | \
                    TS_Q_NO_EXCLUSION | TS_Q_NO_FEEDBACK)

void ts_query_opts_init(ts_query_opts_t *opts);

typedef struct ts_results ts_results_t;

/* One hit; belongs to its results. */
typedef struct ts_hit {
    size_t rank;                /* 1-based, counting the offset */
    double score;
    const ts_record_t *record;  /* the stored record */
    const char *snippet;        /* best matching text; matches between
                                   "\x01" and "\x02" markers */
    const char *snippet_field;  /* field the snippet came from: "title",
                                   "condition", "summary", "description",
                                   "intervention", "outcome", "eligibility",
                                   "keyword", "mesh", "sponsor", "location" */
} ts_hit_t;

/* Run a search.  TS_ERR_BAD_QUERY for a syntax error (ts_last_error says
 * where, with its column in the query as typed).  A reader reopens the
 * index and retries by itself when a writer commits under it;
 * TS_ERR_MODIFIED only when that keeps failing.  limit 0 counts the
 * matches exactly and returns no hits.  Sorting by a date or enrollment
 * puts the latest or largest first (reverse flips it); trials lacking the
 * value come last.  Free *out with ts_results_free. */
ts_status_t ts_search(ts_db_t *db, const ts_query_opts_t *opts,
                      ts_results_t **out);

void ts_results_free(ts_results_t *res);
size_t ts_results_count(const ts_results_t *res);   /* hits held */
uint64_t ts_results_total(const ts_results_t *res); /* estimated matches */
/* 1 when ts_results_total is the exact number of matches, 0 when it is
 * Xapian's estimate (the matcher stopped once it knew the best hits). */
int ts_results_total_exact(const ts_results_t *res);
/* Hit i.  With TS_Q_NO_DETAILS its record is read from the index on the
 * first call (NULL without memory). */
const ts_hit_t *ts_results_hit(const ts_results_t *res, size_t i);
/* The NCT id, rank and score of hit i, without reading its record: the
 * cheap way to list ids or rankings.  NULL and 0 when i is out of range. */
const char *ts_results_id(const ts_results_t *res, size_t i);
size_t ts_results_rank(const ts_results_t *res, size_t i);
double ts_results_score(const ts_results_t *res, size_t i);
/* The query as understood: Xapian's description, tidied (filters and
 * ranges shown as typed, e.g. "age:70", "start:2012..2016"). */
const char *ts_results_parsed(const ts_results_t *res);
/* Names of the free-text fields in which hit i matched the query, space
 * separated in schema order ("" if only filters matched). */
const char *ts_results_hit_fields(const ts_results_t *res, size_t i);
/* Words dropped to find partial matches, space separated, or NULL. */
const char *ts_results_dropped(const ts_results_t *res);
/* A spelling suggestion: the query with its words that are in no record
 * replaced by the nearest words of the index, or NULL. */
const char *ts_results_suggestion(const ts_results_t *res);
/* Non-zero when nothing matched the query as typed and the hits are those
 * of ts_results_suggestion instead. */
int ts_results_corrected(const ts_results_t *res);
/* What the search added to the query, one line each: expansions ("als ->
 * amyotrophic lateral sclerosis (abbreviation, weight 0.48)"), what was
 * read from a patient description (age, sex, terms and their weights),
 * feedback terms.  "" when nothing. */
const char *ts_results_explain(const ts_results_t *res);

/* Facets: for facet field f (0 <= f < ts_results_facet_count), its name
 * and its values with counts over all matches, most frequent first. */
size_t ts_results_facet_count(const ts_results_t *res);
const char *ts_results_facet_name(const ts_results_t *res, size_t f);
size_t ts_results_facet_size(const ts_results_t *res, size_t f);
const char *ts_results_facet_value(const ts_results_t *res, size_t f,
                                   size_t i, uint64_t *count);

/* ------------------------------------------------------------------ */
/* The schema                                                          */

typedef enum ts_field_kind {
    TS_FIELD_TEXT = 0,  /* free text, stemmed, positional */
    TS_FIELD_FILTER,    /* exact values (boolean filter) */
    TS_FIELD_RANGE      /* dates or numbers: a..b */
} ts_field_kind_t;

typedef struct ts_field_info {
    const char *name;       /* "condition" */
    const char *aliases;    /* "cond" (space separated), or "" */
    ts_field_kind_t kind;
    const char *help;       /* one line for --help and the man page */
} ts_field_info_t;

/* The fields of the query language, in documentation order. */
size_t ts_schema_field_count(void);
const ts_field_info_t *ts_schema_field(size_t i);

/* ------------------------------------------------------------------ */
/* Shards and parallel indexing                                        */
/*
 * A sharded index is a directory holding a Xapian stub file XAPIANDB,
 * one line per shard ("auto shard-0", "remote HOST:PORT"), and its local
 * shard directories.  ts_db_open and ts_db_open_many open it (or a stub
 * file named directly) as one index, with the ranking of one index.  Each
 * trial is kept in shard ts_shard_of(id, number of shards).
 */

/* Which of n shards holds the trial with this id (ASCII case ignored):
 * a stable hash, the same on every run and machine.  0 when n <= 1. */
unsigned ts_shard_of(const char *id, unsigned n);

/* What ts_db_put would do with rec (TS_PUT_NEW, _UPDATED, _UNCHANGED or
 * _OLDER) without writing or analysing it.  The handle may be a reader
 * (reopened and retried when a writer commits under it). */
ts_status_t ts_db_check(ts_db_t *db, const ts_record_t *rec, ts_put_result_t *result);

/* Count id as named in this run for ts_db_prune without putting it (a
 * record another process found unchanged). */
ts_status_t ts_db_mark_seen(ts_db_t *db, const char *id);

/* The number of records in the index (cheap, unlike ts_db_stats). */
ts_status_t ts_db_doccount(ts_db_t *db, uint64_t *count);

/* Parse the JSON made by ts_record_to_json back into a record (free it
 * with ts_record_free).  NULL on malformed input or out of memory. */
ts_record_t *ts_record_from_json(const char *json, size_t len);

/* Merge the n indexes srcs into dest by compaction (a new index, or an
 * existing one holding no record and no writer, which is replaced in one
 * step).  Metadata found in several: the mined vocabulary is added up,
 * the last update is the latest.  The sources are left as they were. */
ts_status_t ts_db_compact(const char *const *srcs, size_t n, const char *dest);

/* The local shards listed by the stub of path (a directory holding
 * XAPIANDB, or a stub file), as paths usable from here.  Caller frees
 * each string and the array.  TS_ERR_NOT_FOUND when path has no stub;
 * TS_ERR_INVALID when it lists a remote shard (index that on its host). */
ts_status_t ts_stub_read(const char *path, char ***shards, size_t *n);

/* Write the stub of a sharded index: path is a directory (XAPIANDB is
 * written in it) or a file.  Each entry is a local path (relative to the
 * stub's directory, or absolute) or a line "remote HOST:PORT".  Replaced
 * in one step. */
ts_status_t ts_stub_write(const char *path, const char *const *shards, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* TRIALSEARCH_H */
