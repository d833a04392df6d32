/* test_text.c - the analyzer (Unicode normalization of index and query
 * text) and the value normalizers every reader shares. */
#include "unit.h"
#include "ts_internal.h"

static void check_norm(const char *in, const char *want)
{
    char *out = _ts_normalize(in, strlen(in));
    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
}

static void test_normalize(void **state)
{
    (void)state;
    check_norm("Sjögren's Syndrome", "sjogren's syndrome");      /* marks, case */
    check_norm("CAFÉ", "cafe");
    check_norm("\xef\xac\x81" "brosis", "fibrosis");                 /* ligature fi */
    check_norm("\xef\xbc\x91\xef\xbc\x92 mg", "12 mg");           /* full-width digits */
    check_norm("Straße", "strasse");                              /* case folding */
    check_norm("co\xc2\xad" "operation", "cooperation");          /* soft hyphen ignored */
    /* invalid UTF-8 is replaced, not fatal */
    char *out = _ts_normalize("ab\xff" "cd", 5);
    assert_non_null(out);
    assert_string_equal(out, "ab\xef\xbf\xbd" "cd");
    free(out);
}

/* Every ASCII character but NUL maps to itself lowercased: the fast path
 * for ASCII text must agree with the general one. */
static void test_normalize_ascii(void **state)
{
    (void)state;
    for (int c = 1; c < 128; c++) {
        char in[] = { 'x', (char)c, 'Y', '\0' };
        char want[] = { 'x', (char)(c >= 'A' && c <= 'Z' ? c + 32 : c), 'y', '\0' };
        char *out = _ts_normalize(in, 3);
        assert_non_null(out);
        assert_memory_equal(out, want, 4);
        free(out);
    }
    check_norm("ALS \xc3\x89TUDE", "als etude"); /* mixed: the general path */
    char *out = _ts_normalize("a\0B", 3);            /* NUL: the general path too */
    assert_non_null(out);
    assert_string_equal(out, "a");
    free(out);
}

static void test_normalize_query(void **state)
{
    (void)state;
    char *q = _ts_normalize_query("Sjögren AND Café OR NOT x NEAR/3 Y title:ÉPILEPSIE");
    assert_non_null(q);
    assert_string_equal(q, "sjogren AND cafe OR NOT x NEAR/3 y title:epilepsie");
    free(q);
    q = _ts_normalize_query("and or");   /* lower-case words are words */
    assert_string_equal(q, "and or");
    free(q);
    /* NEAR/N and ADJ/N keep their case only with digits after the slash;
     * anything else is a word, normalized, invalid bytes included */
    q = _ts_normalize_query("a ADJ/12 b NEAR/ c NEAR/Xy OR/3 d NEAR/\xff\xfe e");
    assert_non_null(q);
    assert_true(_ts_valid_utf8(q, strlen(q), NULL));
    assert_non_null(strstr(q, "a ADJ/12 b near/ c near/xy or/3 d near/"));
    assert_null(strstr(q, "NEAR/\xff"));
    free(q);
}

static void test_status_type_sex(void **state)
{
    (void)state;
    assert_string_equal(_ts_norm_status("Active, not recruiting"), "ACTIVE_NOT_RECRUITING");
    assert_string_equal(_ts_norm_status("ACTIVE_NOT_RECRUITING"), "ACTIVE_NOT_RECRUITING");
    assert_string_equal(_ts_norm_status("Unknown status"), "UNKNOWN");
    assert_string_equal(_ts_norm_status("Not yet recruiting"), "NOT_YET_RECRUITING");
    assert_null(_ts_norm_status("Sleeping"));
    assert_string_equal(_ts_status_label("ENROLLING_BY_INVITATION"), "Enrolling by invitation");
    assert_string_equal(_ts_norm_study_type("Interventional (Clinical Trial)"), "INTERVENTIONAL");
    assert_string_equal(_ts_norm_study_type("Observational [Patient Registry]"), "OBSERVATIONAL");
    assert_string_equal(_ts_norm_study_type("Expanded Access"), "EXPANDED_ACCESS");
    assert_null(_ts_norm_study_type("N/A"));
    assert_string_equal(_ts_norm_sex("Both"), "ALL");
    assert_string_equal(_ts_norm_sex("FEMALE"), "FEMALE");
    assert_string_equal(_ts_norm_sex("Male"), "MALE");
}

/* The phases of s, joined by '+'. */
static const char *phases_of(const char *s)
{
    static char buf[128];
    ts_strlist_t l = { 0, NULL };
    _ts_norm_phases(&l, s);
    buf[0] = '\0';
    for (size_t i = 0; i < l.n; i++) {
        if (i)
            strcat(buf, "+");
        strcat(buf, l.v[i]);
    }
    _ts_strlist_free(&l);
    return buf;
}

static void test_phases(void **state)
{
    (void)state;
    assert_string_equal(phases_of("Phase 1/Phase 2"), "PHASE1+PHASE2");
    assert_string_equal(phases_of("Phase 1 Phase 2"), "PHASE1+PHASE2");
    assert_string_equal(phases_of("PHASE3"), "PHASE3");
    assert_string_equal(phases_of("Early Phase 1"), "EARLY_PHASE1");
    assert_string_equal(phases_of("EARLY_PHASE1"), "EARLY_PHASE1");
    assert_string_equal(phases_of("Phase 2/3"), "PHASE2+PHASE3");
    assert_string_equal(phases_of("N/A"), "NA");
    assert_string_equal(phases_of("Not Applicable"), "NA");
    assert_string_equal(phases_of("nothing"), "");
}

static void test_ages(void **state)
{
    (void)state;
    assert_true(_ts_parse_age("18 Years") == 18);
    assert_true(_ts_parse_age("6 Months") == 0.5);
    assert_true(_ts_parse_age("65") == 65);
    assert_true(_ts_parse_age("26 Weeks") == 0.5);
    assert_true(_ts_parse_age("N/A") == TS_AGE_NONE);
    assert_true(_ts_parse_age("") == TS_AGE_NONE);
    assert_true(_ts_parse_age(NULL) == TS_AGE_NONE);
    assert_true(_ts_parse_age("12 parsecs") == TS_AGE_NONE);
}

static void check_date(const char *in, const char *want)
{
    char *d = _ts_parse_date(in);
    if (!want) {
        assert_null(d);
        return;
    }
    assert_non_null(d);
    assert_string_equal(d, want);
    free(d);
}

static void test_dates(void **state)
{
    (void)state;
    check_date("April 5, 2022", "2022-04-05");
    check_date("April 2011", "2011-04");
    check_date("2011-04", "2011-04");
    check_date("2022-04-05", "2022-04-05");
    check_date("5 April 2022", "2022-04-05");
    check_date("December 1, 2012", "2012-12-01");
    check_date("2015", "2015");
    check_date("soon", NULL);
    check_date(NULL, NULL);
}

static void test_counts_and_yesno(void **state)
{
    (void)state;
    assert_int_equal(_ts_parse_count("60 participants"), 60);
    assert_int_equal(_ts_parse_count("1,200"), 1200);
    assert_int_equal(_ts_parse_count("Not specified"), -1);
    assert_int_equal(_ts_parse_yesno("Accepts Healthy Volunteers"), 1);
    assert_int_equal(_ts_parse_yesno("Yes"), 1);
    assert_int_equal(_ts_parse_yesno("No"), 0);
    assert_int_equal(_ts_parse_yesno("No healthy volunteers"), 0);
    assert_int_equal(_ts_parse_yesno("maybe"), -1);
}

static void test_clean(void **state)
{
    (void)state;
    char *c = _ts_clean("  a \t b\n\n\n  c  \n", 17, 1);
    assert_string_equal(c, "a b\n\nc");
    free(c);
    c = _ts_clean("  a \t b\n\n\n  c  \n", 17, 0);
    assert_string_equal(c, "a b c");
    free(c);
    assert_null(_ts_clean(" \n\t ", 4, 0));
}

static void test_split_eligibility(void **state)
{
    (void)state;
    ts_record_t *r = ts_record_new();
    r->eligibility = strdup("Inclusion Criteria:\n- adults\n- ALS\nExclusion Criteria:\n- pregnancy");
    _ts_split_eligibility(r);
    assert_string_equal(r->inclusion, "- adults\n- ALS");
    assert_string_equal(r->exclusion, "- pregnancy");
    ts_record_free(r);

    /* a mention inside a sentence is not a heading */
    r = ts_record_new();
    r->eligibility = strdup("Patients meeting the exclusion criteria of the parent study are not eligible.");
    _ts_split_eligibility(r);
    assert_null(r->inclusion);
    assert_null(r->exclusion);
    ts_record_free(r);

    /* only an exclusion heading: what precedes it is inclusion */
    r = ts_record_new();
    r->eligibility = strdup("Adults with epilepsy\n\nKey Exclusion Criteria:\nTumour");
    _ts_split_eligibility(r);
    assert_string_equal(r->inclusion, "Adults with epilepsy");
    assert_string_equal(r->exclusion, "Tumour");
    ts_record_free(r);
}

static void test_local_id_and_utf8(void **state)
{
    (void)state;
    char a[16], b[16], c[16];
    _ts_local_id("/x/y/003_c3365ed2849ba659.txt", a);
    _ts_local_id("elsewhere/003_c3365ed2849ba659.txt", b);
    _ts_local_id("/x/y/004_other.txt", c);
    assert_string_equal(a, b);          /* stable: base name only */
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 14);
    assert_memory_equal(a, "TS", 2);
    size_t bad = 0;
    assert_true(_ts_valid_utf8("ok é", 5, &bad));
    assert_false(_ts_valid_utf8("ok\xc3", 3, &bad));
    assert_int_equal(bad, 2);
    assert_false(_ts_valid_utf8("a\0b", 3, &bad));
    assert_int_equal(bad, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_normalize_ascii),
        cmocka_unit_test(test_normalize_query),
        cmocka_unit_test(test_status_type_sex),
        cmocka_unit_test(test_phases),
        cmocka_unit_test(test_ages),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_counts_and_yesno),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_split_eligibility),
        cmocka_unit_test(test_local_id_and_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
