/* The value grammar of gen.h. Tables hold the values most likely to break
 * a codec: int64 limits, the edges of exact double integers, NaNs with
 * payloads and signs, -0.0, subnormals. */
#include "gen.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int64_t int_table[] = {
    INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX,
    (int64_t)1 << 53, ((int64_t)1 << 53) + 1, -((int64_t)1 << 53) - 1,
    (int64_t)1 << 62, 255, 256, -256, 10000000,
};

static const uint64_t float_bits_table[] = {
    0x0000000000000000u, /* 0.0 */
    0x8000000000000000u, /* -0.0 */
    0x7FF0000000000000u, /* inf */
    0xFFF0000000000000u, /* -inf */
    0x7FF8000000000000u, /* quiet NaN */
    0xFFF8000000000000u, /* negative quiet NaN */
    0x7FF0000000000001u, /* signalling NaN, payload 1 */
    0x7FF8DEADBEEF0001u, /* quiet NaN with a payload */
    0xFFFFFFFFFFFFFFFFu, /* all-ones NaN */
    0x0000000000000001u, /* smallest subnormal */
    0x0010000000000000u, /* DBL_MIN */
    0x7FEFFFFFFFFFFFFFu, /* DBL_MAX */
    0x43E0000000000000u, /* 2**63: just outside int64 */
    0xC3E0000000000000u, /* -2**63 == INT64_MIN */
    0x4340000000000000u, /* 2**53 */
    0x4340000000000001u, /* 2**53 + 2 */
    0x3FF0000000000000u, /* 1.0 */
    0x3FB999999999999Au, /* 0.1 */
    0x4341C37937E08000u, /* 1e16 */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

bool fuzz_arena_init(fuzz_arena *a, size_t input_size) {
    a->cap = 4 * input_size + 16;
    a->used = 0;
    a->buf = malloc(a->cap);
    return a->buf != NULL;
}

void fuzz_arena_free(fuzz_arena *a) {
    free(a->buf);
    a->buf = NULL;
}

static size_t gen_len(fuzz_in *in) {
    size_t len = fin_u8(in);
    if (len & 0x80)
        len = ((len & 0x7F) << 8) | fin_u8(in);
    return len < in->n ? len : in->n; /* keeps the arena bound of gen.h */
}

static size_t put_utf8(char *out, uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static uint32_t gen_code_point(fuzz_in *in) {
    uint8_t b = fin_u8(in);
    if (b < 0x80)
        return b;
    switch (b % 3) {
    case 0:
        return 0x80 + (uint32_t)(fin_uint(in, 2) % (0x800 - 0x80));
    case 1: {
        uint32_t cp = 0x800 + (uint32_t)(fin_uint(in, 2) % (0x10000 - 0x800));
        return (cp >= 0xD800 && cp <= 0xDFFF) ? cp + 0x800 : cp;
    }
    default:
        return 0x10000 + (uint32_t)(fin_uint(in, 3) % 0x100000);
    }
}

bool fuzz_gen_value(fuzz_in *in, fuzz_arena *a, pyshm_value *out) {
    if (fin_empty(in))
        return false;
    uint8_t tag = fin_u8(in) % 10;
    switch (tag) {
    case 0:
        *out = pyshm_none();
        break;
    case 1:
        *out = pyshm_int((int64_t)fin_uint(in, 8));
        break;
    case 2:
        *out = pyshm_int(int_table[fin_u8(in) % COUNT(int_table)]);
        break;
    case 3:
    case 4: {
        uint64_t bits = tag == 3 ? fin_uint(in, 8) : float_bits_table[fin_u8(in) % COUNT(float_bits_table)];
        double f;
        memcpy(&f, &bits, sizeof f);
        *out = pyshm_float(f);
        break;
    }
    case 5:
        *out = pyshm_bool(fin_u8(in) & 1);
        break;
    case 6:
    case 7: {
        size_t chars = gen_len(in);
        char *s = a->buf + a->used;
        size_t len = 0;
        for (size_t i = 0; i < chars; i++)
            len += put_utf8(s + len, gen_code_point(in));
        a->used += len;
        *out = pyshm_strn(s, len);
        break;
    }
    default: {
        size_t len = gen_len(in);
        char *s = a->buf + a->used;
        for (size_t i = 0; i < len; i++)
            s[i] = (char)fin_u8(in);
        a->used += len;
        *out = pyshm_bytes(s, len);
        break;
    }
    }
    return true;
}

bool fuzz_gen_raw_str(fuzz_in *in, fuzz_arena *a, pyshm_value *out) {
    if (!fuzz_gen_value(in, a, out))
        return false;
    if (out->type == PYSHM_BYTES)
        out->type = PYSHM_STR;
    return true;
}
