/*
 * Reads a fuzz input as a stream of small integers. Past the end every read
 * yields zero, so a target never has to check for truncation: short inputs
 * simply decode to zeros and the target stops when fin_empty() says so.
 */
#ifndef PYSHM_FUZZ_INPUT_H
#define PYSHM_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_in {
    const uint8_t *p;
    size_t n;
} fuzz_in;

static inline bool fin_empty(const fuzz_in *in) { return in->n == 0; }

static inline uint8_t fin_u8(fuzz_in *in) {
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

/* Little-endian whatever the host, so corpus files mean the same everywhere. */
static inline uint64_t fin_uint(fuzz_in *in, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)fin_u8(in) << (8 * i);
    return v;
}

#endif
