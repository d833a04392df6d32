/* test_api.c - the C API: each failure is provoked through the API and
 * comes back as its own status code with a message, never as a C++
 * exception; records round trip through the index. */
#include "unit.h"
#include "ts_internal.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/ts-api-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[256];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

static const char *path_in_tmp(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    return buf;
}

/* A small record built through the API. */
static ts_record_t *make_record(const char *id, const char *title, const char *updated)
{
    ts_record_t *r = ts_record_new();
    assert_non_null(r);
    r->nct_id = strdup(id);
    r->brief_title = strdup(title);
    r->last_update = updated ? strdup(updated) : NULL;
    r->overall_status = strdup("RECRUITING");
    r->format = TS_FORMAT_XML;
    return r;
}

/* Put a new record id with title into db (the put must succeed). */
static void put_new(ts_db_t *db, const char *id, const char *title)
{
    ts_record_t *r = make_record(id, title, NULL);
    assert_int_equal(ts_db_put(db, r, NULL), TS_OK);
    ts_record_free(r);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(ts_status_name(TS_OK), "ok");
    assert_string_equal(ts_status_name(TS_ERR_LOCKED), "locked");
    assert_string_equal(ts_status_name(TS_ERR_BAD_QUERY), "bad-query");
    assert_string_equal(ts_status_name((ts_status_t)999), "unknown");
    /* every code has its own name */
    for (int a = TS_OK; a <= TS_ERR_NOT_RECORD; a++)
        for (int b = a + 1; b <= TS_ERR_NOT_RECORD; b++)
            assert_string_not_equal(ts_status_name((ts_status_t)a), ts_status_name((ts_status_t)b));
}

static void test_not_found(void **state)
{
    ts_db_t *db = NULL;
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("missing"), TS_DB_READ, &db), TS_ERR_NOT_FOUND);
    assert_null(db);
    assert_non_null(strstr(ts_last_error(), "no index at"));
}

static void test_invalid(void **state)
{
    ts_db_t *db = NULL;
    (void)state;
    assert_int_equal(ts_db_open(NULL, TS_DB_READ, &db), TS_ERR_INVALID);
    assert_int_equal(ts_db_commit(NULL), TS_ERR_INVALID);
    assert_int_equal(ts_db_put(NULL, NULL, NULL), TS_ERR_INVALID);
    ts_format_t f;
    assert_int_equal(ts_format_parse("nonsense", &f), TS_ERR_INVALID);
}

static void test_put_get_and_idempotence(void **state)
{
    ts_db_t *db;
    ts_put_result_t res;
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("db1"), TS_DB_WRITE, &db), TS_OK);

    ts_record_t *r = make_record("NCT01000001", "Trial one", "2020-01-02");
    assert_int_equal(ts_db_put(db, r, &res), TS_OK);
    assert_int_equal(res, TS_PUT_NEW);
    assert_int_equal(ts_db_put(db, r, &res), TS_OK);
    assert_int_equal(res, TS_PUT_UNCHANGED);

    /* an older version is not taken; a newer one replaces */
    ts_record_t *older = make_record("NCT01000001", "Trial one, old", "2019-05-01");
    assert_int_equal(ts_db_put(db, older, &res), TS_OK);
    assert_int_equal(res, TS_PUT_OLDER);
    ts_record_t *newer = make_record("NCT01000001", "Trial one, new", "2021-05-01");
    assert_int_equal(ts_db_put(db, newer, &res), TS_OK);
    assert_int_equal(res, TS_PUT_UPDATED);

    /* a record without an id is a bad record */
    ts_record_t *noid = ts_record_new();
    assert_int_equal(ts_db_put(db, noid, &res), TS_ERR_BAD_RECORD);
    assert_int_equal(ts_db_commit(db), TS_OK);

    ts_record_t *got = NULL;
    assert_int_equal(ts_db_get(db, "nct01000001", &got), TS_OK);
    assert_string_equal(got->brief_title, "Trial one, new");
    assert_string_equal(got->last_update, "2021-05-01");
    ts_record_free(got);
    assert_int_equal(ts_db_get(db, "NCT09999999", &got), TS_ERR_NOT_FOUND);

    int removed = -1;
    assert_int_equal(ts_db_delete(db, "NCT01000001", &removed), TS_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(ts_db_delete(db, "NCT01000001", &removed), TS_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(ts_db_close(db), TS_OK);
    ts_record_free(r);
    ts_record_free(older);
    ts_record_free(newer);
    ts_record_free(noid);
}

static void test_locked(void **state)
{
    ts_db_t *w1, *w2 = NULL;
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("db2"), TS_DB_WRITE, &w1), TS_OK);
    assert_int_equal(ts_db_open(path_in_tmp("db2"), TS_DB_WRITE, &w2), TS_ERR_LOCKED);
    assert_null(w2);
    assert_non_null(strstr(ts_last_error(), "locked by another indexer"));
    assert_int_equal(ts_db_close(w1), TS_OK);
    /* released on close */
    assert_int_equal(ts_db_open(path_in_tmp("db2"), TS_DB_WRITE, &w2), TS_OK);
    assert_int_equal(ts_db_close(w2), TS_OK);
}

static void test_cancel_keeps_last_commit(void **state)
{
    ts_db_t *db;
    ts_stats_t st;
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("db3"), TS_DB_WRITE, &db), TS_OK);
    ts_record_t *a = make_record("NCT01000002", "A", NULL);
    ts_record_t *b = make_record("NCT01000003", "B", NULL);
    assert_int_equal(ts_db_put(db, a, NULL), TS_OK);
    assert_int_equal(ts_db_commit(db), TS_OK);
    assert_int_equal(ts_db_put(db, b, NULL), TS_OK);
    assert_int_equal(ts_db_cancel(db), TS_OK);
    assert_int_equal(ts_db_close(db), TS_OK);
    assert_int_equal(ts_db_open(path_in_tmp("db3"), TS_DB_READ, &db), TS_OK);
    assert_int_equal(ts_db_stats(db, &st), TS_OK);
    assert_int_equal(st.documents, 1);
    assert_int_equal(st.schema_version, TS_SCHEMA_VERSION);
    assert_true(st.last_update[0] != '\0');
    assert_int_equal(ts_db_close(db), TS_OK);
    ts_record_free(a);
    ts_record_free(b);
}

/* A scratch index (TS_DB_SCRATCH, a build shard) commits, cancels and
 * reopens like any other; only its commits skip the flush to disk. */
static void test_scratch(void **state)
{
    ts_db_t *db;
    ts_stats_t st;
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("scratch"), TS_DB_WRITE | TS_DB_SCRATCH, &db), TS_OK);
    put_new(db, "NCT01000021", "A");
    put_new(db, "NCT01000022", "B");
    assert_int_equal(ts_db_commit(db), TS_OK);
    put_new(db, "NCT01000023", "C");
    assert_int_equal(ts_db_cancel(db), TS_OK);
    put_new(db, "NCT01000024", "D");
    assert_int_equal(ts_db_close(db), TS_OK);
    assert_int_equal(ts_db_open(path_in_tmp("scratch"), TS_DB_READ, &db), TS_OK);
    assert_int_equal(ts_db_stats(db, &st), TS_OK);
    assert_int_equal(st.documents, 3);
    ts_record_t *r = NULL;
    assert_int_equal(ts_db_get(db, "NCT01000023", &r), TS_ERR_NOT_FOUND);
    assert_int_equal(ts_db_get(db, "NCT01000024", &r), TS_OK);
    assert_string_equal(r->brief_title, "D");
    ts_record_free(r);
    assert_int_equal(ts_db_close(db), TS_OK);
}

/* Put id with title and last update into db; the put must give want. */
static void put_expect(ts_db_t *db, const char *id, const char *title, const char *updated,
                       ts_put_result_t want)
{
    ts_put_result_t res;
    ts_record_t *r = make_record(id, title, updated);
    assert_int_equal(ts_db_put(db, r, &res), TS_OK);
    assert_int_equal(res, want);
    ts_record_free(r);
}

/* The title of id in db (which must hold it); caller frees. */
static char *title_of(ts_db_t *db, const char *id)
{
    ts_record_t *r = NULL;
    assert_int_equal(ts_db_get(db, id, &r), TS_OK);
    char *t = strdup(r->brief_title);
    ts_record_free(r);
    return t;
}

/* A segmented build (TS_DB_SEGMENTS): a new segment after every 2
 * records, a stub listing them, and one version of each trial once they
 * are merged, the newest, even when versions sit in different segments. */
static void test_segments(void **state)
{
    ts_db_t *db;
    char **segs;
    size_t n;
    (void)state;
    char stub[512];
    snprintf(stub, sizeof stub, "%s", path_in_tmp("segd"));
    assert_int_equal(ts_db_open(path_in_tmp("seg-notscratch"), TS_DB_WRITE | TS_DB_SEGMENTS, &db),
                     TS_ERR_INVALID);
    assert_int_equal(ts_db_open(stub, TS_DB_WRITE | TS_DB_SCRATCH | TS_DB_SEGMENTS, &db), TS_OK);
    assert_int_equal(ts_db_set_segment_size(db, 2), TS_OK);
    put_expect(db, "NCT01000031", "A1", "2020-01-01", TS_PUT_NEW);
    put_expect(db, "NCT01000032", "B1", "2020-01-01", TS_PUT_NEW);
    assert_int_equal(ts_db_commit(db), TS_OK); /* segment 0 full: 1 starts */
    put_expect(db, "NCT01000031", "A2", "2021-01-01", TS_PUT_UPDATED);  /* replaces 0's */
    put_expect(db, "NCT01000032", "B0", "2019-01-01", TS_PUT_OLDER);    /* 0's stays */
    put_expect(db, "NCT01000032", "B1", "2020-01-01", TS_PUT_UNCHANGED);
    put_expect(db, "NCT01000033", "C1", "2020-01-01", TS_PUT_NEW);
    assert_int_equal(ts_db_commit(db), TS_OK); /* segment 2 starts */
    put_expect(db, "NCT01000033", "C2", "2022-01-01", TS_PUT_UPDATED);  /* cancelled below */
    assert_int_equal(ts_db_cancel(db), TS_OK);
    put_expect(db, "NCT01000031", "A3", "2022-01-01", TS_PUT_UPDATED);  /* replaces 1's */
    put_expect(db, "NCT01000034", "D1", "2020-01-01", TS_PUT_NEW);
    assert_int_equal(ts_db_close(db), TS_OK);

    assert_int_equal(ts_stub_read(stub, &segs, &n), TS_OK);
    assert_int_equal(n, 3);
    assert_non_null(strstr(segs[2], "segd.seg-0002"));
    for (size_t i = 0; i < n; i++)
        free(segs[i]);
    free(segs);

    const char *src[] = { stub };
    assert_int_equal(ts_db_compact(src, 1, path_in_tmp("segmerged")), TS_OK);
    assert_int_equal(ts_db_open(path_in_tmp("segmerged"), TS_DB_READ, &db), TS_OK);
    uint64_t count = 0;
    assert_int_equal(ts_db_doccount(db, &count), TS_OK);
    assert_int_equal(count, 4);
    char *t = title_of(db, "NCT01000031");
    assert_string_equal(t, "A3");
    free(t);
    t = title_of(db, "NCT01000032");
    assert_string_equal(t, "B1");
    free(t);
    t = title_of(db, "NCT01000033"); /* the cancelled update left segment 1's */
    assert_string_equal(t, "C1");
    free(t);
    assert_int_equal(ts_db_close(db), TS_OK);

    /* a segmented index is only made new */
    assert_int_equal(ts_db_open(stub, TS_DB_WRITE | TS_DB_SCRATCH | TS_DB_SEGMENTS, &db),
                     TS_ERR_INVALID);
    assert_int_equal(ts_db_set_segment_size(NULL, 2), TS_ERR_INVALID);
}

static void test_prune(void **state)
{
    ts_db_t *db;
    ts_stats_t st;
    uint64_t removed = 0;
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("db4"), TS_DB_WRITE, &db), TS_OK);
    ts_record_t *a = make_record("NCT01000004", "A", NULL);
    ts_record_t *b = make_record("NCT01000005", "B", NULL);
    assert_int_equal(ts_db_put(db, a, NULL), TS_OK);
    assert_int_equal(ts_db_put(db, b, NULL), TS_OK);
    assert_int_equal(ts_db_close(db), TS_OK);
    assert_int_equal(ts_db_open(path_in_tmp("db4"), TS_DB_WRITE, &db), TS_OK);
    assert_int_equal(ts_db_put(db, a, NULL), TS_OK); /* only a seen */
    assert_int_equal(ts_db_prune(db, &removed), TS_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(ts_db_stats(db, &st), TS_OK);
    assert_int_equal(st.documents, 1);
    assert_int_equal(ts_db_close(db), TS_OK);
    ts_record_free(a);
    ts_record_free(b);
}

/* Overwrite every table file of an index with garbage. */
static void damage(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "for f in '%s'/*.glass; do head -c 8192 /dev/urandom > \"$f\"; done", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_corrupt(void **state)
{
    ts_db_t *db;
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("db5"), TS_DB_WRITE, &db), TS_OK);
    put_new(db, "NCT01000006", "A");
    assert_int_equal(ts_db_close(db), TS_OK);
    damage(path_in_tmp("db5"));
    ts_status_t st = ts_db_open(path_in_tmp("db5"), TS_DB_READ, &db);
    if (st == TS_OK) { /* some damage shows only on reading */
        ts_record_t *r = NULL;
        st = ts_db_get(db, "NCT01000006", &r);
        ts_record_free(r);
        ts_db_close(db);
    }
    assert_int_equal(st, TS_ERR_CORRUPT);
    assert_true(strlen(ts_last_error()) > 0);
}

static void test_version_mismatch(void **state)
{
    ts_db_t *db = NULL;
    char cmd[1024];
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("db6"), TS_DB_WRITE, &db), TS_OK);
    put_new(db, "NCT01000007", "A");
    assert_int_equal(ts_db_close(db), TS_OK);
    snprintf(cmd, sizeof cmd, "xapian-metadata set '%s' ts:analyzer other-analyzer", path_in_tmp("db6"));
    if (system(cmd) != 0)
        skip(); /* xapian-tools missing */
    db = NULL;
    assert_int_equal(ts_db_open(path_in_tmp("db6"), TS_DB_READ, &db), TS_ERR_VERSION);
    assert_null(db);
    assert_non_null(strstr(ts_last_error(), "re-index"));
    assert_int_equal(ts_db_open(path_in_tmp("db6"), TS_DB_WRITE, &db), TS_ERR_VERSION);
}

static void test_io_error(void **state)
{
    ts_db_t *db = NULL;
    (void)state;
    /* a path below a regular file cannot be created */
    const char *file = path_in_tmp("plainfile");
    int fd = open(file, O_CREAT | O_WRONLY, 0644);
    assert_true(fd >= 0);
    close(fd);
    char below[600];
    snprintf(below, sizeof below, "%s/index", file);
    ts_status_t st = ts_db_open(below, TS_DB_WRITE, &db);
    assert_int_equal(st, TS_ERR_IO);
    assert_null(db);
}

static void test_bad_query(void **state)
{
    ts_db_t *db;
    ts_results_t *res = NULL;
    ts_query_opts_t opts;
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("db7"), TS_DB_WRITE, &db), TS_OK);
    put_new(db, "NCT01000008", "Amyotrophic lateral sclerosis");
    assert_int_equal(ts_db_close(db), TS_OK);
    assert_int_equal(ts_db_open(path_in_tmp("db7"), TS_DB_READ, &db), TS_OK);
    ts_query_opts_init(&opts);
    opts.query = "title:(sclerosis";
    assert_int_equal(ts_search(db, &opts, &res), TS_ERR_BAD_QUERY);
    assert_null(res);
    assert_true(strlen(ts_last_error()) > 0);
    opts.query = "amyotrophic";
    assert_int_equal(ts_search(db, &opts, &res), TS_OK);
    assert_int_equal(ts_results_count(res), 1);
    assert_string_equal(ts_results_hit(res, 0)->record->nct_id, "NCT01000008");
    ts_results_free(res);
    ts_db_close(db);
}

/* Without details a hit's id, rank and score come without its record;
 * the record is read, whole, when the hit is asked for. */
static void test_ids_without_details(void **state)
{
    ts_db_t *db;
    ts_results_t *res = NULL;
    ts_query_opts_t opts;
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("db11"), TS_DB_WRITE, &db), TS_OK);
    put_new(db, "NCT01000011", "Intrathecal stem cells in ALS");
    put_new(db, "NCT01000012", "Stem cells and ALS");
    ts_query_opts_init(&opts);
    opts.query = "intrathecal OR stem";
    opts.flags = TS_Q_NO_DETAILS;
    assert_int_equal(ts_search(db, &opts, &res), TS_OK);
    assert_int_equal(ts_results_count(res), 2);
    assert_string_equal(ts_results_id(res, 0), "NCT01000011");
    assert_string_equal(ts_results_id(res, 1), "NCT01000012");
    assert_int_equal(ts_results_rank(res, 1), 2);
    assert_true(ts_results_score(res, 0) > ts_results_score(res, 1));
    assert_null(ts_results_id(res, 2));
    assert_int_equal(ts_results_rank(res, 2), 0);
    const ts_hit_t *h = ts_results_hit(res, 1);
    assert_non_null(h);
    assert_non_null(h->record);
    assert_string_equal(h->record->nct_id, "NCT01000012");
    assert_string_equal(h->record->brief_title, "Stem cells and ALS");
    assert_true(h->score == ts_results_score(res, 1));
    assert_ptr_equal(ts_results_hit(res, 1), h); /* read once */
    ts_results_free(res);
    ts_db_close(db);
}

/* A reader whose revision the writer has overwritten several times over
 * gets TS_ERR_MODIFIED from calls that do not retry (ts_db_stats), and a
 * fresh answer after ts_db_reopen. */
static void test_modified(void **state)
{
    ts_db_t *w, *r;
    ts_stats_t st;
    char id[32], title[64];
    (void)state;
    assert_int_equal(ts_db_open(path_in_tmp("db8"), TS_DB_WRITE, &w), TS_OK);
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "NCT0200%04d", i);
        snprintf(title, sizeof title, "first generation trial %d", i);
        put_new(w, id, title);
    }
    assert_int_equal(ts_db_commit(w), TS_OK);
    assert_int_equal(ts_db_open(path_in_tmp("db8"), TS_DB_READ, &r), TS_OK);
    for (int gen = 0; gen < 4; gen++) {
        for (int i = 0; i < 300; i++) {
            snprintf(id, sizeof id, "NCT0200%04d", i);
            snprintf(title, sizeof title, "generation %d words %d %d", gen, i * 7 + gen, i * 13);
            ts_record_t *rec = make_record(id, title, "2030-01-01");
            rec->last_update[3] = (char)('1' + gen); /* newer each time */
            assert_int_equal(ts_db_put(w, rec, NULL), TS_OK);
            ts_record_free(rec);
        }
        assert_int_equal(ts_db_commit(w), TS_OK);
    }
    assert_int_equal(ts_db_stats(r, &st), TS_ERR_MODIFIED);
    assert_non_null(strstr(ts_last_error(), "changed"));
    assert_int_equal(ts_db_reopen(r), TS_OK);
    assert_int_equal(ts_db_stats(r, &st), TS_OK);
    assert_int_equal(st.documents, 300);
    ts_db_close(r);
    ts_db_close(w);
}

/* Out of memory is a status too: in a child whose address space is
 * capped, putting a record larger than what is left fails cleanly. */
static void test_nomem(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ts_db_t *db;
        if (ts_db_open(path_in_tmp("db9"), TS_DB_WRITE, &db) != TS_OK)
            _exit(10);
        size_t big = 64u << 20;
        ts_record_t *rec = make_record("NCT03000001", "x", NULL);
        rec->brief_summary = malloc(big + 1);
        if (!rec->brief_summary)
            _exit(11);
        memset(rec->brief_summary, 'a', big);
        rec->brief_summary[big] = '\0';
        struct rlimit rl;
        getrlimit(RLIMIT_AS, &rl);
        /* what is mapped now plus a little: the JSON copy cannot fit */
        FILE *f = fopen("/proc/self/statm", "r");
        unsigned long pages = 0;
        if (!f || fscanf(f, "%lu", &pages) != 1)
            _exit(12);
        fclose(f);
        rl.rlim_cur = pages * (unsigned long)sysconf(_SC_PAGESIZE) + (16u << 20);
        setrlimit(RLIMIT_AS, &rl);
        ts_status_t st = ts_db_put(db, rec, NULL);
        _exit(st == TS_ERR_NOMEM ? 0 : 20 + (int)st);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    ts_record_t *r = make_record("NCT01000009", "Round trip", "2022-02-03");
    r->min_age = 18;
    r->enrollment = 120;
    r->healthy_volunteers = 0;
    ts_intervention_t *iv = _ts_add_intervention(r);
    iv->name = strdup("Drug X");
    char *json = ts_record_to_json(r, 1);
    assert_non_null(json);
    ts_record_t *back = _ts_record_from_json(json, strlen(json));
    assert_non_null(back);
    char *json2 = ts_record_to_json(back, 1);
    assert_string_equal(json, json2);
    assert_int_equal(back->n_interventions, 1);
    assert_true(back->max_age == TS_AGE_NONE);
    free(json);
    free(json2);
    ts_record_free(r);
    ts_record_free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_put_get_and_idempotence),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_cancel_keeps_last_commit),
        cmocka_unit_test(test_scratch),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_version_mismatch),
        cmocka_unit_test(test_io_error),
        cmocka_unit_test(test_bad_query),
        cmocka_unit_test(test_ids_without_details),
        cmocka_unit_test(test_modified),
        cmocka_unit_test(test_nomem),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
