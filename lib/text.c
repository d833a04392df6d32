/* text.c - strings, lists and value normalizers shared by every reader.
 *
 * The readers of the four formats call these so that the same trial read
 * from any of them gets the same field values: statuses, phases, study
 * types and sexes become the API v2 enumerations, ages become years and
 * dates ISO 8601 at the precision given.
 */
#include "ts_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

/* ---- strings --------------------------------------------------------- */

/* Length of a blank at s (space, tab, CR, VT, FF, or U+00A0 no-break
 * space), 0 if none.  Line feeds are not blanks here. */
static size_t blank_len(const char *s, const char *end)
{
    unsigned char c = (unsigned char)*s;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f')
        return 1;
    if (c == 0xC2 && s + 1 < end && (unsigned char)s[1] == 0xA0)
        return 2;
    return 0;
}

char *_ts_clean(const char *s, size_t len, int keep_lines)
{
    if (!s)
        return NULL;
    const char *end = s + len;
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    int pending_space = 0, pending_lines = 0;
    for (const char *p = s; p < end;) {
        size_t b = blank_len(p, end);
        if (b) {
            pending_space = 1;
            p += b;
            continue;
        }
        if (*p == '\n' || *p == '\0') {
            if (keep_lines)
                pending_lines++;
            else
                pending_space = 1;
            p++;
            continue;
        }
        if (n > 0) {
            if (pending_lines) {
                out[n++] = '\n';
                if (pending_lines > 1)
                    out[n++] = '\n';
            } else if (pending_space) {
                out[n++] = ' ';
            }
        }
        pending_space = pending_lines = 0;
        out[n++] = *p++;
    }
    if (n == 0) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    return out;
}

ts_status_t _ts_set(char **dst, const char *s, int keep_lines)
{
    if (!s)
        return TS_OK;
    errno = 0;
    char *c = _ts_clean(s, strlen(s), keep_lines);
    if (!c) /* empty, or no memory */
        return errno == ENOMEM ? _ts_error(TS_ERR_NOMEM, "out of memory") : TS_OK;
    free(*dst);
    *dst = c;
    return TS_OK;
}

int _ts_strlist_has(const ts_strlist_t *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return 1;
    return 0;
}

/* Append c (owned) to l.  Frees c on failure. */
static ts_status_t strlist_push(ts_strlist_t *l, char *c)
{
    if ((l->n & (l->n - 1)) == 0) { /* grow at powers of two */
        size_t cap = l->n ? l->n * 2 : 1;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            free(c);
            return _ts_error(TS_ERR_NOMEM, "out of memory");
        }
        l->v = v;
    }
    l->v[l->n++] = c;
    return TS_OK;
}

static ts_status_t strlist_add(ts_strlist_t *l, const char *s, int unique)
{
    if (!s)
        return TS_OK;
    char *c = _ts_clean(s, strlen(s), 0);
    if (!c)
        return TS_OK;
    if (unique && _ts_strlist_has(l, c)) {
        free(c);
        return TS_OK;
    }
    return strlist_push(l, c);
}

ts_status_t _ts_strlist_add(ts_strlist_t *l, const char *s)
{
    return strlist_add(l, s, 0);
}

ts_status_t _ts_strlist_add_unique(ts_strlist_t *l, const char *s)
{
    return strlist_add(l, s, 1);
}

void _ts_strlist_free(ts_strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Grow *arr (of *n elements of size sz) by one zeroed element.  The
 * capacity is implicit: it doubles whenever n reaches a power of two, so
 * adding n elements costs O(n) copying. */
static void *array_add(void **arr, size_t *n, size_t sz)
{
    if ((*n & (*n - 1)) == 0) {
        char *a = realloc(*arr, (*n ? *n * 2 : 1) * sz);
        if (!a) {
            _ts_error(TS_ERR_NOMEM, "out of memory");
            return NULL;
        }
        *arr = a;
    }
    char *e = (char *)*arr + *n * sz;
    memset(e, 0, sz);
    (*n)++;
    return e;
}

ts_intervention_t *_ts_add_intervention(ts_record_t *rec)
{
    return array_add((void **)&rec->interventions, &rec->n_interventions,
                     sizeof(ts_intervention_t));
}

ts_arm_t *_ts_add_arm(ts_record_t *rec)
{
    return array_add((void **)&rec->arms, &rec->n_arms, sizeof(ts_arm_t));
}

ts_outcome_t *_ts_add_outcome(ts_record_t *rec, int primary)
{
    if (primary)
        return array_add((void **)&rec->primary_outcomes,
                         &rec->n_primary_outcomes, sizeof(ts_outcome_t));
    return array_add((void **)&rec->secondary_outcomes,
                     &rec->n_secondary_outcomes, sizeof(ts_outcome_t));
}

ts_location_t *_ts_add_location(ts_record_t *rec)
{
    return array_add((void **)&rec->locations, &rec->n_locations,
                     sizeof(ts_location_t));
}

ts_official_t *_ts_add_official(ts_record_t *rec)
{
    return array_add((void **)&rec->officials, &rec->n_officials,
                     sizeof(ts_official_t));
}

/* ---- enumerations ----------------------------------------------------- */

/* s as a key: ASCII letters and digits lower-cased, every other run of
 * characters one '_', none at the ends.  Fits in out[cap]. */
static void make_key(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    int sep = 0;
    for (; *s && n + 2 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c)) {
            if (sep && n)
                out[n++] = '_';
            out[n++] = (char)tolower(c);
            sep = 0;
        } else {
            sep = 1;
        }
    }
    out[n] = '\0';
}

typedef struct {
    const char *canon;
    const char *label;
    const char *alias; /* another key that means the same, or NULL */
} enum_row;

static const enum_row statuses[] = {
    { "RECRUITING", "Recruiting", NULL },
    { "NOT_YET_RECRUITING", "Not yet recruiting", NULL },
    { "ACTIVE_NOT_RECRUITING", "Active, not recruiting", NULL },
    { "ENROLLING_BY_INVITATION", "Enrolling by invitation", NULL },
    { "COMPLETED", "Completed", NULL },
    { "SUSPENDED", "Suspended", NULL },
    { "TERMINATED", "Terminated", NULL },
    { "WITHDRAWN", "Withdrawn", NULL },
    { "UNKNOWN", "Unknown status", "unknown_status" },
    { "AVAILABLE", "Available", NULL },
    { "NO_LONGER_AVAILABLE", "No longer available", NULL },
    { "TEMPORARILY_NOT_AVAILABLE", "Temporarily not available", NULL },
    { "APPROVED_FOR_MARKETING", "Approved for marketing", NULL },
    { "WITHHELD", "Withheld", NULL },
};

static const enum_row phases[] = {
    { "EARLY_PHASE1", "Early Phase 1", NULL },
    { "PHASE1", "Phase 1", NULL },
    { "PHASE2", "Phase 2", NULL },
    { "PHASE3", "Phase 3", NULL },
    { "PHASE4", "Phase 4", NULL },
    { "NA", "Not Applicable", NULL },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The row whose canonical value, as a key, or alias equals key. */
static const enum_row *enum_find(const enum_row *rows, size_t n, const char *key)
{
    char ck[64];
    for (size_t i = 0; i < n; i++) {
        make_key(rows[i].canon, ck, sizeof ck);
        if (strcmp(ck, key) == 0 || (rows[i].alias && strcmp(rows[i].alias, key) == 0))
            return &rows[i];
    }
    return NULL;
}

/* The row of rows[0..n) that s names (any spelling make_key folds to the
 * canonical value or its alias), or NULL. */
static const enum_row *enum_lookup(const enum_row *rows, size_t n, const char *s)
{
    char key[64];
    if (!s)
        return NULL;
    make_key(s, key, sizeof key);
    return enum_find(rows, n, key);
}

const char *_ts_norm_status(const char *s)
{
    const enum_row *r = enum_lookup(statuses, N_OF(statuses), s);
    return r ? r->canon : NULL;
}

const char *_ts_status_label(const char *canon)
{
    const enum_row *r = enum_lookup(statuses, N_OF(statuses), canon);
    return r ? r->label : canon;
}

const char *_ts_phase_label(const char *canon)
{
    const enum_row *r = enum_lookup(phases, N_OF(phases), canon);
    return r ? r->label : canon;
}

const char *_ts_norm_study_type(const char *s)
{
    char key[64];
    if (!s)
        return NULL;
    make_key(s, key, sizeof key);
    if (strncmp(key, "interventional", 14) == 0)
        return "INTERVENTIONAL";
    if (strncmp(key, "observational", 13) == 0)
        return "OBSERVATIONAL";
    if (strncmp(key, "expanded_access", 15) == 0)
        return "EXPANDED_ACCESS";
    return NULL;
}

const char *_ts_norm_sex(const char *s)
{
    char key[64];
    if (!s)
        return NULL;
    make_key(s, key, sizeof key);
    if (strcmp(key, "all") == 0 || strcmp(key, "both") == 0)
        return "ALL";
    if (strcmp(key, "female") == 0 || strcmp(key, "women") == 0 ||
        strcmp(key, "f") == 0)
        return "FEMALE";
    if (strcmp(key, "male") == 0 || strcmp(key, "men") == 0 ||
        strcmp(key, "m") == 0)
        return "MALE";
    return NULL;
}

int _ts_norm_phases(ts_strlist_t *l, const char *s)
{
    char key[256];
    int found = 0;
    if (!s)
        return 0;
    make_key(s, key, sizeof key);
    if (strcmp(key, "n_a") == 0 || strcmp(key, "na") == 0 ||
        strcmp(key, "not_applicable") == 0) {
        _ts_strlist_add_unique(l, "NA");
        return 1;
    }
    /* Walk the key: "phase_1_phase_2", "phase1", "early_phase1",
     * "phase_2_3" (from "Phase 2/3"). */
    for (const char *p = key; (p = strstr(p, "phase")) != NULL;) {
        int early = (p - key >= 6 && strncmp(p - 6, "early_", 6) == 0) ||
                    (p - key >= 5 && strncmp(p - 5, "early", 5) == 0);
        p += 5;
        if (*p == '_')
            p++;
        while (*p >= '0' && *p <= '4') {
            char canon[16];
            if (early && *p == '1')
                snprintf(canon, sizeof canon, "EARLY_PHASE1");
            else if (*p >= '1')
                snprintf(canon, sizeof canon, "PHASE%c", *p);
            else
                break;
            _ts_strlist_add_unique(l, canon);
            found++;
            early = 0;
            p++;
            /* "2_3" continues the same phase group: "Phase 2/3" */
            if (p[0] == '_' && p[1] >= '1' && p[1] <= '4' &&
                (p[2] == '\0' || p[2] == '_'))
                p++;
            else
                break;
        }
    }
    return found;
}

/* ---- numbers and dates ---------------------------------------------- */

double _ts_parse_age(const char *s)
{
    if (!s)
        return TS_AGE_NONE;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return TS_AGE_NONE;
    char *end;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    double per_year = 1;
    if (strncasecmp(end, "month", 5) == 0)
        per_year = 12;
    else if (strncasecmp(end, "week", 4) == 0)
        per_year = 52;
    else if (strncasecmp(end, "day", 3) == 0)
        per_year = 365;
    else if (strncasecmp(end, "hour", 4) == 0)
        per_year = 365 * 24;
    else if (strncasecmp(end, "minute", 6) == 0)
        per_year = 365 * 24 * 60;
    else if (*end && strncasecmp(end, "year", 4) != 0)
        return TS_AGE_NONE;
    /* three decimals: the same text always gives the same value */
    double years = v / per_year;
    return (double)(long long)(years * 1000 + 0.5) / 1000;
}

static const char *const month_names[] = {
    "jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec",
};

/* Month number 1..12 for a word starting with a month name, else 0. */
static int month_of(const char *w)
{
    for (int m = 0; m < 12; m++)
        if (strncasecmp(w, month_names[m], 3) == 0)
            return m + 1;
    return 0;
}

char *_ts_parse_date(const char *s)
{
    int y = 0, m = 0, d = 0;
    char buf[16];
    if (!s)
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
        isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
        (s[4] == '-' || s[4] == '\0' || isspace((unsigned char)s[4]))) {
        /* ISO: YYYY, YYYY-MM, YYYY-MM-DD */
        if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) < 1)
            return NULL;
    } else {
        /* words: "April 5, 2022", "April 2011", "5 April 2022" */
        const char *p = s;
        while (*p) {
            while (*p && !isalnum((unsigned char)*p))
                p++;
            if (!*p)
                break;
            if (isdigit((unsigned char)*p)) {
                long v = strtol(p, (char **)&p, 10);
                if (v >= 1000)
                    y = (int)v;
                else if (v >= 1 && v <= 31 && !d)
                    d = (int)v;
            } else {
                int mo = month_of(p);
                if (mo && !m)
                    m = mo;
                while (isalpha((unsigned char)*p))
                    p++;
            }
        }
    }
    if (y < 1000 || y > 9999 || m < 0 || m > 12 || d < 0 || d > 31)
        return NULL;
    if (m == 0)
        snprintf(buf, sizeof buf, "%04d", y);
    else if (d == 0)
        snprintf(buf, sizeof buf, "%04d-%02d", y, m);
    else
        snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return strdup(buf);
}

int _ts_parse_yesno(const char *s)
{
    char key[64];
    if (!s)
        return -1;
    make_key(s, key, sizeof key);
    if (strcmp(key, "yes") == 0 || strcmp(key, "true") == 0 ||
        strcmp(key, "y") == 0 || strncmp(key, "accepts", 7) == 0)
        return 1;
    if (strcmp(key, "no") == 0 || strcmp(key, "false") == 0 ||
        strcmp(key, "n") == 0 || strncmp(key, "no_", 3) == 0 ||
        strncmp(key, "not_", 4) == 0 || strncmp(key, "does_not_", 9) == 0)
        return 0;
    return -1;
}

long _ts_parse_count(const char *s)
{
    if (!s)
        return -1;
    while (*s && !isdigit((unsigned char)*s))
        s++;
    if (!*s)
        return -1;
    long v = 0;
    for (; isdigit((unsigned char)*s) || (*s == ',' && isdigit((unsigned char)s[1])); s++) {
        if (*s == ',')
            continue;
        if (v > 100000000)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* ---- eligibility ---------------------------------------------------- */

/* Find a heading line "... <word> criteria[:]" in text: the phrase must
 * open its line (after blanks, bullets and "key"/"main"/"major") and be
 * followed by a colon or the end of the line.  Returns the start of the
 * line and sets *body to the text after the heading, or NULL. */
static const char *find_heading(const char *text, const char *word, const char **body)
{
    size_t wl = strlen(word);
    for (const char *line = text; line && *line;) {
        const char *p = line;
        while (*p == ' ' || *p == '\t' || *p == '-' || *p == '*' || *p == '#')
            p++;
        for (int k = 0; k < 2; k++) {
            if (strncasecmp(p, "key ", 4) == 0 || strncasecmp(p, "main ", 5) == 0 ||
                strncasecmp(p, "major ", 6) == 0)
                p = strchr(p, ' ') + 1;
        }
        if (strncasecmp(p, word, wl) == 0 && strncasecmp(p + wl, " criteria", 9) == 0) {
            const char *q = p + wl + 9;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == ':' || *q == '\n' || *q == '\0') {
                if (*q == ':')
                    q++;
                *body = q;
                return line;
            }
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return NULL;
}

ts_status_t _ts_split_eligibility(ts_record_t *rec)
{
    const char *text = rec->eligibility;
    if (!text || rec->inclusion || rec->exclusion)
        return TS_OK;
    const char *inc_body = NULL, *exc_body = NULL;
    const char *inc = find_heading(text, "inclusion", &inc_body);
    const char *exc = find_heading(text, "exclusion", &exc_body);
    if (!inc && !exc)
        return TS_OK;
    if (exc && inc && exc < inc) { /* exclusion listed first */
        rec->exclusion = _ts_clean(exc_body, (size_t)(inc - exc_body), 1);
        rec->inclusion = _ts_clean(inc_body, strlen(inc_body), 1);
    } else {
        if (inc)
            rec->inclusion = _ts_clean(inc_body, exc ? (size_t)(exc - inc_body) : strlen(inc_body), 1);
        else
            rec->inclusion = _ts_clean(text, (size_t)(exc - text), 1);
        if (exc)
            rec->exclusion = _ts_clean(exc_body, strlen(exc_body), 1);
    }
    return TS_OK;
}

/* ---- ids, hashes, UTF-8 ------------------------------------------------ */

uint64_t _ts_hash64(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void _ts_local_id(const char *source, char out[16])
{
    const char *base = source ? source : "";
    const char *slash = strrchr(base, '/');
    if (slash)
        base = slash + 1;
    const char *colon = strrchr(base, ':'); /* archive:member */
    if (colon)
        base = colon + 1;
    size_t len = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        len = (size_t)(dot - base);
    uint64_t h = _ts_hash64(base, len, _TS_HASH_INIT);
    snprintf(out, 16, "TS%012llX", (unsigned long long)(h & 0xffffffffffffULL));
}

size_t _ts_bom_len(const char *buf, size_t len)
{
    return len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

int _ts_valid_utf8(const char *s, size_t len, size_t *bad)
{
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0 || cp == 0) {
            if (bad)
                *bad = i;
            return 0;
        }
        i += (size_t)n;
    }
    return 1;
}
