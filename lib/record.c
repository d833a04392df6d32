/* record.c - the trial record: allocation, JSON form, format names,
 * hand-over to scans.
 *
 * The members of ts_record_t and of its element structs are described once
 * in the tables below; freeing, writing JSON and reading JSON all walk the
 * same tables, so a field added to the struct is added here once.
 */
#include "ts_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

typedef enum { M_STR, M_LIST } member_kind;

typedef struct {
    const char *key;
    size_t off;
    member_kind kind;
} member_t;

typedef struct {
    const char *key;
    size_t arr_off;     /* offset of the element pointer in ts_record_t */
    size_t n_off;       /* offset of the count */
    size_t size;        /* element size */
    const member_t *m;  /* element members */
    size_t nm;
} array_t;

#define S(T, f) { #f, offsetof(T, f), M_STR }
#define L(T, f) { #f, offsetof(T, f), M_LIST }
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const member_t record_members[] = {
    { "id", offsetof(ts_record_t, nct_id), M_STR },
    L(ts_record_t, secondary_ids),
    S(ts_record_t, brief_title),
    S(ts_record_t, official_title),
    S(ts_record_t, acronym),
    { "status", offsetof(ts_record_t, overall_status), M_STR },
    L(ts_record_t, phases),
    S(ts_record_t, study_type),
    L(ts_record_t, conditions),
    L(ts_record_t, condition_mesh),
    L(ts_record_t, condition_mesh_ancestors),
    L(ts_record_t, intervention_mesh),
    L(ts_record_t, intervention_mesh_ancestors),
    L(ts_record_t, keywords),
    S(ts_record_t, brief_summary),
    S(ts_record_t, detailed_description),
    S(ts_record_t, eligibility),
    S(ts_record_t, inclusion),
    S(ts_record_t, exclusion),
    S(ts_record_t, sex),
    S(ts_record_t, lead_sponsor),
    L(ts_record_t, collaborators),
    S(ts_record_t, start_date),
    S(ts_record_t, primary_completion_date),
    S(ts_record_t, completion_date),
    S(ts_record_t, first_posted),
    S(ts_record_t, last_update),
    L(ts_record_t, other_text),
};

static const member_t intervention_members[] = {
    S(ts_intervention_t, type), S(ts_intervention_t, name),
    S(ts_intervention_t, description), L(ts_intervention_t, other_names),
    L(ts_intervention_t, arm_labels),
};
static const member_t arm_members[] = {
    S(ts_arm_t, label), S(ts_arm_t, type), S(ts_arm_t, description),
    L(ts_arm_t, interventions),
};
static const member_t outcome_members[] = {
    S(ts_outcome_t, measure), S(ts_outcome_t, time_frame),
    S(ts_outcome_t, description),
};
static const member_t location_members[] = {
    S(ts_location_t, facility), S(ts_location_t, city), S(ts_location_t, state),
    S(ts_location_t, zip), S(ts_location_t, country),
};
static const member_t official_members[] = {
    S(ts_official_t, name), S(ts_official_t, role), S(ts_official_t, affiliation),
};

#define ARR(key, f, nf, T, m) \
    { key, offsetof(ts_record_t, f), offsetof(ts_record_t, nf), sizeof(T), m, N_OF(m) }
static const array_t record_arrays[] = {
    ARR("interventions", interventions, n_interventions, ts_intervention_t, intervention_members),
    ARR("arms", arms, n_arms, ts_arm_t, arm_members),
    ARR("primary_outcomes", primary_outcomes, n_primary_outcomes, ts_outcome_t, outcome_members),
    ARR("secondary_outcomes", secondary_outcomes, n_secondary_outcomes, ts_outcome_t, outcome_members),
    ARR("officials", officials, n_officials, ts_official_t, official_members),
    ARR("locations", locations, n_locations, ts_location_t, location_members),
};

#define AT(base, off, T) ((T *)((char *)(base) + (off)))

ts_record_t *ts_record_new(void)
{
    ts_record_t *rec = calloc(1, sizeof *rec);
    if (!rec) {
        _ts_error(TS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    rec->min_age = rec->max_age = TS_AGE_NONE;
    rec->healthy_volunteers = -1;
    rec->enrollment = -1;
    return rec;
}

/* Free the members of one struct described by m[0..nm). */
static void free_members(void *base, const member_t *m, size_t nm)
{
    for (size_t i = 0; i < nm; i++) {
        if (m[i].kind == M_STR)
            free(*AT(base, m[i].off, char *));
        else
            _ts_strlist_free(AT(base, m[i].off, ts_strlist_t));
    }
}

void ts_record_free(ts_record_t *rec)
{
    if (!rec)
        return;
    free_members(rec, record_members, N_OF(record_members));
    for (size_t a = 0; a < N_OF(record_arrays); a++) {
        const array_t *ar = &record_arrays[a];
        char *elems = *AT(rec, ar->arr_off, char *);
        size_t n = *AT(rec, ar->n_off, size_t);
        for (size_t i = 0; i < n; i++)
            free_members(elems + i * ar->size, ar->m, ar->nm);
        free(elems);
    }
    free(rec->source);
    free(rec);
}

/* ---- JSON ------------------------------------------------------------ */

/* Add the members of one struct to obj; absent values are left out.
 * Returns 0 on success, -1 when out of memory. */
static int members_to_json(json_t *obj, const void *base, const member_t *m, size_t nm)
{
    for (size_t i = 0; i < nm; i++) {
        if (m[i].kind == M_STR) {
            const char *s = *AT(base, m[i].off, char *);
            if (s && json_object_set_new(obj, m[i].key, json_string(s)) != 0)
                return -1;
        } else {
            const ts_strlist_t *l = AT(base, m[i].off, ts_strlist_t);
            if (!l->n)
                continue;
            json_t *arr = json_array();
            if (!arr || json_object_set_new(obj, m[i].key, arr) != 0)
                return -1;
            for (size_t k = 0; k < l->n; k++)
                if (json_array_append_new(arr, json_string(l->v[k])) != 0)
                    return -1;
        }
    }
    return 0;
}

char *ts_record_to_json(const ts_record_t *rec, int with_source)
{
    json_t *o = json_object();
    int bad = !o || members_to_json(o, rec, record_members, N_OF(record_members));
    for (size_t a = 0; !bad && a < N_OF(record_arrays); a++) {
        const array_t *ar = &record_arrays[a];
        const char *elems = *AT(rec, ar->arr_off, char *);
        size_t n = *AT(rec, ar->n_off, size_t);
        if (!n)
            continue;
        json_t *arr = json_array();
        bad = !arr || json_object_set_new(o, ar->key, arr) != 0;
        for (size_t i = 0; !bad && i < n; i++) {
            json_t *e = json_object();
            bad = !e || json_array_append_new(arr, e) != 0 ||
                  members_to_json(e, elems + i * ar->size, ar->m, ar->nm);
        }
    }
    if (!bad && rec->min_age != TS_AGE_NONE)
        bad = json_object_set_new(o, "min_age", json_real(rec->min_age));
    if (!bad && rec->max_age != TS_AGE_NONE)
        bad = json_object_set_new(o, "max_age", json_real(rec->max_age));
    if (!bad && rec->healthy_volunteers >= 0)
        bad = json_object_set_new(o, "healthy_volunteers", json_boolean(rec->healthy_volunteers));
    if (!bad && rec->enrollment >= 0)
        bad = json_object_set_new(o, "enrollment", json_integer(rec->enrollment));
    char *out = bad ? NULL : json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (out && with_source) {
        char *all = _ts_record_json_add_source(out, rec);
        free(out);
        return all; /* error set */
    }
    if (!out)
        _ts_error(TS_ERR_NOMEM, "out of memory");
    return out;
}

char *_ts_record_json_add_source(const char *json, const ts_record_t *rec)
{
    json_t *o = json_object();
    int bad = !o || json_object_set_new(o, "format", json_string(ts_format_name(rec->format)));
    if (!bad && rec->source)
        bad = json_object_set_new(o, "source", json_string(rec->source));
    char *tail = bad ? NULL : json_dumps(o, JSON_COMPACT); /* {"format":...} */
    json_decref(o);
    size_t n = strlen(json);
    char *out = tail && n >= 2 ? malloc(n + strlen(tail) + 1) : NULL;
    if (!out) {
        free(tail);
        _ts_error(TS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    /* json without its closing brace, a comma unless it is "{}", the
     * members of tail */
    memcpy(out, json, n - 1);
    size_t k = n - 1;
    if (n > 2)
        out[k++] = ',';
    strcpy(out + k, tail + 1);
    free(tail);
    return out;
}

/* Read the members of one struct from obj.  -1 when out of memory. */
static int members_from_json(const json_t *obj, void *base, const member_t *m, size_t nm)
{
    for (size_t i = 0; i < nm; i++) {
        json_t *v = json_object_get(obj, m[i].key);
        if (!v)
            continue;
        if (m[i].kind == M_STR) {
            if (json_is_string(v) &&
                !(*AT(base, m[i].off, char *) = strdup(json_string_value(v))))
                return -1;
        } else if (json_is_array(v)) {
            size_t k;
            json_t *e;
            json_array_foreach(v, k, e) {
                if (json_is_string(e) &&
                    _ts_strlist_add(AT(base, m[i].off, ts_strlist_t), json_string_value(e)) != TS_OK)
                    return -1;
            }
        }
    }
    return 0;
}

ts_record_t *_ts_record_from_json(const char *text, size_t len)
{
    json_t *o = json_loadb(text, len, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    ts_record_t *rec = ts_record_new();
    int bad = !rec || members_from_json(o, rec, record_members, N_OF(record_members));
    for (size_t a = 0; !bad && a < N_OF(record_arrays); a++) {
        const array_t *ar = &record_arrays[a];
        json_t *arr = json_object_get(o, ar->key);
        size_t n = json_array_size(arr);
        if (!n)
            continue;
        /* capacity: the next power of two, as _ts_add_* expect */
        size_t cap = 1;
        while (cap < n)
            cap *= 2;
        char *elems = calloc(cap, ar->size);
        if (!elems) {
            bad = 1;
            break;
        }
        *AT(rec, ar->arr_off, char *) = elems;
        *AT(rec, ar->n_off, size_t) = n;
        for (size_t i = 0; !bad && i < n; i++)
            bad = members_from_json(json_array_get(arr, i), elems + i * ar->size, ar->m, ar->nm);
    }
    if (!bad) {
        json_t *v;
        if (json_is_number(v = json_object_get(o, "min_age")))
            rec->min_age = json_number_value(v);
        if (json_is_number(v = json_object_get(o, "max_age")))
            rec->max_age = json_number_value(v);
        if (json_is_boolean(v = json_object_get(o, "healthy_volunteers")))
            rec->healthy_volunteers = json_is_true(v);
        if (json_is_integer(v = json_object_get(o, "enrollment")))
            rec->enrollment = (long)json_integer_value(v);
        if (json_is_string(v = json_object_get(o, "format")))
            ts_format_parse(json_string_value(v), &rec->format);
        if (json_is_string(v = json_object_get(o, "source")))
            bad = !(rec->source = strdup(json_string_value(v)));
    }
    json_decref(o);
    if (bad) {
        ts_record_free(rec);
        _ts_error(TS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return rec;
}

/* ---- hand-over --------------------------------------------------------- */

/* Make a reason fit on one line of a terminal, in place: control
 * characters (line breaks from libxml2, bytes quoted from the input)
 * become spaces, runs of spaces fold to one, bytes that are not UTF-8 (a
 * character cut by truncation, input quoted raw) become '?', and trailing
 * blanks go. */
static void one_line(char *s)
{
    size_t len = strlen(s), bad, r = 0, w = 0;

    while (r < len) {
        unsigned char c = (unsigned char)s[r];
        if (c < 0x20 || c == 0x7f) {
            if (w > 0 && s[w - 1] != ' ')
                s[w++] = ' ';
            r++;
        } else if (c < 0x80) {
            if (c != ' ' || (w > 0 && s[w - 1] != ' '))
                s[w++] = (char)c;
            r++;
        } else {
            /* Copy one whole character, else mark the byte. */
            size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            if (n > 1 && r + n <= len && _ts_valid_utf8(s + r, n, &bad)) {
                memmove(s + w, s + r, n);
                w += n;
                r += n;
            } else {
                s[w++] = '?';
                r++;
            }
        }
    }
    while (w > 0 && s[w - 1] == ' ')
        w--;
    s[w] = '\0';
}

/* See ts_internal.h.  The reason is formatted, cut at 1 KB and made one
 * line (one_line) before the callback sees it. */
ts_status_t _ts_reject(const ts_scan_cbs_t *cbs, const char *source,
                       const char *where, ts_status_t code, const char *fmt, ...)
{
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    one_line(reason);
    if (!cbs->reject)
        return TS_OK;
    return cbs->reject(cbs->ctx, source ? source : "-", where, code, reason);
}

ts_status_t _ts_emit(const ts_scan_cbs_t *cbs, ts_record_t *rec,
                     ts_format_t fmt, const char *source, const char *where)
{
    ts_status_t st;
    char *id = rec->nct_id;
    if (!id || !*id) {
        st = _ts_reject(cbs, source, where, TS_ERR_BAD_RECORD, "record has no NCT id");
        ts_record_free(rec);
        return st;
    }
    size_t len = strlen(id);
    for (size_t i = 0; i < len; i++) {
        if (isspace((unsigned char)id[i]) || (unsigned char)id[i] < 0x20 || len > _TS_ID_MAX) {
            st = _ts_reject(cbs, source, where, TS_ERR_BAD_RECORD,
                            "implausible NCT id (%zu bytes%s)", len,
                            len > _TS_ID_MAX ? ", too long" : ", contains white space");
            ts_record_free(rec);
            return st;
        }
        id[i] = (char)toupper((unsigned char)id[i]);
    }
    rec->format = fmt;
    if (source && !rec->source && !(rec->source = strdup(source))) {
        ts_record_free(rec);
        return _ts_error(TS_ERR_NOMEM, "out of memory");
    }
    if ((st = _ts_split_eligibility(rec)) != TS_OK) {
        ts_record_free(rec);
        return st;
    }
    if (!cbs->record) {
        ts_record_free(rec);
        return TS_OK;
    }
    return cbs->record(cbs->ctx, rec);
}

/* ------------------------------------------------------------------ */
/* Format names                                                        */

/* Short name of a format; "unknown" for a value outside the enum. */
const char *ts_format_name(ts_format_t fmt)
{
    switch (fmt) {
    case TS_FORMAT_AUTO: return "auto";
    case TS_FORMAT_XML: return "xml";
    case TS_FORMAT_V2JSON: return "json";
    case TS_FORMAT_CLASSIC_JSON: return "classic";
    case TS_FORMAT_TEXT: return "text";
    }
    return "unknown";
}

/* *out = the format called name (ASCII case ignored): "auto", "xml",
 * "json" "v2" "v2json", "classic" "classic-json", "text" "txt".
 * TS_ERR_INVALID (with a message) when name is unknown or NULL; *out is
 * then unchanged. */
ts_status_t ts_format_parse(const char *name, ts_format_t *out)
{
    static const struct {
        const char *name;
        ts_format_t fmt;
    } names[] = {
        { "auto", TS_FORMAT_AUTO },
        { "xml", TS_FORMAT_XML },
        { "json", TS_FORMAT_V2JSON },
        { "v2", TS_FORMAT_V2JSON },
        { "v2json", TS_FORMAT_V2JSON },
        { "classic", TS_FORMAT_CLASSIC_JSON },
        { "classic-json", TS_FORMAT_CLASSIC_JSON },
        { "text", TS_FORMAT_TEXT },
        { "txt", TS_FORMAT_TEXT },
    };

    if (!out)
        return _ts_error(TS_ERR_INVALID, "ts_format_parse: no output");
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].fmt;
            return TS_OK;
        }
    }
    return _ts_error(TS_ERR_INVALID,
                     "unknown format '%s' (expected auto, xml, json, classic or text)",
                     name ? name : "");
}
