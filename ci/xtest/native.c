/*
 * CPython's golden images are little-endian. ShareableList is native-endian,
 * so on a big-endian target the image CPython would have written differs in
 * exactly the int64 header words and the 8-byte "q"/"d" slots; this derives
 * it. The walk is bounds-checked, since some goldens are deliberately
 * malformed: whatever lies outside the image is simply left alone.
 */
#include "xtest.h"

#include <stdlib.h>
#include <string.h>

bool xt_big_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}

static uint64_t le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void swap8(unsigned char *p) {
    for (int i = 0; i < 4; i++) {
        unsigned char t = p[i];
        p[i] = p[7 - i];
        p[7 - i] = t;
    }
}

static bool numeric_format(const unsigned char *f) {
    if (f[0] != 'q' && f[0] != 'd')
        return false;
    for (int i = 1; i < 8; i++)
        if (f[i] != 0)
            return false;
    return true;
}

/* Swaps the numeric slots of a well-formed-enough image in place. */
static void swap_slots(unsigned char *img, size_t len, pyshm_layout layout) {
    uint64_t n = le64(img);
    size_t words = layout == PYSHM_LAYOUT_PY39 ? 2 : 1; /* N, offsets[0] */
    if (n > len / 8 || 8 * (n + words) > len)
        return;
    size_t data = 8 * (size_t)(n + words);
    uint64_t off = layout == PYSHM_LAYOUT_PY39 ? le64(img + 8) : 0, next;
    /* First pass: where the formats start (the end of the data area). */
    uint64_t end = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t w = le64(img + 8 * (i + words));
        end = layout == PYSHM_LAYOUT_PY39 ? w : end + w;
        if (end > len)
            return;
    }
    if (end > len - data || 8 * n > len - data - end)
        return;
    const unsigned char *fmts = img + data + end;
    for (uint64_t i = 0; i < n; i++, off = next) {
        uint64_t w = le64(img + 8 * (i + words));
        next = layout == PYSHM_LAYOUT_PY39 ? w : off + w;
        if (numeric_format(fmts + 8 * i) && off <= end && end - off >= 8)
            swap8(img + data + off);
    }
}

unsigned char *xt_native(const unsigned char *image, size_t len, pyshm_layout layout) {
    unsigned char *img = malloc(len ? len : 1);
    if (img == NULL)
        return NULL;
    memcpy(img, image, len);
    if (!xt_big_endian() || len < 8)
        return img;
    swap_slots(img, len, layout); /* reads the header: before swapping it */
    uint64_t n = le64(img);
    size_t words = (size_t)(n < len / 8 ? n : len / 8) + (layout == PYSHM_LAYOUT_PY39 ? 2 : 1);
    for (size_t w = 0; w < words && 8 * w + 8 <= len; w++)
        swap8(img + 8 * w);
    return img;
}
