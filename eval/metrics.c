/* metrics.c - condensed-list nDCG@10, P@10 and R@100 (see metrics.h). */
#include "metrics.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Order of two topic ids: numerically when both are whole numbers, else
 * as strings (numbers first). */
static int topic_cmp(const char *a, const char *b)
{
    char *ea, *eb;
    long na = strtol(a, &ea, 10), nb = strtol(b, &eb, 10);
    int numa = *a && !*ea, numb = *b && !*eb;

    if (numa && numb)
        return na < nb ? -1 : na > nb;
    if (numa != numb)
        return numa ? -1 : 1;
    return strcmp(a, b);
}

/* Format a message into err (when given). */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Split line into at most max white-space separated words, in place.
 * Returns the number of words found (more than max counts as max + 1). */
static size_t split(char *line, char **w, size_t max)
{
    size_t n = 0;
    char *p = line;

    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            return n;
        if (n == max)
            return max + 1;
        w[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
}

/* Read one line of any length into *buf (grown as needed).  Returns the
 * length, or -1 at end of file. */
static long read_line(FILE *f, char **buf, size_t *cap)
{
    ssize_t n = getline(buf, cap, f);
    return n < 0 ? -1 : (long)n;
}

/* Duplicate s; NULL when out of memory. */
static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* ---- qrels -------------------------------------------------------- */

static int judgment_cmp(const void *a, const void *b)
{
    const ev_judgment_t *x = a, *y = b;
    int c = topic_cmp(x->topic, y->topic);
    return c ? c : strcmp(x->doc, y->doc);
}

void ev_qrels_free(ev_qrels_t *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->v[i].topic);
        free(q->v[i].doc);
    }
    free(q->v);
    q->v = NULL;
    q->n = 0;
}

int ev_qrels_read(FILE *f, const char *name, ev_qrels_t *q, char *err, size_t errlen)
{
    char *line = NULL, *w[5], *end;
    size_t cap = 0, alloc = 0, lineno = 0;
    long rel;

    q->v = NULL;
    q->n = 0;
    while (read_line(f, &line, &cap) >= 0) {
        lineno++;
        size_t nw = split(line, w, 4);
        if (nw == 0 || w[0][0] == '#')
            continue;
        errno = 0;
        if (nw != 4 || (rel = strtol(w[3], &end, 10), *end || errno)) {
            set_err(err, errlen, "%s:%zu: expected TOPIC ITER DOC GRADE", name, lineno);
            goto fail;
        }
        if (q->n == alloc) {
            size_t na = alloc ? alloc * 2 : 1024;
            ev_judgment_t *nv = realloc(q->v, na * sizeof *nv);
            if (!nv)
                goto nomem;
            q->v = nv;
            alloc = na;
        }
        q->v[q->n].topic = dup(w[0]);
        q->v[q->n].doc = dup(w[2]);
        q->v[q->n].rel = (int)rel;
        q->n++;
        if (!q->v[q->n - 1].topic || !q->v[q->n - 1].doc)
            goto nomem;
    }
    free(line);
    line = NULL;
    if (ferror(f)) {
        set_err(err, errlen, "%s: read error: %s", name, strerror(errno));
        goto fail;
    }
    /* Sort, then merge repeated judgments keeping the highest grade. */
    qsort(q->v, q->n, sizeof *q->v, judgment_cmp);
    size_t o = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (o && judgment_cmp(&q->v[o - 1], &q->v[i]) == 0) {
            if (q->v[i].rel > q->v[o - 1].rel)
                q->v[o - 1].rel = q->v[i].rel;
            free(q->v[i].topic);
            free(q->v[i].doc);
            continue;
        }
        q->v[o++] = q->v[i];
    }
    q->n = o;
    return 0;
nomem:
    set_err(err, errlen, "%s: out of memory", name);
fail:
    free(line);
    ev_qrels_free(q);
    return -1;
}

/* ---- runs --------------------------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
    const ev_entry_t *x = a, *y = b;
    int c = topic_cmp(x->topic, y->topic);
    if (c)
        return c;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

void ev_run_free(ev_run_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].topic);
        free(r->v[i].doc);
    }
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

int ev_run_read(FILE *f, const char *name, ev_run_t *r, char *err, size_t errlen)
{
    char *line = NULL, *w[7], *end;
    size_t cap = 0, alloc = 0, lineno = 0;
    double score;

    r->v = NULL;
    r->n = 0;
    while (read_line(f, &line, &cap) >= 0) {
        lineno++;
        size_t nw = split(line, w, 6);
        if (nw == 0 || w[0][0] == '#')
            continue;
        errno = 0;
        if (nw != 6 || (score = strtod(w[4], &end), *end || errno || isnan(score))) {
            set_err(err, errlen, "%s:%zu: expected TOPIC Q0 DOC RANK SCORE TAG", name, lineno);
            goto fail;
        }
        if (r->n == alloc) {
            size_t na = alloc ? alloc * 2 : 4096;
            ev_entry_t *nv = realloc(r->v, na * sizeof *nv);
            if (!nv)
                goto nomem;
            r->v = nv;
            alloc = na;
        }
        r->v[r->n].topic = dup(w[0]);
        r->v[r->n].doc = dup(w[2]);
        r->v[r->n].score = score;
        r->v[r->n].line = lineno;
        r->n++;
        if (!r->v[r->n - 1].topic || !r->v[r->n - 1].doc)
            goto nomem;
    }
    free(line);
    line = NULL;
    if (ferror(f)) {
        set_err(err, errlen, "%s: read error: %s", name, strerror(errno));
        goto fail;
    }
    qsort(r->v, r->n, sizeof *r->v, entry_cmp);
    return 0;
nomem:
    set_err(err, errlen, "%s: out of memory", name);
fail:
    free(line);
    ev_run_free(r);
    return -1;
}

/* ---- document sets ------------------------------------------------ */

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void ev_docs_free(ev_docs_t *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i]);
    free(d->v);
    d->v = NULL;
    d->n = 0;
}

int ev_docs_read(FILE *f, const char *name, ev_docs_t *d, char *err, size_t errlen)
{
    char *line = NULL, *w[2];
    size_t cap = 0, alloc = 0;

    d->v = NULL;
    d->n = 0;
    while (read_line(f, &line, &cap) >= 0) {
        if (split(line, w, 1) == 0 || !isalnum((unsigned char)w[0][0]))
            continue;
        if (d->n == alloc) {
            size_t na = alloc ? alloc * 2 : 1024;
            char **nv = realloc(d->v, na * sizeof *nv);
            if (!nv)
                goto nomem;
            d->v = nv;
            alloc = na;
        }
        if (!(d->v[d->n] = dup(w[0])))
            goto nomem;
        d->n++;
    }
    free(line);
    line = NULL;
    if (ferror(f)) {
        set_err(err, errlen, "%s: read error: %s", name, strerror(errno));
        ev_docs_free(d);
        return -1;
    }
    qsort(d->v, d->n, sizeof *d->v, str_cmp);
    return 0;
nomem:
    set_err(err, errlen, "%s: out of memory", name);
    free(line);
    ev_docs_free(d);
    return -1;
}

int ev_docs_has(const ev_docs_t *d, const char *id)
{
    return d->n && bsearch(&id, d->v, d->n, sizeof *d->v, str_cmp) != NULL;
}

void ev_qrels_restrict(ev_qrels_t *q, const ev_docs_t *d)
{
    size_t o = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (ev_docs_has(d, q->v[i].doc)) {
            q->v[o++] = q->v[i];
        } else {
            free(q->v[i].topic);
            free(q->v[i].doc);
        }
    }
    q->n = o;
}

/* ---- figures ------------------------------------------------------ */

static int int_desc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x > y ? -1 : x < y;
}

/* DCG@k of grades g[0..n-1] in that order (negative grades count 0). */
static double dcg(const int *g, size_t n, size_t k)
{
    double s = 0;
    for (size_t i = 0; i < n && i < k; i++)
        if (g[i] > 0)
            s += g[i] / log2((double)i + 2.0);
    return s;
}

double ev_ndcg(const int *ranked, size_t n, const int *judged, size_t m, size_t k)
{
    int ideal[EV_NDCG_MAX_K];
    size_t top = 0;
    double idcg;

    if (k > EV_NDCG_MAX_K)
        k = EV_NDCG_MAX_K;

    /* The k best judged grades make the ideal ranking. */
    for (size_t i = 0; i < m; i++) {
        int g = judged[i];
        if (top < k) {
            ideal[top++] = g;
            qsort(ideal, top, sizeof *ideal, int_desc);
        } else if (top && g > ideal[top - 1]) {
            ideal[top - 1] = g;
            qsort(ideal, top, sizeof *ideal, int_desc);
        }
    }
    idcg = dcg(ideal, top, k);
    return idcg > 0 ? dcg(ranked, n, k) / idcg : 0.0;
}

/* Fill t's figures from the condensed ranking's grades and all the
 * topic's judged grades. */
static void score_topic(const int *ranked, size_t n, const int *judged, size_t m,
                        ev_topic_t *t)
{
    size_t hits10 = 0, hits100 = 0;

    t->judged = m;
    t->eligible = 0;
    for (size_t i = 0; i < m; i++)
        t->eligible += judged[i] >= EV_RELEVANT;
    t->retrieved = n;
    for (size_t i = 0; i < n; i++) {
        if (ranked[i] < EV_RELEVANT)
            continue;
        hits10 += i < EV_P_K;
        hits100 += i < EV_R_K;
    }
    t->ndcg10 = ev_ndcg(ranked, n, judged, m, EV_NDCG_K);
    t->p10 = (double)hits10 / EV_P_K;
    t->r100 = t->eligible ? (double)hits100 / (double)t->eligible : 0.0;
}

/* Index just past the judgments of the topic that starts at q->v[i]. */
static size_t topic_end(const ev_qrels_t *q, size_t i)
{
    size_t j = i + 1;
    while (j < q->n && strcmp(q->v[j].topic, q->v[i].topic) == 0)
        j++;
    return j;
}

/* Number of topics in q. */
static size_t topic_count(const ev_qrels_t *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->n; i = topic_end(q, i))
        n++;
    return n;
}

/* First entry of topic in r, or r->n. */
static size_t run_first(const ev_run_t *r, const char *topic)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (topic_cmp(r->v[mid].topic, topic) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int ev_evaluate(const ev_qrels_t *q, const ev_run_t *r, ev_topic_t **out, size_t *n)
{
    size_t nt = topic_count(q), t = 0;
    ev_topic_t *res = calloc(nt ? nt : 1, sizeof *res);
    int *judged = malloc((q->n ? q->n : 1) * sizeof *judged);
    int *ranked = malloc((q->n ? q->n : 1) * sizeof *ranked);
    unsigned char *seen = malloc(q->n ? q->n : 1);

    if (!res || !judged || !ranked || !seen) {
        free(res);
        free(judged);
        free(ranked);
        free(seen);
        return -1;
    }
    for (size_t a = 0, b; a < q->n; a = b) {
        const ev_judgment_t *qa = &q->v[a];
        size_t m, nr = 0;

        b = topic_end(q, a);
        m = b - a;
        for (size_t i = 0; i < m; i++)
            judged[i] = qa[i].rel;
        memset(seen, 0, m);
        /* The condensed list: the run's judged documents, in its order. */
        for (size_t i = run_first(r, qa->topic);
             i < r->n && strcmp(r->v[i].topic, qa->topic) == 0; i++) {
            size_t lo = 0, hi = m;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(qa[mid].doc, r->v[i].doc);
                if (c == 0) {
                    lo = mid;
                    break;
                }
                if (c < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < m && strcmp(qa[lo].doc, r->v[i].doc) == 0 && !seen[lo]) {
                seen[lo] = 1;
                ranked[nr++] = qa[lo].rel;
            }
        }
        res[t].topic = qa->topic;
        score_topic(ranked, nr, judged, m, &res[t]);
        t++;
    }
    free(judged);
    free(ranked);
    free(seen);
    *out = res;
    *n = nt;
    return 0;
}

ev_mean_t ev_mean(const ev_topic_t *t, size_t n)
{
    ev_mean_t m;
    memset(&m, 0, sizeof m);
    for (size_t i = 0; i < n; i++) {
        m.judged_topics += t[i].judged > 0;
        if (t[i].eligible) {
            m.topics++;
            m.ndcg10 += t[i].ndcg10;
            m.p10 += t[i].p10;
            m.r100 += t[i].r100;
        }
    }
    if (m.topics) {
        m.ndcg10 /= (double)m.topics;
        m.p10 /= (double)m.topics;
        m.r100 /= (double)m.topics;
    }
    return m;
}

/* splitmix64: the next number of the sequence in *s. */
static unsigned long long next_rand(unsigned long long *s)
{
    unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

ev_mean_t ev_random(const ev_qrels_t *q, unsigned rounds, unsigned long seed)
{
    size_t nt = topic_count(q);
    ev_topic_t *res = calloc(nt ? nt : 1, sizeof *res);
    int *judged = malloc((q->n ? q->n : 1) * sizeof *judged);
    int *ranked = malloc((q->n ? q->n : 1) * sizeof *ranked);
    unsigned long long s = seed;
    ev_mean_t sum;

    memset(&sum, 0, sizeof sum);
    if (!res || !judged || !ranked || !rounds)
        goto done;
    for (unsigned round = 0; round < rounds; round++) {
        size_t t = 0;
        for (size_t a = 0, b; a < q->n; a = b) {
            size_t m;
            b = topic_end(q, a);
            m = b - a;
            for (size_t i = 0; i < m; i++)
                judged[i] = ranked[i] = q->v[a + i].rel;
            for (size_t i = m; i > 1; i--) {   /* Fisher-Yates */
                size_t j = (size_t)(next_rand(&s) % i);
                int tmp = ranked[i - 1];
                ranked[i - 1] = ranked[j];
                ranked[j] = tmp;
            }
            res[t].topic = q->v[a].topic;
            score_topic(ranked, m, judged, m, &res[t]);
            t++;
        }
        ev_mean_t m = ev_mean(res, nt);
        sum.topics = m.topics;
        sum.judged_topics = m.judged_topics;
        sum.ndcg10 += m.ndcg10;
        sum.p10 += m.p10;
        sum.r100 += m.r100;
    }
    sum.ndcg10 /= rounds;
    sum.p10 /= rounds;
    sum.r100 /= rounds;
done:
    free(res);
    free(judged);
    free(ranked);
    return sum;
}
