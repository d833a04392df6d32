/* test_regress.c - every input that once broke a fuzz target, replayed.
 *
 * tests/regress/ holds the inputs the libFuzzer targets of fuzz/ found
 * (a crash, a sanitizer report or a broken promise), named
 * TARGET-what.ext with TARGET one of xml, v2json, classic, text, detect,
 * query.  This test compiles the targets' own code (their entry points
 * renamed) and runs each file through its target, so the same promises
 * are checked: a broken one aborts with "fuzz: broken promise: ...".
 * Run it under the sanitizers (mk/sanitize.mk) to see memory errors too. */
#define _XOPEN_SOURCE 700 /* nftw in fuzz_query.c */
#include "unit.h"

#include <dirent.h>

/* The fuzz targets, each entry point under its own name. */
#define LLVMFuzzerTestOneInput regress_xml
#include "../../fuzz/fuzz_xml.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput regress_v2json
#include "../../fuzz/fuzz_v2json.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput regress_classic
#include "../../fuzz/fuzz_classic.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput regress_text
#include "../../fuzz/fuzz_text.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput regress_detect
#include "../../fuzz/fuzz_detect.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput regress_query
#include "../../fuzz/fuzz_query.c"
#undef LLVMFuzzerTestOneInput

#define REGRESS_DIR "tests/regress"

typedef int (*entry_fn)(const uint8_t *, size_t);

/* The entry point for a file named TARGET-..., or NULL. */
static entry_fn entry_for(const char *name, int *is_query)
{
    static const struct {
        const char *prefix;
        entry_fn fn;
    } targets[] = {
        { "xml-", regress_xml },       { "v2json-", regress_v2json },
        { "classic-", regress_classic }, { "text-", regress_text },
        { "detect-", regress_detect }, { "query-", regress_query },
    };

    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        if (strncmp(name, targets[i].prefix, strlen(targets[i].prefix)) == 0) {
            *is_query = targets[i].fn == regress_query;
            return targets[i].fn;
        }
    }
    return NULL;
}

/* Replay every file of tests/regress through its target; a file whose
 * name names no target fails the test (it would otherwise go unchecked). */
static void test_replay_all(void **state)
{
    DIR *d = opendir(REGRESS_DIR);
    struct dirent *de;
    size_t n = 0;
    int query_ready = 0;

    (void)state;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        entry_fn fn;
        int is_query = 0;
        size_t len;
        char *buf;

        if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0)
            continue;
        fn = entry_for(de->d_name, &is_query);
        if (!fn)
            fail_msg("%s/%s: name does not start with a fuzz target", REGRESS_DIR,
                     de->d_name);
        if (is_query && !query_ready) {
            int argc = 0;
            char **argv = NULL;
            LLVMFuzzerInitialize(&argc, &argv);
            query_ready = 1;
        }
        snprintf(path, sizeof path, "%s/%s", REGRESS_DIR, de->d_name);
        buf = unit_slurp(path, &len);
        print_message("replay %s (%zu bytes)\n", path, len);
        assert_int_equal(fn((const uint8_t *)buf, len), 0);
        free(buf);
        n++;
    }
    closedir(d);
    assert_true(n > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
