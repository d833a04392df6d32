/* fts5.c - the SQLite FTS5 side of the benchmark.
 *
 * Usage: bench-fts5 index DB DUMP
 *        bench-fts5 search DB [--or] QUERY
 *        bench-fts5 lat DB QUERIES [--or] [--rounds N] [--no-warmup]
 *
 * index   creates DB anew with one FTS5 table holding the fields of an
 *         omega dump file written by bench-export (id unindexed, every
 *         other field a column), tokenizer "porter unicode61
 *         remove_diacritics 2", all rows inserted in one transaction.
 *         BM25 column weights follow trialsearch's field weights.
 * search  one query, the ids of the top 10 on stdout (one process per
 *         query).
 * lat     every query of the file once to warm up (not with --no-warmup),
 *         then N rounds (default 3) timed one by one; prints the latency summary of lat.h.
 *
 * A query is the short-query language shared by the three systems: words,
 * all required, and "quoted phrases".  Each word is passed to FTS5 as a
 * quoted string so punctuation cannot be read as FTS5 syntax.  With --or
 * the words of the line (a prepared patient topic) are joined with OR.
 */
#include "lat.h"

#include <sqlite3.h>

#define NCOLS 13
static const char *const columns[NCOLS] = {
    "title", "condition", "intervention", "primary", "secondary", "keyword",
    "mesh", "summary", "eligibility", "sponsor", "location", "official", "other"
};
/* trialsearch's weights of the same fields (lib/schema.c). */
static const char *const weights = "'bm25(0.0, 4.0, 4.0, 3.0, 1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)'";

/* Exit with the database's message after a failed call named what. */
static void die_db(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench-fts5: %s: %s\n", what, sqlite3_errmsg(db));
    exit(3);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench-fts5: %s: %s\n", sql, err ? err : "failed");
        exit(3);
    }
}

/* Index the dump file into a new database at path. */
static int cmd_index(const char *path, const char *dump)
{
    sqlite3 *db;
    sqlite3_stmt *ins;
    char sql[1024];
    size_t o;
    FILE *f = fopen(dump, "r");
    char *line = NULL, *val[NCOLS + 1];
    size_t sz = 0, vlen[NCOLS + 1], vcap[NCOLS + 1];
    ssize_t len;
    int cur = -1, have = 0;
    unsigned long long records = 0;
    double t0 = lat_now();

    if (!f) {
        perror(dump);
        return 2;
    }
    remove(path);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die_db(db, path);
    o = (size_t)snprintf(sql, sizeof sql, "CREATE VIRTUAL TABLE trials USING fts5(id UNINDEXED");
    for (int c = 0; c < NCOLS; c++)
        o += (size_t)snprintf(sql + o, sizeof sql - o, ", \"%s\"", columns[c]);
    snprintf(sql + o, sizeof sql - o, ", tokenize='porter unicode61 remove_diacritics 2')");
    exec(db, sql);
    snprintf(sql, sizeof sql, "INSERT INTO trials(trials, rank) VALUES('rank', %s)", weights);
    exec(db, sql);
    exec(db, "BEGIN");
    if (sqlite3_prepare_v2(db, "INSERT INTO trials VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &ins, NULL) != SQLITE_OK)
        die_db(db, "prepare insert");
    for (int c = 0; c <= NCOLS; c++) {
        vcap[c] = 4096;
        vlen[c] = 0;
        val[c] = malloc(vcap[c]);
        if (!val[c]) {
            perror("malloc");
            return 3;
        }
    }
    /* Fields by name: 0 is id, 1.. the columns; a continuation line
     * ("=text") adds a line break and text to the current field. */
    for (;;) {
        len = getline(&line, &sz, f);
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = 0;
        if (len <= 0) {            /* blank line or end: the record is done */
            if (have) {
                for (int c = 0; c <= NCOLS; c++)
                    sqlite3_bind_text(ins, c + 1, val[c], (int)vlen[c], SQLITE_STATIC);
                if (sqlite3_step(ins) != SQLITE_DONE)
                    die_db(db, "insert");
                sqlite3_reset(ins);
                records++;
                for (int c = 0; c <= NCOLS; c++)
                    vlen[c] = 0;
                have = 0;
                cur = -1;
            }
            if (len < 0)
                break;
            continue;
        }
        const char *text = line;
        if (line[0] == '=') {
            if (cur < 0)
                continue;
            text = line + 1;
        } else {
            char *eq = strchr(line, '=');
            if (!eq)
                continue;
            *eq = 0;
            cur = -1;
            if (strcmp(line, "id") == 0)
                cur = 0;
            for (int c = 0; c < NCOLS && cur < 0; c++)
                if (strcmp(line, columns[c]) == 0)
                    cur = c + 1;
            text = eq + 1;
            if (cur < 0)
                continue;
        }
        size_t tl = strlen(text), need = vlen[cur] + tl + 2;
        if (need > vcap[cur]) {
            while (vcap[cur] < need)
                vcap[cur] *= 2;
            val[cur] = realloc(val[cur], vcap[cur]);
            if (!val[cur]) {
                perror("realloc");
                return 3;
            }
        }
        if (line[0] == '=')
            val[cur][vlen[cur]++] = '\n';
        memcpy(val[cur] + vlen[cur], text, tl);
        vlen[cur] += tl;
        have = 1;
    }
    sqlite3_finalize(ins);
    exec(db, "COMMIT");
    if (sqlite3_close(db) != SQLITE_OK)
        die_db(db, "close");
    fclose(f);
    printf("{\"records\": %llu, \"seconds\": %.3f}\n", records, lat_now() - t0);
    return 0;
}

/* The FTS5 query text of a short query: each bare word and each phrase
 * as an FTS5 string ("" doubled inside), joined by spaces (AND), or by
 * OR when or_words is set.  Caller frees. */
static char *fts_query(const char *q, int or_words)
{
    size_t n = strlen(q), o = 0;
    char *out = malloc(n * 6 + 8);
    int first = 1;
    if (!out) {
        perror("malloc");
        exit(3);
    }
    for (size_t i = 0; i < n;) {
        if (q[i] == ' ' || q[i] == '\t') {
            i++;
            continue;
        }
        size_t start, end;
        if (q[i] == '"') {
            start = ++i;
            while (i < n && q[i] != '"')
                i++;
            end = i;
            if (i < n)
                i++;
        } else {
            start = i;
            while (i < n && q[i] != ' ' && q[i] != '\t')
                i++;
            end = i;
        }
        if (end == start)
            continue;
        if (!first) {
            if (or_words) {
                memcpy(out + o, " OR ", 4);
                o += 4;
            } else {
                out[o++] = ' ';
            }
        }
        first = 0;
        out[o++] = '"';
        for (size_t k = start; k < end; k++) {
            if (q[k] == '"')
                out[o++] = '"';
            out[o++] = q[k];
        }
        out[o++] = '"';
    }
    out[o] = 0;
    return out;
}

/* Run one query: the ids of the top 10 to out (may be NULL).  Returns
 * the number of hits, -1 on an error (reported on stderr). */
static int run(sqlite3 *db, sqlite3_stmt *st, const char *q, int or_words, FILE *out)
{
    char *m = fts_query(q, or_words);
    int hits = 0, rc;
    sqlite3_bind_text(st, 1, m, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *id = sqlite3_column_text(st, 0);
        if (out)
            fprintf(out, "%s\n", id ? (const char *)id : "");
        hits++;
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "bench-fts5: query [%s]: %s\n", m, sqlite3_errmsg(db));
        hits = -1;
    }
    sqlite3_reset(st);
    free(m);
    return hits;
}

/* Open path read-only and prepare the top-10 statement. */
static sqlite3 *open_ro(const char *path, sqlite3_stmt **st)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die_db(db, path);
    if (sqlite3_prepare_v2(db, "SELECT id FROM trials WHERE trials MATCH ?1 ORDER BY rank LIMIT 10",
                           -1, st, NULL) != SQLITE_OK)
        die_db(db, "prepare query");
    return db;
}

int main(int argc, char **argv)
{
    int or_words = 0, rounds = 3, warmup = 1;
    const char *pos[3] = { NULL, NULL, NULL };
    int np = 0;

    if (argc < 2) {
usage:
        fprintf(stderr, "usage: bench-fts5 index DB DUMP | search DB [--or] QUERY |"
                " lat DB QUERIES [--or] [--rounds N] [--no-warmup]\n");
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--or") == 0)
            or_words = 1;
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-warmup") == 0)
            warmup = 0;
        else if (np < 3)
            pos[np++] = argv[i];
        else
            goto usage;
    }
    if (strcmp(argv[1], "index") == 0 && np == 2)
        return cmd_index(pos[0], pos[1]);
    if (strcmp(argv[1], "search") == 0 && np == 2) {
        sqlite3_stmt *st;
        sqlite3 *db = open_ro(pos[0], &st);
        int hits = run(db, st, pos[1], or_words, stdout);
        sqlite3_finalize(st);
        sqlite3_close(db);
        return hits < 0 ? 3 : hits == 0;
    }
    if (strcmp(argv[1], "lat") == 0 && np == 2 && rounds > 0) {
        lat_queries_t q = lat_read_queries(pos[1]);
        sqlite3_stmt *st;
        sqlite3 *db = open_ro(pos[0], &st);
        double *t = malloc(q.n * (size_t)rounds * sizeof *t);
        double *c = malloc(q.n * (size_t)rounds * sizeof *c);
        size_t nt = 0, with_hits = 0, errors = 0;
        if (!t || !c) {
            perror("malloc");
            return 3;
        }
        for (size_t i = 0; warmup && i < q.n; i++) {   /* warm-up round */
            int h = run(db, st, q.v[i], or_words, NULL);
            with_hits += h > 0;
            errors += h < 0;
        }
        double w0 = lat_now();
        for (int r = 0; r < rounds; r++)
            for (size_t i = 0; i < q.n; i++) {
                double t0 = lat_now(), c0 = lat_cpu();
                int h = run(db, st, q.v[i], or_words, NULL);
                t[nt] = lat_now() - t0;
                c[nt++] = lat_cpu() - c0;
                if (!warmup && r == 0) {
                    with_hits += h > 0;
                    errors += h < 0;
                }
            }
        lat_report(t, c, nt, lat_now() - w0, q.n, with_hits, errors);
        sqlite3_finalize(st);
        sqlite3_close(db);
        return 0;
    }
    goto usage;
}
