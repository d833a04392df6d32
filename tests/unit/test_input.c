/* test_input.c - the input layer: format names and detection, files,
 * directories, archives read in place, standard input.
 *
 * Archives are built at run time with libarchive's writer in a mkdtemp()
 * directory, from the sample records in corpus/.  Real records are read in
 * place from ../shared. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "unit.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------- */

/* Whole file as a malloc'd buffer (NUL added, not counted in *len). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    chmod(path, 0700);
    return remove(path);
}

/* A fresh temporary directory per test (state) removed afterwards. */
static int make_tmp(void **state)
{
    char *dir = strdup("/tmp/ts_input_XXXXXX");
    if (!dir || !mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

static int drop_tmp(void **state)
{
    char *dir = *state;
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
    return 0;
}

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* One member of an archive to write. */
typedef struct member {
    const char *name;
    const char *data;
    size_t len;
} member_t;

/* Write an archive with libarchive.  format: "zip", "tar", "7zip" or
 * "raw"; filter: NULL, "gzip" or "xz". */
static void write_archive(const char *path, const char *format, const char *filter,
                          const member_t *m, size_t n)
{
    struct archive *a = archive_write_new();

    assert_non_null(a);
    if (strcmp(format, "zip") == 0)
        assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    else if (strcmp(format, "tar") == 0)
        assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
    else if (strcmp(format, "7zip") == 0)
        assert_int_equal(archive_write_set_format_7zip(a), ARCHIVE_OK);
    else
        assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
    if (filter && strcmp(filter, "gzip") == 0)
        assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    else if (filter && strcmp(filter, "xz") == 0)
        assert_int_equal(archive_write_add_filter_xz(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)m[i].len);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (m[i].len)
            assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

/* The sample records the archive tests pack: three XML files, a v2 page
 * (2 studies), a classic response and a text page: 7 records. */
static const char *const corpus_files[] = {
    "corpus/xml/NCT09900001.xml", "corpus/xml/NCT09900004.xml",
    "corpus/xml/NCT09900009.xml", "corpus/v2/studies.json",
    "corpus/classic/NCT09900003.json", "corpus/text/NCT09900005.txt",
};
#define N_CORPUS_FILES (sizeof corpus_files / sizeof corpus_files[0])
#define N_CORPUS_RECORDS 7

/* Members made of corpus_files (member names "records/<file name>") plus
 * a README.md that must be passed by.  Free with free_members. */
static member_t *corpus_members(size_t *n)
{
    member_t *m = calloc(N_CORPUS_FILES + 1, sizeof *m);
    assert_non_null(m);
    for (size_t i = 0; i < N_CORPUS_FILES; i++) {
        const char *base = strrchr(corpus_files[i], '/') + 1;
        char *name = malloc(strlen(base) + 16);
        assert_non_null(name);
        sprintf(name, "records/%s", base);
        m[i].name = name;
        m[i].data = slurp(corpus_files[i], &m[i].len);
    }
    m[N_CORPUS_FILES].name = strdup("records/README.md");
    m[N_CORPUS_FILES].data = strdup("# not a record\n");
    m[N_CORPUS_FILES].len = strlen(m[N_CORPUS_FILES].data);
    *n = N_CORPUS_FILES + 1;
    return m;
}

static void free_members(member_t *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)m[i].name);
        free((char *)m[i].data);
    }
    free(m);
}

/* 1 if some record's source equals s. */
static int has_source(unit_scan_t *s, const char *src)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->recs[i]->source && strcmp(s->recs[i]->source, src) == 0)
            return 1;
    return 0;
}

/* Scan path; assert n records, no rejection, every source "path:records/...". */
static void expect_archive(const char *path, size_t n)
{
    unit_scan_t s = { 0 };
    char prefix[4096];

    unit_scan_path(&s, path, TS_FORMAT_AUTO);
    if (s.rejected)
        fail_msg("%s: unexpected rejection: %s", path, s.last_reject);
    assert_int_equal(s.n, n);
    snprintf(prefix, sizeof prefix, "%s:records/", path);
    for (size_t i = 0; i < s.n; i++) {
        assert_non_null(s.recs[i]->source);
        if (strncmp(s.recs[i]->source, prefix, strlen(prefix)) != 0)
            fail_msg("source %s does not start with %s", s.recs[i]->source, prefix);
    }
    assert_non_null(unit_find(&s, "NCT09900001"));
    assert_non_null(unit_find(&s, "NCT09900006"));
    unit_scan_free(&s);
}

/* ---- format names and detection ------------------------------------ */

static void test_format_names(void **state)
{
    (void)state;
    ts_format_t all[] = { TS_FORMAT_AUTO, TS_FORMAT_XML, TS_FORMAT_V2JSON,
                          TS_FORMAT_CLASSIC_JSON, TS_FORMAT_TEXT };
    ts_format_t f;

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        f = (ts_format_t)-1;
        assert_int_equal(ts_format_parse(ts_format_name(all[i]), &f), TS_OK);
        assert_int_equal(f, all[i]);
    }
    assert_string_equal(ts_format_name(TS_FORMAT_XML), "xml");
    assert_string_equal(ts_format_name(TS_FORMAT_V2JSON), "json");
    assert_string_equal(ts_format_name(TS_FORMAT_CLASSIC_JSON), "classic");
    assert_string_equal(ts_format_name(TS_FORMAT_TEXT), "text");
    assert_int_equal(ts_format_parse("v2", &f), TS_OK);
    assert_int_equal(f, TS_FORMAT_V2JSON);
    assert_int_equal(ts_format_parse("v2json", &f), TS_OK);
    assert_int_equal(f, TS_FORMAT_V2JSON);
    assert_int_equal(ts_format_parse("classic-json", &f), TS_OK);
    assert_int_equal(f, TS_FORMAT_CLASSIC_JSON);
    assert_int_equal(ts_format_parse("TXT", &f), TS_OK);
    assert_int_equal(f, TS_FORMAT_TEXT);
    f = TS_FORMAT_XML;
    assert_int_equal(ts_format_parse("yaml", &f), TS_ERR_INVALID);
    assert_int_equal(f, TS_FORMAT_XML);
    assert_non_null(strstr(ts_last_error(), "yaml"));
    assert_int_equal(ts_format_parse(NULL, &f), TS_ERR_INVALID);
}

#define DETECT(s, name) ts_detect_format((s), strlen(s), (name))

static void test_detect_inline(void **state)
{
    (void)state;
    /* XML, after a byte order mark and blank lines */
    assert_int_equal(DETECT("\xEF\xBB\xBF\n  <?xml version=\"1.0\"?>\n<clinical_study/>", NULL),
                     TS_FORMAT_XML);
    assert_int_equal(DETECT("<clinical_study><id_info/></clinical_study>", "x.dat"), TS_FORMAT_XML);
    /* API v2: a study, a page, JSON Lines */
    assert_int_equal(DETECT("{\"protocolSection\": {\"identificationModule\": {}}}", NULL),
                     TS_FORMAT_V2JSON);
    assert_int_equal(DETECT("{\"studies\": [], \"nextPageToken\": \"x\"}", NULL), TS_FORMAT_V2JSON);
    assert_int_equal(DETECT("[{\"protocolSection\":{}}]", NULL), TS_FORMAT_V2JSON);
    /* classic */
    assert_int_equal(DETECT("{\"FullStudiesResponse\": {\"FullStudies\": []}}", NULL),
                     TS_FORMAT_CLASSIC_JSON);
    assert_int_equal(DETECT("  {\"ProtocolSection\": {}}\n{\"ProtocolSection\": {}}\n", NULL),
                     TS_FORMAT_CLASSIC_JSON);
    assert_int_equal(DETECT("{\"Study\": {\"ProtocolSection\": {}}}", NULL), TS_FORMAT_CLASSIC_JSON);
    /* text: by an NCT id, by a heading, by the name */
    assert_int_equal(DETECT("A trial of something\nClinicalTrials.gov Identifier: NCT01234567\n", NULL),
                     TS_FORMAT_TEXT);
    assert_int_equal(DETECT("Some trial\nInclusion Criteria:\n- adults\n", NULL), TS_FORMAT_TEXT);
    assert_int_equal(DETECT("Some trial page\nStatus and phase\n", "page.txt"), TS_FORMAT_TEXT);
    /* unknown: plain prose, JSON without studies, binary, nothing */
    assert_int_equal(DETECT("hello world, nothing to see\n", NULL), TS_FORMAT_AUTO);
    assert_int_equal(DETECT("hello world, nothing to see\n", "notes.dat"), TS_FORMAT_AUTO);
    assert_int_equal(DETECT("{\"name\": \"package\", \"version\": \"1.0\"}", NULL), TS_FORMAT_AUTO);
    assert_int_equal(ts_detect_format("\x7f" "ELF\x02\x01\x01\0\0\0NCT01234567", 21, NULL),
                     TS_FORMAT_AUTO);
    assert_int_equal(DETECT("NCT012345678901 is too long an id", NULL), TS_FORMAT_AUTO);
    assert_int_equal(DETECT("   \n\t ", "x.txt"), TS_FORMAT_AUTO);
    assert_int_equal(ts_detect_format(NULL, 0, NULL), TS_FORMAT_AUTO);
}

static void detect_file(const char *rel, ts_format_t want)
{
    const char *path = unit_shared(rel);
    size_t len;
    char *buf = slurp(path, &len);
    ts_format_t got = ts_detect_format(buf, len, path);
    if (got != want)
        fail_msg("%s detected as %s, expected %s", rel, ts_format_name(got), ts_format_name(want));
    free(buf);
}

static void test_detect_real(void **state)
{
    (void)state;
    UNIT_NEED_SHARED();
    detect_file("data/ctgov-xml/seed-trials-2020-07/NCT0382xxxx/NCT03828123.xml", TS_FORMAT_XML);
    detect_file("data/ctgov-xml/allpublicxml-2023-02/NCT0000xxxx/NCT00004422.xml", TS_FORMAT_XML);
    detect_file("data/ctgov-api-v2-json/studies.jsonl", TS_FORMAT_V2JSON);
    detect_file("data/ctgov-classic-api-json/studies.jsonl", TS_FORMAT_CLASSIC_JSON);
    detect_file("seeds/000_70f3d4a17125a1fb.txt", TS_FORMAT_TEXT);
    detect_file("seeds/003_c3365ed2849ba659.txt", TS_FORMAT_TEXT);
    /* also by content alone: the page shows its NCT id */
    {
        size_t len;
        char *buf = slurp(unit_shared("seeds/001_bf4af9bd6560b79e.txt"), &len);
        assert_int_equal(ts_detect_format(buf, len, NULL), TS_FORMAT_TEXT);
        free(buf);
    }
}

static void test_detect_corpus(void **state)
{
    static const struct {
        const char *path;
        ts_format_t fmt;
    } files[] = {
        { "corpus/xml/NCT09900001.xml", TS_FORMAT_XML },
        { "corpus/v2/studies.json", TS_FORMAT_V2JSON },
        { "corpus/classic/NCT09900007.json", TS_FORMAT_CLASSIC_JSON },
        { "corpus/text/NCT09900008.txt", TS_FORMAT_TEXT },
    };
    (void)state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len;
        char *buf = slurp(files[i].path, &len);
        assert_int_equal(ts_detect_format(buf, len, files[i].path), files[i].fmt);
        /* without the name too */
        assert_int_equal(ts_detect_format(buf, len, NULL), files[i].fmt);
        free(buf);
    }
}

/* ---- ts_parse_buffer ------------------------------------------------- */

static void test_unknown_rejected(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;

    unit_parse(&s, "just some words, no trial here\n", "notes.dat", TS_FORMAT_AUTO);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, "notes.dat"));
    assert_non_null(strstr(s.last_reject, "unrecognised format"));

    unit_parse(&s, "\n \n", "blank.xml", TS_FORMAT_AUTO);
    assert_int_equal(s.rejected, 2);
    assert_non_null(strstr(s.last_reject, "blank.xml"));
    assert_non_null(strstr(s.last_reject, "empty file"));
    unit_scan_free(&s);
}

static void test_parse_buffer_formats(void **state)
{
    unit_scan_t s = { 0 };
    size_t len;
    char *buf;
    ts_scan_cbs_t cbs = unit_cbs(&s);
    (void)state;

    /* detected */
    buf = slurp("corpus/v2/studies.json", &len);
    assert_int_equal(ts_parse_buffer(buf, len, "page.json", TS_FORMAT_AUTO, &cbs), TS_OK);
    free(buf);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.recs[0]->source, "page.json");
    assert_int_equal(s.recs[0]->format, TS_FORMAT_V2JSON);
    /* forced */
    buf = slurp("corpus/xml/NCT09900004.xml", &len);
    assert_int_equal(ts_parse_buffer(buf, len, "forced", TS_FORMAT_XML, &cbs), TS_OK);
    free(buf);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.recs[2]->nct_id, "NCT09900004");
    assert_int_equal(s.recs[2]->format, TS_FORMAT_XML);
    assert_int_equal(s.rejected, 0);
    unit_scan_free(&s);
}

/* ---- files and directories ------------------------------------------- */

static void test_empty_file(void **state)
{
    unit_scan_t s = { 0 };
    char *p = path_in(*state, "empty.xml");

    spit(p, "", 0);
    unit_scan_path(&s, p, TS_FORMAT_AUTO);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, p));
    assert_non_null(strstr(s.last_reject, "empty file"));
    unit_scan_free(&s);
    free(p);
}

static void test_not_found(void **state)
{
    unit_scan_t s = { 0 };
    ts_scan_cbs_t cbs = unit_cbs(&s);
    char *p = path_in(*state, "no-such-file.xml");

    assert_int_equal(ts_scan_path(p, TS_FORMAT_AUTO, &cbs), TS_ERR_NOT_FOUND);
    assert_non_null(strstr(ts_last_error(), "no-such-file.xml"));
    assert_int_equal(s.n + s.rejected, 0);
    free(p);
}

static void test_scan_seeds(void **state)
{
    unit_scan_t s = { 0 };
    (void)state;
    UNIT_NEED_SHARED();

    unit_scan_path(&s, unit_shared("seeds"), TS_FORMAT_AUTO);
    if (s.rejected)
        fail_msg("seeds: %zu rejected, last: %s", s.rejected, s.last_reject);
    assert_int_equal(s.n, 5);
    /* name order: 000_ first */
    assert_non_null(strstr(s.recs[0]->source, "000_70f3d4a17125a1fb.txt"));
    assert_non_null(strstr(s.recs[4]->source, "004_f69a525beeeb3bd6.txt"));
    assert_non_null(unit_find(&s, "NCT02497443"));
    unit_scan_free(&s);
}

static void test_scan_v2_jsonl(void **state)
{
    unit_scan_t s = { 0 };
    const char *p;
    (void)state;
    UNIT_NEED_SHARED();

    p = unit_shared("data/ctgov-api-v2-json/studies.jsonl");
    unit_scan_path(&s, p, TS_FORMAT_AUTO);
    assert_int_equal(s.rejected, 0);
    assert_int_equal(s.n, 277);
    assert_non_null(unit_find(&s, "NCT05756322"));
    assert_int_equal(s.recs[0]->format, TS_FORMAT_V2JSON);
    unit_scan_free(&s);
}

static void test_scan_corpus(void **state)
{
    static const char *const ids[] = {
        "NCT09900001", "NCT09900002", "NCT09900003", "NCT09900004", "NCT09900005",
        "NCT09900006", "NCT09900007", "NCT09900008", "NCT09900009",
    };
    unit_scan_t s = { 0 };
    (void)state;

    /* corpus/README.md is passed by, not rejected */
    unit_scan_path(&s, "corpus", TS_FORMAT_AUTO);
    if (s.rejected)
        fail_msg("corpus: %zu rejected, last: %s", s.rejected, s.last_reject);
    assert_int_equal(s.n, 9);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        ts_record_t *r = unit_find(&s, ids[i]);
        if (!r)
            fail_msg("%s missing from corpus scan", ids[i]);
        assert_non_null(r->brief_title);
    }
    /* walk order: classic/ < text/ < v2/ < xml/ */
    assert_string_equal(s.recs[0]->source, "corpus/classic/NCT09900003.json");
    assert_string_equal(s.recs[8]->source, "corpus/xml/NCT09900009.xml");
    assert_int_equal(unit_find(&s, "NCT09900005")->format, TS_FORMAT_TEXT);
    assert_int_equal(unit_find(&s, "NCT09900007")->format, TS_FORMAT_CLASSIC_JSON);
    unit_scan_free(&s);
}

/* A walk passes by hidden files, README/MANIFEST/.md/.tsv/.pdf and Xapian
 * index folders, reads the rest in name order, and goes on after an
 * unreadable entry. */
static void test_walk_skips_and_order(void **state)
{
    const char *dir = *state;
    unit_scan_t s = { 0 };
    size_t len;
    char *xml = slurp("corpus/xml/NCT09900004.xml", &len);
    char *p;
    static const char *const junk[] = {
        "README", "README.txt", "MANIFEST.tsv", "notes.md", "paper.pdf", "list.tsv",
        ".hidden.xml", "index/iamglass", "index/postlist.glass", ".git/config",
    };

    p = path_in(dir, "index"); mkdir(p, 0755); free(p);
    p = path_in(dir, ".git"); mkdir(p, 0755); free(p);
    p = path_in(dir, "sub"); mkdir(p, 0755); free(p);
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        p = path_in(dir, junk[i]);
        spit(p, "junk that is no record \x01\x02", 25);
        free(p);
    }
    p = path_in(dir, "b.xml"); spit(p, xml, len); free(p);
    p = path_in(dir, "sub/a.xml"); spit(p, xml, len); free(p);
    p = path_in(dir, "a.xml"); spit(p, xml, len); free(p);
    free(xml);

    unit_scan_path(&s, dir, TS_FORMAT_AUTO);
    if (s.rejected)
        fail_msg("unexpected rejection: %s", s.last_reject);
    assert_int_equal(s.n, 3);
    p = path_in(dir, "a.xml");
    assert_string_equal(s.recs[0]->source, p);
    free(p);
    p = path_in(dir, "b.xml");
    assert_string_equal(s.recs[1]->source, p);
    free(p);
    p = path_in(dir, "sub/a.xml");
    assert_string_equal(s.recs[2]->source, p);
    free(p);
    unit_scan_free(&s);

    /* a file named explicitly is read whatever its name */
    p = path_in(dir, "README");
    unit_scan_path(&s, p, TS_FORMAT_AUTO);
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, "unrecognised format"));
    unit_scan_free(&s);
    free(p);
}

static void test_unreadable(void **state)
{
    const char *dir = *state;
    unit_scan_t s = { 0 };
    size_t len;
    char *xml = slurp("corpus/xml/NCT09900009.xml", &len);
    char *p, *link;

    p = path_in(dir, "a.xml"); spit(p, xml, len); free(p);
    p = path_in(dir, "c.xml"); spit(p, xml, len); free(p);
    link = path_in(dir, "b-dangling.xml");
    assert_int_equal(symlink("/nonexistent/ts-input-test.xml", link), 0);

    unit_scan_path(&s, dir, TS_FORMAT_AUTO);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, link));
    assert_non_null(strstr(s.last_reject, strerror(ENOENT)));
    unit_scan_free(&s);
    free(link);

    if (geteuid() != 0) {
        /* root reads anything: only meaningful for other users */
        p = path_in(dir, "b-locked.xml");
        spit(p, xml, len);
        assert_int_equal(chmod(p, 0), 0);
        unit_scan_path(&s, dir, TS_FORMAT_AUTO);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.rejected, 2);
        unit_scan_free(&s);
        unit_scan_path(&s, p, TS_FORMAT_AUTO);
        assert_int_equal(s.rejected, 1);
        assert_non_null(strstr(s.last_reject, strerror(EACCES)));
        unit_scan_free(&s);
        free(p);
    } else {
        print_message("running as root: permission test replaced by the dangling symlink\n");
    }
    free(xml);
}

/* ---- archives ---------------------------------------------------------- */

static void test_archives(void **state)
{
    const char *dir = *state;
    size_t n;
    member_t *m = corpus_members(&n);
    static const struct {
        const char *name, *format, *filter;
    } kinds[] = {
        { "records.zip", "zip", NULL },
        { "records.tar.gz", "tar", "gzip" },
        { "records.tgz", "tar", "gzip" },
        { "records.tar.xz", "tar", "xz" },
        { "records.tar", "tar", NULL },
        { "records-no-extension", "zip", NULL },        /* found by its magic */
    };

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char *p = path_in(dir, kinds[i].name);
        write_archive(p, kinds[i].format, kinds[i].filter, m, n);
        expect_archive(p, N_CORPUS_RECORDS);
        free(p);
    }
    free_members(m, n);
}

/* A plain .gz (and .xz) of one file is read as that one file, its source
 * the compressed file's path. */
static void test_single_compressed(void **state)
{
    const char *dir = *state;
    unit_scan_t s = { 0 };
    member_t m = { "data", NULL, 0 };
    char *p;

    m.data = slurp("corpus/xml/NCT09900001.xml", &m.len);
    p = path_in(dir, "NCT09900001.xml.gz");
    write_archive(p, "raw", "gzip", &m, 1);
    unit_scan_path(&s, p, TS_FORMAT_AUTO);
    if (s.rejected)
        fail_msg("unexpected rejection: %s", s.last_reject);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.recs[0]->nct_id, "NCT09900001");
    assert_string_equal(s.recs[0]->source, p);
    unit_scan_free(&s);
    free(p);
    free((char *)m.data);

    /* a text page compressed with xz: detection still sees the .txt name */
    m.data = slurp("corpus/text/NCT09900005.txt", &m.len);
    p = path_in(dir, "page.txt.xz");
    write_archive(p, "raw", "xz", &m, 1);
    unit_scan_path(&s, p, TS_FORMAT_AUTO);
    assert_int_equal(s.rejected, 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.recs[0]->nct_id, "NCT09900005");
    unit_scan_free(&s);
    free(p);
    free((char *)m.data);
}

/* Archives inside a directory walk are read in place too. */
static void test_archive_in_directory(void **state)
{
    const char *dir = *state;
    unit_scan_t s = { 0 };
    size_t n;
    member_t *m = corpus_members(&n);
    char *p = path_in(dir, "batch.zip");
    char *want = path_in(dir, "batch.zip:records/NCT09900001.xml");

    write_archive(p, "zip", NULL, m, n);
    unit_scan_path(&s, dir, TS_FORMAT_AUTO);
    assert_int_equal(s.rejected, 0);
    assert_int_equal(s.n, N_CORPUS_RECORDS);
    assert_true(has_source(&s, want));
    unit_scan_free(&s);
    free_members(m, n);
    free(p);
    free(want);
}

/* Pseudo-random words so that compression leaves a long stream. */
static char *filler(unsigned seed, size_t words)
{
    static const char *const w[] = { "alpha", "bravo", "seizure", "motor", "neuron",
                                     "trial", "dose", "week", "lumbar", "cells",
                                     "kappa", "zulu", "omega", "delta", "sigma" };
    char *s = malloc(words * 9 + 1);
    size_t at = 0;
    assert_non_null(s);
    for (size_t i = 0; i < words; i++) {
        seed = seed * 1103515245u + 12345u;
        at += (size_t)sprintf(s + at, "%s ", w[(seed >> 16) % 15]);
    }
    s[at] = '\0';
    return s;
}

/* A damaged tar.gz: the members before the damage are read, the damage is
 * reported with the archive's name, and the scan returns normally. */
static void test_corrupt_member(void **state)
{
    const char *dir = *state;
    enum { N = 16 };
    member_t m[N];
    unit_scan_t s = { 0 };
    char *p = path_in(dir, "damaged.tar.gz");
    size_t len;
    char *buf;

    for (int i = 0; i < N; i++) {
        char *name = malloc(32), *text = filler((unsigned)i + 1, 3000), *rec;
        assert_non_null(name);
        sprintf(name, "NCT099000%02d.xml", 50 + i);
        rec = malloc(strlen(text) + 512);
        assert_non_null(rec);
        sprintf(rec, "<clinical_study><id_info><nct_id>NCT099000%02d</nct_id></id_info>"
                     "<brief_title>Sample %d</brief_title><brief_summary><textblock>%s"
                     "</textblock></brief_summary></clinical_study>\n", 50 + i, i, text);
        free(text);
        m[i].name = name;
        m[i].data = rec;
        m[i].len = strlen(rec);
    }
    write_archive(p, "tar", "gzip", m, N);
    buf = slurp(p, &len);
    for (size_t i = len / 2; i < len / 2 + 64; i++)
        buf[i] ^= 0x5a;
    spit(p, buf, len);
    free(buf);

    unit_scan_path(&s, p, TS_FORMAT_AUTO);
    assert_true(s.rejected >= 1);
    assert_non_null(strstr(s.last_reject, p));
    assert_true(s.n >= 2);
    assert_true(s.n < N);
    /* the ones read are the first ones, in order */
    for (size_t i = 0; i < s.n && i < 2; i++) {
        char id[16];
        sprintf(id, "NCT099000%02zu", 50 + i);
        assert_string_equal(s.recs[i]->nct_id, id);
    }
    unit_scan_free(&s);
    for (int i = 0; i < N; i++) {
        free((char *)m[i].name);
        free((char *)m[i].data);
    }
    free(p);
}

/* A file named .zip that is no archive, and a truncated zip. */
static void test_bad_archives(void **state)
{
    const char *dir = *state;
    unit_scan_t s = { 0 };
    size_t n, len;
    member_t *m = corpus_members(&n);
    char *p = path_in(dir, "fake.zip");
    char *buf;

    spit(p, "this is not a zip file at all\n", 30);
    unit_scan_path(&s, p, TS_FORMAT_AUTO);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, p));
    unit_scan_free(&s);
    free(p);

    p = path_in(dir, "cut.tar.gz");
    write_archive(p, "tar", "gzip", m, n);
    buf = slurp(p, &len);
    spit(p, buf, len * 2 / 3);
    free(buf);
    unit_scan_path(&s, p, TS_FORMAT_AUTO);
    assert_true(s.rejected >= 1);
    assert_true(s.n < N_CORPUS_RECORDS);
    unit_scan_free(&s);
    free(p);
    free_members(m, n);
}

/* A member over 256 MiB is rejected by name and the next member read. */
static void test_member_too_large(void **state)
{
    const char *dir = *state;
    unit_scan_t s = { 0 };
    size_t big = ((size_t)256 << 20) + 4096;
    member_t m[2];
    char *p = path_in(dir, "big.zip");
    char *want = path_in(dir, "big.zip:huge.xml");
    char *zeros = calloc(1, big);

    assert_non_null(zeros);
    m[0].name = "huge.xml";
    m[0].data = zeros;
    m[0].len = big;
    m[1].name = "small.xml";
    m[1].data = slurp("corpus/xml/NCT09900004.xml", &m[1].len);
    write_archive(p, "zip", NULL, m, 2);
    free(zeros);

    unit_scan_path(&s, p, TS_FORMAT_AUTO);
    assert_int_equal(s.rejected, 1);
    assert_non_null(strstr(s.last_reject, want));
    assert_non_null(strstr(s.last_reject, "too large"));
    assert_int_equal(s.n, 1);
    assert_string_equal(s.recs[0]->nct_id, "NCT09900004");
    unit_scan_free(&s);
    free((char *)m[1].data);
    free(p);
    free(want);
}

/* ---- standard input -------------------------------------------------- */

/* Scan "-" with path opened on fd 0. */
static void scan_stdin_from(unit_scan_t *s, const char *path)
{
    int saved = dup(0), fd = open(path, O_RDONLY);

    assert_true(saved >= 0 && fd >= 0);
    assert_int_equal(dup2(fd, 0), 0);
    close(fd);
    unit_scan_path(s, "-", TS_FORMAT_AUTO);
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
}

static void test_stdin(void **state)
{
    const char *dir = *state;
    unit_scan_t s = { 0 };
    size_t n;
    member_t *m = corpus_members(&n);
    char *p = path_in(dir, "in.tar.xz");
    int fds[2], saved;
    size_t len;
    char *buf;

    /* a plain record */
    scan_stdin_from(&s, "corpus/classic/NCT09900003.json");
    assert_int_equal(s.rejected, 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.recs[0]->nct_id, "NCT09900003");
    assert_string_equal(s.recs[0]->source, "<stdin>");
    unit_scan_free(&s);

    /* an archive */
    write_archive(p, "tar", "xz", m, n);
    scan_stdin_from(&s, p);
    assert_int_equal(s.rejected, 0);
    assert_int_equal(s.n, N_CORPUS_RECORDS);
    assert_true(has_source(&s, "<stdin>:records/NCT09900005.txt"));
    unit_scan_free(&s);

    /* a 7-Zip archive, whose reader seeks: read whole */
    {
        char *p7 = path_in(dir, "in.7z");
        write_archive(p7, "7zip", NULL, m, n);
        scan_stdin_from(&s, p7);
        assert_int_equal(s.rejected, 0);
        assert_int_equal(s.n, N_CORPUS_RECORDS);
        assert_true(has_source(&s, "<stdin>:records/NCT09900005.txt"));
        unit_scan_free(&s);
        free(p7);
    }

    /* one gzip-compressed record */
    {
        member_t one = { "data", NULL, 0 };
        char *gz = path_in(dir, "one.xml.gz");
        one.data = slurp("corpus/xml/NCT09900009.xml", &one.len);
        write_archive(gz, "raw", "gzip", &one, 1);
        scan_stdin_from(&s, gz);
        assert_int_equal(s.rejected, 0);
        assert_int_equal(s.n, 1);
        assert_string_equal(s.recs[0]->nct_id, "NCT09900009");
        assert_string_equal(s.recs[0]->source, "<stdin>");
        unit_scan_free(&s);
        free((char *)one.data);
        free(gz);
    }

    /* a pipe */
    buf = slurp("corpus/v2/studies.json", &len);
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], buf, len), (ssize_t)len);
    close(fds[1]);
    saved = dup(0);
    assert_int_equal(dup2(fds[0], 0), 0);
    close(fds[0]);
    unit_scan_path(&s, "-", TS_FORMAT_AUTO);
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
    assert_int_equal(s.n, 2);
    assert_non_null(unit_find(&s, "NCT09900006"));
    unit_scan_free(&s);

    free(buf);
    free(p);
    free_members(m, n);
}

/* ---- callbacks --------------------------------------------------------- */

static ts_status_t stop_after_two(void *ctx, ts_record_t *rec)
{
    unit_scan_t *s = ctx;
    unit_on_record(ctx, rec);
    return s->n >= 2 ? TS_ERR_IO : TS_OK;
}

static void on_progress(void *ctx, uint64_t bytes)
{
    uint64_t *last = ctx;
    assert_true(bytes >= last[0]);
    last[0] = bytes;
    last[1]++;
}

static ts_status_t count_only(void *ctx, ts_record_t *rec)
{
    (void)ctx;
    ts_record_free(rec);
    return TS_OK;
}

static ts_status_t no_reject(void *ctx, const char *source, const char *where,
                             ts_status_t code, const char *reason)
{
    (void)ctx;
    (void)where;
    (void)code;
    fail_msg("unexpected rejection: %s: %s", source, reason);
    return TS_OK;
}

static void test_callbacks(void **state)
{
    const char *dir = *state;
    unit_scan_t s = { 0 };
    ts_scan_cbs_t cbs = unit_cbs(&s);
    uint64_t prog[2] = { 0, 0 };
    uint64_t total = 0;
    size_t n;
    member_t *m = corpus_members(&n);
    char *zip = path_in(dir, "p.zip");
    char *sub = path_in(dir, "files");
    struct stat st;

    /* a callback's failure stops the scan and is returned */
    cbs.record = stop_after_two;
    assert_int_equal(ts_scan_path("corpus", TS_FORMAT_AUTO, &cbs), TS_ERR_IO);
    assert_int_equal(s.n, 2);
    unit_scan_free(&s);

    write_archive(zip, "zip", NULL, m, n);
    assert_int_equal(ts_scan_path(zip, TS_FORMAT_AUTO, &cbs), TS_ERR_IO);
    assert_int_equal(s.n, 2);
    unit_scan_free(&s);

    /* progress of an archive: after each member, ending at its size */
    memset(&cbs, 0, sizeof cbs);
    cbs.record = count_only;
    cbs.reject = no_reject;
    cbs.progress = on_progress;
    cbs.ctx = prog;
    assert_int_equal(ts_scan_path(zip, TS_FORMAT_AUTO, &cbs), TS_OK);
    assert_int_equal(stat(zip, &st), 0);
    assert_int_equal(prog[0], (uint64_t)st.st_size);
    assert_true(prog[1] >= N_CORPUS_FILES);

    /* progress of a folder: after each file, ending at their total */
    assert_int_equal(mkdir(sub, 0755), 0);
    for (size_t i = 0; i < n; i++) {
        char *p = path_in(sub, strchr(m[i].name, '/') + 1);
        spit(p, m[i].data, m[i].len);
        if (i < N_CORPUS_FILES)
            total += m[i].len;
        free(p);
    }
    prog[0] = prog[1] = 0;
    assert_int_equal(ts_scan_path(sub, TS_FORMAT_AUTO, &cbs), TS_OK);
    assert_int_equal(prog[0], total);
    assert_int_equal(prog[1], N_CORPUS_FILES);

    free_members(m, n);
    free(zip);
    free(sub);
}

/* ---- wants: records passed over unparsed ------------------------------- */

/* A scan whose wants callback notes each id told and refuses those that
 * start with refuse_prefix. */
typedef struct wants_scan {
    unit_scan_t s;              /* first: unit_on_record's context */
    char told[16][72];
    size_t n_told;
    const char *refuse_prefix;
} wants_scan_t;

static int note_wants(void *ctx, const char *id)
{
    wants_scan_t *w = ctx;
    assert_true(w->n_told < 16);
    snprintf(w->told[w->n_told++], sizeof w->told[0], "%s", id);
    return strncmp(id, w->refuse_prefix, strlen(w->refuse_prefix)) != 0;
}

/* Parse buf with the noting callbacks; the ids told, space-separated. */
static const char *wants_parse(wants_scan_t *w, const char *buf, const char *name,
                               const char *refuse_prefix)
{
    static char told[16 * 72];
    ts_scan_cbs_t cbs = unit_cbs(&w->s);
    cbs.wants = note_wants;
    cbs.ctx = w;
    unit_scan_free(&w->s);
    memset(w, 0, sizeof *w);
    w->refuse_prefix = refuse_prefix;
    assert_int_equal(ts_parse_buffer(buf, strlen(buf), name, TS_FORMAT_AUTO, &cbs), TS_OK);
    told[0] = '\0';
    for (size_t i = 0; i < w->n_told; i++)
        snprintf(told + strlen(told), sizeof told - strlen(told), "%s%s", i ? " " : "", w->told[i]);
    return told;
}

static void test_wants(void **state)
{
    wants_scan_t w = { 0 };
    (void)state;

    /* legacy XML: the id of <nct_id>, told before parsing */
    const char *xml = "<clinical_study><id_info><nct_id> NCT0123 </nct_id></id_info>"
                      "<brief_title>A</brief_title></clinical_study>";
    assert_string_equal(wants_parse(&w, xml, "a.xml", "X"), "NCT0123");
    assert_int_equal(w.s.n, 1);
    assert_string_equal(w.s.recs[0]->nct_id, "NCT0123");
    wants_parse(&w, xml, "a.xml", "NCT");
    assert_int_equal(w.s.n + w.s.rejected, 0); /* passed over, not read */
    /* truncated: told, then rejected when wanted, silent when not */
    const char *cut = "<clinical_study><id_info><nct_id>NCT0124</nct_id></id_info><brief_title>cut";
    assert_string_equal(wants_parse(&w, cut, "b.xml", "X"), "NCT0124");
    assert_int_equal(w.s.rejected, 1);
    assert_non_null(strstr(w.s.last_reject, "malformed XML"));
    wants_parse(&w, cut, "b.xml", "NCT");
    assert_int_equal(w.s.n + w.s.rejected, 0);
    /* any other mention of nct_id leaves the id to the parser: read by all */
    const char *noted = "<clinical_study><!-- nct_id --><id_info><nct_id>NCT0125</nct_id>"
                        "</id_info></clinical_study>";
    assert_string_equal(wants_parse(&w, noted, "c.xml", "NCT"), "");
    assert_int_equal(w.s.n, 1);
    const char *odd = "<clinical_study><id_info><nct_id>NCT&#48;126</nct_id></id_info></clinical_study>";
    assert_string_equal(wants_parse(&w, odd, "d.xml", "NCT"), "");
    assert_int_equal(w.s.n, 1);
    assert_string_equal(w.s.recs[0]->nct_id, "NCT0126");

    /* JSON Lines: each study told; lines after one passed over keep their
     * numbers in messages */
    const char *lines =
        "{\"protocolSection\": {\"identificationModule\": {\"nctId\": \"NCT0201\"}}}\n"
        "{\"protocolSection\": {\"identificationModule\": {\"nctId\": \"NCT0202\"}}, \"x\": tru}  \n"
        "\n"
        "{\"protocolSection\": [broken\n"
        "{\"protocolSection\": {\"identificationModule\": {\"nctId\": \"NCT0205\"},"
        " \"statusModule\": {\"expandedAccessInfo\": {\"nctId\": \"NCT0999\"}}}}\n"
        "{\"protocolSection\": {\"statusModule\": {\"nctId\": \"NCT0206\"}}}\n";
    assert_string_equal(wants_parse(&w, lines, "l.jsonl", "X"), "NCT0201 NCT0202 NCT0206");
    assert_int_equal(w.s.n, 2); /* NCT0201, and NCT0205 (two nctId keys: not told) */
    assert_string_equal(w.s.recs[1]->nct_id, "NCT0205");
    assert_int_equal(w.s.rejected, 3); /* line 2 malformed, line 4 broken, line 6 no id */
    assert_non_null(strstr(w.s.last_reject, "line 6"));
    assert_non_null(strstr(w.s.last_reject, "no NCT id"));
    wants_parse(&w, lines, "l.jsonl", "NCT02");
    assert_int_equal(w.s.n, 1);
    assert_string_equal(w.s.recs[0]->nct_id, "NCT0205");
    assert_int_equal(w.s.rejected, 1); /* the broken line 4 alone: its id is unknown */
    assert_non_null(strstr(w.s.last_reject, "line 4"));

    /* one study per file, spread over lines: told */
    const char *pretty = "{\n  \"protocolSection\": {\n    \"identificationModule\": {\n"
                         "      \"nctId\": \"NCT0301\"\n    }\n  }\n}\n";
    assert_string_equal(wants_parse(&w, pretty, "p.json", "NCT"), "NCT0301");
    assert_int_equal(w.s.n + w.s.rejected, 0);
    /* containers of studies, escaped keys, numbers: read by every reader */
    const char *list = "{\"studies\": [{\"protocolSection\": {\"identificationModule\":"
                       " {\"nctId\": \"NCT0302\"}}}]}";
    assert_string_equal(wants_parse(&w, list, "s.json", "NCT"), "");
    assert_int_equal(w.s.n, 1);
    const char *esc = "{\"protocolSection\": {\"identificationModule\": {\"nct\\u0049d\": \"NCT0303\","
                      " \"n\\u0063tId\": \"NCT0304\"}}}";
    assert_string_equal(wants_parse(&w, esc, "e.json", "NCT"), "");
    const char *num = "{\"protocolSection\": {\"identificationModule\": {\"nctId\": 305}}}";
    assert_string_equal(wants_parse(&w, num, "n.json", "NCT"), "");
    assert_int_equal(w.s.rejected, 1);
    /* a second line that opens a value could be read as JSON Lines if the
     * whole failed to parse: not told */
    const char *opens = "{\"protocolSection\":\n{\"identificationModule\": {\"nctId\": \"NCT0306\"}}}";
    assert_string_equal(wants_parse(&w, opens, "o.json", "NCT"), "");
    assert_int_equal(w.s.n, 1);
    /* two studies on one line: the first, which does not end it, is read
     * by every reader; the second ends it and is told */
    const char *two = "{\"protocolSection\": {\"identificationModule\": {\"nctId\": \"NCT0401\"}}} "
                      "{\"protocolSection\": {\"identificationModule\": {\"nctId\": \"NCT0402\"}}}\n";
    assert_string_equal(wants_parse(&w, two, "t.jsonl", "NCT"), "NCT0402");
    assert_int_equal(w.s.n, 1);
    assert_string_equal(w.s.recs[0]->nct_id, "NCT0401");
    unit_scan_free(&w.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_detect_inline),
        cmocka_unit_test(test_detect_real),
        cmocka_unit_test(test_detect_corpus),
        cmocka_unit_test(test_unknown_rejected),
        cmocka_unit_test(test_parse_buffer_formats),
        cmocka_unit_test_setup_teardown(test_empty_file, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_not_found, make_tmp, drop_tmp),
        cmocka_unit_test(test_scan_seeds),
        cmocka_unit_test(test_scan_v2_jsonl),
        cmocka_unit_test(test_scan_corpus),
        cmocka_unit_test_setup_teardown(test_walk_skips_and_order, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_unreadable, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_archives, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_single_compressed, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_archive_in_directory, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_corrupt_member, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_bad_archives, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_member_too_large, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_stdin, make_tmp, drop_tmp),
        cmocka_unit_test_setup_teardown(test_callbacks, make_tmp, drop_tmp),
        cmocka_unit_test(test_wants),
    };
    return cmocka_run_group_tests_name("input", tests, NULL, NULL);
}
