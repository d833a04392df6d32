/* synonyms.c - the curated synonym lists read into a table (format in
 * synonyms.h and at the top of share/synonyms.txt).
 *
 * The table maps a folded term to two arrays of folded expansions: the
 * ones that apply whatever the case the term was typed in, and the ones
 * that apply when it was typed in capitals (a superset).  An open-address
 * hash table keyed by the folded term.  Every term of a list has a node,
 * even one that finds nothing (the right side of "A -> B"), so that each
 * string is kept once: the expansions point to the keys of other nodes.
 */
#include "synonyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct strvec {
    const char **v;     /* keys of other nodes */
    size_t n, cap;
} strvec_t;

typedef struct node {
    char *key;          /* NULL: free slot */
    strvec_t any;       /* expansions whatever the case typed */
    strvec_t upper;     /* expansions when typed in capitals */
} node_t;

struct _ts_syn_table {
    node_t *tab;
    size_t cap, used;   /* cap: 0 or a power of two; used: nodes */
    size_t finders;     /* nodes with expansions */
    char *errors;       /* "SOURCE:LINE: reason\n"..., NULL when none */
    size_t errors_len;
};

/* One term of a line, folded. */
typedef struct term {
    char *key;
    int caps;           /* written in capitals: applies only when so typed */
} term_t;

_ts_syn_table_t *_ts_syn_new(void)
{
    return calloc(1, sizeof(_ts_syn_table_t));
}

void _ts_syn_free(_ts_syn_table_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->tab[i].key)
            continue;
        free(t->tab[i].key);
        free(t->tab[i].any.v);
        free(t->tab[i].upper.v);
    }
    free(t->tab);
    free(t->errors);
    free(t);
}

/* An ASCII letter or digit. */
static int is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char *_ts_syn_fold(const char *s, size_t len)
{
    char *n = _ts_normalize(s, len), *w = n;
    int space = 0;

    if (!n)
        return NULL;
    for (const char *p = n; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80 || is_alnum(c)) {
            if (space && w > n)
                *w++ = ' ';
            space = 0;
            *w++ = (char)c;
        } else {
            space = 1;
        }
    }
    *w = '\0';
    return n;
}

/* Slot of key in t: the node holding it or the free slot where it goes.
 * t->cap must be non-zero. */
static size_t slot(const _ts_syn_table_t *t, const char *key)
{
    size_t i = (size_t)_ts_hash64(key, strlen(key), _TS_HASH_INIT) & (t->cap - 1);
    while (t->tab[i].key && strcmp(t->tab[i].key, key) != 0)
        i = (i + 1) & (t->cap - 1);
    return i;
}

/* Double the table (or make its first one).  TS_ERR_NOMEM on failure,
 * the table unchanged. */
static ts_status_t grow(_ts_syn_table_t *t)
{
    _ts_syn_table_t bigger = *t;
    bigger.cap = t->cap ? t->cap * 2 : 64;
    bigger.tab = calloc(bigger.cap, sizeof *bigger.tab);
    if (!bigger.tab)
        return TS_ERR_NOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->tab[i].key)
            bigger.tab[slot(&bigger, t->tab[i].key)] = t->tab[i];
    free(t->tab);
    t->tab = bigger.tab;
    t->cap = bigger.cap;
    return TS_OK;
}

/* Append s (a node's key) to v unless it is there already. */
static ts_status_t strvec_add(strvec_t *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i] == s)
            return TS_OK;
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 4;
        const char **nv = realloc(v->v, ncap * sizeof *nv);
        if (!nv)
            return TS_ERR_NOMEM;
        v->v = nv;
        v->cap = ncap;
    }
    v->v[v->n++] = s;
    return TS_OK;
}

/* The node of key, made if need be; NULL when out of memory. */
static node_t *node_of(_ts_syn_table_t *t, const char *key)
{
    if ((t->used + 1) * 2 > t->cap && grow(t) != TS_OK)
        return NULL;
    node_t *n = &t->tab[slot(t, key)];
    if (!n->key) {
        if (!(n->key = strdup(key)))
            return NULL;
        t->used++;
    }
    return n;
}

/* Record that from finds to. */
static ts_status_t add_edge(_ts_syn_table_t *t, const term_t *from, const term_t *to)
{
    if (strcmp(from->key, to->key) == 0)
        return TS_OK;
    node_t *dest = node_of(t, to->key);
    if (!dest)
        return TS_ERR_NOMEM;
    const char *key = dest->key; /* node_of(from) may move the nodes, not the keys */
    node_t *src = node_of(t, from->key);
    if (!src)
        return TS_ERR_NOMEM;
    if (!src->upper.n)
        t->finders++;
    if (strvec_add(&src->upper, key) != TS_OK ||
        (!from->caps && strvec_add(&src->any, key) != TS_OK))
        return TS_ERR_NOMEM;
    return TS_OK;
}

/* Keep "source:line: reason" in t's messages (nothing when out of
 * memory: the caller's status says so anyway). */
static void add_error(_ts_syn_table_t *t, const char *source, size_t line, const char *reason)
{
    int n = snprintf(NULL, 0, "%s:%zu: %s\n", source, line, reason);
    char *e;

    if (n < 0 || !(e = realloc(t->errors, t->errors_len + (size_t)n + 1)))
        return;
    snprintf(e + t->errors_len, (size_t)n + 1, "%s:%zu: %s\n", source, line, reason);
    t->errors = e;
    t->errors_len += (size_t)n;
}

/* Fold the term s[0..len) (blanks around it are trimmed) into *out.
 * NULL when it is fine, else the reason it is not; *nomem set when
 * memory ran out. */
static const char *make_term(const char *s, size_t len, term_t *out, int *nomem)
{
    int letters = 0, lower = 0;

    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0)
        return "empty term";
    if (len > _TS_SYN_TERM_MAX)
        return "term longer than 120 bytes";
    for (size_t i = 0; i < len; i++) {
        letters |= (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z');
        lower |= (s[i] >= 'a' && s[i] <= 'z');
    }
    out->caps = letters && !lower;
    out->key = _ts_syn_fold(s, len);
    if (!out->key) {
        *nomem = 1;
        return "out of memory";
    }
    if (!out->key[0]) {
        free(out->key);
        out->key = NULL;
        return "term with no letters or digits";
    }
    return NULL;
}

/* Where the separator of the line s[0..len) is: *at its offset, *width 1
 * for "=", 2 for "->" or "=>"; *one_way for the arrows.  Returns how many
 * separators the line has. */
static int find_separator(const char *s, size_t len, size_t *at, size_t *width, int *one_way)
{
    int count = 0;
    for (size_t i = 0; i < len; i++) {
        size_t w = 0;
        int arrow = 0;
        if ((s[i] == '-' || s[i] == '=') && i + 1 < len && s[i + 1] == '>')
            w = 2, arrow = 1;
        else if (s[i] == '=')
            w = 1;
        if (!w)
            continue;
        if (count++ == 0) {
            *at = i;
            *width = w;
            *one_way = arrow;
        }
        i += w - 1;
    }
    return count;
}

/* Free the first n terms and the array. */
static void free_terms(term_t *terms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(terms[i].key);
    free(terms);
}

/* Read one line (comment and line break removed) into t.  NULL when it
 * was fine or blank, else the reason it was skipped; *nomem set when
 * memory ran out. */
static const char *parse_line(_ts_syn_table_t *t, const char *s, size_t len, int *nomem)
{
    size_t at = 0, width = 0, n = 1, k = 0;
    int one_way = 0, seps;
    term_t *terms;
    const char *why = NULL;

    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0)
        return NULL;
    if (!_ts_valid_utf8(s, len, &at))
        return "invalid UTF-8";
    seps = find_separator(s, len, &at, &width, &one_way);
    if (seps == 0)
        return "expected \"TERM = TERM | ...\" or \"TERM -> TERM | ...\"";
    if (seps > 1)
        return "more than one \"=\" or \"->\" on the line";
    if (memchr(s, '|', at))
        return "\"|\" on the left of the separator";
    for (size_t i = at + width; i < len; i++)
        n += (s[i] == '|');
    terms = calloc(n + 1, sizeof *terms);
    if (!terms) {
        *nomem = 1;
        return "out of memory";
    }

    /* terms[0] is the left side, then the alternatives */
    why = make_term(s, at, &terms[k++], nomem);
    for (size_t i = at + width; !why && i <= len; k++) {
        size_t j = i;
        while (j < len && s[j] != '|')
            j++;
        why = make_term(s + i, j - i, &terms[k], nomem);
        i = j + 1;
    }
    if (!why) {
        int differ = 0;
        for (size_t i = 1; i < k; i++)
            differ |= strcmp(terms[i].key, terms[0].key) != 0;
        if (!differ)
            why = "no two different terms";
    }
    for (size_t i = 0; !why && i < k; i++) {
        for (size_t j = 0; !why && j < k; j++) {
            if (i == j || (one_way && (i != 0 || j == 0)))
                continue;
            if (add_edge(t, &terms[i], &terms[j]) != TS_OK) {
                *nomem = 1;
                why = "out of memory";
            }
        }
    }
    free_terms(terms, k);
    return why;
}

ts_status_t _ts_syn_load_buffer(_ts_syn_table_t *t, const char *buf, size_t len,
                                const char *source)
{
    size_t line = 0, bad = 0;
    char first[512] = "";

    if (!source)
        source = "synonyms";
    for (size_t i = 0; i < len;) {
        size_t e = i, end;
        int nomem = 0;
        const char *why;

        while (e < len && buf[e] != '\n')
            e++;
        line++;
        end = e;
        const char *hash = memchr(buf + i, '#', end - i);
        if (hash)
            end = (size_t)(hash - buf);
        while (end > i && buf[end - 1] == '\r')
            end--;
        why = parse_line(t, buf + i, end - i, &nomem);
        if (nomem)
            return _ts_error(TS_ERR_NOMEM, "%s:%zu: out of memory", source, line);
        if (why) {
            add_error(t, source, line, why);
            if (bad++ == 0)
                snprintf(first, sizeof first, "%s:%zu: %s", source, line, why);
        }
        i = e + 1;
    }
    if (bad == 1)
        return _ts_error(TS_ERR_INVALID, "%s", first);
    if (bad > 1)
        return _ts_error(TS_ERR_INVALID, "%s (and %zu more malformed lines)", first, bad - 1);
    return TS_OK;
}

ts_status_t _ts_syn_load_file(_ts_syn_table_t *t, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    ts_status_t st;

    if (!f) {
        if (errno == ENOENT)
            return _ts_error(TS_ERR_NOT_FOUND, "%s: no such file", path);
        char why[300];
        snprintf(why, sizeof why, "cannot open: %s", strerror(errno));
        add_error(t, path, 0, why);
        return _ts_error(TS_ERR_IO, "%s: %s", path, why);
    }
    do {
        if (len == cap) {
            char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!nb) {
                free(buf);
                fclose(f);
                return _ts_error(TS_ERR_NOMEM, "%s: out of memory", path);
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    if (ferror(f)) {
        add_error(t, path, 0, "read error");
        st = _ts_error(TS_ERR_IO, "%s: read error", path);
    } else {
        st = _ts_syn_load_buffer(t, buf, len, path);
    }
    free(buf);
    fclose(f);
    return st;
}

const char *_ts_syn_errors(const _ts_syn_table_t *t)
{
    return t && t->errors_len ? t->errors : NULL;
}

size_t _ts_syn_lookup(const _ts_syn_table_t *t, const char *key, int typed_upper,
                      const char *const **exp)
{
    const strvec_t *v;
    size_t i;

    *exp = NULL;
    if (!t || !t->cap || !key)
        return 0;
    i = slot(t, key);
    if (!t->tab[i].key)
        return 0;
    v = typed_upper ? &t->tab[i].upper : &t->tab[i].any;
    if (v->n)
        *exp = v->v;
    return v->n;
}

size_t _ts_syn_size(const _ts_syn_table_t *t)
{
    return t ? t->finders : 0;
}

/* bsearch comparison: a key against an entry of the built-in list. */
static int entry_cmp(const void *key, const void *entry)
{
    return strcmp(key, _ts_builtin_str + ((const _ts_syn_entry_t *)entry)->key);
}

size_t _ts_syn_lookup_builtin(const char *key, int typed_upper, const uint32_t **exp)
{
    const _ts_syn_entry_t *e;

    *exp = NULL;
    if (!key || !_ts_builtin_syn_len)
        return 0;
    e = bsearch(key, _ts_builtin_syn, _ts_builtin_syn_len, sizeof *e, entry_cmp);
    if (!e)
        return 0;
    *exp = _ts_builtin_exp + (typed_upper ? e->upper : e->any);
    if (!(typed_upper ? e->n_upper : e->n_any))
        *exp = NULL;
    return typed_upper ? e->n_upper : e->n_any;
}

/* ---- compiling a list into C ----------------------------------------- */

/* qsort comparison of two nodes by key. */
static int node_cmp(const void *a, const void *b)
{
    return strcmp((*(const node_t *const *)a)->key, (*(const node_t *const *)b)->key);
}

/* s as a C string literal: every byte that is not a plain printable
 * character as a three-digit octal escape (no trigraph, no ambiguity with
 * the byte after it). */
static void put_literal(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' || *p == '?')
            fprintf(out, "\\%03o", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* s as a line of the string table, NUL-terminated; *at, the offset of
 * the next string in the table, moves past it. */
static void put_string(FILE *out, const char *s, size_t *at)
{
    fputs("    ", out);
    put_literal(out, s);
    fputs(" \"\\0\"\n", out);
    *at += strlen(s) + 1;
}

ts_status_t _ts_syn_write_c(const _ts_syn_table_t *t, const char *source, FILE *out)
{
    size_t n = 0, nx = 0, at = 0, k = 0;
    const node_t **finders = calloc(t->finders + 1, sizeof *finders);
    size_t *key_at = NULL, *exp_at = NULL;

    if (!finders)
        return _ts_error(TS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < t->cap; i++)
        if (t->tab[i].key && t->tab[i].upper.n)
            finders[n++] = &t->tab[i];
    qsort(finders, n, sizeof *finders, node_cmp);
    for (size_t i = 0; i < n; i++)
        nx += finders[i]->any.n + finders[i]->upper.n;
    key_at = calloc(n + 1, sizeof *key_at);
    exp_at = calloc(nx + 1, sizeof *exp_at);
    if (!key_at || !exp_at) {
        free(finders);
        free(key_at);
        free(exp_at);
        return _ts_error(TS_ERR_NOMEM, "out of memory");
    }

    /* The strings (each key, then its expansions), then the offsets of
     * the expansions, then the entries; the "" and the zeros at the ends
     * keep every table non-empty. */
    fprintf(out, "/* Generated from %s by tools/compile_synonyms.c. */\n"
                 "#include \"synonyms.h\"\n\n"
                 "const char _ts_builtin_str[] =\n", source);
    for (size_t i = 0; i < n; i++) {
        const node_t *f = finders[i];
        key_at[i] = at;
        put_string(out, f->key, &at);
        for (size_t j = 0; j < f->any.n; j++) {
            exp_at[k++] = at;
            put_string(out, f->any.v[j], &at);
        }
        for (size_t j = 0; j < f->upper.n; j++) {
            exp_at[k++] = at;
            put_string(out, f->upper.v[j], &at);
        }
    }
    fputs("    \"\";\n\nconst uint32_t _ts_builtin_exp[] = {\n", out);
    for (k = 0; k < nx; k++)
        fprintf(out, "    %zu,\n", exp_at[k]);
    fputs("    0,\n};\n\nconst _ts_syn_entry_t _ts_builtin_syn[] = {\n", out);
    k = 0;
    for (size_t i = 0; i < n; i++) {
        const node_t *f = finders[i];
        fprintf(out, "    { %zu, %zu, %zu, %zu, %zu },\n", key_at[i], k, f->any.n,
                k + f->any.n, f->upper.n);
        k += f->any.n + f->upper.n;
    }
    fprintf(out, "    { 0, 0, 0, 0, 0 },\n};\n\n"
                 "const size_t _ts_builtin_syn_len = %zu;\n", n);
    free(finders);
    free(key_at);
    free(exp_at);
    if (at > UINT32_MAX)
        return _ts_error(TS_ERR_INVALID, "the list is too large to compile (%zu bytes)", at);
    if (fflush(out) != 0 || ferror(out))
        return _ts_error(TS_ERR_IO, "cannot write the compiled list: %s", strerror(errno));
    return TS_OK;
}
