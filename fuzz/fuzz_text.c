/* fuzz_text.c - libFuzzer target for the plain-text trial page reader
 * (_ts_read_text).
 * Any bytes: the reader must emit sound records or reject, never crash. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: read it as one file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fuzz_seen_t seen = { 0 };
    ts_scan_cbs_t cbs = fuzz_cbs(&seen);

    fuzz_check_read(_ts_read_text(buf, size, "fuzz.txt", &cbs));
    return 0;
}
