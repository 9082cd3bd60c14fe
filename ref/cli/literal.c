/* A small parser for the Python literals the tool accepts as values. */
#include "literal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reject(char *why, size_t cap, const char *text, const char *reason) {
    snprintf(why, cap, "%s: %s", text, reason);
    return PYSHM_EINVAL;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t put_utf8(char *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The body of a quoted literal, escapes resolved; bytes: one byte each. */
static int parse_quoted(const char *text, const char *p, bool is_bytes, bool raw,
                        pyshm_value *out, char **storage, char *why, size_t cap) {
    char q = *p++;
    size_t n = strlen(p);
    if (n == 0 || p[n - 1] != q) return reject(why, cap, text, "unterminated string literal");
    n--; /* the body is p[0..n) */
    char *o = malloc(n * 4 + 1), *start = o;
    if (o == NULL) return PYSHM_ENOMEM;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        if (c == (unsigned char)q) {
            free(start);
            return reject(why, cap, text, "unescaped quote inside the literal");
        }
        if (is_bytes && c >= 0x80) {
            free(start);
            return reject(why, cap, text, "bytes can only contain ASCII literal characters");
        }
        if (c != '\\' || raw) {
            *o++ = (char)c;
            i++;
            if (raw && c == '\\' && i < n) *o++ = p[i++]; /* r'\'' keeps both */
            continue;
        }
        if (++i >= n) {
            free(start);
            return reject(why, cap, text, "trailing backslash");
        }
        char e = p[i++];
        uint32_t v = 0;
        int digits = 0;
        switch (e) {
        case '\\': *o++ = '\\'; continue;
        case '\'': *o++ = '\''; continue;
        case '"': *o++ = '"'; continue;
        case 'a': *o++ = '\a'; continue;
        case 'b': *o++ = '\b'; continue;
        case 'f': *o++ = '\f'; continue;
        case 'n': *o++ = '\n'; continue;
        case 'r': *o++ = '\r'; continue;
        case 't': *o++ = '\t'; continue;
        case 'v': *o++ = '\v'; continue;
        case 'x': digits = 2; break;
        case 'u': digits = is_bytes ? 0 : 4; break;
        case 'U': digits = is_bytes ? 0 : 8; break;
        case 'N':
            if (!is_bytes) {
                free(start);
                return reject(why, cap, text, "\\N{...} escapes are not supported");
            }
            break;
        default:
            if (e >= '0' && e <= '7') { /* up to three octal digits */
                v = (uint32_t)(e - '0');
                for (int k = 0; k < 2 && i < n && p[i] >= '0' && p[i] <= '7'; k++)
                    v = v * 8 + (uint32_t)(p[i++] - '0');
                if (is_bytes) {
                    *o++ = (char)(v & 0xFF);
                } else {
                    o += put_utf8(o, v);
                }
                continue;
            }
            break;
        }
        if (digits == 0) { /* not an escape: Python keeps the backslash */
            *o++ = '\\';
            *o++ = e;
            continue;
        }
        for (int k = 0; k < digits; k++, i++) {
            int h = i < n ? hexval(p[i]) : -1;
            if (h < 0) {
                free(start);
                return reject(why, cap, text, "truncated \\x, \\u or \\U escape");
            }
            v = v * 16 + (uint32_t)h;
        }
        if (is_bytes) {
            *o++ = (char)v;
        } else if (v > 0x10FFFF) {
            free(start);
            return reject(why, cap, text, "illegal Unicode character");
        } else if (v >= 0xD800 && v <= 0xDFFF) {
            free(start);
            snprintf(why, cap, "%s: surrogates not allowed: a str must encode to UTF-8", text);
            return PYSHM_EENCODE;
        } else {
            o += put_utf8(o, v);
        }
    }
    *o = '\0';
    *storage = start;
    *out = is_bytes ? pyshm_bytes(start, (size_t)(o - start)) : pyshm_strn(start, (size_t)(o - start));
    return 0;
}

/* An int literal: [sign] (decimal | 0x.. | 0o.. | 0b..) with underscores. */
static int parse_int(const char *text, pyshm_value *out, bool *is_int) {
    const char *p = text;
    bool neg = false;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    unsigned base = 10;
    if (p[0] == '0' && p[1] && strchr("xXoObB", p[1])) {
        base = strchr("xX", p[1]) ? 16 : strchr("oO", p[1]) ? 8 : 2;
        p += 2;
        if (*p == '_') p++;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    bool overflow = false, any = false, prev_us = true;
    for (; *p; p++) {
        if (*p == '_' && !prev_us) {
            prev_us = true;
            continue;
        }
        int d = hexval(*p);
        if (d < 0 || (unsigned)d >= base) {
            *is_int = false;
            return 0;
        }
        if (v > (limit - (unsigned)d) / base) overflow = true;
        else v = v * base + (unsigned)d;
        any = true;
        prev_us = false;
    }
    if (!any || prev_us) {
        *is_int = false;
        return 0;
    }
    /* Python rejects leading zeros in decimal ints ("007"), except 0, 00. */
    *is_int = true;
    if (overflow) return PYSHM_ERANGE;
    out->type = PYSHM_INT;
    out->u.i = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int parse_float(const char *text, pyshm_value *out, char *why, size_t cap) {
    const char *p = text;
    int sign = 1;
    if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
    if (strcmp(p, "inf") == 0 || strcmp(p, "infinity") == 0) {
        *out = pyshm_float(sign * INFINITY);
        return 0;
    }
    if (strcmp(p, "nan") == 0) {
        *out = pyshm_float(sign < 0 ? -NAN : NAN);
        return 0;
    }
    char clean[512];
    size_t n = 0;
    for (const char *c = text; *c && n + 1 < sizeof clean; c++) {
        if (*c == '_') continue;
        if (!strchr("+-0123456789.eE", *c)) return reject(why, cap, text, "not a Python literal");
        clean[n++] = *c;
    }
    clean[n] = '\0';
    char *end;
    errno = 0;
    double d = strtod(clean, &end);
    if (end == clean || *end != '\0') return reject(why, cap, text, "not a Python literal");
    *out = pyshm_float(d);
    return 0;
}

int pyshm_literal_parse(const char *text, pyshm_value *out, char **storage, char *why,
                        size_t whycap) {
    *storage = NULL;
    if (strcmp(text, "None") == 0) {
        *out = pyshm_none();
        return 0;
    }
    if (strcmp(text, "True") == 0 || strcmp(text, "False") == 0) {
        *out = pyshm_bool(text[0] == 'T');
        return 0;
    }
    /* String prefixes: any order and case of b, r, u (not b with u). */
    const char *p = text;
    bool is_bytes = false, raw = false, uni = false;
    while (*p && strchr("bBrRuU", *p) && p - text < 2) {
        if (*p == 'b' || *p == 'B') is_bytes = true;
        else if (*p == 'r' || *p == 'R') raw = true;
        else uni = true;
        p++;
    }
    if (*p == '\'' || *p == '"') {
        if (uni && (is_bytes || raw)) return reject(why, whycap, text, "invalid string prefix");
        return parse_quoted(text, p, is_bytes, raw, out, storage, why, whycap);
    }
    bool is_int;
    int rc = parse_int(text, out, &is_int);
    if (rc == PYSHM_ERANGE) {
        snprintf(why, whycap, "%s: argument out of range (not a 64-bit signed int)", text);
        return rc;
    }
    if (is_int) return 0;
    return parse_float(text, out, why, whycap);
}
