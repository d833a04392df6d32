/* print.c - the back ends of the trialsearch printer (see print.h).
 *
 * text:  a header line, then per hit its rank, id, title, a line of
 *        status, phases and conditions, and the snippet with the matched
 *        words in bold colour (or [brackets] without colour).
 * json:  JSON Lines; schema version PRINT_FORMAT_VERSION, documented in
 *        trialsearch(1): {"type":"hit",...} per hit, then
 *        {"type":"summary",...}; {"type":"error",...} for a failed batch
 *        line.
 * ids:   one NCT id per line (batch: "LINE<TAB>ID").
 * count: the number of matches (batch: "LINE<TAB>COUNT").
 * trec:  "TOPIC Q0 ID RANK SCORE TAG" per hit.
 */
#include "print.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ANSI escapes used on a terminal. */
#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_ID "\033[1;33m"
#define C_META "\033[2m"
#define C_MATCH "\033[1;31m"
#define C_NOTE "\033[35m"

/* The record fields that --fields accepts (the keys of ts_record_to_json). */
static const char *const RECORD_FIELDS[] = {
    "id", "secondary_ids", "brief_title", "official_title", "acronym",
    "status", "phases", "study_type", "conditions", "condition_mesh",
    "condition_mesh_ancestors", "intervention_mesh",
    "intervention_mesh_ancestors", "keywords", "brief_summary",
    "detailed_description", "eligibility", "inclusion", "exclusion", "sex",
    "min_age", "max_age", "healthy_volunteers", "enrollment",
    "lead_sponsor", "collaborators", "officials", "locations", "arms",
    "interventions", "primary_outcomes", "secondary_outcomes", "start_date",
    "primary_completion_date", "completion_date", "first_posted",
    "last_update", "other_text", "format", "source",
};
#define N_RECORD_FIELDS (sizeof RECORD_FIELDS / sizeof RECORD_FIELDS[0])

const char *print_field_names(void)
{
    static char buf[1024];
    if (!buf[0])
        for (size_t i = 0; i < N_RECORD_FIELDS; i++) {
            if (i)
                strcat(buf, " ");
            strcat(buf, RECORD_FIELDS[i]);
        }
    return buf;
}

int print_check_fields(const char *fields, const char **bad)
{
    const char *p = fields;
    while (*p) {
        size_t n = strcspn(p, ",");
        int known = n == 3 && strncmp(p, "all", 3) == 0;
        for (size_t i = 0; !known && i < N_RECORD_FIELDS; i++)
            known = strlen(RECORD_FIELDS[i]) == n && strncmp(RECORD_FIELDS[i], p, n) == 0;
        if (!known && n > 0) {
            *bad = p;
            return -1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

int print_format_parse(const char *name)
{
    static const char *const names[] = {"text", "json", "ids", "count", "trec"};
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcasecmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* ---- labels --------------------------------------------------------- */

/* "ACTIVE_NOT_RECRUITING" -> "Active, not recruiting" in buf. */
static const char *status_label(const char *s, char *buf, size_t size)
{
    if (!s)
        return "Unknown status";
    if (strcmp(s, "ACTIVE_NOT_RECRUITING") == 0)
        return "Active, not recruiting";
    size_t i = 0;
    for (; s[i] && i + 1 < size; i++) {
        char c = s[i] == '_' ? ' ' : s[i];
        buf[i] = i == 0 ? c : (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    }
    buf[i] = '\0';
    return buf;
}

/* "PHASE1" -> "Phase 1", "EARLY_PHASE1" -> "Early Phase 1", "NA" -> "N/A". */
static const char *phase_label(const char *s, char *buf, size_t size)
{
    if (strcmp(s, "NA") == 0)
        return "N/A";
    if (strncmp(s, "EARLY_PHASE", 11) == 0) {
        snprintf(buf, size, "Early Phase %s", s + 11);
        return buf;
    }
    if (strncmp(s, "PHASE", 5) == 0) {
        snprintf(buf, size, "Phase %s", s + 5);
        return buf;
    }
    return s;
}

/* ---- text ------------------------------------------------------------ */

/* Write s with the snippet markers \x01 \x02 turned into colour or
 * brackets. */
static void put_snippet(FILE *f, const char *s, int color)
{
    for (; *s; s++) {
        if (*s == '\x01')
            fputs(color ? C_MATCH : "[", f);
        else if (*s == '\x02')
            fputs(color ? C_RESET : "]", f);
        else
            fputc(*s, f);
    }
}

static void text_facets(printer_t *p, const ts_results_t *res)
{
    FILE *f = p->opts.out;
    size_t nf = ts_results_facet_count(res);
    for (size_t i = 0; i < nf; i++) {
        size_t n = ts_results_facet_size(res, i);
        fprintf(f, "%s%s:%s", p->opts.color ? C_BOLD : "", ts_results_facet_name(res, i),
                p->opts.color ? C_RESET : "");
        for (size_t k = 0; k < n && k < 10; k++) {
            uint64_t c;
            const char *v = ts_results_facet_value(res, i, k, &c);
            fprintf(f, "%s %s (%llu)", k ? "," : "", v, (unsigned long long)c);
        }
        if (n > 10)
            fprintf(f, ", ... (%zu values)", n);
        if (n == 0)
            fputs(" -", f);
        fputc('\n', f);
    }
    if (nf)
        fputc('\n', f);
}

static void text_search(printer_t *p, const print_search_t *s)
{
    FILE *f = p->opts.out;
    int color = p->opts.color;
    const ts_results_t *res = s->res;
    uint64_t total = ts_results_total(res);
    const char *dropped = ts_results_dropped(res);
    char buf[128];

    if (p->opts.batch)
        fprintf(f, "# line %ld: %s\n", s->line, s->query);
    fprintf(f, "%s%llu trial%s %s\n", ts_results_total_exact(res) ? "" : "about ",
            (unsigned long long)total, total == 1 ? " matches" : "s match",
            ts_results_parsed(res));
    const char *suggestion = ts_results_suggestion(res);
    if (suggestion && ts_results_corrected(res))
        fprintf(f, "%sNo trial matches the query as typed; showing results for: %s%s\n",
                color ? C_NOTE : "", suggestion, color ? C_RESET : "");
    else if (suggestion)
        fprintf(f, "%sDid you mean: %s%s\n", color ? C_NOTE : "", suggestion,
                color ? C_RESET : "");
    if (dropped)
        fprintf(f, "%sNo trial matches all words; showing trials that match some. Dropped: %s%s\n",
                color ? C_NOTE : "", dropped, color ? C_RESET : "");
    if (p->opts.explain) {
        fprintf(f, "Parsed query: %s\n", ts_results_parsed(res));
        const char *ex = ts_results_explain(res);
        while (ex && *ex) {
            size_t len = strcspn(ex, "\n");
            fprintf(f, "Added: %.*s\n", (int)len, ex);
            ex += len + (ex[len] == '\n');
        }
    }
    fputc('\n', f);
    text_facets(p, res);

    size_t n = ts_results_count(res);
    for (size_t i = 0; i < n; i++) {
        const ts_hit_t *h = ts_results_hit(res, i);
        const ts_record_t *r = h->record;
        const char *title = r->brief_title ? r->brief_title
                            : r->official_title ? r->official_title : "(no title)";
        fprintf(f, "%3zu. %s%s%s  %s%s%s\n", h->rank, color ? C_ID : "",
                r->nct_id ? r->nct_id : "?", color ? C_RESET : "", color ? C_BOLD : "",
                title, color ? C_RESET : "");
        fprintf(f, "     %s%s", color ? C_META : "", status_label(r->overall_status, buf, sizeof buf));
        for (size_t k = 0; k < r->phases.n; k++)
            fprintf(f, "%s%s", k ? ", " : " | ", phase_label(r->phases.v[k], buf, sizeof buf));
        for (size_t k = 0; k < r->conditions.n && k < 4; k++)
            fprintf(f, "%s%s", k ? ", " : " | ", r->conditions.v[k]);
        if (r->conditions.n > 4)
            fprintf(f, " (+%zu more)", r->conditions.n - 4);
        fprintf(f, "%s\n", color ? C_RESET : "");
        if (h->snippet && *h->snippet) {
            fputs("     ", f);
            put_snippet(f, h->snippet, color);
            fputc('\n', f);
        }
        if (p->opts.explain) {
            const char *mf = ts_results_hit_fields(res, i);
            fprintf(f, "     score %.3f; matched in: %s; snippet from: %s\n", h->score,
                    mf && *mf ? mf : "(filters only)",
                    h->snippet_field ? h->snippet_field : "-");
        }
        fputc('\n', f);
    }
    if (n == 0 && total > 0 && s->limit > 0)
        fprintf(f, "(no hits on this page: --offset is past the end)\n");
}

static void text_error(printer_t *p, long line, const char *query, ts_status_t st,
                       const char *message)
{
    (void)st;
    fprintf(p->opts.out, "# line %ld: %s\n# error: %s\n\n", line, query, message);
}

/* ---- JSON ------------------------------------------------------------ */

/* A JSON string, or null when s is NULL or not valid UTF-8. */
static json_t *jstr(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

static json_t *jlist(const ts_strlist_t *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, jstr(l->v[i]));
    return a;
}

/* Write one object as a line and free it. */
static void put_json(FILE *f, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    if (s) {
        fputs(s, f);
        fputc('\n', f);
        free(s);
    }
    json_decref(o);
}

/* The snippet without markers, and the highlighted words in *hl. */
static json_t *json_snippet(const char *s, json_t **hl)
{
    *hl = json_array();
    if (!s)
        return json_null();
    size_t n = strlen(s);
    char *plain = malloc(n + 1), *o = plain;
    if (!plain)
        return json_null();
    const char *start = NULL;
    for (const char *c = s; *c; c++) {
        if (*c == '\x01') {
            start = c + 1;
        } else if (*c == '\x02') {
            if (start) {
                json_t *w = json_stringn(start, (size_t)(c - start));
                if (w)
                    json_array_append_new(*hl, w);
            }
            start = NULL;
        } else {
            *o++ = *c;
        }
    }
    *o = '\0';
    json_t *v = jstr(plain);
    free(plain);
    return v;
}

/* Add the --fields of record r to obj. */
static void json_fields(json_t *obj, const ts_record_t *r, const char *fields)
{
    char *js = ts_record_to_json(r, 1);
    json_t *rec = js ? json_loads(js, 0, NULL) : NULL;
    free(js);
    if (!rec)
        return;
    const char *p = fields;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 3 && strncmp(p, "all", 3) == 0) {
            json_object_set(obj, "record", rec);
        } else if (n > 0) {
            char key[64];
            snprintf(key, sizeof key, "%.*s", (int)n, p);
            json_t *v = json_object_get(rec, key);
            json_object_set_new(obj, key, v ? json_incref(v) : json_null());
        }
        p += n;
        if (*p == ',')
            p++;
    }
    json_decref(rec);
}

static void json_search(printer_t *p, const print_search_t *s)
{
    const ts_results_t *res = s->res;
    size_t n = ts_results_count(res);
    for (size_t i = 0; i < n; i++) {
        const ts_hit_t *h = ts_results_hit(res, i);
        const ts_record_t *r = h->record;
        json_t *o = json_object(), *hl;
        json_object_set_new(o, "type", json_string("hit"));
        if (p->opts.batch)
            json_object_set_new(o, "line", json_integer(s->line));
        json_object_set_new(o, "rank", json_integer((json_int_t)h->rank));
        json_object_set_new(o, "id", jstr(r->nct_id));
        json_object_set_new(o, "score", json_real(h->score));
        json_object_set_new(o, "title", jstr(r->brief_title ? r->brief_title : r->official_title));
        json_object_set_new(o, "status", jstr(r->overall_status));
        json_object_set_new(o, "phases", jlist(&r->phases));
        json_object_set_new(o, "conditions", jlist(&r->conditions));
        json_t *iv = json_array();
        for (size_t k = 0; k < r->n_interventions; k++)
            json_array_append_new(iv, jstr(r->interventions[k].name));
        json_object_set_new(o, "interventions", iv);
        json_object_set_new(o, "snippet", json_snippet(h->snippet, &hl));
        json_object_set_new(o, "highlights", hl);
        json_object_set_new(o, "snippet_field", jstr(h->snippet_field));
        if (p->opts.explain) {
            json_t *mf = json_array();
            const char *f = ts_results_hit_fields(res, i);
            while (f && *f) {
                size_t len = strcspn(f, " ");
                json_array_append_new(mf, json_stringn(f, len));
                f += len;
                f += strspn(f, " ");
            }
            json_object_set_new(o, "matched_fields", mf);
        }
        if (p->opts.fields)
            json_fields(o, r, p->opts.fields);
        put_json(p->opts.out, o);
    }

    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("summary"));
    if (p->opts.batch)
        json_object_set_new(o, "line", json_integer(s->line));
    json_object_set_new(o, "total", json_integer((json_int_t)ts_results_total(res)));
    json_object_set_new(o, "total_exact", json_boolean(ts_results_total_exact(res)));
    json_object_set_new(o, "count", json_integer((json_int_t)n));
    json_object_set_new(o, "query", jstr(s->query));
    json_object_set_new(o, "parsed", jstr(ts_results_parsed(res)));
    json_object_set_new(o, "dropped", jstr(ts_results_dropped(res)));
    json_object_set_new(o, "suggestion", jstr(ts_results_suggestion(res)));
    json_object_set_new(o, "corrected", json_boolean(ts_results_corrected(res)));
    json_t *added = json_array();
    for (const char *ex = ts_results_explain(res); ex && *ex;) {
        size_t len = strcspn(ex, "\n");
        json_array_append_new(added, json_stringn(ex, len));
        ex += len + (ex[len] == '\n');
    }
    json_object_set_new(o, "added", added);
    json_object_set_new(o, "elapsed_ms", json_real(s->elapsed_ms));
    size_t nf = ts_results_facet_count(res);
    if (nf) {
        json_t *facets = json_object();
        for (size_t i = 0; i < nf; i++) {
            json_t *vals = json_array();
            size_t nv = ts_results_facet_size(res, i);
            for (size_t k = 0; k < nv; k++) {
                uint64_t c;
                const char *v = ts_results_facet_value(res, i, k, &c);
                json_t *e = json_object();
                json_object_set_new(e, "value", jstr(v));
                json_object_set_new(e, "count", json_integer((json_int_t)c));
                json_array_append_new(vals, e);
            }
            json_object_set_new(facets, ts_results_facet_name(res, i), vals);
        }
        json_object_set_new(o, "facets", facets);
    }
    json_object_set_new(o, "format_version", json_integer(PRINT_FORMAT_VERSION));
    put_json(p->opts.out, o);
}

static void json_error(printer_t *p, long line, const char *query, ts_status_t st,
                       const char *message)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("error"));
    json_object_set_new(o, "line", json_integer(line));
    json_object_set_new(o, "query", jstr(query));
    json_object_set_new(o, "status", jstr(ts_status_name(st)));
    json_object_set_new(o, "message", jstr(message));
    json_object_set_new(o, "format_version", json_integer(PRINT_FORMAT_VERSION));
    put_json(p->opts.out, o);
}

/* ---- ids, count, trec ------------------------------------------------ */

static void ids_search(printer_t *p, const print_search_t *s)
{
    size_t n = ts_results_count(s->res);
    for (size_t i = 0; i < n; i++) {
        if (p->opts.batch)
            fprintf(p->opts.out, "%ld\t", s->line);
        fprintf(p->opts.out, "%s\n", ts_results_id(s->res, i));
    }
}

static void count_search(printer_t *p, const print_search_t *s)
{
    if (p->opts.batch)
        fprintf(p->opts.out, "%ld\t", s->line);
    fprintf(p->opts.out, "%llu\n", (unsigned long long)ts_results_total(s->res));
}

static void trec_search(printer_t *p, const print_search_t *s)
{
    size_t n = ts_results_count(s->res);
    for (size_t i = 0; i < n; i++) {
        if (p->opts.topic)
            fprintf(p->opts.out, "%s", p->opts.topic);
        else
            fprintf(p->opts.out, "%ld", s->line);
        fprintf(p->opts.out, " Q0 %s %zu %.4f %s\n", ts_results_id(s->res, i),
                ts_results_rank(s->res, i), ts_results_score(s->res, i),
                p->opts.run_tag ? p->opts.run_tag : "trialsearch");
    }
}

/* Plain formats report a failed batch line on stderr only, by its number:
 * the message shows the part of the query at fault, made safe for a
 * terminal; the line itself may be long or hold control characters. */
static void plain_error(printer_t *p, long line, const char *query, ts_status_t st,
                        const char *message)
{
    (void)query;
    (void)st;
    fprintf(p->opts.err, "trialsearch: line %ld: %s\n", line, message);
}

printer_t *print_new(print_format_t fmt, const print_opts_t *opts)
{
    printer_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->opts = *opts;
    switch (fmt) {
    case PRINT_TEXT: p->search = text_search; p->error = text_error; break;
    case PRINT_JSON: p->search = json_search; p->error = json_error; break;
    case PRINT_IDS: p->search = ids_search; p->error = plain_error; break;
    case PRINT_COUNT: p->search = count_search; p->error = plain_error; break;
    case PRINT_TREC: p->search = trec_search; p->error = plain_error; break;
    default: free(p); return NULL;
    }
    return p;
}

void print_free(printer_t *p)
{
    free(p);
}
