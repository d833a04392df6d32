/* abbrev.c - abbreviation definitions in running text (Schwartz-Hearst).
 *
 * The rules are listed in abbrev.h.  Everything works on byte offsets
 * into the caller's text and on ASCII classes: bytes of multi-byte UTF-8
 * characters count as parts of words but never match a letter of a short
 * form.  No allocation: the two strings handed to the callback are built
 * in buffers on the stack.
 */
#include "abbrev.h"

#include <string.h>

/* Longest parenthesis read, in bytes. */
#define PAREN_MAX 400

/* ASCII white space (line breaks included). */
static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* An ASCII letter or digit. */
static int is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A byte that is part of a word: ASCII letters and digits and every byte
 * of a non-ASCII character. */
static int is_wordch(unsigned char c)
{
    return is_alnum(c) || c >= 0x80;
}

/* c with an ASCII capital lower-cased. */
static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* 1 if a blank line starts at t[i] (a newline, optional blanks, another
 * newline). */
static int blank_line_at(const char *t, size_t i)
{
    if (t[i] != '\n')
        return 0;
    for (i++; t[i] == ' ' || t[i] == '\t' || t[i] == '\r'; i++)
        ;
    return t[i] == '\n';
}

/* 1 if a list item starts after the newline at t[i]: blanks, then a
 * bullet ("-", "*", "•", "·") or a number followed by "." or ")". */
static int list_item_at(const char *t, size_t i)
{
    if (t[i] != '\n')
        return 0;
    for (i++; t[i] == ' ' || t[i] == '\t' || t[i] == '\r'; i++)
        ;
    if (t[i] == '-' || t[i] == '*')
        return 1;
    if ((unsigned char)t[i] == 0xe2 && (unsigned char)t[i + 1] == 0x80 &&
        (unsigned char)t[i + 2] == 0xa2)
        return 1;                                       /* U+2022 bullet */
    if ((unsigned char)t[i] == 0xc2 && (unsigned char)t[i + 1] == 0xb7)
        return 1;                                       /* U+00B7 middle dot */
    if (t[i] >= '0' && t[i] <= '9') {
        while (t[i] >= '0' && t[i] <= '9')
            i++;
        return t[i] == '.' || t[i] == ')';
    }
    return 0;
}

/* Offset of the ')' that closes the '(' at t[open], or 0 when there is
 * none within PAREN_MAX bytes and the same paragraph. */
static size_t find_close(const char *t, size_t open)
{
    int depth = 0;
    for (size_t i = open + 1; i < open + PAREN_MAX && t[i]; i++) {
        if (t[i] == '(') {
            depth++;
        } else if (t[i] == ')') {
            if (depth == 0)
                return i;
            depth--;
        } else if (blank_line_at(t, i)) {
            return 0;
        }
    }
    return 0;
}

/* 1 if s[0..n) may be a short form (rules in abbrev.h). */
static int valid_short_form(const char *s, size_t n)
{
    int letter = 0, upper = 0, spaces = 0;

    if (n < 2 || n > _TS_ABBREV_SF_MAX || !is_alnum((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            letter = upper = 1;
        else if (c >= 'a' && c <= 'z')
            letter = 1;
        else if (c == ' ')
            spaces++;
        else if (!(c >= '0' && c <= '9') && c < 0x80 && !strchr("-/.&+'", c))
            return 0;
    }
    if (!letter || !upper || spaces > 1)
        return 0;
    /* "IL 2", "FDA OOPD": each of two words must look abbreviated itself
     * (at most 2 bytes, a digit, or two capitals), so "T cells", "Arm A"
     * and "and D" are no short forms */
    for (size_t i = 0; spaces && i < n;) {
        size_t j = i, caps = 0, digit = 0;
        for (; j < n && s[j] != ' '; j++) {
            caps += (s[j] >= 'A' && s[j] <= 'Z');
            digit |= (s[j] >= '0' && s[j] <= '9');
        }
        if (j - i > 2 && !digit && caps < 2)
            return 0;
        i = j + 1;
    }
    return 1;
}

/* Number of white-space separated words in s[0..n). */
static size_t count_words(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_space((unsigned char)s[i]) && (i == 0 || is_space((unsigned char)s[i - 1])))
            w++;
    return w;
}

/* Most words a long form for a short form of n bytes may have. */
static size_t max_words(size_t n)
{
    return n + 5 < 2 * n ? n + 5 : 2 * n;
}

/* Start of the text where the long form of "... (" ending at t[end] may
 * begin: at most maxw words back, not across a boundary (abbrev.h). */
static size_t window_start(const char *t, size_t end, size_t maxw)
{
    size_t i = end, words = 0;

    for (;;) {
        /* blanks before the word */
        while (i > 0 && is_space((unsigned char)t[i - 1])) {
            if (t[i - 1] == '\n' && (blank_line_at(t, i - 1) || list_item_at(t, i - 1)))
                return i;
            i--;
        }
        if (i == 0 || words == maxw)
            return i;
        /* a word ending in sentence punctuation ends the previous sentence */
        if (i < end && strchr(".!?;:", t[i - 1]))
            return i;
        while (i > 0 && !is_space((unsigned char)t[i - 1])) {
            if (strchr("()[]", t[i - 1]))
                return i;
            i--;
        }
        words++;
    }
}

/* 1 if the word starting at t[i] is a function word ("and", "of", "are"
 * ...), which cannot begin a long form: "acceptance and commitment
 * therapy (ACT)" is not defined by "and commitment therapy". */
static int function_word_at(const char *t, size_t i)
{
    static const char *const words[] = {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in",
        "into", "is", "its", "of", "on", "or", "than", "that", "the", "their",
        "these", "this", "those", "to", "versus", "vs", "was", "were", "with",
    };
    char w[8];
    size_t k = 0;

    while (is_wordch((unsigned char)t[i + k])) {
        if (k == sizeof w - 1)
            return 0;
        w[k] = (char)lower((unsigned char)t[i + k]);
        k++;
    }
    w[k] = '\0';
    for (size_t j = 0; j < sizeof words / sizeof words[0]; j++)
        if (strcmp(w, words[j]) == 0)
            return 1;
    return 0;
}

/* The shortest long form in t[from..to) that explains the short form
 * sf[0..n), not starting with a function word: its start offset, or
 * (size_t)-1 when there is none. */
static size_t best_long_form(const char *sf, size_t n, const char *t, size_t from, size_t to)
{
    size_t s = n, l = to;   /* one past the next byte to compare */

    while (s > 0) {
        unsigned char c = lower((unsigned char)sf[s - 1]);
        if (!is_alnum(c)) {
            s--;
            continue;
        }
        while (l > from && (lower((unsigned char)t[l - 1]) != c ||
                            (s == 1 && l - 1 > from && is_wordch((unsigned char)t[l - 2]))))
            l--;
        if (l == from)
            return (size_t)-1;
        l--;
        s--;
    }
    /* l is where the first letter matched: look further back while that
     * is a function word */
    while (function_word_at(t, l)) {
        unsigned char c = lower((unsigned char)sf[0]);
        do {
            if (l == from)
                return (size_t)-1;
            l--;
        } while (lower((unsigned char)t[l]) != c ||
                 (l > from && is_wordch((unsigned char)t[l - 1])));
    }
    while (l > from && !is_space((unsigned char)t[l - 1]))
        l--;
    return l;
}

/* 1 if the folded long form lf holds the short form as a whole word
 * (ASCII case ignored). */
static int holds_short_form(const char *lf, const char *sf, size_t n)
{
    for (const char *p = lf; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && lower((unsigned char)p[k]) == lower((unsigned char)sf[k]))
            k++;
        if (k == n && (p == lf || !is_alnum((unsigned char)p[-1])) &&
            !is_alnum((unsigned char)p[n]))
            return 1;
    }
    return 0;
}

/* Check the long form t[from..to) for the short form sf[0..n) and hand
 * the pair to cb.  Returns 1 when it was accepted. */
static int emit(const char *sf, size_t n, const char *t, size_t from, size_t to,
                _ts_abbrev_cb cb, void *ctx)
{
    char sfb[_TS_ABBREV_SF_MAX + 1], lfb[_TS_ABBREV_LF_MAX + 1];
    size_t k = 0;

    /* surrounding punctuation: quotes, brackets, bullets, trailing commas */
    while (from < to && !is_wordch((unsigned char)t[from]))
        from++;
    while (to > from && !is_wordch((unsigned char)t[to - 1]) && t[to - 1] != ')' &&
           t[to - 1] != '+' && t[to - 1] != '\'')
        to--;
    if (to - from <= n || count_words(t + from, to - from) > max_words(n))
        return 0;
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)t[i];
        if (is_space(c)) {
            if (k > 0 && lfb[k - 1] == ' ')
                continue;
            c = ' ';
        }
        if (k == _TS_ABBREV_LF_MAX)
            return 0;
        lfb[k++] = (char)lower(c);
    }
    lfb[k] = '\0';
    memcpy(sfb, sf, n);
    sfb[n] = '\0';
    if (holds_short_form(lfb, sfb, n))
        return 0;
    cb(sfb, lfb, ctx);
    return 1;
}

/* Try the parenthesis t[open..close] as "LF (SF)" and then as
 * "SF (LF)". */
static void candidate(const char *t, size_t open, size_t close, _ts_abbrev_cb cb, void *ctx)
{
    size_t cs = open + 1, ce = cs;

    /* the part before a nested parenthesis, ';' or ", " */
    while (ce < close && t[ce] != '(' && t[ce] != ';' &&
           !(t[ce] == ',' && (ce + 1 == close || is_space((unsigned char)t[ce + 1]))))
        ce++;
    while (cs < ce && is_space((unsigned char)t[cs]))
        cs++;
    while (ce > cs && is_space((unsigned char)t[ce - 1]))
        ce--;
    if (ce == cs)
        return;

    /* LONG FORM (SF) */
    if (valid_short_form(t + cs, ce - cs)) {
        size_t n = ce - cs, end = open, from, lf;
        while (end > 0 && is_space((unsigned char)t[end - 1]))
            end--;
        from = window_start(t, end, max_words(n));
        lf = best_long_form(t + cs, n, t, from, end);
        if (lf != (size_t)-1 && emit(t + cs, n, t, lf, end, cb, ctx))
            return;
    }

    /* SF (LONG FORM): the word just before the parenthesis */
    size_t we = open, ws;
    while (we > 0 && (t[we - 1] == ' ' || t[we - 1] == '\t'))
        we--;
    ws = we;
    while (ws > 0 && !is_space((unsigned char)t[ws - 1]) && we - ws <= _TS_ABBREV_SF_MAX)
        ws--;
    if (we == ws || !valid_short_form(t + ws, we - ws))
        return;
    size_t lf = best_long_form(t + ws, we - ws, t, cs, ce);
    if (lf != (size_t)-1)
        emit(t + ws, we - ws, t, lf, ce, cb, ctx);
}

/* Every '(' of the text, in order, is a candidate (abbrev.h). */
void _ts_abbrev_scan(const char *text, _ts_abbrev_cb cb, void *ctx)
{
    if (!text)
        return;
    for (const char *p = strchr(text, '('); p; p = strchr(p + 1, '(')) {
        size_t open = (size_t)(p - text), close = find_close(text, open);
        if (close)
            candidate(text, open, close, cb, ctx);
    }
}

size_t _ts_abbrev_key(const char *sf, char *out)
{
    size_t n = 0, caps = 1;

    while (sf[n] && n < _TS_ABBREV_SF_MAX) {
        unsigned char c = (unsigned char)sf[n];
        if (c >= 'a' && c <= 'z' && sf[n + 1])
            caps = 0;
        out[n] = (char)lower(c);
        n++;
    }
    /* "MSCs": drop the s when everything before it is capitals/digits */
    if (n >= 3 && sf[n - 1] == 's' && caps) {
        int letters = 0;
        for (size_t i = 0; i + 1 < n; i++)
            if ((sf[i] >= 'A' && sf[i] <= 'Z'))
                letters++;
        if (letters >= 1)
            n--;
    }
    out[n] = '\0';
    return n;
}
