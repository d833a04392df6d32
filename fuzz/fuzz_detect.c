/* fuzz_detect.c - libFuzzer target for format detection
 * (ts_detect_format) and the buffer entry point that acts on it
 * (ts_parse_buffer with TS_FORMAT_AUTO).
 * Any bytes: detection returns a format of the enum, the same one each
 * time; input detected as no format is rejected, never read. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ts_status_t fuzz_detect_read(const char *buf, size_t len, const ts_scan_cbs_t *cbs)
{
    return ts_parse_buffer(buf, len, "fuzz-input", TS_FORMAT_AUTO, cbs);
}

/* 1 if f is one of the formats detection may return. */
static int known_format(ts_format_t f)
{
    return f == TS_FORMAT_AUTO || f == TS_FORMAT_XML || f == TS_FORMAT_V2JSON ||
           f == TS_FORMAT_CLASSIC_JSON || f == TS_FORMAT_TEXT;
}

/* One input: detect it with and without a file name, then parse it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fuzz_seen_t seen = { 0 };
    ts_scan_cbs_t cbs = fuzz_cbs(&seen);
    ts_format_t f = ts_detect_format(buf, size, NULL);
    ts_format_t named = ts_detect_format(buf, size, "record.txt");
    ts_status_t st;

    FUZZ_CHECK(known_format(f) && known_format(named), "unknown format");
    FUZZ_CHECK(ts_detect_format(buf, size, NULL) == f, "detection is not stable");
    FUZZ_CHECK(f == TS_FORMAT_AUTO || f == named,
               "a .txt name changed one detected format into another");

    st = fuzz_detect_read(buf, size, &cbs);
    FUZZ_CHECK(st == TS_OK || st == TS_ERR_NOMEM, "ts_parse_buffer failed");
    FUZZ_CHECK(f != TS_FORMAT_AUTO || seen.records == 0,
               "records from input detected as no format");
    fuzz_check_split(buf, size, fuzz_detect_read, &seen, st);
    fuzz_events_free(&seen);
    return 0;
}
