/* JSON output, as Python's json.dumps() writes it. */
#include "json.h"

/* The library's UTF-8 decoder (the static library has it; the installed
 * tool links its object with the shared library). */
#include "internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

static void escape_u(out_buf *b, uint32_t unit) {
    char e[7] = {'\\', 'u', hexdigits[unit >> 12 & 15], hexdigits[unit >> 8 & 15],
                 hexdigits[unit >> 4 & 15], hexdigits[unit & 15], 0};
    out_mem(b, e, 6);
}

void json_text(out_buf *b, const char *s, size_t n) {
    const uint8_t *u = (const uint8_t *)s;
    out_str(b, "\"");
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = pyshm__utf8_next(u + i, n - i, &cp);
        if (k == 0) { /* not UTF-8: the byte as os.fsdecode() shows it */
            escape_u(b, 0xDC00u | u[i]);
            i++;
            continue;
        }
        i += k;
        const char *short_escape = cp == '"'    ? "\\\""
                                   : cp == '\\' ? "\\\\"
                                   : cp == '\n' ? "\\n"
                                   : cp == '\r' ? "\\r"
                                   : cp == '\t' ? "\\t"
                                   : cp == '\b' ? "\\b"
                                   : cp == '\f' ? "\\f"
                                                : NULL;
        if (short_escape) {
            out_str(b, short_escape);
        } else if (cp >= 0x20 && cp < 0x7F) {
            char c = (char)cp;
            out_mem(b, &c, 1);
        } else if (cp < 0x10000) {
            escape_u(b, cp);
        } else { /* a surrogate pair, as JSON spells code points past U+FFFF */
            cp -= 0x10000;
            escape_u(b, 0xD800u | cp >> 10);
            escape_u(b, 0xDC00u | (cp & 0x3FF));
        }
    }
    out_str(b, "\"");
}

void json_str(out_buf *b, const char *s) { json_text(b, s, strlen(s)); }

/* Python's float.hex() of f ("-0x1.11276c8b43958p+8", "inf", "nan"). */
static void json_float_hex(double f, char out[32]) {
    if (isnan(f) || isinf(f)) {
        snprintf(out, 32, "%s", isnan(f) ? "nan" : f < 0 ? "-inf" : "inf");
        return;
    }
    uint64_t bits;
    memcpy(&bits, &f, sizeof bits);
    const char *sign = bits >> 63 ? "-" : "";
    uint64_t mant = bits & ((UINT64_C(1) << 52) - 1);
    int exp = (int)(bits >> 52 & 0x7FF);
    if (exp == 0 && mant == 0) {
        snprintf(out, 32, "%s0x0.0p+0", sign);
        return;
    }
    /* Normal: 1.mant * 2**(exp - 1023); subnormal: 0.mant * 2**-1022.
     * Python always writes the 13 hex digits of the mantissa. */
    snprintf(out, 32, "%s0x%d.%013" PRIx64 "p%+d", sign, exp ? 1 : 0, mant,
             exp ? exp - 1023 : -1022);
}

void json_value(out_buf *b, const pyshm_value *v) {
    static const char *const types[] = {"NoneType", "int", "float", "bool", "str", "bytes"};
    out_printf(b, "{\"type\": \"%s\", \"value\": ", types[v->type]);
    switch (v->type) {
    case PYSHM_NONE: out_str(b, "null"); break;
    case PYSHM_INT: out_printf(b, "%" PRId64, v->u.i); break;
    case PYSHM_BOOL: out_str(b, v->u.b ? "true" : "false"); break;
    case PYSHM_STR: json_text(b, v->u.s.ptr, v->u.s.len); break;
    case PYSHM_FLOAT: {
        char hex[32];
        uint64_t bits;
        memcpy(&bits, &v->u.f, sizeof bits);
        json_float_hex(v->u.f, hex);
        out_printf(b, "\"%s\", \"bits\": \"%016" PRIx64 "\"", hex, bits);
        break;
    }
    case PYSHM_BYTES:
        /* Encoded here: the installed tool links libpyshm.so, which does not
         * export the library's own pyshm__hex_encode. */
        out_str(b, "\"");
        for (size_t i = 0; i < v->u.s.len; i++) {
            unsigned char c = (unsigned char)v->u.s.ptr[i];
            char h[2] = {hexdigits[c >> 4], hexdigits[c & 15]};
            out_mem(b, h, 2);
        }
        out_str(b, "\"");
        break;
    }
    out_str(b, ", \"repr\": ");
    out_buf r;
    out_init(&r);
    out_repr(&r, v);
    if (r.p) json_text(b, r.p, r.len);
    else out_free(b);
    out_free(&r);
    out_str(b, "}");
}

void json_error_open(out_buf *b, int rc, const char *message) {
    out_str(b, "{\"type\": ");
    json_str(b, pyshm_err_pyexc(rc));
    out_str(b, ", \"message\": ");
    json_str(b, message && *message ? message : pyshm_strerror(rc));
}
