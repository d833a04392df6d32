/* fuzz_xml.c - libFuzzer target for the legacy XML reader (_ts_read_xml).
 * Any bytes: the reader must emit sound records or reject, never crash,
 * and read the same when split between workers (fuzz_check_split). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ts_status_t fuzz_xml_read(const char *buf, size_t len, const ts_scan_cbs_t *cbs)
{
    return _ts_read_xml(buf, len, "fuzz.xml", cbs);
}

/* One input: read it as one file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fuzz_seen_t seen = { 0 };
    ts_scan_cbs_t cbs = fuzz_cbs(&seen);
    ts_status_t st = fuzz_xml_read(buf, size, &cbs);

    fuzz_check_read(st);
    fuzz_check_split(buf, size, fuzz_xml_read, &seen, st);
    fuzz_events_free(&seen);
    return 0;
}
