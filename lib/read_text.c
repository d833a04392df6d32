/* read_text.c - one trial page saved as plain text.
 *
 * People copy trial pages out of their web browser.  Three layouts are
 * known; one heading table serves them all, so that a page mixing them, or
 * one we have not seen, still yields what it can:
 *
 * - the classic ClinicalTrials.gov study page: "Key : | value |" rows,
 *   "Key :" with the value on the next line, two pipe tables (conditions,
 *   interventions and phases; arms and their interventions), an unlabelled
 *   bullet list of outcomes, the criteria, locations grouped by country and
 *   at the very end keyword and MeSH lines ending in " |";
 * - third-party sites: a heading alone on its line, the value below it
 *   (often empty: the next line is the next heading);
 * - registry aggregators: "- Heading" lines followed by "- value" lines.
 *
 * The page is read line by line.  A line is site boilerplate (dropped), a
 * heading or key (looked up case-insensitively in the table below, after
 * folding "- " bullets, trailing colons and pipes, "Actual"/"Estimated"
 * and "(3)" counts), a row of a pipe table, or text of the current
 * section.  A section's text is applied to the record when the next
 * section starts.  Text under headings we do not know goes to other_text
 * with its heading.
 *
 * Keyword and MeSH lines at the end of a classic page lose their headings
 * when copied and are space-joined runs of terms that cannot be split
 * reliably: each such line is kept whole as one keyword (not other_text),
 * so that it is searched with the keyword field's weight like the
 * keywords of the other formats.  Where the page does keep the headings
 * ("Additional relevant MeSH terms:") the lines go to condition_mesh.
 *
 * The conditions cell of the classic page is kept as one condition, not
 * split at commas: the registry's own XML of NCT03828123 has the one
 * condition "Motor Neuron Disease, Amyotrophic Lateral Sclerosis", and
 * several conditions are joined by blanks on the page (NCT03778333).
 *
 * A page with neither an NCT id in a labelled place nor at least three
 * recognised headings is rejected as "not a trial page".  A page with no
 * NCT id gets a local id derived from its file name (_ts_local_id).
 */
#include "ts_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- section kinds and the heading table ----------------------------- */

typedef enum kind {
    K_NONE = 0,     /* no section: stray text, title, preamble */
    K_SKIP,         /* site material: dropped */
    K_FOOTER,       /* site footer: everything after it is dropped */
    K_GROUP,        /* a heading that only groups others */
    K_OTHER,        /* known but unmapped: other_text with its heading */
    K_CONTACT,      /* contact people: dropped, keeps the section open */
    K_ID,
    K_TITLE,
    K_OFFICIAL_TITLE,
    K_ACRONYM,
    K_STATUS,
    K_PHASE,
    K_STATUS_PHASE, /* lines that are either */
    K_TYPE,
    K_CONDITIONS,
    K_INTERVENTIONS,
    K_ARMS_TEXT,    /* an arms table flattened into one line */
    K_KEYWORDS,
    K_MESH,
    K_SUMMARY,
    K_DESCRIPTION,
    K_ELIG,
    K_INCL,
    K_EXCL,
    K_AGES,
    K_MIN_AGE,
    K_MAX_AGE,
    K_SEX,
    K_HEALTHY,
    K_ENROLL,
    K_SPONSOR,
    K_COLLAB,
    K_OFFICIAL,     /* role = the heading */
    K_LOCATIONS,
    K_START,
    K_PCOMPL,
    K_COMPL,
    K_FIRST,
    K_LAST,
    K_POUT,
    K_SOUT,
    K_SECIDS
} kind_t;

/* Flags of a heading row. */
#define H_PREFIX 0x1    /* the line need only start with the name */
#define H_MORE   0x2    /* belongs to the "More Information" block at the
                           end of a classic page (keyword lines follow) */

typedef struct heading {
    const char *name;   /* folded: lower case, single spaces */
    kind_t kind;
    int flags;
} heading_t;

/* Every heading or key we know, folded (see fold_key).  Names are matched
 * whole unless H_PREFIX.  Intervention and arm types ("Drug:",
 * "Experimental:") must not appear here: they open table lines. */
static const heading_t headings[] = {
    { "clinicaltrials.gov identifier", K_ID, 0 },
    { "clinicaltrials.gov id", K_ID, 0 },
    { "nct number", K_ID, 0 },
    { "nct id", K_ID, 0 },
    { "registration number", K_ID, 0 },
    { "brief title", K_TITLE, 0 },
    { "title", K_TITLE, 0 },
    { "study title", K_TITLE, 0 },
    { "official title", K_OFFICIAL_TITLE, 0 },
    { "scientific title", K_OFFICIAL_TITLE, 0 },
    { "acronym", K_ACRONYM, 0 },
    { "recruitment status", K_STATUS, 0 },
    { "overall status", K_STATUS, 0 },
    { "study status", K_STATUS, 0 },
    { "trial status", K_STATUS, 0 },
    { "status", K_STATUS, 0 },
    { "phase", K_PHASE, 0 },
    { "phases", K_PHASE, 0 },
    { "study phase", K_PHASE, 0 },
    { "trial phase", K_PHASE, 0 },
    { "status and phase", K_STATUS_PHASE, 0 },
    { "study type", K_TYPE, 0 },
    { "condition", K_CONDITIONS, 0 },
    { "conditions", K_CONDITIONS, 0 },
    { "condition or disease", K_CONDITIONS, 0 },
    { "intervention", K_INTERVENTIONS, 0 },
    { "interventions", K_INTERVENTIONS, 0 },
    { "intervention/treatment", K_INTERVENTIONS, 0 },
    { "treatments", K_INTERVENTIONS, 0 },
    { "arm && interventions", K_ARMS_TEXT, 0 },
    { "arms and interventions", K_ARMS_TEXT, 0 },
    { "arm & interventions", K_ARMS_TEXT, 0 },
    { "keywords", K_KEYWORDS, 0 },
    { "keywords provided by", K_KEYWORDS, H_PREFIX | H_MORE },
    { "additional relevant mesh terms", K_MESH, H_PREFIX | H_MORE },
    { "mesh terms", K_MESH, 0 },
    { "brief summary", K_SUMMARY, 0 },
    { "summary", K_SUMMARY, 0 },
    { "about", K_SUMMARY, 0 },
    { "about this study", K_SUMMARY, 0 },
    { "detailed description", K_DESCRIPTION, 0 },
    { "full description", K_DESCRIPTION, 0 },
    { "description", K_DESCRIPTION, 0 },
    { "eligibility criteria", K_ELIG, 0 },
    { "criteria", K_ELIG, 0 },
    { "inclusion criteria", K_INCL, 0 },
    { "exclusion criteria", K_EXCL, 0 },
    { "ages eligible for study", K_AGES, 0 },
    { "ages", K_AGES, 0 },
    { "age", K_AGES, 0 },
    { "age range", K_AGES, 0 },
    { "minimum age", K_MIN_AGE, 0 },
    { "maximum age", K_MAX_AGE, 0 },
    { "sexes eligible for study", K_SEX, 0 },
    { "genders eligible for study", K_SEX, 0 },
    { "sex", K_SEX, 0 },
    { "sexes", K_SEX, 0 },
    { "gender", K_SEX, 0 },
    { "accepts healthy volunteers", K_HEALTHY, 0 },
    { "healthy volunteers", K_HEALTHY, 0 },
    { "volunteers", K_HEALTHY, 0 },
    { "enrollment", K_ENROLL, 0 },
    { "target recruitment", K_ENROLL, 0 },
    { "target enrollment", K_ENROLL, 0 },
    { "sponsor", K_SPONSOR, 0 },
    { "lead sponsor", K_SPONSOR, 0 },
    { "sponsors", K_SPONSOR, 0 },
    { "sponsors and collaborators", K_SPONSOR, 0 },
    { "collaborator", K_COLLAB, 0 },
    { "collaborators", K_COLLAB, 0 },
    { "principal investigator", K_OFFICIAL, 0 },
    { "study director", K_OFFICIAL, 0 },
    { "study chair", K_OFFICIAL, 0 },
    { "locations", K_LOCATIONS, 0 },
    { "location", K_LOCATIONS, 0 },
    { "trial locations", K_LOCATIONS, 0 },
    { "study locations", K_LOCATIONS, 0 },
    { "contacts and locations", K_LOCATIONS, 0 },
    { "study start date", K_START, 0 },
    { "study start", K_START, 0 },
    { "start date", K_START, 0 },
    { "primary completion date", K_PCOMPL, 0 },
    { "primary completion", K_PCOMPL, 0 },
    { "study completion date", K_COMPL, 0 },
    { "study completion", K_COMPL, 0 },
    { "completion date", K_COMPL, 0 },
    { "first posted", K_FIRST, 0 },
    { "first posted date", K_FIRST, 0 },
    { "last update posted", K_LAST, 0 },
    { "last updated", K_LAST, 0 },
    { "last update", K_LAST, 0 },
    { "primary outcome measures", K_POUT, 0 },
    { "primary outcome measure", K_POUT, 0 },
    { "primary outcomes", K_POUT, 0 },
    { "primary outcome", K_POUT, 0 },
    { "secondary outcome measures", K_SOUT, 0 },
    { "secondary outcome measure", K_SOUT, 0 },
    { "secondary outcomes", K_SOUT, 0 },
    { "secondary outcome", K_SOUT, 0 },
    { "other outcome measures", K_SOUT, 0 },
    { "other study id numbers", K_SECIDS, H_MORE },
    { "secondary ids", K_SECIDS, 0 },
    { "secondary id", K_SECIDS, 0 },
    { "other ids", K_SECIDS, 0 },
    { "org study id", K_SECIDS, 0 },
    { "contact", K_CONTACT, 0 },
    { "contacts", K_CONTACT, 0 },
    { "contact backup", K_CONTACT, 0 },
    { "central contact", K_CONTACT, 0 },
    { "sub-investigator", K_CONTACT, 0 },
    { "responsible party", K_OTHER, H_MORE },
    { "allocation", K_OTHER, 0 },
    { "intervention model", K_OTHER, 0 },
    { "interventional model", K_OTHER, 0 },
    { "intervention model description", K_OTHER, 0 },
    { "observational model", K_OTHER, 0 },
    { "time perspective", K_OTHER, 0 },
    { "masking", K_OTHER, 0 },
    { "masking description", K_OTHER, 0 },
    { "primary purpose", K_OTHER, 0 },
    { "study design", K_OTHER, 0 },
    { "publications", K_OTHER, 0 },
    { "publications automatically indexed", K_OTHER, H_PREFIX },
    { "last verified", K_SKIP, H_MORE },
    { "url", K_SKIP, 0 },
    { "individual participant data (ipd) sharing statement", K_SKIP, 0 },
    { "plan to share ipd", K_SKIP, 0 },
    { "studies a u.s. fda-regulated drug product", K_SKIP, 0 },
    { "studies a u.s. fda-regulated device product", K_SKIP, 0 },
    { "product manufactured in and exported from the u.s.", K_SKIP, 0 },
    { "related research topics", K_SKIP, 0 },
    { "recruitment & eligibility", K_GROUP, 0 },
    { "study & design", K_GROUP, 0 },
    { "eligibility", K_GROUP, 0 },
    { "more information", K_GROUP, 0 },
    { "study overview", K_GROUP, 0 },
    { "overview", K_GROUP, 0 },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Sections whose text may hold "word: text" lines that are not keys. */
static int is_long_text(kind_t k)
{
    switch (k) {
    case K_SUMMARY: case K_DESCRIPTION: case K_ELIG: case K_INCL:
    case K_EXCL: case K_POUT: case K_SOUT: case K_OTHER: case K_SKIP:
    case K_ARMS_TEXT:
        return 1;
    default:
        return 0;
    }
}

/* ---- small string helpers ------------------------------------------- */

/* Growable string. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf_t;

/* Append s[0..n) to b; sets *rc on failure and does nothing once set. */
static void sb_add(sbuf_t *b, const char *s, size_t n, ts_status_t *rc)
{
    if (*rc != TS_OK)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            *rc = _ts_error(TS_ERR_NOMEM, "out of memory");
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* Append a line and a line break. */
static void sb_line(sbuf_t *b, const char *s, ts_status_t *rc)
{
    sb_add(b, s, strlen(s), rc);
    sb_add(b, "\n", 1, rc);
}

static void sb_reset(sbuf_t *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

/* Case-insensitive prefix test. */
static int istarts(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The first occurrence of needle in s, ASCII case ignored, or NULL. */
static char *ci_find(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return (char *)s;
    return NULL;
}

/* Remove blanks (and U+00A0) at both ends of s, in place. */
static char *trim(char *s)
{
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
            s += 2;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
            n--;
        else if (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0)
            n -= 2;
        else
            break;
    }
    s[n] = '\0';
    return s;
}

/* Remove trailing pipes and blanks ("value | |" -> "value"), in place. */
static char *strip_pipes(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '|' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    s[n] = '\0';
    return trim(s);
}

/* 1 if s ends with a pipe (after blanks). */
static int ends_with_pipe(const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n && s[n - 1] == '|';
}

/* Skip a list bullet ("- ", "* ", "• ") at s. */
static const char *skip_bullet(const char *s)
{
    if ((s[0] == '-' || s[0] == '*') && (s[1] == ' ' || s[1] == '\0'))
        s += 1;
    else if (strncmp(s, "\xE2\x80\xA2", 3) == 0)
        s += 3;
    while (*s == ' ')
        s++;
    return s;
}

/* The folded form of a heading or key s[0..n): bullet skipped, ASCII
 * lower-cased, blanks single, trailing colons, pipes and a "(3)" count
 * removed, and a leading "actual " / "estimated " / "anticipated "
 * dropped.  Empty when it does not fit in out[cap]. */
static void fold_key(const char *s, size_t n, char *out, size_t cap)
{
    const char *end = s + n;
    size_t o = 0;
    int space = 0;
    s = skip_bullet(s);
    for (; s < end && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t') {
            space = 1;
            continue;
        }
        if (o + 3 >= cap) {
            out[0] = '\0';
            return;
        }
        if (space && o)
            out[o++] = ' ';
        space = 0;
        out[o++] = (char)tolower(c);
    }
    /* trailing ':' '|' ' ' */
    while (o && (out[o - 1] == ':' || out[o - 1] == '|' || out[o - 1] == ' '))
        o--;
    out[o] = '\0';
    /* "(3)" count */
    if (o && out[o - 1] == ')') {
        char *lp = strrchr(out, '(');
        int digits = lp && lp[1] != ')';
        for (char *p = lp ? lp + 1 : out; digits && p < out + o - 1; p++)
            if (!isdigit((unsigned char)*p))
                digits = 0;
        if (digits) {
            o = (size_t)(lp - out);
            while (o && out[o - 1] == ' ')
                o--;
            out[o] = '\0';
        }
    }
    static const char *const lead[] = { "actual ", "estimated ", "anticipated " };
    for (size_t i = 0; i < N_OF(lead); i++) {
        size_t l = strlen(lead[i]);
        if (strncmp(out, lead[i], l) == 0) {
            memmove(out, out + l, o - l + 1);
            break;
        }
    }
}

/* The heading row for s[0..n), or NULL. */
static const heading_t *find_heading(const char *s, size_t n)
{
    char key[128];
    fold_key(s, n, key, sizeof key);
    if (!key[0])
        return NULL;
    for (size_t i = 0; i < N_OF(headings); i++) {
        const heading_t *h = &headings[i];
        if (h->flags & H_PREFIX ? strncmp(key, h->name, strlen(h->name)) == 0
                                : strcmp(key, h->name) == 0)
            return h;
    }
    return NULL;
}

/* Remove regional-indicator letters (flag emoji, U+1F1E6..U+1F1FF) from s
 * in place, leaving a space where they were between words.  Sets
 * *flag_at to 1 if the first flag opened the line, 2 if it was inside it,
 * 0 if there was none. */
static void strip_flags(char *s, int *flag_at)
{
    char *w = s;
    *flag_at = 0;
    for (char *r = s; *r;) {
        unsigned char *u = (unsigned char *)r;
        if (u[0] == 0xF0 && u[1] == 0x9F && u[2] == 0x87 && u[3] >= 0xA6 && u[3] <= 0xBF) {
            if (!*flag_at)
                *flag_at = w == s ? 1 : 2;
            if (w > s && w[-1] != '\x1f')
                *w++ = '\x1f';  /* marks the split point */
            r += 4;
            continue;
        }
        *w++ = *r++;
    }
    *w = '\0';
}

/* ---- the reader's state ---------------------------------------------- */

/* States of the two pipe tables of the classic page. */
typedef enum table {
    T_NONE = 0,
    T_COND,         /* condition | intervention | phase rows */
    T_ARM_EXPECT,   /* arms table: expecting "Type: label" */
    T_ARM_DESC,     /* arms table: the arm's description */
    T_ARM_INTERV,   /* arms table: the intervention cell */
    T_OTHER         /* a table we do not know: rows to other_text */
} table_t;

typedef struct reader {
    ts_record_t *rec;
    ts_status_t rc;         /* sticky: helpers do nothing once set */
    kind_t kind;            /* current section */
    char label[160];        /* its heading as written */
    int pipe_cont;          /* "Key: |": the value ends at a line ending '|' */
    sbuf_t text;            /* its text so far */
    int recognised;         /* headings, keys and tables seen */
    int seen_more;          /* the "More Information" block was seen */
    int seen_first;         /* the first line was looked at */
    int footer;             /* past the site footer */
    /* tables */
    table_t table;
    int cols[8];            /* T_COND: kind of each column */
    size_t ncols;
    long arm;               /* index into rec->arms, or -1 */
    long interv;            /* index into rec->interventions, or -1 */
    sbuf_t cell;            /* description being read */
    /* criteria */
    sbuf_t elig, incl, excl;
} reader_t;

/* ---- applying values to the record ------------------------------------ */

static void set_str(reader_t *r, char **dst, const char *s, int keep_lines)
{
    if (r->rc == TS_OK && s)
        r->rc = _ts_set(dst, s, keep_lines);
}

/* Set *dst only if it is still NULL. */
static void set_once(reader_t *r, char **dst, const char *s, int keep_lines)
{
    if (!*dst)
        set_str(r, dst, s, keep_lines);
}

static void list_add(reader_t *r, ts_strlist_t *l, const char *s)
{
    if (r->rc == TS_OK && s && *s)
        r->rc = _ts_strlist_add_unique(l, s);
}

/* Add "label: text" (or text alone) to other_text. */
static void add_other(reader_t *r, const char *label, const char *text)
{
    char *t = _ts_clean(text, strlen(text), 0);
    if (!t)
        return;
    if (label && *label) {
        size_t n = strlen(label) + strlen(t) + 3;
        char *s = malloc(n);
        if (!s) {
            free(t);
            r->rc = _ts_error(TS_ERR_NOMEM, "out of memory");
            return;
        }
        snprintf(s, n, "%s: %s", label, t);
        list_add(r, &r->rec->other_text, s);
        free(s);
    } else {
        list_add(r, &r->rec->other_text, t);
    }
    free(t);
}

/* The first NCT id (NCT + 8 digits) in s, copied into out[12]; 0 if none. */
static int find_nct(const char *s, char out[12])
{
    for (const char *p = s; (p = ci_find(p, "NCT")) != NULL; p++) {
        int i = 0;
        while (i < 8 && isdigit((unsigned char)p[3 + i]))
            i++;
        if (i == 8 && !isdigit((unsigned char)p[11]) &&
            (p == s || !isalnum((unsigned char)p[-1]))) {
            memcpy(out, "NCT", 3);
            memcpy(out + 3, p + 3, 8);
            out[11] = '\0';
            return 1;
        }
    }
    return 0;
}

/* A date value: "April 2011", "July 14, 2015 Key Record Dates",
 * "December 2016 (Actual)". */
static void set_date(reader_t *r, char **dst, const char *s)
{
    char buf[128];
    if (*dst || r->rc != TS_OK)
        return;
    snprintf(buf, sizeof buf, "%s", s);
    char *cut = ci_find(buf, "key record dates");
    if (cut)
        *cut = '\0';
    if ((cut = strchr(buf, '(')) != NULL)
        *cut = '\0';
    char *d = _ts_parse_date(buf);
    if (d)
        *dst = d;
}

/* Ages: "18 Years to 60 Years (Adult)", "18 Years and older", "up to 65
 * Years", "18 - 65 years", "18+ years".  Stage names alone ("Child, Adult,
 * Older Adult") give no limits. */
static void set_ages(reader_t *r, const char *s)
{
    char buf[160], lo[320] = "", hi[160] = "";
    snprintf(buf, sizeof buf, "%s", s);
    char *p = strchr(buf, '(');
    if (p)
        *p = '\0';
    trim(buf);
    if ((p = ci_find(buf, " to ")) != NULL) {
        *p = '\0';
        snprintf(lo, sizeof lo, "%s", buf);
        snprintf(hi, sizeof hi, "%s", p + 4);
    } else if ((p = strstr(buf, " - ")) != NULL || (p = strchr(buf, '-')) != NULL) {
        size_t skip = p[0] == ' ' ? 3 : 1;
        *p = '\0';
        snprintf(lo, sizeof lo, "%s", buf);
        snprintf(hi, sizeof hi, "%s", p + skip);
    } else if ((p = ci_find(buf, "and older")) != NULL ||
               (p = ci_find(buf, "and over")) != NULL ||
               (p = ci_find(buf, "or older")) != NULL ||
               (p = strchr(buf, '+')) != NULL) {
        *p = '\0';
        snprintf(lo, sizeof lo, "%s", buf);
        if (p[0] == '+') /* "18+ years": the unit follows */
            snprintf(lo + strlen(lo), sizeof lo - strlen(lo), "%s", p + 1);
    } else if ((p = ci_find(buf, "and younger")) != NULL ||
               (p = ci_find(buf, "and under")) != NULL ||
               (p = ci_find(buf, "or younger")) != NULL) {
        *p = '\0';
        snprintf(hi, sizeof hi, "%s", buf);
    } else if (istarts(buf, "up to ") || istarts(buf, "under ")) {
        snprintf(hi, sizeof hi, "%s", strchr(buf, ' ') + 1);
        if (istarts(hi, "to "))
            memmove(hi, hi + 3, strlen(hi + 3) + 1);
    } else {
        /* a single "65 Years" limit without a side is left alone */
        return;
    }
    trim(lo);
    trim(hi);
    /* "18 - 65 years": the unit of the upper limit applies to both */
    if (lo[0] && hi[0]) {
        char *lend = lo + strlen(lo);
        int bare = 1;
        for (char *q = lo; *q; q++)
            if (!isdigit((unsigned char)*q) && *q != '.')
                bare = 0;
        const char *unit = hi;
        while (*unit && (isdigit((unsigned char)*unit) || *unit == '.' || *unit == ' '))
            unit++;
        if (bare && *unit)
            snprintf(lend, sizeof lo - (size_t)(lend - lo), " %s", unit);
    }
    double a = lo[0] ? _ts_parse_age(lo) : TS_AGE_NONE;
    double b = hi[0] ? _ts_parse_age(hi) : TS_AGE_NONE;
    if (a != TS_AGE_NONE && r->rec->min_age == TS_AGE_NONE)
        r->rec->min_age = a;
    if (b != TS_AGE_NONE && r->rec->max_age == TS_AGE_NONE)
        r->rec->max_age = b;
}

/* Healthy volunteers: "No", "Yes", "Accepts healthy volunteers", "No
 * healthy volunteers", "Does not accept healthy volunteers". */
static void set_healthy(reader_t *r, const char *s)
{
    int v;
    if (r->rec->healthy_volunteers != -1)
        return;
    if (istarts(s, "no ") || istarts(s, "does not") || istarts(s, "not "))
        v = 0;
    else
        v = _ts_parse_yesno(s);
    r->rec->healthy_volunteers = v;
}

/* Intervention types of ClinicalTrials.gov (display form). */
static const char *const interv_types[] = {
    "Drug", "Device", "Biological", "Procedure/Surgery", "Procedure",
    "Radiation", "Behavioral", "Genetic", "Dietary Supplement",
    "Combination Product", "Diagnostic Test", "Other",
};

/* The intervention type opening s ("Drug: x"), with *len the length of
 * "Drug:" and the blanks after it; NULL if none. */
static const char *interv_type_at(const char *s, size_t *len)
{
    for (size_t i = 0; i < N_OF(interv_types); i++) {
        size_t l = strlen(interv_types[i]);
        if (strncasecmp(s, interv_types[i], l) == 0 && s[l] == ':') {
            l++;
            while (s[l] == ' ')
                l++;
            *len = l;
            return interv_types[i];
        }
    }
    return NULL;
}

/* Arm types of ClinicalTrials.gov. */
static const char *const arm_types[] = {
    "Experimental", "Active Comparator", "Placebo Comparator",
    "Sham Comparator", "No Intervention", "Other",
};

static const char *arm_type_at(const char *s, size_t *len)
{
    for (size_t i = 0; i < N_OF(arm_types); i++) {
        size_t l = strlen(arm_types[i]);
        if (strncasecmp(s, arm_types[i], l) == 0 && s[l] == ':') {
            l++;
            while (s[l] == ' ')
                l++;
            *len = l;
            return arm_types[i];
        }
    }
    return NULL;
}

/* The index of the intervention of this type and name, adding it if
 * new; -1 on failure. */
static long intervention(reader_t *r, const char *type, const char *name)
{
    ts_record_t *rec = r->rec;
    char *clean = _ts_clean(name, strlen(name), 0);
    if (!clean)
        return -1;
    for (size_t i = 0; i < rec->n_interventions; i++) {
        ts_intervention_t *iv = &rec->interventions[i];
        if (iv->name && strcasecmp(iv->name, clean) == 0 &&
            (!type || !iv->type || strcasecmp(iv->type, type) == 0)) {
            free(clean);
            if (type && !iv->type)
                set_str(r, &iv->type, type, 0);
            return (long)i;
        }
    }
    ts_intervention_t *iv = _ts_add_intervention(rec);
    if (!iv) {
        free(clean);
        r->rc = _ts_error(TS_ERR_NOMEM, "out of memory");
        return -1;
    }
    iv->name = clean;
    set_str(r, &iv->type, type, 0);
    return (long)(rec->n_interventions - 1);
}

/* Interventions in one cell or line: "Drug: A Drug: B", "Biological:
 * name", or a bare name. */
static void add_interventions(reader_t *r, const char *s)
{
    size_t tl;
    const char *type = interv_type_at(s, &tl);
    if (!type) {
        if (*s)
            intervention(r, NULL, s);
        return;
    }
    const char *p = s + tl;
    while (*p) {
        /* the name runs to the next " Type:" */
        const char *q = p, *next_type = NULL;
        size_t next_len = 0;
        for (; *q; q++) {
            if (q > p && q[-1] == ' ' && (next_type = interv_type_at(q, &next_len)) != NULL)
                break;
        }
        char name[1024];
        size_t n = (size_t)(q - p);
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, p, n);
        name[n] = '\0';
        trim(name);
        if (*name)
            intervention(r, type, name);
        if (!next_type)
            break;
        type = next_type;
        p = q + next_len;
    }
}

/* Outcomes of one section.  "- measure [ Time Frame: x ] text" opens an
 * outcome; lines under it describe it.  A section without time frames
 * (a flattened table "Name Time Method ...") gives one outcome a line. */
static void add_outcomes(reader_t *r, char *text, int primary)
{
    int has_tf = ci_find(text, "[ Time Frame:") != NULL ||
                 ci_find(text, "[Time Frame:") != NULL;
    long cur = -1;
    sbuf_t desc = { 0 };
    ts_outcome_t **arr = primary ? &r->rec->primary_outcomes : &r->rec->secondary_outcomes;
    size_t *n = primary ? &r->rec->n_primary_outcomes : &r->rec->n_secondary_outcomes;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && r->rc == TS_OK;
         line = strtok_r(NULL, "\n", &save)) {
        line = trim(line);
        if (!*line)
            continue;
        const char *body = skip_bullet(line);
        char *tf = has_tf ? ci_find(line, "Time Frame:") : NULL;
        if (!has_tf || tf || cur < 0) {
            if (cur >= 0 && desc.len)
                set_str(r, &(*arr)[cur].description, desc.s, 1);
            sb_reset(&desc);
            ts_outcome_t *o = _ts_add_outcome(r->rec, primary);
            if (!o) {
                r->rc = _ts_error(TS_ERR_NOMEM, "out of memory");
                break;
            }
            cur = (long)(*n - 1);
            if (!has_tf && istarts(body, "Name Time Method "))
                body += strlen("Name Time Method ");
            if (tf) {
                char *lb = tf;
                while (lb > line && *lb != '[')
                    lb--;
                char *measure = strndup(body, (size_t)(lb > body ? lb - body : 0));
                char *rb = strchr(tf, ']');
                char *frame = strndup(tf + 11, rb ? (size_t)(rb - tf - 11) : strlen(tf + 11));
                if (!measure || !frame)
                    r->rc = _ts_error(TS_ERR_NOMEM, "out of memory");
                set_str(r, &(*arr)[cur].measure, measure, 0);
                set_str(r, &(*arr)[cur].time_frame, frame, 0);
                free(measure);
                free(frame);
                if (rb && rb[1])
                    sb_line(&desc, rb + 1, &r->rc);
            } else {
                set_str(r, &(*arr)[cur].measure, body, 0);
            }
        } else {
            sb_line(&desc, line, &r->rc);
        }
    }
    if (cur >= 0 && desc.len)
        set_str(r, &(*arr)[cur].description, desc.s, 1);
    free(desc.s);
}

/* The parts of "City, State, Country, zip".  Country names with a comma
 * ("Iran, Islamic Republic of", "Korea, Republic of", "Taiwan, Province
 * of China") are kept whole.  parts[] point into s, which is cut.
 * Returns the number of parts (at most max) and sets *zip. */
static size_t place_parts(char *s, char **parts, size_t max, char **zip)
{
    size_t n = 0;
    *zip = NULL;
    for (char *p = s; p && n < max;) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        char *t = trim(p);
        if (*t)
            parts[n++] = t;
        p = c ? c + 1 : NULL;
    }
    if (n >= 2) {
        for (const char *q = parts[n - 1]; *q; q++)
            if (isdigit((unsigned char)*q)) {
                *zip = parts[--n];
                break;
            }
    }
    if (n >= 2) {
        const char *last = parts[n - 1];
        size_t ll = strlen(last);
        if ((ll >= 3 && strcasecmp(last + ll - 3, " of") == 0) ||
            (ll >= 7 && strcasecmp(last + ll - 7, " of the") == 0) ||
            istarts(last, "province of") || istarts(last, "the ") ||
            istarts(last, "republic of")) {
            /* re-join "Iran" ", " "Islamic Republic of" (they are
             * adjacent in s: the cut comma becomes ',' again) */
            char *prev = parts[n - 2];
            prev[strlen(prev)] = ',';
            n--;
        }
    }
    return n;
}

/* The country of a place line ("Stockholm, Sweden, 171 76" -> "Sweden"),
 * copied into out; "" if the line has no comma. */
static void country_of(const char *line, char *out, size_t cap)
{
    char buf[512], *parts[8], *zip;
    out[0] = '\0';
    if (!strchr(line, ','))
        return;
    snprintf(buf, sizeof buf, "%s", line);
    size_t n = place_parts(buf, parts, 8, &zip);
    if (n >= 2)
        snprintf(out, cap, "%s", parts[n - 1]);
}

/* Fill loc from a place line. */
static void set_place(reader_t *r, ts_location_t *loc, const char *line)
{
    char buf[512], *parts[8], *zip;
    snprintf(buf, sizeof buf, "%s", line);
    size_t n = place_parts(buf, parts, 8, &zip);
    if (n == 0)
        return;
    if (n == 1) {
        set_str(r, &loc->city, parts[0], 0);
    } else {
        set_str(r, &loc->city, parts[0], 0);
        set_str(r, &loc->country, parts[n - 1], 0);
        if (n >= 3)
            set_str(r, &loc->state, parts[1], 0);
    }
    set_str(r, &loc->zip, zip, 0);
}

/* 1 if an equal location is already in the record. */
static int have_location(const ts_record_t *rec, const ts_location_t *l)
{
#define SAME(a, b) ((!(a) && !(b)) || ((a) && (b) && strcasecmp((a), (b)) == 0))
    for (size_t i = 0; i + 1 < rec->n_locations; i++) {
        const ts_location_t *o = &rec->locations[i];
        if (SAME(o->facility, l->facility) && SAME(o->city, l->city) &&
            SAME(o->country, l->country))
            return 1;
    }
    return 0;
#undef SAME
}

/* Add a location; drop it again if it repeats one. */
static void add_location(reader_t *r, const char *facility, const char *place,
                         const char *country)
{
    ts_location_t *loc = _ts_add_location(r->rec);
    if (!loc) {
        r->rc = _ts_error(TS_ERR_NOMEM, "out of memory");
        return;
    }
    set_str(r, &loc->facility, facility, 0);
    if (place)
        set_place(r, loc, place);
    if (!loc->country)
        set_str(r, &loc->country, country, 0);
    if (have_location(r->rec, loc) || (!loc->facility && !loc->city && !loc->country)) {
        free(loc->facility);
        free(loc->city);
        free(loc->state);
        free(loc->zip);
        free(loc->country);
        r->rec->n_locations--;
    }
}

/* Locations: lines of a country heading ("Sweden", "United States,
 * California"), a facility and its place ("Stockholm, Sweden, 171 76"),
 * or on aggregator pages a flag emoji before the place. */
static void add_locations(reader_t *r, char *text)
{
    char *lines[512];
    int flags[512];
    size_t n = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l && n < N_OF(lines);
         l = strtok_r(NULL, "\n", &save)) {
        char *bar = strchr(l, '|'); /* first cell only */
        if (bar)
            *bar = '\0';
        strip_flags(l, &flags[n]);
        l = trim(l);
        if (*l && find_heading(l, strlen(l)) == NULL)
            lines[n++] = l;
        else if (*l && find_heading(l, strlen(l))->kind != K_LOCATIONS)
            lines[n++] = l;
    }
    char country[256] = "", state[256] = "";
    const char *pending = NULL;
    for (size_t i = 0; i < n && r->rc == TS_OK; i++) {
        char *l = lines[i];
        char *mark = strchr(l, '\x1f');
        if (flags[i] == 2 && mark) {           /* "Facility<flag>City, Country" */
            *mark = '\0';
            if (pending)
                add_location(r, pending, NULL, country[0] ? country : NULL);
            add_location(r, trim(l), trim(mark + 1), NULL);
            pending = NULL;
            continue;
        }
        if (mark)
            *mark = ' ';
        l = trim(l);
        /* a country heading: its first part is the country of a later
         * place line */
        char first[256];
        snprintf(first, sizeof first, "%s", l);
        char *comma = strchr(first, ',');
        if (comma)
            *comma = '\0';
        trim(first);
        int is_country = 0;   /* 1: the whole line, 2: its first part */
        if (flags[i] == 0) {
            for (size_t j = i + 1; j < n && !is_country; j++) {
                char c[256];
                country_of(lines[j], c, sizeof c);
                if (c[0] && strcasecmp(c, l) == 0)
                    is_country = 1;
                else if (c[0] && strcasecmp(c, first) == 0)
                    is_country = 2;
            }
        }
        if (is_country) {
            if (pending)
                add_location(r, pending, NULL, country[0] ? country : NULL);
            pending = NULL;
            if (is_country == 1) {
                snprintf(country, sizeof country, "%s", l);
                state[0] = '\0';
            } else {
                snprintf(country, sizeof country, "%s", first);
                snprintf(state, sizeof state, "%s", comma ? trim(comma + 1) : "");
            }
            continue;
        }
        char c[256];
        country_of(l, c, sizeof c);
        int is_place = flags[i] == 1 || (c[0] && country[0] && strcasecmp(c, country) == 0) ||
                       (pending && c[0]);
        if (is_place) {
            add_location(r, pending, l, country[0] ? country : NULL);
            if (state[0] && r->rec->n_locations &&
                !r->rec->locations[r->rec->n_locations - 1].state)
                set_str(r, &r->rec->locations[r->rec->n_locations - 1].state, state, 0);
            pending = NULL;
        } else {
            if (pending)
                add_location(r, pending, NULL, country[0] ? country : NULL);
            pending = l;
        }
    }
    if (pending)
        add_location(r, pending, NULL, country[0] ? country : NULL);
}

/* An official from "name\naffiliation" with the heading as role. */
static void add_official(reader_t *r, const char *label, char *text)
{
    char *save = NULL;
    char *name = strtok_r(text, "\n", &save);
    char *aff = strtok_r(NULL, "\n", &save);
    if (!name || !*trim(name))
        return;
    for (size_t i = 0; i < r->rec->n_officials; i++)
        if (r->rec->officials[i].name && strcasecmp(r->rec->officials[i].name, name) == 0)
            return;
    ts_official_t *o = _ts_add_official(r->rec);
    if (!o) {
        r->rc = _ts_error(TS_ERR_NOMEM, "out of memory");
        return;
    }
    set_str(r, &o->name, name, 0);
    set_str(r, &o->role, label, 0);
    if (aff)
        set_str(r, &o->affiliation, aff, 0);
}

/* Apply text (lines, owned by the caller, cut in place) to the record as
 * the value of a section of this kind under this heading. */
static void apply(reader_t *r, kind_t kind, const char *label, char *text)
{
    ts_record_t *rec = r->rec;
    char *save = NULL, *line;
    char id[12];
    if (r->rc != TS_OK)
        return;
    /* one-line values use the first non-empty line */
    char *first = text;
    while (*first == '\n' || *first == ' ')
        first++;
    char one[1024];
    size_t fl = strcspn(first, "\n");
    if (fl >= sizeof one)
        fl = sizeof one - 1;
    memcpy(one, first, fl);
    one[fl] = '\0';
    strip_pipes(one);
    char *v = (char *)skip_bullet(one);

    switch (kind) {
    case K_NONE: case K_SKIP: case K_FOOTER: case K_CONTACT:
        break;
    case K_GROUP:
    case K_OTHER:
        /* one line: without its bullet; several: as they are */
        if (*v)
            add_other(r, kind == K_OTHER ? label : NULL,
                      first[fl] && first[fl + 1] ? text : v);
        break;
    case K_ID:
        if (find_nct(text, id)) {
            set_once(r, &rec->nct_id, id, 0);
        } else if (*v) {
            list_add(r, &rec->secondary_ids, v);  /* another registry's id */
        }
        break;
    case K_TITLE:
        set_once(r, &rec->brief_title, v, 0);
        break;
    case K_OFFICIAL_TITLE:
        set_once(r, &rec->official_title, v, 0);
        break;
    case K_ACRONYM:
        set_once(r, &rec->acronym, v, 0);
        break;
    case K_STATUS: case K_PHASE: case K_STATUS_PHASE: case K_TYPE:
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *l = (char *)skip_bullet(strip_pipes(trim(line)));
            const char *st = kind != K_PHASE && kind != K_TYPE ? _ts_norm_status(l) : NULL;
            const char *ty = kind == K_TYPE ? _ts_norm_study_type(l) : NULL;
            if (st)
                set_once(r, &rec->overall_status, st, 0);
            else if (ty)
                set_once(r, &rec->study_type, ty, 0);
            else if (kind == K_TYPE && *l)
                add_other(r, label, l);
            else if (kind != K_TYPE && *l && !_ts_norm_phases(&rec->phases, l))
                add_other(r, label, l);
        }
        break;
    case K_CONDITIONS: case K_INTERVENTIONS: case K_KEYWORDS: case K_MESH:
    case K_COLLAB: case K_SECIDS:
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *l = (char *)skip_bullet(strip_pipes(trim(line)));
            if (!*l)
                continue;
            if (kind == K_CONDITIONS)
                list_add(r, &rec->conditions, l);
            else if (kind == K_INTERVENTIONS)
                add_interventions(r, l);
            else if (kind == K_KEYWORDS)
                list_add(r, &rec->keywords, l);
            else if (kind == K_MESH)
                list_add(r, &rec->condition_mesh, l);
            else if (kind == K_COLLAB)
                list_add(r, &rec->collaborators, l);
            else
                list_add(r, &rec->secondary_ids, l);
        }
        break;
    case K_ARMS_TEXT: {
        /* a flattened table: drop its header words */
        char *t = first;
        if (istarts(t, "Group Intervention Description "))
            t += strlen("Group Intervention Description ");
        if (*t)
            add_other(r, NULL, t);
        break;
    }
    case K_SUMMARY:
    case K_DESCRIPTION: {
        char **dst = kind == K_SUMMARY ? &rec->brief_summary : &rec->detailed_description;
        if (*dst) {
            size_t n = strlen(*dst) + strlen(text) + 3;
            char *s = malloc(n);
            if (!s) {
                r->rc = _ts_error(TS_ERR_NOMEM, "out of memory");
                break;
            }
            snprintf(s, n, "%s\n\n%s", *dst, text);
            set_str(r, dst, s, 1);
            free(s);
        } else {
            set_str(r, dst, text, 1);
        }
        break;
    }
    case K_ELIG:
        sb_add(&r->elig, text, strlen(text), &r->rc);
        break;
    case K_INCL:
        sb_add(&r->incl, text, strlen(text), &r->rc);
        break;
    case K_EXCL:
        sb_add(&r->excl, text, strlen(text), &r->rc);
        break;
    case K_AGES:
        set_ages(r, v);
        break;
    case K_MIN_AGE:
        if (rec->min_age == TS_AGE_NONE)
            rec->min_age = _ts_parse_age(v);
        break;
    case K_MAX_AGE:
        if (rec->max_age == TS_AGE_NONE)
            rec->max_age = _ts_parse_age(v);
        break;
    case K_SEX: {
        const char *s = _ts_norm_sex(v);
        if (s)
            set_once(r, &rec->sex, s, 0);
        break;
    }
    case K_HEALTHY:
        if (*v)
            set_healthy(r, v);
        break;
    case K_ENROLL:
        if (rec->enrollment < 0)
            rec->enrollment = _ts_parse_count(v);
        break;
    case K_SPONSOR: {
        int n = 0;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *l = (char *)skip_bullet(strip_pipes(trim(line)));
            if (!*l)
                continue;
            if (n++ == 0 && !rec->lead_sponsor)
                set_str(r, &rec->lead_sponsor, l, 0);
            else
                list_add(r, &rec->collaborators, l);
        }
        break;
    }
    case K_OFFICIAL:
        add_official(r, label, text);
        break;
    case K_LOCATIONS:
        add_locations(r, text);
        break;
    case K_START:
        set_date(r, &rec->start_date, v);
        break;
    case K_PCOMPL:
        set_date(r, &rec->primary_completion_date, v);
        break;
    case K_COMPL:
        set_date(r, &rec->completion_date, v);
        break;
    case K_FIRST:
        set_date(r, &rec->first_posted, v);
        break;
    case K_LAST:
        set_date(r, &rec->last_update, v);
        break;
    case K_POUT:
    case K_SOUT:
        add_outcomes(r, text, kind == K_POUT);
        break;
    }
}

/* Apply the current section's text and close it. */
static void flush(reader_t *r)
{
    if (r->kind != K_NONE && r->text.len)
        apply(r, r->kind, r->label, r->text.s);
    sb_reset(&r->text);
    r->kind = K_NONE;
    r->label[0] = '\0';
    r->pipe_cont = 0;
}

/* Open a section of this kind under heading label[0..n). */
static void open_section(reader_t *r, const heading_t *h, const char *label, size_t n)
{
    flush(r);
    r->kind = h->kind;
    r->recognised++;
    if (h->flags & H_MORE)
        r->seen_more = 1;
    label = skip_bullet(label);
    n = strcspn(label, ":|");
    if (n >= sizeof r->label)
        n = sizeof r->label - 1;
    if (h->flags & H_PREFIX && h->kind == K_OTHER)
        snprintf(r->label, sizeof r->label, "Publications");
    else {
        memcpy(r->label, label, n);
        r->label[n] = '\0';
        trim(r->label);
    }
}

/* ---- tables --------------------------------------------------------- */

/* 1 if s is a pipe table's separator row ("---|---|"). */
static int is_separator(const char *s)
{
    int dash = 0;
    for (; *s; s++) {
        if (*s == '-')
            dash = 1;
        else if (*s != '|' && *s != ':' && *s != ' ')
            return 0;
    }
    return dash;
}

/* Split s at '|' into at most max trimmed cells (a trailing empty cell
 * after the last pipe is dropped).  Returns the count. */
static size_t split_cells(char *s, char **cells, size_t max)
{
    size_t n = 0;
    for (char *p = s; p && n < max;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        cells[n++] = trim(p);
        p = bar ? bar + 1 : NULL;
    }
    if (n && !*cells[n - 1])
        n--;
    return n;
}

/* Commit the description read so far in the arms table. */
static void arm_commit(reader_t *r)
{
    if (r->cell.len) {
        if (r->table == T_ARM_DESC && r->arm >= 0)
            set_once(r, &r->rec->arms[r->arm].description, r->cell.s, 1);
        else if (r->table == T_ARM_INTERV && r->interv >= 0)
            set_once(r, &r->rec->interventions[r->interv].description, r->cell.s, 1);
    }
    sb_reset(&r->cell);
}

/* Start an intervention of the current arm from "Type: name". */
static void arm_intervention(reader_t *r, const char *type, const char *name)
{
    arm_commit(r);
    r->interv = intervention(r, type, name);
    if (r->interv < 0 || r->arm < 0)
        return;
    ts_intervention_t *iv = &r->rec->interventions[r->interv];
    ts_arm_t *arm = &r->rec->arms[r->arm];
    char ref[1100];
    snprintf(ref, sizeof ref, "%s: %s", iv->type ? iv->type : "Other", iv->name);
    list_add(r, &arm->interventions, ref);
    if (arm->label)
        list_add(r, &iv->arm_labels, arm->label);
}

/* One line of the arms table.  Returns 0 when the line is not part of it
 * (the table is then over and the caller reads the line anew). */
static int arm_line(reader_t *r, char *line)
{
    size_t tl;
    const char *type;
    if (r->table == T_ARM_EXPECT || r->table == T_ARM_INTERV) {
        if (!*line || line[0] == '-' || ci_find(line, "Time Frame:") ||
            (r->table == T_ARM_EXPECT && find_heading(line, strlen(line)))) {
            arm_commit(r);
            r->table = T_NONE;
            return 0;
        }
    }
    size_t il;
    if (r->table != T_ARM_DESC && (type = arm_type_at(line, &tl)) != NULL &&
        (r->table == T_ARM_EXPECT || !interv_type_at(line, &il))) {
        /* "Other:" is both an arm and an intervention type: an arm
         * where a row starts, an intervention inside the cell */
        arm_commit(r);
        ts_arm_t *arm = _ts_add_arm(r->rec);
        if (!arm) {
            r->rc = _ts_error(TS_ERR_NOMEM, "out of memory");
            return 1;
        }
        r->arm = (long)(r->rec->n_arms - 1);
        r->interv = -1;
        set_str(r, &arm->type, type, 0);
        set_str(r, &arm->label, strip_pipes(line + tl), 0);
        r->table = T_ARM_DESC;
        return 1;
    }
    if (r->table == T_ARM_EXPECT) {
        /* a group without a type (observational studies) */
        ts_arm_t *arm = _ts_add_arm(r->rec);
        if (!arm) {
            r->rc = _ts_error(TS_ERR_NOMEM, "out of memory");
            return 1;
        }
        r->arm = (long)(r->rec->n_arms - 1);
        r->interv = -1;
        set_str(r, &arm->label, strip_pipes(line), 0);
        r->table = T_ARM_DESC;
        return 1;
    }
    int end = ends_with_pipe(line);
    strip_pipes(line);
    if (r->table == T_ARM_DESC) {
        if (*line)
            sb_line(&r->cell, line, &r->rc);
        if (end) {
            arm_commit(r);
            r->table = T_ARM_INTERV;
        }
        return 1;
    }
    /* T_ARM_INTERV */
    if ((type = interv_type_at(line, &tl)) != NULL) {
        arm_intervention(r, type, line + tl);
    } else if (*line) {
        sb_line(&r->cell, line, &r->rc);
    }
    if (end) {
        arm_commit(r);
        r->table = T_ARM_EXPECT;
    }
    return 1;
}

/* One row of the conditions table.  Returns 0 when the line is not a row. */
static int cond_line(reader_t *r, char *line)
{
    char *cells[8];
    if (!*line || !strchr(line, '|'))
        return 0;
    char *colon = strchr(line, ':'), *bar = strchr(line, '|');
    if (colon && colon < bar) {
        /* "Study Type : | ...": a key, unless the first cell is typed */
        size_t tl;
        if (!interv_type_at(line, &tl) && find_heading(line, (size_t)(bar - line)))
            return 0;
    }
    size_t n = split_cells(line, cells, 8);
    for (size_t i = 0; i < n && i < r->ncols && r->rc == TS_OK; i++) {
        char *c = cells[i];
        if (!*c)
            continue;
        switch (r->cols[i]) {
        case K_CONDITIONS:
            /* one condition: names hold commas ("Motor Neuron Disease,
             * Amyotrophic Lateral Sclerosis" is one in the registry's
             * XML), and several are joined by blanks, not commas */
            list_add(r, &r->rec->conditions, c);
            break;
        case K_INTERVENTIONS:
            add_interventions(r, c);
            break;
        case K_PHASE:
            if (!_ts_norm_phases(&r->rec->phases, c))
                add_other(r, "Phase", c);
            break;
        default:
            add_other(r, NULL, c);
        }
    }
    return 1;
}

/* A table header: decide which table follows. */
static void open_table(reader_t *r, char *line)
{
    char *cells[8];
    flush(r);
    size_t n = split_cells(line, cells, 8);
    r->recognised++;
    r->ncols = n;
    if (n && istarts(cells[0], "arm")) {
        r->table = T_ARM_EXPECT;
        r->arm = r->interv = -1;
        return;
    }
    if (n && (istarts(cells[0], "group") || istarts(cells[0], "cohort"))) {
        r->table = T_ARM_EXPECT;
        r->arm = r->interv = -1;
        return;
    }
    r->table = T_OTHER;
    for (size_t i = 0; i < n; i++) {
        if (ci_find(cells[i], "condition"))
            r->cols[i] = K_CONDITIONS;
        else if (ci_find(cells[i], "intervention"))
            r->cols[i] = K_INTERVENTIONS;
        else if (ci_find(cells[i], "phase"))
            r->cols[i] = K_PHASE;
        else
            r->cols[i] = K_OTHER;
        if (r->cols[i] != K_OTHER)
            r->table = T_COND;
    }
}

/* ---- boilerplate ------------------------------------------------------ */

typedef enum bp { BP_NO = 0, BP_DROP, BP_END, BP_LOCATIONS, BP_FOOTER } bp_t;

/* What to do with a line of site boilerplate; BP_NO for content. */
static bp_t boilerplate(const char *line)
{
    static const struct { const char *prefix; bp_t what; } pre[] = {
        { "The safety and scientific validity of this study", BP_DROP },
        { "Listing a study does not mean", BP_DROP },
        { "Read our disclaimer", BP_DROP },
        { "Choosing to participate in a study", BP_END },
        { "To learn more about this study", BP_END },
        { "Please refer to this study by its ClinicalTrials.gov identifier", BP_LOCATIONS },
        { "Information from the National Library of Medicine", BP_DROP },
        { "For general information, Learn About Clinical Studies", BP_DROP },
        { "Loading...", BP_DROP },
        { "Explore scientific publications", BP_DROP },
        { "Data sourced from clinicaltrials.gov", BP_FOOTER },
        { "Go to Top of Page", BP_DROP },
        { "Go to sections", BP_DROP },
        { "![", BP_DROP },
    };
    static const char *const nav[] = {
        "study details", "tabular view", "no results posted", "study results",
        "disclaimer", "how to read a study record", "key record dates",
    };
    for (size_t i = 0; i < N_OF(pre); i++)
        if (istarts(line, pre[i].prefix))
            return pre[i].what;
    char key[64];
    fold_key(line, strlen(line), key, sizeof key);
    for (size_t i = 0; i < N_OF(nav); i++)
        if (strcmp(key, nav[i]) == 0)
            return BP_DROP;
    return BP_NO;
}

/* ---- lines ---------------------------------------------------------- */

/* A title line: the acronym in parentheses at its end is taken apart
 * ("Safety of ... Epilepsy (AMSCDRSE)"): no blanks, 2..40 bytes, at least
 * two capitals or digits. */
static void set_title(reader_t *r, char *line)
{
    size_t n = strlen(line);
    if (n > 2 && line[n - 1] == ')') {
        char *lp = strrchr(line, '(');
        if (lp && lp > line && lp[-1] == ' ') {
            size_t al = (size_t)(line + n - 1 - (lp + 1));
            int caps = 0, blank = 0;
            for (char *p = lp + 1; p < line + n - 1; p++) {
                if (isupper((unsigned char)*p) || isdigit((unsigned char)*p))
                    caps++;
                if (*p == ' ')
                    blank = 1;
            }
            if (!blank && caps >= 2 && al >= 2 && al <= 40) {
                line[n - 1] = '\0';
                set_once(r, &r->rec->acronym, lp + 1, 0);
                *lp = '\0';
            }
        }
    }
    set_once(r, &r->rec->brief_title, line, 0);
}

/* A line that belongs to no section. */
static void stray_line(reader_t *r, char *line, int first)
{
    if (!*line || is_separator(line))
        return;
    if (first) {
        set_title(r, strip_pipes(line));
        return;
    }
    if (ci_find(line, "[ Time Frame:") || ci_find(line, "[Time Frame:")) {
        /* the classic page lists outcomes without a heading: primary */
        r->kind = K_POUT;
        snprintf(r->label, sizeof r->label, "Primary Outcome Measures");
        sb_line(&r->text, line, &r->rc);
        return;
    }
    int piped = ends_with_pipe(line);
    strip_pipes(line);
    if (!*line)
        return;
    if (piped && r->seen_more) {
        /* keyword and MeSH lines at the end of a classic page */
        list_add(r, &r->rec->keywords, line);
        return;
    }
    const char *b = skip_bullet(line);
    if (strlen(b) <= 40) {
        /* the preamble of aggregator pages: "Phase 1", "Withdrawn" */
        const char *st = _ts_norm_status(b);
        if (st) {
            set_once(r, &r->rec->overall_status, st, 0);
            return;
        }
        if (strncasecmp(b, "phase", 5) == 0 || strncasecmp(b, "early phase", 11) == 0) {
            if (_ts_norm_phases(&r->rec->phases, b))
                return;
        }
    }
    add_other(r, NULL, b);
}

/* Read a key/value line "Key : | v1 | v2 |", "Key : value" or a heading
 * "Key :" / "Key".  Returns 1 if the line was taken. */
static int key_line(reader_t *r, char *line)
{
    char *colon = strchr(line, ':');
    char *bar = strchr(line, '|');
    const heading_t *h;

    /* "Key: | value |" and "Key: |" (value on the next lines) */
    if (colon && bar && colon < bar) {
        int blank = 1;
        for (char *p = colon + 1; p < bar; p++)
            if (*p != ' ' && *p != '\t')
                blank = 0;
        if (blank && colon > line) {
            size_t kl = (size_t)(colon - line);
            h = find_heading(line, kl);
            heading_t unknown = { "", K_OTHER, 0 };
            if (!h) {
                /* any "Key: | value |" row is structure, even unknown */
                h = &unknown;
            }
            if (h->kind == K_OFFICIAL || h->kind == K_CONTACT) {
                /* inside the locations: keep them open */
                char *cells[8];
                size_t n = split_cells(bar + 1, cells, 8);
                if (h->kind == K_OFFICIAL && n) {
                    char val[1024];
                    snprintf(val, sizeof val, "%s\n%s", cells[0], n > 1 ? cells[1] : "");
                    char lab[128];
                    snprintf(lab, sizeof lab, "%.*s", (int)kl, line);
                    add_official(r, trim(lab), val);
                }
                r->recognised++;
                return 1;
            }
            char *rest = bar + 1;
            char *cells[8];
            int cont = !*trim(rest);
            open_section(r, h, line, kl);
            if (h == &unknown)
                r->recognised--;    /* unknown keys are not evidence */
            if (cont) {
                r->pipe_cont = 1;
                return 1;
            }
            size_t n = split_cells(rest, cells, 8);
            for (size_t i = 0; i < n; i++)
                sb_line(&r->text, cells[i], &r->rc);
            flush(r);
            return 1;
        }
    }
    /* "Key :" or "Key : value" with a known key */
    if (colon && colon > line) {
        h = find_heading(line, (size_t)(colon - line));
        if (h && (h->kind == K_CONTACT || h->kind == K_OFFICIAL) && (r->kind == K_LOCATIONS || bar)) {
            /* "Contact: name | phone |" lines among the locations or
             * after the criteria: people, not the trial's text */
            if (h->kind == K_OFFICIAL) {
                char val[1024], lab[128];
                snprintf(val, sizeof val, "%s", colon + 1);
                for (char *p = val; *p; p++)
                    if (*p == '|')
                        *p = '\n';
                snprintf(lab, sizeof lab, "%.*s", (int)(colon - line), line);
                add_official(r, trim(lab), val);
            }
            return 1;
        }
        if (h) {
            char *val = colon + 1;
            strip_pipes(val);
            val = trim(val);
            if (!*val) {
                open_section(r, h, line, (size_t)(colon - line));
                return 1;
            }
            if (!is_long_text(r->kind) || r->table != T_NONE) {
                open_section(r, h, line, (size_t)(colon - line));
                sb_line(&r->text, val, &r->rc);
                flush(r);
                return 1;
            }
        }
    }
    /* a heading alone on its line */
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", line);
    strip_pipes(tmp);
    if ((h = find_heading(tmp, strlen(tmp))) != NULL && strlen(tmp) < 200) {
        open_section(r, h, tmp, strlen(tmp));
        return 1;
    }
    return 0;
}

/* Read one line of the page.  next is the following non-empty line (or
 * NULL), to see table headers. */
static void read_line(reader_t *r, char *line, const char *next)
{
    int first = !r->seen_first;
    if (r->footer || r->rc != TS_OK)
        return;

    switch (boilerplate(line)) {
    case BP_DROP:
        return;
    case BP_END:
        if (r->table >= T_ARM_EXPECT && r->table <= T_ARM_INTERV)
            arm_commit(r);
        r->table = T_NONE;
        flush(r);
        return;
    case BP_LOCATIONS: {
        char id[12];
        if (find_nct(line, id)) {
            set_once(r, &r->rec->nct_id, id, 0);
            r->recognised++;
        }
        r->table = T_NONE;
        flush(r);
        r->kind = K_LOCATIONS;
        snprintf(r->label, sizeof r->label, "Locations");
        return;
    }
    case BP_FOOTER:
        flush(r);
        r->footer = 1;
        return;
    case BP_NO:
        break;
    }
    if (*line)
        r->seen_first = 1;

    /* tables */
    if (r->table == T_COND) {
        if (is_separator(line) || cond_line(r, line))
            return;
        r->table = T_NONE;
    } else if (r->table >= T_ARM_EXPECT && r->table <= T_ARM_INTERV) {
        if (is_separator(line) || arm_line(r, line))
            return;
    } else if (r->table == T_OTHER) {
        if (*line && strchr(line, '|') && !strchr(line, ':')) {
            char *cells[8];
            size_t n = split_cells(line, cells, 8);
            for (size_t i = 0; i < n; i++)
                add_other(r, NULL, cells[i]);
            return;
        }
        if (is_separator(line))
            return;
        r->table = T_NONE;
    }

    if (!*line) {
        if (is_long_text(r->kind) && r->text.len)
            sb_add(&r->text, "\n", 1, &r->rc);
        return;
    }
    if (next && strchr(line, '|') && is_separator(next) && strchr(next, '|')) {
        open_table(r, line);
        return;
    }
    if (is_separator(line) && strchr(line, '|'))
        return;

    /* "Key: |" continuation: the value runs to a line ending in '|' */
    if (r->pipe_cont) {
        int end = ends_with_pipe(line);
        sb_line(&r->text, strip_pipes(line), &r->rc);
        if (end)
            flush(r);
        return;
    }

    if (key_line(r, line))
        return;

    if (r->kind == K_NONE) {
        stray_line(r, line, first);
        return;
    }
    if (isdigit((unsigned char)line[0]) && ci_find(line, " participants in ") &&
        ci_find(line, " group")) {
        /* third-party pages: "12 participants in 2 patient groups" ends
         * the design headings */
        flush(r);
        add_other(r, NULL, line);
        return;
    }
    if (strcmp(line, "|") == 0) {
        /* the end of a cell: closes short sections */
        if (!is_long_text(r->kind))
            flush(r);
        return;
    }
    sb_line(&r->text, line, &r->rc);
}

/* Compose eligibility from the criteria sections. */
static void finish_criteria(reader_t *r)
{
    ts_record_t *rec = r->rec;
    if (r->rc != TS_OK)
        return;
    if (r->incl.len)
        set_str(r, &rec->inclusion, r->incl.s, 1);
    if (r->excl.len)
        set_str(r, &rec->exclusion, r->excl.s, 1);
    sbuf_t all = { 0 };
    if (r->elig.len) {
        sb_add(&all, r->elig.s, r->elig.len, &r->rc);
        sb_add(&all, "\n", 1, &r->rc);
    }
    if (rec->inclusion) {
        sb_line(&all, "Inclusion Criteria:", &r->rc);
        sb_line(&all, rec->inclusion, &r->rc);
        sb_add(&all, "\n", 1, &r->rc);
    }
    if (rec->exclusion) {
        sb_line(&all, "Exclusion Criteria:", &r->rc);
        sb_line(&all, rec->exclusion, &r->rc);
    }
    if (all.len)
        set_once(r, &rec->eligibility, all.s, 1);
    free(all.s);
}

/* ---- entry point ----------------------------------------------------- */

ts_status_t _ts_read_text(const char *buf, size_t len, const char *source,
                          const ts_scan_cbs_t *cbs)
{
    size_t bad = 0;
    char where[48];
    if (!buf || len == 0)
        return _ts_reject(cbs, source, NULL, TS_ERR_BAD_RECORD, "empty page");
    if (!_ts_valid_utf8(buf, len, &bad)) {
        snprintf(where, sizeof where, "byte %zu", bad);
        return _ts_reject(cbs, source, where, TS_ERR_BAD_RECORD,
                          buf[bad] == '\0' ? "NUL byte at offset %zu: not a text page"
                                           : "invalid UTF-8 at byte offset %zu",
                          bad);
    }
    size_t bom = _ts_bom_len(buf, len);
    buf += bom;
    len -= bom;

    char *copy = malloc(len + 1);
    reader_t r;
    memset(&r, 0, sizeof r);
    r.rec = ts_record_new();
    if (!copy || !r.rec) {
        free(copy);
        ts_record_free(r.rec);
        return _ts_error(TS_ERR_NOMEM, "out of memory");
    }
    memcpy(copy, buf, len);
    copy[len] = '\0';
    r.arm = r.interv = -1;

    /* split into trimmed lines */
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++)
        if (copy[i] == '\n')
            nlines++;
    char **lines = malloc(nlines * sizeof *lines);
    if (!lines) {
        free(copy);
        ts_record_free(r.rec);
        return _ts_error(TS_ERR_NOMEM, "out of memory");
    }
    size_t n = 0;
    for (char *p = copy; p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lines[n++] = trim(p);
        p = nl ? nl + 1 : NULL;
    }

    for (size_t i = 0; i < n && r.rc == TS_OK; i++) {
        const char *next = NULL;
        for (size_t j = i + 1; j < n && !next; j++)
            if (*lines[j])
                next = lines[j];
        read_line(&r, lines[i], next);
    }
    if (r.table >= T_ARM_EXPECT && r.table <= T_ARM_INTERV)
        arm_commit(&r);
    flush(&r);
    finish_criteria(&r);

    ts_status_t st = r.rc;
    int is_page = r.rec->nct_id != NULL || r.recognised >= 3;
    free(lines);
    free(copy);
    free(r.text.s);
    free(r.cell.s);
    free(r.elig.s);
    free(r.incl.s);
    free(r.excl.s);
    if (st != TS_OK) {
        ts_record_free(r.rec);
        return st;
    }
    if (!is_page) {
        ts_record_free(r.rec);
        return _ts_reject(cbs, source, NULL, TS_ERR_NOT_RECORD,
                          "not a trial page: no NCT id and no known headings");
    }
    if (!r.rec->nct_id) {
        char id[16];
        _ts_local_id(source ? source : "", id);
        set_str(&r, &r.rec->nct_id, id, 0);
        if (r.rc != TS_OK) {
            ts_record_free(r.rec);
            return r.rc;
        }
    }
    return _ts_emit(cbs, r.rec, TS_FORMAT_TEXT, source, NULL);
}
