/* fuzz_classic.c - libFuzzer target for the classic API JSON reader
 * (_ts_read_json with TS_FORMAT_CLASSIC_JSON).
 * Any bytes: the reader must emit sound records or reject, never crash,
 * and read the same when split between workers (fuzz_check_split). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ts_status_t fuzz_classic_read(const char *buf, size_t len, const ts_scan_cbs_t *cbs)
{
    return _ts_read_json(buf, len, "fuzz.json", TS_FORMAT_CLASSIC_JSON, cbs);
}

/* One input: read it as one file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader_input((const char *)data, size, fuzz_classic_read);
    return 0;
}
