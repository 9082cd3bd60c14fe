/* Strict UTF-8, exactly as CPython's 'utf-8' codec in strict mode. */
#include "internal.h"

#include <string.h>

size_t pyshm__utf8_next(const uint8_t *s, size_t n, uint32_t *cp) {
    uint8_t b0 = s[0];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    /* Second-byte ranges of Unicode table 3-7 exclude overlongs (E0, F0),
     * surrogates (ED) and code points above U+10FFFF (F4). */
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF;
    uint32_t c;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        c = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        c = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        c = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    c = (c << 6) | (s[1] & 0x3F);
    for (size_t k = 2; k < len; k++) {
        if (s[k] < 0x80 || s[k] > 0xBF) return 0;
        c = (c << 6) | (s[k] & 0x3F);
    }
    *cp = c;
    return len;
}

/* The length of the ASCII run s starts with (n when all of it is), read a
 * word at a time: most strings are ASCII, and short ones (the items of a
 * list) are taken at once instead of byte by byte. */
static size_t ascii_prefix(const uint8_t *s, size_t n) {
    uint64_t w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        if (w & UINT64_C(0x8080808080808080)) break;
    }
    while (i < n && s[i] < 0x80) i++;
    return i;
}

bool pyshm__utf8_valid(const uint8_t *s, size_t n, size_t *bad, size_t *chars) {
    size_t i = ascii_prefix(s, n), count = i;
    while (i < n) {
        /* ASCII fast paths: most strings are mostly ASCII. */
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & UINT64_C(0x8080808080808080)) == 0) {
                i += 8;
                count += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            count++;
            continue;
        }
        uint32_t cp;
        size_t k = pyshm__utf8_next(s + i, n - i, &cp);
        if (k == 0) {
            if (bad) *bad = i;
            return false;
        }
        i += k;
        count++;
    }
    if (chars) *chars = count;
    return true;
}
