/* analyze.c - the Unicode side of the analyzer.
 *
 * Index and query text go through the same normalization before Xapian's
 * term generator or query parser sees it: compatibility composition
 * (NFKC: "ﬁ" -> "fi", full-width digits -> ASCII), case folding, and
 * removal of combining marks ("Sjögren" -> "sjogren").  These settings are
 * recorded in every index (_TS_ANALYZER) so that an index built with other
 * settings is refused instead of silently missing matches.
 */
#include "ts_internal.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

static const utf8proc_option_t index_options =
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
    UTF8PROC_STRIPMARK | UTF8PROC_IGNORE;

/* A copy of s[0..len) in which each byte that does not start valid UTF-8,
 * and each NUL, is replaced by U+FFFD.  Caller frees; NULL without memory. */
static char *sanitize(const char *s, size_t len)
{
    char *out = malloc(len * 3 + 1);
    size_t n = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0 || cp == 0) {
            memcpy(out + n, "\xEF\xBF\xBD", 3);
            n += 3;
            i++;
        } else {
            memcpy(out + n, s + i, (size_t)k);
            n += (size_t)k;
            i += (size_t)k;
        }
    }
    out[n] = '\0';
    return out;
}

/* s[0..len) lowercased when it is all ASCII without NUL, which the index
 * options map to itself lowercased (most registry text: the common case
 * skips utf8proc); NULL otherwise, or without memory. */
static char *ascii_lower(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == 0 || (unsigned char)s[i] >= 0x80)
            return NULL;
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i]);
    out[len] = '\0';
    return out;
}

/* Map s[0..len) with the index options.  Caller frees. */
static char *map(const char *s, size_t len)
{
    char *fast = ascii_lower(s, len);
    if (fast)
        return fast;
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                      &dst, index_options);
    if (r >= 0)
        return (char *)dst;
    /* invalid UTF-8: replace the bad bytes and try again */
    char *clean = sanitize(s, len);
    if (!clean)
        return NULL;
    r = utf8proc_map((const utf8proc_uint8_t *)clean, (utf8proc_ssize_t)strlen(clean),
                     &dst, index_options);
    free(clean);
    return r >= 0 ? (char *)dst : NULL;
}

char *_ts_normalize(const char *s, size_t len)
{
    char *out = map(s, len);
    if (!out)
        _ts_error(TS_ERR_NOMEM, "out of memory");
    return out;
}

/* 1 if the word s[0..len) is a query operator that must keep its case:
 * AND, OR, NOT, XOR, NEAR, ADJ, or NEAR/N and ADJ/N with N digits.  Any
 * other word is normalized (so bytes that are not UTF-8 never pass). */
static int is_operator(const char *s, size_t len)
{
    static const struct { const char *name; int window; } ops[] = {
        { "AND", 0 }, { "OR", 0 }, { "NOT", 0 }, { "XOR", 0 }, { "NEAR", 1 }, { "ADJ", 1 },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t ol = strlen(ops[i].name);
        if (len < ol || memcmp(s, ops[i].name, ol) != 0)
            continue;
        if (len == ol)
            return 1;
        if (!ops[i].window || s[ol] != '/' || len == ol + 1)
            continue;
        size_t d = ol + 1;
        while (d < len && s[d] >= '0' && s[d] <= '9')
            d++;
        return d == len;
    }
    return 0;
}

char *_ts_normalize_query(const char *q)
{
    size_t len = strlen(q), cap = len * 3 + 16, n = 0;
    char *out = malloc(cap);
    if (!out) {
        _ts_error(TS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    /* Words are runs between white space; operators are copied as typed,
     * everything else (including the white space) is normalized. */
    for (size_t i = 0; i < len;) {
        size_t j = i;
        int space = (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r');
        while (j < len && (q[j] == ' ' || q[j] == '\t' || q[j] == '\n' || q[j] == '\r') == space)
            j++;
        char *piece = NULL;
        size_t plen;
        if (space) {
            plen = 1;
        } else if (is_operator(q + i, j - i)) {
            plen = j - i;
        } else {
            piece = map(q + i, j - i);
            if (!piece) {
                free(out);
                _ts_error(TS_ERR_NOMEM, "out of memory");
                return NULL;
            }
            plen = strlen(piece);
        }
        if (n + plen + 1 > cap) {
            cap = (n + plen + 1) * 2;
            char *o = realloc(out, cap);
            if (!o) {
                free(piece);
                free(out);
                _ts_error(TS_ERR_NOMEM, "out of memory");
                return NULL;
            }
            out = o;
        }
        if (space)
            out[n] = ' ';
        else
            memcpy(out + n, piece ? piece : q + i, plen);
        n += plen;
        free(piece);
        i = j;
    }
    out[n] = '\0';
    return out;
}
