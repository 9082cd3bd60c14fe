/* Strict UTF-8 validation, written independently of the library's so that
 * the fuzzers compare two implementations rather than trust one. */
#ifndef PYSHM_FUZZ_UTF8_CHECK_H
#define PYSHM_FUZZ_UTF8_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if s[0..n) is UTF-8 as CPython's strict decoder accepts it. */
bool fuzz_utf8_valid(const uint8_t *s, size_t n);
/* Number of code points of valid UTF-8 (lead bytes counted). */
size_t fuzz_utf8_chars(const uint8_t *s, size_t n);

#endif
