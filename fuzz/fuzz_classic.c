/* fuzz_classic.c - libFuzzer target for the classic API JSON reader
 * (_ts_read_json with TS_FORMAT_CLASSIC_JSON).
 * Any bytes: the reader must emit sound records or reject, never crash. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: read it as one file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fuzz_seen_t seen = { 0 };
    ts_scan_cbs_t cbs = fuzz_cbs(&seen);

    fuzz_check_read(_ts_read_json(buf, size, "fuzz.json",
                                  TS_FORMAT_CLASSIC_JSON, &cbs));
    return 0;
}
