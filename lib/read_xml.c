/* read_xml.c - the ClinicalTrials.gov legacy XML reader.
 *
 * Reads one <clinical_study> document (the layout of the retired
 * AllPublicXML.zip download and of the TREC Clinical Trials corpora, every
 * schema variant from 2014 on) into a ts_record_t.
 *
 * Parsing is done by libxml2 into a tree with safe options: no network,
 * no DTD loading, no entity substitution and libxml2's default limits
 * (10 MB per text node, depth 256, entity amplification checks), which
 * keep a hostile or huge document from taking unbounded memory.  Text is
 * read only from text and CDATA nodes, so a reference to a user-defined
 * entity is never expanded (the five predefined entities and character
 * references are decoded by the parser as usual).  libxml2 prints nothing:
 * its errors go to a handler of the parser context, and the first one
 * becomes the reason of the rejection.
 *
 * Mapping notes:
 * - first_posted: study_first_posted, else firstreceived_date (2014
 *   schema), else study_first_submitted; last_update: last_update_posted,
 *   else lastchanged_date, else last_update_submitted.
 * - other_outcome goes to the secondary outcomes (API v2 keeps it apart,
 *   the record model has no field for it, and its words should be found).
 * - eligibility/study_pop, biospec_descr and why_stopped go to other_text.
 * - Each arm gets the interventions that list its label, as "Type: Name"
 *   like API v2's interventionNames.
 */
#include "ts_internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/* State of one document being read.  rc is sticky: once a step fails
 * (out of memory) the following steps do nothing. */
typedef struct xml_reader {
    ts_record_t *rec;
    ts_status_t rc;
    /* Date candidates in order of preference (nodes of the tree). */
    xmlNodePtr first_posted[3];
    xmlNodePtr last_update[3];
} xml_reader_t;

/* The first error libxml2 reported while parsing. */
typedef struct xml_error {
    int seen;
    int line;
    int nomem;      /* libxml2 ran out of memory */
    char msg[256];
} xml_error_t;

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* Initialise libxml2 once per process (xmlInitParser is not safe to race). */
static void xml_init(void)
{
    xmlInitParser();
}

/* Structured error handler of the parser context: keeps the first error
 * (warnings are ignored) in the xml_error_t hung on ctxt->_private and
 * prints nothing.  userData is the parser context. */
static void xml_on_error(void *user, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)user;
    xml_error_t *e = ctxt ? (xml_error_t *)ctxt->_private : NULL;
    size_t n;

    if (!e || !err || err->level < XML_ERR_ERROR)
        return;
    if (err->code == XML_ERR_NO_MEMORY)
        e->nomem = 1;
    if (e->seen)
        return;
    e->seen = 1;
    e->line = err->line;
    snprintf(e->msg, sizeof e->msg, "%s", err->message ? err->message : "error");
    n = strlen(e->msg);
    while (n > 0 && (e->msg[n - 1] == '\n' || e->msg[n - 1] == ' '))
        e->msg[--n] = '\0';
}

/* 1 if n is an element named name (namespaces ignored). */
static int is(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->name &&
           strcmp((const char *)n->name, name) == 0;
}

/* The first child element of n named name, or NULL. */
static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* The text of element n: its text and CDATA children joined (comments,
 * processing instructions and entity references are left out).  Returns a
 * malloc'd string the caller frees ("" when there is none), or NULL when
 * out of memory. */
static char *text_of(xmlNodePtr n)
{
    size_t len = 0, off = 0;
    char *s;

    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            c->content)
            len += strlen((const char *)c->content);
    s = malloc(len + 1);
    if (!s)
        return NULL;
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            c->content) {
            size_t k = strlen((const char *)c->content);
            memcpy(s + off, c->content, k);
            off += k;
        }
    s[off] = '\0';
    return s;
}

/* Text of n for a step of r: NULL when r has failed, n is NULL, or memory
 * runs out (then r->rc is set).  Caller frees. */
static char *r_text(xml_reader_t *r, xmlNodePtr n)
{
    char *s;

    if (r->rc != TS_OK || !n)
        return NULL;
    s = text_of(n);
    if (!s)
        r->rc = TS_ERR_NOMEM;
    return s;
}

/* *dst = cleaned text of n (unchanged when n is NULL or its text empty). */
static void set_text(xml_reader_t *r, char **dst, xmlNodePtr n, int keep_lines)
{
    char *s = r_text(r, n);

    if (s)
        r->rc = _ts_set(dst, s, keep_lines);
    free(s);
}

/* Append the cleaned text of n to l (unique: skip values already there). */
static void add_text(xml_reader_t *r, ts_strlist_t *l, xmlNodePtr n, int unique)
{
    char *s = r_text(r, n);

    if (s)
        r->rc = unique ? _ts_strlist_add_unique(l, s) : _ts_strlist_add(l, s);
    free(s);
}

/* Add the text of every child element of n named name to l. */
static void add_children(xml_reader_t *r, ts_strlist_t *l, xmlNodePtr n,
                         const char *name, int unique)
{
    for (xmlNodePtr c = n ? n->children : NULL; c && r->rc == TS_OK; c = c->next)
        if (is(c, name))
            add_text(r, l, c, unique);
}

/* Append the text of a <textblock> under n to other_text. */
static void add_other(xml_reader_t *r, xmlNodePtr n)
{
    xmlNodePtr tb = child(n, "textblock");

    add_text(r, &r->rec->other_text, tb ? tb : n, 0);
}

/* *dst = the date in n as YYYY[-MM[-DD]] (unchanged if unreadable). */
static void set_date(xml_reader_t *r, char **dst, xmlNodePtr n)
{
    char *s = r_text(r, n);
    char *d;

    if (!s)
        return;
    d = _ts_parse_date(s);
    free(s);
    if (d) {
        free(*dst);
        *dst = d;
    }
}

/* The first candidate date node that gives a readable date into *dst. */
static void set_date_pref(xml_reader_t *r, char **dst, xmlNodePtr *cand, size_t n)
{
    for (size_t i = 0; i < n && r->rc == TS_OK && !*dst; i++)
        if (cand[i])
            set_date(r, dst, cand[i]);
}

/* <id_info>: nct_id and the other ids. */
static void read_ids(xml_reader_t *r, xmlNodePtr n)
{
    ts_record_t *rec = r->rec;

    for (xmlNodePtr c = n->children; c && r->rc == TS_OK; c = c->next) {
        if (is(c, "nct_id"))
            set_text(r, &rec->nct_id, c, 0);
        else if (is(c, "org_study_id") || is(c, "secondary_id") ||
                 is(c, "nct_alias"))
            add_text(r, &rec->secondary_ids, c, 1);
    }
}

/* <intervention>: type, name, description, other names, arm labels. */
static void read_intervention(xml_reader_t *r, xmlNodePtr n)
{
    ts_intervention_t *iv = _ts_add_intervention(r->rec);

    if (!iv) {
        r->rc = TS_ERR_NOMEM;
        return;
    }
    for (xmlNodePtr c = n->children; c && r->rc == TS_OK; c = c->next) {
        if (is(c, "intervention_type"))
            set_text(r, &iv->type, c, 0);
        else if (is(c, "intervention_name"))
            set_text(r, &iv->name, c, 0);
        else if (is(c, "description"))
            set_text(r, &iv->description, c, 1);
        else if (is(c, "other_name"))
            add_text(r, &iv->other_names, c, 1);
        else if (is(c, "arm_group_label"))
            add_text(r, &iv->arm_labels, c, 1);
    }
}

/* <arm_group>: label, type, description. */
static void read_arm(xml_reader_t *r, xmlNodePtr n)
{
    ts_arm_t *arm = _ts_add_arm(r->rec);

    if (!arm) {
        r->rc = TS_ERR_NOMEM;
        return;
    }
    set_text(r, &arm->label, child(n, "arm_group_label"), 0);
    set_text(r, &arm->type, child(n, "arm_group_type"), 0);
    set_text(r, &arm->description, child(n, "description"), 1);
}

/* <primary_outcome>, <secondary_outcome> or <other_outcome>. */
static void read_outcome(xml_reader_t *r, xmlNodePtr n, int primary)
{
    ts_outcome_t *o = _ts_add_outcome(r->rec, primary);

    if (!o) {
        r->rc = TS_ERR_NOMEM;
        return;
    }
    set_text(r, &o->measure, child(n, "measure"), 0);
    set_text(r, &o->time_frame, child(n, "time_frame"), 0);
    set_text(r, &o->description, child(n, "description"), 1);
}

/* <eligibility>: criteria text, sex, ages, healthy volunteers, population. */
static void read_eligibility(xml_reader_t *r, xmlNodePtr n)
{
    ts_record_t *rec = r->rec;
    char *s;

    for (xmlNodePtr c = n->children; c && r->rc == TS_OK; c = c->next) {
        if (is(c, "criteria")) {
            set_text(r, &rec->eligibility, child(c, "textblock"), 1);
        } else if (is(c, "study_pop")) {
            add_other(r, c);
        } else if (is(c, "gender")) {
            if ((s = r_text(r, c))) {
                const char *sex = _ts_norm_sex(s);
                if (sex)
                    r->rc = _ts_set(&rec->sex, sex, 0);
                free(s);
            }
        } else if (is(c, "minimum_age")) {
            if ((s = r_text(r, c))) {
                rec->min_age = _ts_parse_age(s);
                free(s);
            }
        } else if (is(c, "maximum_age")) {
            if ((s = r_text(r, c))) {
                rec->max_age = _ts_parse_age(s);
                free(s);
            }
        } else if (is(c, "healthy_volunteers")) {
            if ((s = r_text(r, c))) {
                rec->healthy_volunteers = _ts_parse_yesno(s);
                free(s);
            }
        }
    }
}

/* <sponsors>: lead sponsor and collaborators (their agency names). */
static void read_sponsors(xml_reader_t *r, xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c && r->rc == TS_OK; c = c->next) {
        if (is(c, "lead_sponsor"))
            set_text(r, &r->rec->lead_sponsor, child(c, "agency"), 0);
        else if (is(c, "collaborator"))
            add_text(r, &r->rec->collaborators, child(c, "agency"), 1);
    }
}

/* <overall_official>: last_name holds the whole name. */
static void read_official(xml_reader_t *r, xmlNodePtr n)
{
    ts_official_t *o = _ts_add_official(r->rec);

    if (!o) {
        r->rc = TS_ERR_NOMEM;
        return;
    }
    set_text(r, &o->name, child(n, "last_name"), 0);
    set_text(r, &o->role, child(n, "role"), 0);
    set_text(r, &o->affiliation, child(n, "affiliation"), 0);
}

/* <location>: facility name and address. */
static void read_location(xml_reader_t *r, xmlNodePtr n)
{
    xmlNodePtr fac = child(n, "facility");
    xmlNodePtr addr = child(fac, "address");
    ts_location_t *loc = _ts_add_location(r->rec);

    if (!loc) {
        r->rc = TS_ERR_NOMEM;
        return;
    }
    set_text(r, &loc->facility, child(fac, "name"), 0);
    set_text(r, &loc->city, child(addr, "city"), 0);
    set_text(r, &loc->state, child(addr, "state"), 0);
    set_text(r, &loc->zip, child(addr, "zip"), 0);
    set_text(r, &loc->country, child(addr, "country"), 0);
}

/* An enumerated value: *dst = norm(text of n), when recognised.  Legacy
 * study types may carry a bracketed note ("Observational [Patient
 * Registry]"): when the whole text is not recognised, the part before
 * " [" is tried. */
static void set_enum(xml_reader_t *r, char **dst, xmlNodePtr n,
                     const char *(*norm)(const char *))
{
    char *s = r_text(r, n);
    const char *v;

    if (!s)
        return;
    v = norm(s);
    if (!v) {
        char *br = strchr(s, '[');
        if (br && br > s) {
            *br = '\0';
            v = norm(s);
        }
    }
    if (v)
        r->rc = _ts_set(dst, v, 0);
    free(s);
}

/* One child element of <clinical_study>. */
static void read_element(xml_reader_t *r, xmlNodePtr c)
{
    ts_record_t *rec = r->rec;
    char *s;

    if (is(c, "id_info")) {
        read_ids(r, c);
    } else if (is(c, "brief_title")) {
        set_text(r, &rec->brief_title, c, 0);
    } else if (is(c, "official_title")) {
        set_text(r, &rec->official_title, c, 0);
    } else if (is(c, "acronym")) {
        set_text(r, &rec->acronym, c, 0);
    } else if (is(c, "overall_status")) {
        set_enum(r, &rec->overall_status, c, _ts_norm_status);
    } else if (is(c, "phase")) {
        if ((s = r_text(r, c))) {
            _ts_norm_phases(&rec->phases, s);
            free(s);
        }
    } else if (is(c, "study_type")) {
        set_enum(r, &rec->study_type, c, _ts_norm_study_type);
    } else if (is(c, "condition")) {
        add_text(r, &rec->conditions, c, 1);
    } else if (is(c, "keyword")) {
        add_text(r, &rec->keywords, c, 1);
    } else if (is(c, "condition_browse")) {
        add_children(r, &rec->condition_mesh, c, "mesh_term", 1);
    } else if (is(c, "intervention_browse")) {
        add_children(r, &rec->intervention_mesh, c, "mesh_term", 1);
    } else if (is(c, "intervention")) {
        read_intervention(r, c);
    } else if (is(c, "arm_group")) {
        read_arm(r, c);
    } else if (is(c, "primary_outcome")) {
        read_outcome(r, c, 1);
    } else if (is(c, "secondary_outcome") || is(c, "other_outcome")) {
        read_outcome(r, c, 0);
    } else if (is(c, "brief_summary")) {
        set_text(r, &rec->brief_summary, child(c, "textblock"), 1);
    } else if (is(c, "detailed_description")) {
        set_text(r, &rec->detailed_description, child(c, "textblock"), 1);
    } else if (is(c, "eligibility")) {
        read_eligibility(r, c);
    } else if (is(c, "enrollment")) {
        if ((s = r_text(r, c))) {
            long v = _ts_parse_count(s);
            if (v >= 0)
                rec->enrollment = v;
            free(s);
        }
    } else if (is(c, "sponsors")) {
        read_sponsors(r, c);
    } else if (is(c, "overall_official")) {
        read_official(r, c);
    } else if (is(c, "location")) {
        read_location(r, c);
    } else if (is(c, "start_date")) {
        set_date(r, &rec->start_date, c);
    } else if (is(c, "primary_completion_date")) {
        set_date(r, &rec->primary_completion_date, c);
    } else if (is(c, "completion_date")) {
        set_date(r, &rec->completion_date, c);
    } else if (is(c, "study_first_posted")) {
        r->first_posted[0] = c;
    } else if (is(c, "firstreceived_date")) {
        r->first_posted[1] = c;
    } else if (is(c, "study_first_submitted")) {
        r->first_posted[2] = c;
    } else if (is(c, "last_update_posted")) {
        r->last_update[0] = c;
    } else if (is(c, "lastchanged_date")) {
        r->last_update[1] = c;
    } else if (is(c, "last_update_submitted")) {
        r->last_update[2] = c;
    } else if (is(c, "why_stopped")) {
        add_text(r, &rec->other_text, c, 0);
    } else if (is(c, "biospec_descr")) {
        add_other(r, c);
    }
}

/* Give each arm the names of the interventions that list its label, as
 * "Type: Name" (or just the name when the type is missing). */
static void link_arms(xml_reader_t *r)
{
    ts_record_t *rec = r->rec;

    for (size_t a = 0; a < rec->n_arms && r->rc == TS_OK; a++) {
        ts_arm_t *arm = &rec->arms[a];
        if (!arm->label)
            continue;
        for (size_t i = 0; i < rec->n_interventions && r->rc == TS_OK; i++) {
            ts_intervention_t *iv = &rec->interventions[i];
            size_t len;
            char *name;

            if (!iv->name || !_ts_strlist_has(&iv->arm_labels, arm->label))
                continue;
            len = (iv->type ? strlen(iv->type) + 2 : 0) + strlen(iv->name) + 1;
            name = malloc(len);
            if (!name) {
                r->rc = TS_ERR_NOMEM;
                return;
            }
            if (iv->type)
                snprintf(name, len, "%s: %s", iv->type, iv->name);
            else
                snprintf(name, len, "%s", iv->name);
            r->rc = _ts_strlist_add_unique(&arm->interventions, name);
            free(name);
        }
    }
}

/* A locator for messages about a document that could not be read: the
 * NCT id found in its text ("<nct_id>NCT...</nct_id>"), copied into out,
 * or NULL. */
static const char *guess_id(const char *buf, size_t len, char out[16])
{
    static const char tag[] = "<nct_id>";
    const size_t tlen = sizeof tag - 1;
    const char *p = NULL;
    size_t i = 0;

    for (size_t k = 0; k + tlen <= len; k++)
        if (buf[k] == '<' && memcmp(buf + k, tag, tlen) == 0) {
            p = buf + k + tlen;
            break;
        }
    if (!p)
        return NULL;
    while (p < buf + len && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    while (p < buf + len && i < 15 &&
           ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
        out[i++] = *p++;
    out[i] = '\0';
    return i > 3 ? out : NULL;
}

/* Whether the bytes of buf are its characters, as an ASCII reading of
 * them assumes: no NUL byte (UTF-16 or UTF-32), '<' first after a UTF-8
 * byte order mark (not EBCDIC), and no encoding declared but UTF-8. */
static int ascii_readable(const char *buf, size_t len)
{
    size_t b = _ts_bom_len(buf, len);
    if (b >= len || buf[b] != '<' || memchr(buf, '\0', len))
        return 0;
    if (len - b < 5 || memcmp(buf + b, "<?xml", 5) != 0)
        return 1;
    const char *end = memchr(buf + b, '>', len - b);
    for (const char *d = buf + b; end && d + 8 < end; d++)
        if (memcmp(d, "encoding", 8) == 0) {
            const char *v = d + 8;
            while (v < end && (*v == ' ' || *v == '=' || *v == '"' || *v == '\''))
                v++;
            return end - v > 5 && strncasecmp(v, "utf-8", 5) == 0 && (v[5] == '"' || v[5] == '\'');
        }
    return end != NULL;
}

/* The NCT id of a document read from its raw text, when the parser is
 * sure to find the same one: the bytes read as ASCII (ascii_readable),
 * and "nct_id" occurs exactly twice, as <nct_id>ID</nct_id> with ID of
 * letters and digits (blanks around it allowed).  Any other mention of it
 * (a comment, an attribute, a namespace prefix, a second element) leaves
 * the id to the parser.  Copies ID into out; NULL when not sure.  A
 * document is one record or one rejection, so the caller may pass it over
 * unparsed (cbs->wants). */
static const char *sure_id(const char *buf, size_t len, char out[_TS_ID_MAX + 1])
{
    static const char name[] = "nct_id";
    const size_t nlen = sizeof name - 1;
    const char *end = buf + len, *at[2] = { NULL, NULL };
    int n = 0;

    if (len < nlen || !ascii_readable(buf, len))
        return NULL;
    /* by its '_', rarer in text than any of its letters */
    for (const char *u = buf + 3; u < end - 2; u++) {
        u = memchr(u, '_', (size_t)(end - 2 - u));
        if (!u)
            break;
        if (memcmp(u - 3, name, nlen) == 0) {
            if (n == 2)
                return NULL;
            at[n++] = u - 3;
        }
    }
    if (n != 2 || at[0] == buf || at[0][-1] != '<' || at[0][nlen] != '>' ||
        at[1] - at[0] < 2 || at[1][-1] != '/' || at[1][-2] != '<' ||
        at[1] + nlen >= end || at[1][nlen] != '>')
        return NULL;
    const char *p = at[0] + nlen + 1, *q = at[1] - 2;
    while (p < q && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r'))
        q--;
    if (q == p || q - p > _TS_ID_MAX)
        return NULL;
    for (const char *c = p; c < q; c++)
        if (!_ts_id_char(*c))
            return NULL;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
    return out;
}

/* Read the tree of a well-formed document into a record and emit it.
 * The document stays the caller's. */
static ts_status_t read_doc(xmlDocPtr doc, const char *source,
                            const ts_scan_cbs_t *cbs, const char *where)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xml_reader_t r;

    if (!is(root, "clinical_study"))
        return _ts_reject(cbs, source, where, TS_ERR_NOT_RECORD,
                          "not a clinical_study document (root element <%s>)",
                          root && root->name ? (const char *)root->name : "");

    memset(&r, 0, sizeof r);
    r.rec = ts_record_new();
    if (!r.rec)
        return _ts_error(TS_ERR_NOMEM, "out of memory reading %s", source);

    for (xmlNodePtr c = root->children; c && r.rc == TS_OK; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            read_element(&r, c);
    set_date_pref(&r, &r.rec->first_posted, r.first_posted, 3);
    set_date_pref(&r, &r.rec->last_update, r.last_update, 3);
    if (r.rc == TS_OK)
        link_arms(&r);

    if (r.rc != TS_OK) {
        ts_record_free(r.rec);
        return _ts_error(r.rc, "out of memory reading %s", source);
    }
    return _ts_emit(cbs, r.rec, TS_FORMAT_XML, source, r.rec->nct_id);
}

/* Parse buf[0..len) as one <clinical_study> document and hand its record
 * on with _ts_emit.  A malformed document, another root element or an
 * empty buffer is reported through _ts_reject (locator: the NCT id seen
 * in the text, if any) and is not an error of the call.  Returns TS_OK,
 * the status a callback stopped with, or TS_ERR_NOMEM (with _ts_error). */
ts_status_t _ts_read_xml(const char *buf, size_t len, const char *source,
                         const ts_scan_cbs_t *cbs)
{
    xmlParserCtxtPtr ctxt;
    xml_error_t err;
    xmlDocPtr doc;
    ts_status_t st;
    char idbuf[16];
    const char *where;
    int wf;

    if (!buf || len == 0)
        return _ts_reject(cbs, source, NULL, TS_ERR_BAD_RECORD,
                          "malformed XML: empty document");
    if (cbs->wants) {
        char sure[_TS_ID_MAX + 1];
        if (sure_id(buf, len, sure) && !cbs->wants(cbs->ctx, sure))
            return TS_OK;
    }
    where = guess_id(buf, len, idbuf);
    if (len > INT_MAX)
        return _ts_reject(cbs, source, where, TS_ERR_BAD_RECORD,
                          "malformed XML: document larger than %d bytes",
                          INT_MAX);

    pthread_once(&xml_once, xml_init);
    ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
    if (!ctxt)
        return _ts_error(TS_ERR_NOMEM, "out of memory parsing %s", source);

    memset(&err, 0, sizeof err);
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                                XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
    ctxt->_private = &err;
    if (ctxt->sax) {
        ctxt->sax->serror = xml_on_error;
        ctxt->sax->error = NULL;
        ctxt->sax->warning = NULL;
    }
    ctxt->vctxt.error = NULL;
    ctxt->vctxt.warning = NULL;

    xmlParseDocument(ctxt);
    wf = ctxt->wellFormed;
    doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    if (!wf && !err.seen) {
        /* Failed without telling the handler: use the context's error. */
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        err.seen = 1;
        err.line = e ? e->line : 0;
        snprintf(err.msg, sizeof err.msg, "%s",
                 e && e->message ? e->message : "not well-formed");
        for (size_t n = strlen(err.msg); n > 0 && err.msg[n - 1] == '\n'; n--)
            err.msg[n - 1] = '\0';
    }
    if (!wf && err.line == 0 && ctxt->input)
        err.line = ctxt->input->line;
    xmlFreeParserCtxt(ctxt);

    if (err.nomem) {
        xmlFreeDoc(doc);
        return _ts_error(TS_ERR_NOMEM, "out of memory parsing %s", source);
    }
    if (!wf || !doc) {
        xmlFreeDoc(doc);
        return _ts_reject(cbs, source, where, TS_ERR_BAD_RECORD,
                          "malformed XML: line %d: %s", err.line,
                          err.seen ? err.msg : "no document");
    }
    st = read_doc(doc, source, cbs, where);
    xmlFreeDoc(doc);
    return st;
}
