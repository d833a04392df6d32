/* test_synonyms.c - the curated synonym lists (lib/synonyms.c) and the
 * list shipped in share/synonyms.txt.
 *
 * The format as users write it: both-way groups, one-way arrows, terms in
 * capitals that apply only when typed in capitals, comments, folding;
 * malformed lines reported with file and line and skipped; a table
 * written as C.  Then the shipped list: it loads without an error, the
 * library's compiled table finds the same, and it expands what a user
 * would expect. */
#include "unit.h"

#include "synonyms.h"

#include <unistd.h>

/* The expansions of key as one string "a|b|c" ("" for none). */
static const char *expand(const _ts_syn_table_t *t, const char *key, int typed_upper)
{
    static char buf[4096];
    const char *const *exp;
    size_t n = _ts_syn_lookup(t, key, typed_upper, &exp);

    buf[0] = '\0';
    if (n == 0)
        assert_null(exp);
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(exp[i], key);
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "", exp[i]);
    }
    return buf;
}

/* 1 if term is one of key's expansions. */
static int has(const _ts_syn_table_t *t, const char *key, int typed_upper, const char *term)
{
    const char *const *exp;
    size_t n = _ts_syn_lookup(t, key, typed_upper, &exp);
    for (size_t i = 0; i < n; i++)
        if (strcmp(exp[i], term) == 0)
            return 1;
    return 0;
}

/* A table holding the list text (which must load without an error). */
static _ts_syn_table_t *load(const char *text)
{
    _ts_syn_table_t *t = _ts_syn_new();
    assert_non_null(t);
    ts_status_t st = _ts_syn_load_buffer(t, text, strlen(text), "test.txt");
    if (st != TS_OK)
        fail_msg("load: %s: %s", ts_status_name(st), ts_last_error());
    assert_null(_ts_syn_errors(t));
    return t;
}

static void test_both_ways(void **state)
{
    (void)state;
    _ts_syn_table_t *t = load("htn = hypertension\n"
                              "mi = myocardial infarction | heart attack\n");
    assert_string_equal(expand(t, "htn", 0), "hypertension");
    assert_string_equal(expand(t, "hypertension", 0), "htn");
    /* every term of a line finds every other one, in the list's order */
    assert_string_equal(expand(t, "mi", 0), "myocardial infarction|heart attack");
    assert_string_equal(expand(t, "heart attack", 0), "mi|myocardial infarction");
    assert_string_equal(expand(t, "myocardial infarction", 1), "mi|heart attack");
    /* typed in capitals, a lower-case entry still applies */
    assert_string_equal(expand(t, "htn", 1), "hypertension");
    assert_string_equal(expand(t, "stroke", 0), "");
    assert_int_equal(_ts_syn_size(t), 5);
    _ts_syn_free(t);
}

static void test_one_way_and_case(void **state)
{
    (void)state;
    _ts_syn_table_t *t = load("IT -> intrathecal\n"
                              "ALL => acute lymphoblastic leukemia | acute lymphocytic leukemia\n"
                              "pt -> patient\n"
                              "PT -> prothrombin time\n");
    /* "it" and "all" typed in lower case are English words: left alone */
    assert_string_equal(expand(t, "it", 0), "");
    assert_string_equal(expand(t, "all", 0), "");
    assert_string_equal(expand(t, "it", 1), "intrathecal");
    assert_string_equal(expand(t, "all", 1),
                        "acute lymphoblastic leukemia|acute lymphocytic leukemia");
    /* one way: the long form does not find the short one, nor the other
     * long form */
    assert_string_equal(expand(t, "intrathecal", 1), "");
    assert_string_equal(expand(t, "acute lymphoblastic leukemia", 0), "");
    /* a lower-case entry and a capitals entry for the same term */
    assert_string_equal(expand(t, "pt", 0), "patient");
    assert_string_equal(expand(t, "pt", 1), "patient|prothrombin time");
    _ts_syn_free(t);
}

static void test_layout_and_folding(void **state)
{
    (void)state;
    _ts_syn_table_t *t = load("# a comment\n"
                              "\n"
                              "   \t\n"
                              "  Sjögren's Syndrome  =  sicca syndrome   # trailing comment\r\n"
                              "h/o -> history of\r\n"
                              "COVID-19 = coronavirus disease 2019|SARS-CoV-2 infection\n"
                              "htn = hypertension\n"
                              "HTN = high blood pressure | hypertension\n"
                              "last = line without a newline");
    /* accents, case and punctuation are folded; words are not stemmed */
    assert_string_equal(expand(t, "sjogren s syndrome", 0), "sicca syndrome");
    assert_string_equal(expand(t, "sicca syndrome", 0), "sjogren s syndrome");
    assert_string_equal(expand(t, "h o", 0), "history of");
    assert_string_equal(expand(t, "covid 19", 1),
                        "coronavirus disease 2019|sars cov 2 infection");
    assert_string_equal(expand(t, "coronavirus disease 2019", 0), "covid 19|sars cov 2 infection");
    /* "COVID-19" is written in capitals: typed in lower case it is left
     * alone */
    assert_string_equal(expand(t, "covid 19", 0), "");
    /* lines for the same term add up, without duplicates; "HTN" applies
     * only when typed in capitals */
    assert_string_equal(expand(t, "htn", 0), "hypertension");
    assert_string_equal(expand(t, "htn", 1), "hypertension|high blood pressure");
    assert_string_equal(expand(t, "hypertension", 0), "htn|high blood pressure");
    assert_string_equal(expand(t, "last", 0), "line without a newline");
    _ts_syn_free(t);

    /* the buffer need not end in a NUL: only len bytes are read */
    const char text[] = "abc = alpha beta gamma\nxyz = ignored";
    t = _ts_syn_new();
    assert_int_equal(_ts_syn_load_buffer(t, text, strlen("abc = alpha beta gamma\n"), "x"), TS_OK);
    assert_string_equal(expand(t, "abc", 0), "alpha beta gamma");
    assert_string_equal(expand(t, "xyz", 0), "");
    _ts_syn_free(t);

    char *f = _ts_syn_fold("  Non-Small  Cell (NSCLC)! ", strlen("  Non-Small  Cell (NSCLC)! "));
    assert_string_equal(f, "non small cell nsclc");
    free(f);
}

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *line, *reason;
    } bad[] = {
        { "htn hypertension", "expected \"TERM = TERM | ...\"" },
        { "a = b = c", "more than one" },
        { "a -> b = c", "more than one" },
        { "a = b | | c", "empty term" },
        { "a = b |", "empty term" },
        { "= b", "empty term" },
        { "a =", "empty term" },
        { "a | b = c", "\"|\" on the left" },
        { "!!! = b", "term with no letters or digits" },
        { "a = A", "no two different terms" },
        { "bad \xff = b", "invalid UTF-8" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256], want[128];
        _ts_syn_table_t *t = _ts_syn_new();
        snprintf(text, sizeof text, "good = fine\n\n%s\nalso = kept\n", bad[i].line);
        assert_int_equal(_ts_syn_load_buffer(t, text, strlen(text), "my.txt"), TS_ERR_INVALID);
        /* the message names the file and the line */
        snprintf(want, sizeof want, "my.txt:3: %s", bad[i].reason);
        if (strncmp(ts_last_error(), want, strlen(want)) != 0)
            fail_msg("line \"%s\": got \"%s\", want \"%s\"", bad[i].line, ts_last_error(), want);
        assert_non_null(_ts_syn_errors(t));
        assert_true(strncmp(_ts_syn_errors(t), want, strlen(want)) == 0);
        /* the other lines are still used */
        assert_string_equal(expand(t, "good", 0), "fine");
        assert_string_equal(expand(t, "also", 0), "kept");
        _ts_syn_free(t);
    }

    /* a term of more than 120 bytes */
    char text[300];
    _ts_syn_table_t *t = _ts_syn_new();
    snprintf(text, sizeof text, "x = %0130d\n", 7);
    assert_int_equal(_ts_syn_load_buffer(t, text, strlen(text), "long.txt"), TS_ERR_INVALID);
    assert_string_equal(ts_last_error(), "long.txt:1: term longer than 120 bytes");
    _ts_syn_free(t);

    /* every malformed line is kept; the status names the first */
    t = _ts_syn_new();
    const char *two = "oops\nok = fine\nalso oops\n";
    assert_int_equal(_ts_syn_load_buffer(t, two, strlen(two), "two.txt"), TS_ERR_INVALID);
    assert_non_null(strstr(ts_last_error(), "two.txt:1: "));
    assert_non_null(strstr(ts_last_error(), "(and 1 more malformed lines)"));
    assert_non_null(strstr(_ts_syn_errors(t), "two.txt:1: "));
    assert_non_null(strstr(_ts_syn_errors(t), "\ntwo.txt:3: "));
    assert_string_equal(expand(t, "ok", 0), "fine");
    _ts_syn_free(t);
}

static void test_files(void **state)
{
    (void)state;
    char path[] = "/tmp/ts-synonyms-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# mine\nmnd = motor neurone disease\nwhat is this\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);

    _ts_syn_table_t *t = _ts_syn_new();
    assert_int_equal(_ts_syn_load_file(t, path), TS_ERR_INVALID);
    char want[256];
    snprintf(want, sizeof want, "%s:3: expected", path);
    assert_non_null(strstr(_ts_syn_errors(t), want));
    assert_string_equal(expand(t, "mnd", 0), "motor neurone disease");
    unlink(path);

    /* a user list that does not exist is no error worth reporting */
    assert_int_equal(_ts_syn_load_file(t, path), TS_ERR_NOT_FOUND);
    assert_null(strstr(_ts_syn_errors(t), "no such file"));
    _ts_syn_free(t);

    /* lookups in an empty table or for nothing */
    t = _ts_syn_new();
    const char *const *exp = (const char *const *)path;
    assert_int_equal(_ts_syn_lookup(t, "htn", 0, &exp), 0);
    assert_null(exp);
    assert_int_equal(_ts_syn_lookup(t, NULL, 0, &exp), 0);
    assert_null(_ts_syn_errors(t));
    _ts_syn_free(t);
    _ts_syn_free(NULL);
}

/* ---- compiling a list into C ---------------------------------------- */

/* The C source of a list: keys sorted, terms that find nothing left out,
 * bytes outside printable ASCII written as octal escapes. */
static void test_write_c(void **state)
{
    (void)state;
    _ts_syn_table_t *t = load("zeta = \xce\xb2 blocker\n"
                              "ALL -> acute lymphoblastic leukemia\n"
                              "alpha -> beta\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(_ts_syn_write_c(t, "test.txt", out), TS_OK);
    fclose(out);

    assert_non_null(strstr(buf, "Generated from test.txt"));
    assert_non_null(strstr(buf, "\"\\316\\262 blocker\""));
    assert_null(strstr(buf, "\xce"));
    assert_non_null(strstr(buf, "_ts_builtin_syn_len = 4;"));
    /* strings in key order, each key followed by its expansions: all,
     * alpha, zeta, then the UTF-8 key; beta finds nothing and has no
     * entry, only its place as an expansion */
    const char *strs = strstr(buf, "const char _ts_builtin_str[] =\n"
                                   "    \"all\" \"\\0\"\n"
                                   "    \"acute lymphoblastic leukemia\" \"\\0\"\n"
                                   "    \"alpha\" \"\\0\"\n"
                                   "    \"beta\" \"\\0\"\n"
                                   "    \"beta\" \"\\0\"\n"
                                   "    \"zeta\" \"\\0\"\n");
    assert_non_null(strs);
    /* the offsets: "all" at 0 with no expansion typed in any case and one
     * (at 4) typed in capitals; "alpha" at 33, its expansion at 39, twice
     * (in any case, and in capitals) */
    assert_non_null(strstr(buf, "_ts_builtin_exp[] = {\n    4,\n    39,\n    44,\n"));
    assert_non_null(strstr(buf, "_ts_builtin_syn[] = {\n"
                                "    { 0, 0, 0, 0, 1 },\n"
                                "    { 33, 1, 1, 2, 1 },\n"));
    assert_non_null(strstr(buf, "\"\\316\\262 blocker\" \"\\0\""));
    free(buf);
    _ts_syn_free(t);
}

/* ---- the shipped list ---------------------------------------------- */

static void test_shipped_list(void **state)
{
    (void)state;
    size_t len;
    char *text = unit_slurp("share/synonyms.txt", &len);
    _ts_syn_table_t *t = _ts_syn_new();
    ts_status_t st = _ts_syn_load_buffer(t, text, len, "share/synonyms.txt");
    if (st != TS_OK)
        fail_msg("%s", _ts_syn_errors(t) ? _ts_syn_errors(t) : ts_last_error());

    /* the library's compiled table finds exactly what the file does:
     * the same number of terms, each with the same expansions in the same
     * order, both ways of typing it */
    assert_int_equal(_ts_builtin_syn_len, _ts_syn_size(t));
    for (size_t i = 0; i < _ts_builtin_syn_len; i++) {
        const char *key = _ts_builtin_str + _ts_builtin_syn[i].key;
        if (i > 0)
            assert_true(strcmp(_ts_builtin_str + _ts_builtin_syn[i - 1].key, key) < 0);
        for (int upper = 0; upper <= 1; upper++) {
            const char *const *a;
            const uint32_t *b;
            size_t na = _ts_syn_lookup(t, key, upper, &a);
            size_t nb = _ts_syn_lookup_builtin(key, upper, &b);
            assert_int_equal(na, nb);
            for (size_t k = 0; k < na; k++)
                assert_string_equal(a[k], _ts_builtin_str + b[k]);
        }
    }
    const uint32_t *none;
    assert_int_equal(_ts_syn_lookup_builtin("no such term", 1, &none), 0);
    assert_null(none);
    assert_int_equal(_ts_syn_lookup_builtin("", 0, &none), 0);

    /* between 150 and 600 entries */
    size_t entries = 0;
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        while (*line == ' ' || *line == '\t')
            line++;
        if (*line != '#' && *line != '\n' && *line)
            entries++;
    }
    assert_true(entries >= 150 && entries <= 600);
    assert_true(_ts_syn_size(t) >= entries);

    /* shorthand every clinician writes */
    assert_true(has(t, "htn", 0, "hypertension"));
    assert_true(has(t, "high blood pressure", 0, "hypertension"));
    assert_true(has(t, "heart attack", 0, "myocardial infarction"));
    assert_true(has(t, "stroke", 0, "cerebrovascular accident"));
    assert_true(has(t, "copd", 0, "chronic obstructive pulmonary disease"));
    assert_true(has(t, "chronic obstructive pulmonary disease", 0, "copd"));
    assert_true(has(t, "dm2", 0, "type 2 diabetes mellitus"));
    assert_true(has(t, "als", 0, "amyotrophic lateral sclerosis"));
    assert_true(has(t, "amyotrophic lateral sclerosis", 0, "als"));
    assert_true(has(t, "h o", 0, "history of"));
    assert_true(has(t, "s p", 0, "status post"));
    assert_true(has(t, "nsaids", 0, "nonsteroidal anti inflammatory drugs"));
    assert_true(has(t, "leukaemia", 0, "leukemia"));
    assert_true(has(t, "paracetamol", 0, "acetaminophen"));
    /* English words and units are expanded only when typed in capitals */
    assert_string_equal(expand(t, "all", 0), "");
    assert_true(has(t, "all", 1, "acute lymphoblastic leukemia"));
    assert_string_equal(expand(t, "it", 0), "");
    assert_string_equal(expand(t, "it", 1), "intrathecal|intrathecally");
    assert_string_equal(expand(t, "ms", 0), "");
    assert_string_equal(expand(t, "ms", 1), "multiple sclerosis");
    assert_string_equal(expand(t, "mg", 0), "");
    assert_string_equal(expand(t, "mm", 0), "");
    /* and never searched for in place of their long forms */
    assert_false(has(t, "acute lymphoblastic leukemia", 1, "all"));
    assert_string_equal(expand(t, "multiple sclerosis", 1), "");
    assert_false(has(t, "intrathecal", 1, "it"));
    assert_true(has(t, "intrathecal", 1, "intraspinal"));

    _ts_syn_free(t);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_ways),
        cmocka_unit_test(test_one_way_and_case),
        cmocka_unit_test(test_layout_and_folding),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_write_c),
        cmocka_unit_test(test_shipped_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
