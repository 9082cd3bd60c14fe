/* Python's repr() of values: shortest round-trip floats, str and bytes
 * quoting and escapes, exactly as CPython prints them. */
#include "internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void pyshm__out_bytes(pyshm__out *o, const char *s, size_t n) {
    if (o->len < o->cap) {
        size_t room = o->cap - 1 - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
        o->buf[o->len + (n < room ? n : room)] = '\0';
    }
    o->len += n;
}
void pyshm__out_str(pyshm__out *o, const char *s) { pyshm__out_bytes(o, s, strlen(s)); }
void pyshm__out_char(pyshm__out *o, char c) { pyshm__out_bytes(o, &c, 1); }

static const char hexdigits[] = "0123456789abcdef";

void pyshm__hex_encode(const char *data, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdigits[(unsigned char)data[i] >> 4];
        out[2 * i + 1] = hexdigits[(unsigned char)data[i] & 15];
    }
    out[2 * n] = '\0';
}

static void out_hex_escape(pyshm__out *o, char kind, uint32_t v, int digits) {
    char tmp[10];
    tmp[0] = '\\';
    tmp[1] = kind;
    for (int k = 0; k < digits; k++) tmp[2 + k] = hexdigits[(v >> (4 * (digits - 1 - k))) & 0xF];
    pyshm__out_bytes(o, tmp, (size_t)digits + 2);
}

/*
 * Shortest decimal digits that read back as d (d finite, > 0), like David
 * Gay's mode 0 that CPython uses: for each precision p, the correctly
 * rounded p-digit decimal is the candidate; near a power of two the rounding
 * interval is lopsided, so the neighbours one unit away are tried too.
 * Writes the digits (no dot) and returns the decimal exponent of the first.
 */
static int shortest_digits(double d, char digits[20], int *ndigits) {
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        char *e = strchr(tmp, 'e');
        int exp10 = atoi(e + 1);
        int n = 0;
        for (char *c = tmp; c < e; c++)
            if (*c != '.') digits[n++] = *c;
        if (strtod(tmp, NULL) == d) {
            *ndigits = n;
            return exp10;
        }
        for (int delta = -1; delta <= 1; delta += 2) {
            /* digits +/- 1 in the last place, with carry/borrow */
            char alt[20];
            memcpy(alt, digits, (size_t)n);
            int k = n - 1, aexp = exp10, an = n;
            if (delta > 0) {
                while (k >= 0 && alt[k] == '9') alt[k--] = '0';
                if (k < 0) {
                    memmove(alt + 1, alt, (size_t)an);
                    alt[0] = '1';
                    aexp++;
                    an = n; /* keep p digits: the last one is a zero */
                } else {
                    alt[k]++;
                }
            } else {
                while (k >= 0 && alt[k] == '0') alt[k--] = '9';
                if (k < 0) continue;
                alt[k]--;
                if (alt[0] == '0') continue; /* fewer digits: tried already */
            }
            char num[48];
            int m = snprintf(num, sizeof num, "%c.", alt[0]);
            memcpy(num + m, alt + 1, (size_t)an - 1);
            m += an - 1;
            snprintf(num + m, sizeof num - (size_t)m, "e%d", aexp);
            if (strtod(num, NULL) == d) {
                memcpy(digits, alt, (size_t)an);
                *ndigits = an;
                return aexp;
            }
        }
    }
    /* Unreachable: 17 significant digits always round-trip. */
    snprintf(tmp, sizeof tmp, "%.16e", d);
    int n = 0;
    char *e = strchr(tmp, 'e');
    for (char *c = tmp; c < e; c++)
        if (*c != '.') digits[n++] = *c;
    *ndigits = n;
    return atoi(e + 1);
}

static void out_float(pyshm__out *o, double d) {
    if (isnan(d)) {
        pyshm__out_str(o, "nan");
        return;
    }
    if (signbit(d)) {
        pyshm__out_char(o, '-');
        d = -d;
    }
    if (isinf(d)) {
        pyshm__out_str(o, "inf");
        return;
    }
    if (d == 0) {
        pyshm__out_str(o, "0.0");
        return;
    }
    char digits[20];
    int n;
    int exp10 = shortest_digits(d, digits, &n);
    while (n > 1 && digits[n - 1] == '0') n--;
    int decpt = exp10 + 1; /* value = 0.DIGITS x 10**decpt */
    /* CPython's float_repr_style 'short': exponent outside [-4, 16). */
    if (decpt <= -4 || decpt > 16) {
        pyshm__out_char(o, digits[0]);
        if (n > 1) {
            pyshm__out_char(o, '.');
            pyshm__out_bytes(o, digits + 1, (size_t)n - 1);
        }
        char e[16];
        snprintf(e, sizeof e, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
        pyshm__out_str(o, e);
    } else if (decpt <= 0) {
        pyshm__out_str(o, "0.");
        for (int k = 0; k < -decpt; k++) pyshm__out_char(o, '0');
        pyshm__out_bytes(o, digits, (size_t)n);
    } else if (decpt < n) {
        pyshm__out_bytes(o, digits, (size_t)decpt);
        pyshm__out_char(o, '.');
        pyshm__out_bytes(o, digits + decpt, (size_t)(n - decpt));
    } else {
        pyshm__out_bytes(o, digits, (size_t)n);
        for (int k = n; k < decpt; k++) pyshm__out_char(o, '0');
        pyshm__out_str(o, ".0");
    }
}

/* Python picks '' unless the text has a ' and no ". */
static char pick_quote(const char *s, size_t n) {
    bool single = memchr(s, '\'', n) != NULL, dbl = memchr(s, '"', n) != NULL;
    return single && !dbl ? '"' : '\'';
}

static bool simple_escape(pyshm__out *o, uint32_t c, char quote) {
    switch (c) {
    case '\t': pyshm__out_str(o, "\\t"); return true;
    case '\n': pyshm__out_str(o, "\\n"); return true;
    case '\r': pyshm__out_str(o, "\\r"); return true;
    case '\\': pyshm__out_str(o, "\\\\"); return true;
    default:
        if (c == (uint32_t)quote) {
            pyshm__out_char(o, '\\');
            pyshm__out_char(o, quote);
            return true;
        }
        return false;
    }
}

static void out_str(pyshm__out *o, const char *s, size_t n) {
    char quote = pick_quote(s, n);
    const uint8_t *u = (const uint8_t *)s;
    pyshm__out_char(o, quote);
    size_t i = 0;
    while (i < n) {
        uint32_t c;
        size_t k = pyshm__utf8_next(u + i, n - i, &c);
        if (k == 0) { /* surrogateescape: the byte becomes U+DC80..U+DCFF */
            out_hex_escape(o, 'u', 0xDC00u + u[i], 4);
            i++;
            continue;
        }
        if (simple_escape(o, c, quote)) {
        } else if (c < 0x20 || c == 0x7F) {
            out_hex_escape(o, 'x', c, 2);
        } else if (c < 0x7F || pyshm__unicode_printable(c)) {
            pyshm__out_bytes(o, s + i, k);
        } else if (c <= 0xFF) {
            out_hex_escape(o, 'x', c, 2);
        } else if (c <= 0xFFFF) {
            out_hex_escape(o, 'u', c, 4);
        } else {
            out_hex_escape(o, 'U', c, 8);
        }
        i += k;
    }
    pyshm__out_char(o, quote);
}

static void out_bytes_repr(pyshm__out *o, const char *s, size_t n) {
    char quote = pick_quote(s, n);
    pyshm__out_char(o, 'b');
    pyshm__out_char(o, quote);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        if (simple_escape(o, c, quote)) continue;
        if (c < 0x20 || c >= 0x7F)
            out_hex_escape(o, 'x', c, 2);
        else
            pyshm__out_char(o, (char)c);
    }
    pyshm__out_char(o, quote);
}

void pyshm__out_value(pyshm__out *o, const pyshm_value *v) {
    char num[24];
    switch (v->type) {
    case PYSHM_NONE: pyshm__out_str(o, "None"); break;
    case PYSHM_BOOL: pyshm__out_str(o, v->u.b ? "True" : "False"); break;
    case PYSHM_INT:
        snprintf(num, sizeof num, "%" PRId64, v->u.i);
        pyshm__out_str(o, num);
        break;
    case PYSHM_FLOAT: out_float(o, v->u.f); break;
    case PYSHM_STR: out_str(o, v->u.s.ptr, v->u.s.len); break;
    case PYSHM_BYTES: out_bytes_repr(o, v->u.s.ptr, v->u.s.len); break;
    default: pyshm__out_str(o, "<invalid value>"); break;
    }
}

PYSHM_API size_t pyshm_value_repr(const pyshm_value *v, char *buf, size_t cap) {
    if (buf == NULL) cap = 0; /* measure only */
    pyshm__out o = {buf, cap, 0};
    if (cap > 0) buf[0] = '\0';
    if (v != NULL) pyshm__out_value(&o, v);
    return o.len;
}
