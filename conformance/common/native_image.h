/*
 * CPython's golden images are little-endian, but a ShareableList image is in
 * native byte order; on a big-endian host the image CPython would have
 * written differs in exactly the int64 words of N and the header, and the
 * 8-byte slots whose format is q or d. native_image() derives it in place.
 * It stops quietly where an image is malformed (refusal vectors): whatever
 * it has not swapped, the library must still refuse. Header-only so the
 * vector runner and the cross-target test runner share it.
 */
#ifndef PYSHM_NATIVE_IMAGE_H
#define PYSHM_NATIVE_IMAGE_H

#include "pyshm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int native_is_big_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}

static inline void native_swap8(unsigned char *p) {
    for (int i = 0; i < 4; i++) {
        unsigned char t = p[i];
        p[i] = p[7 - i];
        p[7 - i] = t;
    }
}

static inline int64_t native_le64(const unsigned char *p) {
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--) x = x << 8 | p[i];
    return (int64_t)x;
}

static inline void native_image(unsigned char *img, size_t len, pyshm_layout layout) {
    if (!native_is_big_endian() || len < 8) return;
    int64_t n = native_le64(img);
    native_swap8(img);
    if (n < 0 || (uint64_t)n > len / 8) return;
    size_t hdr = (size_t)n + (layout == PYSHM_LAYOUT_PY39);
    if (8 + 8 * hdr > len) return;
    int64_t *offs = malloc(((size_t)n + 1) * sizeof *offs);
    if (!offs) return;
    offs[0] = 0;
    int sane = 1;
    for (size_t i = 0; i < hdr; i++) {
        int64_t w = native_le64(img + 8 + 8 * i);
        if (w < 0 || w > (int64_t)len) sane = 0;
        if (layout == PYSHM_LAYOUT_PY39)
            offs[i] = w;
        else if (sane)
            offs[i + 1] = offs[i] + w; /* each w <= len: no overflow */
        native_swap8(img + 8 + 8 * i);
    }
    size_t data = 8 + 8 * hdr;
    if (sane && offs[n] >= 0 && (uint64_t)offs[n] <= len - data &&
        9 * (size_t)n <= len - data - (size_t)offs[n]) {
        const unsigned char *fmts = img + data + offs[n];
        for (int64_t i = 0; i < n; i++) {
            const unsigned char *f = fmts + 8 * i;
            int qd = (f[0] == 'q' || f[0] == 'd') && f[1] == 0;
            if (qd && offs[i] >= 0 && offs[i] + 8 <= offs[n]) native_swap8(img + data + offs[i]);
        }
    }
    free(offs);
}

#endif
