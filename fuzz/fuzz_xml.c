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
    fuzz_reader_input((const char *)data, size, fuzz_xml_read);
    return 0;
}
