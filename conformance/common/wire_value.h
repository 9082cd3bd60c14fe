/*
 * Values as the conformance suite writes them (PROTOCOL.md, vector files):
 * int decimal, float as the 16 hex digits of its IEEE bits, bool 0/1, str
 * and bytes as hex ("-" for empty), none without a value; and the layout
 * names. Header-only so
 * the adapter and the golden-vector runner (cross-compiled on its own) share
 * one parser.
 */
#ifndef PYSHM_WIRE_VALUE_H
#define PYSHM_WIRE_VALUE_H

#include "pyshm.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { WIRE_OK = 0, WIRE_BAD = -1, WIRE_RANGE = -2 };

static inline int wire_hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A layout name: "py38" or "py39"; WIRE_BAD for anything else. */
static inline int wire_layout_parse(const char *s, pyshm_layout *out) {
    if (strcmp(s, "py38") == 0)
        *out = PYSHM_LAYOUT_PY38;
    else if (strcmp(s, "py39") == 0)
        *out = PYSHM_LAYOUT_PY39;
    else
        return WIRE_BAD;
    return WIRE_OK;
}

/* Decodes hex ("-" is empty) into a new buffer (*out, freed by the caller). */
static inline int wire_unhex(const char *s, unsigned char **out, size_t *len) {
    size_t n = strcmp(s, "-") == 0 ? 0 : strlen(s);
    if (n % 2) return WIRE_BAD;
    unsigned char *b = malloc(n / 2 + 1);
    if (!b) return WIRE_BAD;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = wire_hexval(s[2 * i]), lo = wire_hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return WIRE_BAD;
        }
        b[i] = (unsigned char)(hi << 4 | lo);
    }
    *out = b;
    *len = n / 2;
    return WIRE_OK;
}

/*
 * Parses a value of type (type_len bytes: "none", "int", "float", "bool",
 * "str", "bytes") written as val (NULL for none). str/bytes data is
 * malloc'd into *owned (else NULL). WIRE_RANGE: an int outside int64.
 */
static inline int wire_value_parse(const char *type, size_t type_len, const char *val,
                                   pyshm_value *v, unsigned char **owned) {
#define WIRE_IS(name) (type_len == sizeof name - 1 && strncmp(type, name, type_len) == 0)
    *owned = NULL;
    if (WIRE_IS("none")) {
        *v = pyshm_none();
        return val ? WIRE_BAD : WIRE_OK;
    }
    if (!val) return WIRE_BAD;
    if (WIRE_IS("int")) {
        char *end;
        errno = 0;
        long long i = strtoll(val, &end, 10);
        if (end == val || *end) return WIRE_BAD;
        if (errno == ERANGE) return WIRE_RANGE; /* the C API cannot hold it */
        *v = pyshm_int((int64_t)i);
        return WIRE_OK;
    }
    if (WIRE_IS("float")) {
        uint64_t bits = 0;
        if (strlen(val) != 16) return WIRE_BAD;
        for (int k = 0; k < 16; k++) {
            int d = wire_hexval(val[k]);
            if (d < 0) return WIRE_BAD;
            bits = bits << 4 | (uint64_t)d;
        }
        double f;
        memcpy(&f, &bits, sizeof f);
        *v = pyshm_float(f);
        return WIRE_OK;
    }
    if (WIRE_IS("bool")) {
        if (strcmp(val, "0") && strcmp(val, "1")) return WIRE_BAD;
        *v = pyshm_bool(val[0] == '1');
        return WIRE_OK;
    }
    bool is_str = WIRE_IS("str");
    if (!is_str && !WIRE_IS("bytes")) return WIRE_BAD;
    size_t n;
    if (wire_unhex(val, owned, &n)) return WIRE_BAD;
    *v = is_str ? pyshm_strn((const char *)*owned, n) : pyshm_bytes(*owned, n);
    return WIRE_OK;
#undef WIRE_IS
}

#endif
