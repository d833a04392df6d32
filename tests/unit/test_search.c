/* test_search.c - searching through the public API.
 *
 * The group setup builds a small index through the API (ts_db_open with
 * TS_DB_WRITE, ts_db_put) from the nine sample records of corpus/ plus one
 * record made here that has no age limits and no enrollment, then reopens
 * it for reading.  The tests search it: ranking, fielded queries, filters
 * given as options and in the query, the partial-match fallback, sorting,
 * paging, snippets, facets, field weights and BM25's record lengths (each
 * an index of its own) and errors. */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp */
#include "unit.h"
#include "ts_internal.h"

#include <ftw.h>
#include <unistd.h>

typedef struct fixture {
    char dir[64];
    ts_db_t *db;
} fixture_t;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A list of one string, for the record made by hand. */
static void one(ts_strlist_t *l, const char *s)
{
    l->v = malloc(sizeof *l->v);
    assert_non_null(l->v);
    l->v[0] = strdup(s);
    l->n = 1;
}

/* The hand-made record: no age limits, enrollment unknown. */
static ts_record_t *no_ages_record(void)
{
    ts_record_t *r = ts_record_new();
    assert_non_null(r);
    r->nct_id = strdup("NCT09900099");
    r->brief_title = strdup("Zebrafish Syndrome Natural History Registry");
    r->brief_summary = strdup("A registry of people with zebrafish syndrome of any age.");
    r->overall_status = strdup("UNKNOWN");
    r->study_type = strdup("OBSERVATIONAL");
    r->sex = strdup("ALL");
    r->start_date = strdup("2010-05");
    r->last_update = strdup("2011-01-02");
    one(&r->conditions, "Zebrafish Syndrome");
    one(&r->phases, "NA");
    return r;
}

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    unit_scan_t scan = {0};
    ts_db_t *w = NULL;
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/ts_search_XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/db", fx->dir);
    if (ts_db_open(path, TS_DB_WRITE, &w) != TS_OK) {
        fprintf(stderr, "open for writing: %s\n", ts_last_error());
        return -1;
    }
    ts_scan_cbs_t cbs = unit_cbs(&scan);
    if (ts_scan_path("corpus", TS_FORMAT_AUTO, &cbs) != TS_OK || scan.n != 9) {
        fprintf(stderr, "scanning corpus/: %zu records: %s\n", scan.n, ts_last_error());
        return -1;
    }
    unit_on_record(&scan, no_ages_record());
    for (size_t i = 0; i < scan.n; i++)
        if (ts_db_put(w, scan.recs[i], NULL) != TS_OK) {
            fprintf(stderr, "put: %s\n", ts_last_error());
            return -1;
        }
    unit_scan_free(&scan);
    if (ts_db_close(w) != TS_OK)
        return -1;
    if (ts_db_open(path, TS_DB_READ, &fx->db) != TS_OK)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    ts_db_close(fx->db);
    nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return 0;
}

/* Search and fail the test on any error. */
static ts_results_t *search(void **state, ts_query_opts_t *o)
{
    fixture_t *fx = *state;
    ts_results_t *res = NULL;
    ts_status_t st = ts_search(fx->db, o, &res);
    if (st != TS_OK)
        fail_msg("search '%s': %s: %s", o->query ? o->query : "", ts_status_name(st),
                 ts_last_error());
    assert_non_null(res);
    return res;
}

/* The ids of the hits, sorted and space separated, in buf. */
static const char *id_set(const ts_results_t *res, char *buf, size_t size)
{
    const char *ids[64];
    size_t n = ts_results_count(res);
    assert_true(n < 64);
    for (size_t i = 0; i < n; i++)
        ids[i] = ts_results_hit(res, i)->record->nct_id;
    for (size_t i = 1; i < n; i++) /* insertion sort */
        for (size_t k = i; k > 0 && strcmp(ids[k - 1], ids[k]) > 0; k--) {
            const char *t = ids[k];
            ids[k] = ids[k - 1];
            ids[k - 1] = t;
        }
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strncat(buf, " ", size - strlen(buf) - 1);
        strncat(buf, ids[i], size - strlen(buf) - 1);
    }
    return buf;
}

/* The set of ids query (with the options of o) finds, all of them. */
static void expect(void **state, ts_query_opts_t *o, const char *query, const char *want)
{
    char buf[1024];
    o->query = query;
    o->limit = 50;
    o->flags |= TS_Q_NO_FALLBACK;
    ts_results_t *res = search(state, o);
    const char *got = id_set(res, buf, sizeof buf);
    if (strcmp(got, want) != 0)
        fail_msg("query '%s': got [%s], want [%s]", query, got, want);
    assert_int_equal(ts_results_total(res), ts_results_count(res));
    assert_true(ts_results_total_exact(res));
    ts_results_free(res);
}

static ts_query_opts_t opts(void)
{
    ts_query_opts_t o;
    ts_query_opts_init(&o);
    return o;
}

/* ---- tests ------------------------------------------------------------ */

static void test_defaults(void **state)
{
    (void)state;
    ts_query_opts_t o = opts();
    assert_int_equal(o.limit, 10);
    assert_true(o.age == TS_AGE_NONE);
    assert_int_equal(o.healthy, -1);
    assert_int_equal(o.sort, TS_SORT_RELEVANCE);
}

/* The two intrathecal ALS trials, ranked, with highlighted snippets. */
static void test_ranking_and_snippets(void **state)
{
    ts_query_opts_t o = opts();
    o.query = "intrathecal ALS";
    ts_results_t *res = search(state, &o);
    assert_int_equal(ts_results_count(res), 2);
    assert_int_equal(ts_results_total(res), 2);
    assert_true(ts_results_total_exact(res));
    assert_null(ts_results_dropped(res));
    char buf[256];
    assert_string_equal(id_set(res, buf, sizeof buf), "NCT09900001 NCT09900003");
    for (size_t i = 0; i < 2; i++) {
        const ts_hit_t *h = ts_results_hit(res, i);
        assert_int_equal(h->rank, i + 1);
        assert_true(h->score > 0);
        assert_non_null(h->snippet);
        assert_non_null(strchr(h->snippet, '\x01'));
        assert_non_null(strchr(h->snippet, '\x02'));
        assert_non_null(h->snippet_field);
    }
    assert_true(ts_results_hit(res, 0)->score >= ts_results_hit(res, 1)->score);
    assert_null(ts_results_hit(res, 2));
    /* "ALS" in capitals is not stemmed to "al" */
    assert_non_null(strstr(ts_results_parsed(res), "als"));
    ts_results_free(res);
}

static void test_fielded(void **state)
{
    ts_query_opts_t o = opts();
    expect(state, &o, "condition:epilepsy", "NCT09900004 NCT09900005");
    expect(state, &o, "cond:epilepsy", "NCT09900004 NCT09900005");
    expect(state, &o, "intervention:vigabatrin", "NCT09900005");
    expect(state, &o, "intr:(vigabatrin OR ravelatine)", "NCT09900004 NCT09900005");
    expect(state, &o, "id:NCT09900004", "NCT09900004");
    expect(state, &o, "id:nct09900004", "NCT09900004");
    expect(state, &o, "location:nantes", "NCT09900005");
    expect(state, &o, "title:zebrafish", "NCT09900099");
    expect(state, &o, "summary:zebrafish", "NCT09900099");
    expect(state, &o, "condition:zebrafish intervention:zebrafish", "");
    expect(state, &o, "\"motor neuron disease\" -intrathecal", "NCT09900002");
    expect(state, &o, "ALS NOT c9orf72", "NCT09900001");
    expect(state, &o, "diabetes OR parkinson", "NCT09900007 NCT09900009");
    expect(state, &o, "zebraf*", "NCT09900099");
    expect(state, &o, "-sclerosis -cancer -epilepsy -spasms -zebrafish",
           "NCT09900002 NCT09900007 NCT09900009");
}

/* Phrases and NEAR in fields.  The long fields (summary here) keep no
 * word positions of their own: their phrases are checked on the default
 * search's copy of the text, and must still need the words in the field,
 * next to each other (the hand-made record: summary "A registry of people
 * with zebrafish syndrome of any age.", title "Zebrafish Syndrome
 * Natural History Registry"). */
static void test_field_phrases(void **state)
{
    ts_query_opts_t o = opts();
    expect(state, &o, "summary:\"zebrafish syndrome\"", "NCT09900099");
    expect(state, &o, "summary:\"registry of people\"", "NCT09900099");
    expect(state, &o, "summary:\"syndrome zebrafish\"", "");
    expect(state, &o, "summary:\"registry people\"", "");
    /* the phrase is in the title, not the summary */
    expect(state, &o, "title:\"natural history\"", "NCT09900099");
    expect(state, &o, "summary:\"natural history\"", "");
    expect(state, &o, "summary:registry NEAR summary:age", "NCT09900099");
    expect(state, &o, "summary:registry NEAR/3 summary:age", "");
    /* excluded and ORed phrases */
    expect(state, &o, "zebrafish -summary:\"syndrome of any\"", "");
    expect(state, &o, "zebrafish -summary:\"syndrome of all\"", "NCT09900099");
    expect(state, &o, "summary:\"any age\" OR condition:epilepsy",
           "NCT09900004 NCT09900005 NCT09900099");
    /* fields with positions of their own (exclusion criteria are not in
     * the default search), and one searched over several prefixes */
    expect(state, &o, "condition:\"infantile spasms\"", "NCT09900005");
    expect(state, &o, "exclusion:\"recent pneumothorax\"", "NCT09900002");
    expect(state, &o, "inclusion:\"motor neuron disease\"", "NCT09900002");
    expect(state, &o, "inclusion:\"recent pneumothorax\"", "");
    expect(state, &o, "eligibility:\"motor neuron disease\"", "NCT09900002");
    expect(state, &o, "eligibility:\"recent pneumothorax\"", "NCT09900002");
}

/* Every free-text field kept without positions is in the default search,
 * where its phrases are checked. */
static void test_schema_positions(void **state)
{
    (void)state;
    size_t without = 0;
    for (size_t i = 0; i < _ts_schema_len; i++) {
        const _ts_field_t *f = &_ts_schema[i];
        if (f->info.kind != TS_FIELD_TEXT || f->src == _TS_SRC_NONE || f->positions)
            continue;
        without++;
        if (f->weight == 0)
            fail_msg("field %s has no positions and is not in the default search", f->info.name);
    }
    assert_true(without > 0);
}

static void test_filters_in_query(void **state)
{
    ts_query_opts_t o = opts();
    expect(state, &o, "status:\"active, not recruiting\"", "NCT09900008");
    expect(state, &o, "status:open",
           "NCT09900001 NCT09900003 NCT09900005 NCT09900006 NCT09900009");
    expect(state, &o, "status:completed", "NCT09900002 NCT09900004");
    expect(state, &o, "phase:2/3", "NCT09900006");
    expect(state, &o, "phase:1/2", "");
    expect(state, &o, "phase:na", "NCT09900002 NCT09900099");
    expect(state, &o, "type:observational", "NCT09900009 NCT09900099");
    expect(state, &o, "healthy:yes", "NCT09900009");
    expect(state, &o, "country:france", "NCT09900005");
    /* ages: 0004 is for 18 to 60, 0099 has no limits */
    expect(state, &o, "age:61 epilepsy", "");
    expect(state, &o, "age:60 condition:epilepsy", "NCT09900004");
    expect(state, &o, "age:1 condition:epilepsy", "NCT09900005");
    expect(state, &o, "age:100", "NCT09900002 NCT09900099");
    /* ranges */
    expect(state, &o, "start:..2019", "NCT09900004 NCT09900099");
    expect(state, &o, "start:2024-06", "NCT09900005 NCT09900006");
    expect(state, &o, "enrollment:300..600", "NCT09900004 NCT09900006");
    expect(state, &o, "updated:..2011", "NCT09900099");
}

static void test_filter_options(void **state)
{
    ts_query_opts_t o = opts();
    o.sex = "male";
    expect(state, &o, "sclerosis OR cancer OR diabetes",
           "NCT09900001 NCT09900003 NCT09900006 NCT09900007");
    o = opts();
    o.sex = "female";
    expect(state, &o, "cancer", "NCT09900008");
    o = opts();
    o.age = 18;
    expect(state, &o, "sclerosis OR cancer OR diabetes OR epilepsy",
           "NCT09900001 NCT09900004 NCT09900006 NCT09900008");
    o.age = 21;
    o.status = "recruiting,withdrawn";
    expect(state, &o, "sclerosis OR cancer OR diabetes OR epilepsy",
           "NCT09900001 NCT09900006");
    o = opts();
    o.phase = "2";
    o.country = "Canada,Norway,Greece,Spain,United States,Germany,Netherlands,Italy";
    expect(state, &o, "sclerosis", "NCT09900001 NCT09900006");
    o = opts();
    o.healthy = 0;
    o.type = "interventional";
    expect(state, &o, "parkinson OR zebrafish OR diabetes", "NCT09900007");
    o = opts();
    o.status = "active, not recruiting"; /* a comma inside one value */
    expect(state, &o, "", "NCT09900008");
}

/* Nothing has every word: words found nowhere are dropped. */
static void test_fallback(void **state)
{
    ts_query_opts_t o = opts();
    o.query = "epilepsy zzqxunknown";
    ts_results_t *res = search(state, &o);
    assert_int_equal(ts_results_count(res), 2);
    assert_non_null(ts_results_dropped(res));
    assert_string_equal(ts_results_dropped(res), "zzqxunknown");
    ts_results_free(res);

    /* every word exists, but no trial has both: any of them, best first */
    o.query = "zebrafish vigabatrin";
    res = search(state, &o);
    assert_int_equal(ts_results_count(res), 2);
    assert_non_null(ts_results_dropped(res));
    ts_results_free(res);

    o.flags = TS_Q_NO_FALLBACK;
    res = search(state, &o);
    assert_int_equal(ts_results_count(res), 0);
    assert_null(ts_results_dropped(res));
    ts_results_free(res);
}

static void test_sort_and_paging(void **state)
{
    ts_query_opts_t o = opts();
    o.query = "";
    o.sort = TS_SORT_ENROLLMENT;
    o.limit = 2;
    ts_results_t *res = search(state, &o);
    assert_int_equal(ts_results_total(res), 10);
    assert_string_equal(ts_results_hit(res, 0)->record->nct_id, "NCT09900006"); /* 540 */
    assert_string_equal(ts_results_hit(res, 1)->record->nct_id, "NCT09900004"); /* 312 */
    ts_results_free(res);

    o.offset = 1;
    o.limit = 1;
    res = search(state, &o);
    assert_int_equal(ts_results_count(res), 1);
    assert_int_equal(ts_results_hit(res, 0)->rank, 2);
    assert_string_equal(ts_results_hit(res, 0)->record->nct_id, "NCT09900004");
    ts_results_free(res);

    /* smallest first; the record with no enrollment comes last */
    o.offset = 0;
    o.limit = 10;
    o.reverse = 1;
    res = search(state, &o);
    assert_int_equal(ts_results_count(res), 10);
    assert_string_equal(ts_results_hit(res, 0)->record->nct_id, "NCT09900007"); /* 0 */
    assert_string_equal(ts_results_hit(res, 9)->record->nct_id, "NCT09900099");
    ts_results_free(res);

    o = opts();
    o.query = "status:open";
    o.sort = TS_SORT_START;
    res = search(state, &o);
    assert_int_equal(ts_results_count(res), 5);
    assert_string_equal(ts_results_hit(res, 0)->record->nct_id, "NCT09900009"); /* 2025-10 */
    ts_results_free(res);
}

static void test_facets(void **state)
{
    ts_query_opts_t o = opts();
    o.query = "";
    o.facets = "status,phase,country";
    o.limit = 1;
    ts_results_t *res = search(state, &o);
    assert_int_equal(ts_results_facet_count(res), 3);
    assert_string_equal(ts_results_facet_name(res, 0), "status");
    assert_string_equal(ts_results_facet_name(res, 1), "phase");
    uint64_t sum = 0, c, prev = UINT64_MAX;
    int saw_recruiting = 0;
    for (size_t i = 0; i < ts_results_facet_size(res, 0); i++) {
        const char *v = ts_results_facet_value(res, 0, i, &c);
        assert_non_null(v);
        assert_true(c <= prev); /* most frequent first */
        prev = c;
        sum += c;
        if (strcmp(v, "Recruiting") == 0) {
            assert_int_equal(c, 3);
            saw_recruiting = 1;
        }
    }
    assert_true(saw_recruiting);
    assert_int_equal(sum, 10); /* over all matches, not the one hit shown */
    assert_null(ts_results_facet_value(res, 0, 99, &c));
    ts_results_free(res);
}

/* A record made here with a title and a summary, for test_field_weights. */
static ts_record_t *titled(const char *id, const char *title, const char *summary)
{
    ts_record_t *r = ts_record_new();
    assert_non_null(r);
    r->nct_id = strdup(id);
    r->brief_title = strdup(title);
    r->brief_summary = strdup(summary);
    r->overall_status = strdup("COMPLETED");
    return r;
}

/* An index of its own in a new directory under dir (a mkdtemp template)
 * holding recs, which are freed; reopened for reading. */
static ts_db_t *own_index(char *dir, ts_record_t **recs, size_t n)
{
    char path[96];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/db", dir);
    ts_db_t *db = NULL;
    assert_int_equal(ts_db_open(path, TS_DB_WRITE, &db), TS_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ts_db_put(db, recs[i], NULL), TS_OK);
        ts_record_free(recs[i]);
    }
    assert_int_equal(ts_db_close(db), TS_OK);
    assert_int_equal(ts_db_open(path, TS_DB_READ, &db), TS_OK);
    return db;
}

/* The ids of a search's hits in rank order, space separated, into buf;
 * the hits' scores into score (at most three). */
static const char *ranked(ts_db_t *db, const char *query, int flags, char *buf, size_t size,
                          double *score)
{
    ts_query_opts_t o = opts();
    o.query = query;
    o.flags = flags;
    ts_results_t *res = NULL;
    assert_int_equal(ts_search(db, &o, &res), TS_OK);
    buf[0] = '\0';
    for (size_t i = 0; i < ts_results_count(res); i++) {
        const ts_hit_t *h = ts_results_hit(res, i);
        if (i < 3)
            score[i] = h->score;
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "", h->record->nct_id);
    }
    ts_results_free(res);
    return buf;
}

/* Field weights: a word once in a title outranks the same word twice in
 * a summary of a record as long; without them (TS_Q_NO_FIELDS) the order
 * turns.  Its own index, so the shared one keeps its ten records. */
static void test_field_weights(void **state)
{
    (void)state;
    char dir[64] = "/tmp/ts_weights_XXXXXX", ids[128];
    double score[3];
    ts_record_t *recs[] = {
        titled("NCT09900201", "Quokka Sleep Habits Study",
               "Adults keep a diary of their sleep, meals and exercise for a month."),
        titled("NCT09900202", "Daily Sleep Habits Study",
               "Adults keep a quokka diary of their sleep for a quokka month."),
        titled("NCT09900203", "Night Shift Sleep Study",
               "Nurses on night shifts keep a diary of their sleep for a month."),
    };
    ts_db_t *db = own_index(dir, recs, 3);
    /* the title counts more; every field alike, two beat one */
    assert_string_equal(ranked(db, "quokka", 0, ids, sizeof ids, score),
                        "NCT09900201 NCT09900202");
    assert_true(score[0] > score[1]);
    assert_string_equal(ranked(db, "quokka", TS_Q_NO_FIELDS, ids, sizeof ids, score),
                        "NCT09900202 NCT09900201");
    assert_true(score[0] > score[1]);
    ts_db_close(db);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* BM25, whose record part is worked out when a record is indexed: a word
 * once in a long record counts less than once in a short one, and four
 * times counts more than once, but less than four times as much.  The long
 * record comes first in the index, so a ranking that ignored lengths would
 * list it first (equal scores go in index order). */
static void test_bm25_lengths(void **state)
{
    (void)state;
    char dir[64] = "/tmp/ts_bm25_XXXXXX", ids[128];
    double score[3];
    const char *filler = " Adults keep a diary of their sleep, meals and exercise.";
    size_t n = strlen(filler), times = 200;
    char *longer = malloc(n * times + 64);
    assert_non_null(longer);
    strcpy(longer, "A quokka study.");
    for (size_t i = 0; i < times; i++)
        strcat(longer, filler);
    ts_record_t *recs[] = {
        titled("NCT09900301", "Wombat Study", longer),
        titled("NCT09900302", "Wombat Study", "A quokka study of sleep."),
        titled("NCT09900303", "Wombat Study", "Quokka, quokka, quokka, quokka."),
    };
    free(longer);
    ts_db_t *db = own_index(dir, recs, 3);
    assert_string_equal(ranked(db, "quokka", 0, ids, sizeof ids, score),
                        "NCT09900303 NCT09900302 NCT09900301");
    assert_true(score[1] > score[2] * 1.1);
    assert_true(score[0] > score[1] * 1.2);
    assert_true(score[0] < score[1] * 2);
    ts_db_close(db);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A record made here with a condition and MeSH headings (NULL-ended
 * lists), for test_mesh_headings. */
static ts_record_t *with_mesh(const char *id, const char *condition, const char *const *mesh,
                              const char *const *ancestors)
{
    ts_record_t *r = titled(id, "Breathing Study", "Adults keep a diary of their breathing.");
    assert_int_equal(_ts_strlist_add(&r->conditions, condition), TS_OK);
    for (; *mesh; mesh++)
        assert_int_equal(_ts_strlist_add(&r->condition_mesh, *mesh), TS_OK);
    for (; *ancestors; ancestors++)
        assert_int_equal(_ts_strlist_add(&r->condition_mesh_ancestors, *ancestors), TS_OK);
    return r;
}

/* A MeSH expansion finds the records with that heading, as a heading of
 * their own or an ancestor of one, and no record that merely has the
 * heading's words in different headings.  Two records pair the condition
 * "wheeze" with the heading "Lung Diseases, Obstructive", so "wheeze"
 * expands to it, folded ("lung diseases obstructive") as the indexer
 * folds each heading. */
static void test_mesh_headings(void **state)
{
    (void)state;
    char dir[64] = "/tmp/ts_mesh_XXXXXX", ids[128];
    double score[3];
    static const char *const none[] = { NULL },
                             *const lung[] = { "Lung Diseases, Obstructive", NULL },
                             *const asthma[] = { "Asthma", NULL },
                             *const asthma_up[] = { "Lung Diseases, Obstructive", "Lung Diseases",
                                                    NULL },
                             *const apart[] = { "Lung Neoplasms", "Heart Diseases",
                                                "Airway Obstruction", NULL };
    ts_record_t *recs[] = {
        with_mesh("NCT09900401", "Wheeze", lung, none),
        with_mesh("NCT09900402", "Wheeze", lung, none),
        with_mesh("NCT09900403", "Asthma", asthma, asthma_up),
        with_mesh("NCT09900404", "Lung Cancer", apart, none),
    };
    ts_db_t *db = own_index(dir, recs, 4);
    ts_query_opts_t o = opts();
    o.query = "wheeze";
    ts_results_t *res = NULL;
    assert_int_equal(ts_search(db, &o, &res), TS_OK);
    assert_non_null(strstr(ts_results_explain(res), "wheeze -> mesh:lung diseases obstructive"));
    assert_int_equal(ts_results_count(res), 3);
    assert_string_equal(ts_results_id(res, 2), "NCT09900403"); /* by its ancestor */
    assert_non_null(strstr(ts_results_hit_fields(res, 2), "mesh"));
    ts_results_free(res);
    /* Without expansion, only the records that say "wheeze". */
    assert_string_equal(ranked(db, "wheeze", TS_Q_NO_EXPAND, ids, sizeof ids, score),
                        "NCT09900401 NCT09900402");
    ts_db_close(db);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_errors(void **state)
{
    fixture_t *fx = *state;
    ts_results_t *res = NULL;
    ts_query_opts_t o = opts();
    static const char *const bad[] = {
        "(epilepsy", "epilepsy)", "\"stem cells", "epilepsy AND", "OR epilepsy",
        "status:bogus", "phase:7", "start:yesterday..", "age:old", "cancer 2012..2014",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.query = bad[i];
        ts_status_t st = ts_search(fx->db, &o, &res);
        if (st != TS_ERR_BAD_QUERY)
            fail_msg("'%s': %s, want bad-query", bad[i], ts_status_name(st));
        assert_null(res);
        assert_true(strlen(ts_last_error()) > 0);
    }
    o.query = "(epilepsy";
    ts_search(fx->db, &o, &res);
    assert_non_null(strstr(ts_last_error(), "column 1"));
    o.query = "epilepsy \"stem";
    ts_search(fx->db, &o, &res);
    assert_non_null(strstr(ts_last_error(), "column 10"));

    o = opts();
    o.query = "epilepsy";
    o.facets = "colour";
    assert_int_equal(ts_search(fx->db, &o, &res), TS_ERR_INVALID);
    o = opts();
    o.query = "epilepsy";
    o.sex = "sometimes";
    assert_int_equal(ts_search(fx->db, &o, &res), TS_ERR_BAD_QUERY);

    ts_db_t *db = NULL;
    assert_int_equal(ts_db_open("/nonexistent/trialsearch/index", TS_DB_READ, &db),
                     TS_ERR_NOT_FOUND);
    assert_null(db);
}

/* A handle keeps its query parsers from one search to the next: what one
 * search leaves behind (range labels, a bad value) must not reach the
 * next.  Each search on the used handle answers as on a new one. */
static void test_handle_reused(void **state)
{
    fixture_t *fx = *state;
    static const char *const queries[] = {
        "start:2024-06",                /* labelled as typed ... */
        "start:2024-06-01..2024-06-31", /* ... the same range typed otherwise */
        "status:bogus",                 /* a bad value, then good ones */
        "status:completed",
        "start:yesterday..",
        "enrollment:300..600 OR epilepsy",
        "epilepsi zebrafsh",            /* a suggestion, then words dropped */
        "epilepsy xyzzyq",
        "title:epilepsy",
    };
    char path[128];
    snprintf(path, sizeof path, "%s/db", fx->dir);
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        ts_db_t *fresh = NULL;
        ts_results_t *a = NULL, *b = NULL;
        ts_query_opts_t o = opts();
        o.query = queries[i];
        assert_int_equal(ts_db_open(path, TS_DB_READ, &fresh), TS_OK);
        ts_status_t sa = ts_search(fx->db, &o, &a);
        ts_status_t sb = ts_search(fresh, &o, &b);
        if (sa != sb)
            fail_msg("'%s': %s on the used handle, %s on a new one", queries[i],
                     ts_status_name(sa), ts_status_name(sb));
        if (sa == TS_OK) {
            char ia[512], ib[512];
            assert_string_equal(ts_results_parsed(a), ts_results_parsed(b));
            assert_string_equal(ts_results_explain(a), ts_results_explain(b));
            const char *da = ts_results_dropped(a), *db = ts_results_dropped(b);
            const char *ga = ts_results_suggestion(a), *gb = ts_results_suggestion(b);
            assert_string_equal(da ? da : "-", db ? db : "-");
            assert_string_equal(ga ? ga : "-", gb ? gb : "-");
            assert_string_equal(id_set(a, ia, sizeof ia), id_set(b, ib, sizeof ib));
        }
        ts_results_free(a);
        ts_results_free(b);
        ts_db_close(fresh);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_ranking_and_snippets),
        cmocka_unit_test(test_fielded),
        cmocka_unit_test(test_field_phrases),
        cmocka_unit_test(test_schema_positions),
        cmocka_unit_test(test_filters_in_query),
        cmocka_unit_test(test_filter_options),
        cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_sort_and_paging),
        cmocka_unit_test(test_facets),
        cmocka_unit_test(test_field_weights),
        cmocka_unit_test(test_bm25_lengths),
        cmocka_unit_test(test_mesh_headings),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_handle_reused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
