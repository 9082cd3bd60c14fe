/*
 * The Python literal grammar, for the tool's VALUE arguments: what
 * ast.literal_eval() accepts and gives None, a bool, an int, a float, a str
 * or bytes. The rules follow CPython's tokenizer and parser (3.9 and later;
 * checked against ast.literal_eval on a generated corpus in the tests).
 */
#include "literal.h"

/* The library's strict UTF-8 check, pyshm__utf8_valid() (in the static
 * library the tool links; not exported by the shared one). */
#include "internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CPython refuses ints of more decimal digits (sys.int_info.default_max_str_digits). */
#define MAX_INT_DIGITS 4300

typedef struct {
    const char *s; /* the text, newlines normalised; s[n] == '\0' */
    size_t n, i;
    int depth; /* open parentheses: newlines inside are whitespace */
    char *why;
    size_t whycap;
    out_buf text;        /* decoded str/bytes contents */
    bool surrogate;      /* the str holds a lone surrogate */
    bool have_string;    /* a string literal was parsed */
    bool rejected;       /* why, err_at and err_len are set */
    size_t err_at, err_len; /* where the first reason applies, in s */
    size_t esc_at;       /* the escape being decoded, in s */
} lexer;

/* What an expression turned out to be. */
typedef enum { K_INT, K_FLOAT, K_STR, K_BYTES, K_CONST } kind;

static int vreject(lexer *lx, size_t at, size_t len, const char *fmt, va_list ap) {
    if (!lx->rejected) { /* the first reason is the one to show */
        lx->rejected = true;
        vsnprintf(lx->why, lx->whycap, fmt, ap);
        lx->err_at = at;
        lx->err_len = len;
    }
    return PYSHM_EINVAL;
}

/* Refuses the text, the problem being len bytes at s[at]. */
static int reject_at(lexer *lx, size_t at, size_t len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PYSHM__PRINTF, 4, 5)))
#endif
    ;
static int reject_at(lexer *lx, size_t at, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = vreject(lx, at, len, fmt, ap);
    va_end(ap);
    return rc;
}

/* Refuses the text, the problem being the character at the lexer's place. */
static int reject(lexer *lx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PYSHM__PRINTF, 2, 3)))
#endif
    ;
static int reject(lexer *lx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = vreject(lx, lx->i, 1, fmt, ap);
    va_end(ap);
    return rc;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_ident(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c >= 0x80;
}
static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
static int digit_in(int c, unsigned base) {
    int d = hexval(c);
    return d >= 0 && (unsigned)d < base ? d : -1;
}

/* Code point cp as UTF-8; a surrogate is written in the same 3-byte form
 * (Python allows it in a str; the tool cannot store it). */
static void put_cp(lexer *lx, uint32_t cp) {
    char o[4];
    size_t k;
    if (cp < 0x80) {
        o[0] = (char)cp, k = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6)), o[1] = (char)(0x80 | (cp & 0x3F)), k = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)), o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)), k = 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18)), o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), o[3] = (char)(0x80 | (cp & 0x3F)), k = 4;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) lx->surrogate = true;
    out_mem(&lx->text, o, k);
}

/* ---- whitespace ---------------------------------------------------------- */

/* A backslash at the end of a line joins it to the next; one that ends the
 * text is an error ("unexpected EOF"). */
static int continuation(lexer *lx) {
    lx->i += 2;
    return lx->i == lx->n ? reject(lx, "unexpected end of text after a line continuation") : 0;
}

/* Spaces, tabs, form feeds, comments and continuations between tokens;
 * newlines too inside parentheses. */
static int skip_ws(lexer *lx) {
    for (;;) {
        char c = lx->s[lx->i];
        if (c == ' ' || c == '\t' || c == '\f' || (c == '\n' && lx->depth > 0)) {
            lx->i++;
        } else if (c == '#') {
            while (lx->i < lx->n && lx->s[lx->i] != '\n') lx->i++;
        } else if (c == '\\' && lx->s[lx->i + 1] == '\n') {
            if (continuation(lx)) return PYSHM_EINVAL;
        } else {
            return 0;
        }
    }
}

/* Blank and comment lines before the value; the value's own line must not
 * be indented (IndentationError). literal_eval() strips leading spaces and
 * tabs of the first line itself. */
static int skip_leading(lexer *lx) {
    while (lx->s[lx->i] == ' ' || lx->s[lx->i] == '\t') lx->i++;
    size_t col = 0;
    for (;;) {
        char c = lx->s[lx->i];
        if (c == ' ' || c == '\t') {
            col++, lx->i++;
        } else if (c == '\f') {
            col = 0, lx->i++; /* a form feed resets the indentation */
        } else if (c == '#') {
            while (lx->i < lx->n && lx->s[lx->i] != '\n') lx->i++;
        } else if (c == '\n') {
            col = 0, lx->i++;
        } else if (c == '\\' && lx->s[lx->i + 1] == '\n') {
            col = 0;
            if (continuation(lx)) return PYSHM_EINVAL;
        } else {
            break;
        }
    }
    if (lx->i == lx->n) return reject(lx, "no value");
    return col ? reject(lx, "unexpected indent") : 0;
}

/* ---- ints ---------------------------------------------------------------- */

typedef struct {
    uint32_t *d; /* base 2**32, least significant first */
    size_t n, cap;
} big;

static bool big_reserve(big *b, size_t n) {
    if (n <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 4;
    while (cap < n) cap *= 2;
    uint32_t *d = realloc(b->d, cap * sizeof *d);
    if (d == NULL) return false;
    b->d = d;
    b->cap = cap;
    return true;
}

/* b = b * mul + add */
static bool big_muladd(big *b, uint32_t mul, uint32_t add) {
    uint64_t carry = add;
    for (size_t k = 0; k < b->n; k++) {
        uint64_t t = (uint64_t)b->d[k] * mul + carry;
        b->d[k] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry) {
        if (!big_reserve(b, b->n + 1)) return false;
        b->d[b->n++] = (uint32_t)carry;
    }
    return true;
}

static void big_trim(big *b) {
    while (b->n > 0 && b->d[b->n - 1] == 0) b->n--;
}

/* b /= 10**9, returning the remainder. */
static uint32_t big_divsmall(big *b) {
    uint64_t rem = 0;
    for (size_t k = b->n; k-- > 0;) {
        uint64_t cur = rem << 32 | b->d[k];
        b->d[k] = (uint32_t)(cur / 1000000000u);
        rem = cur % 1000000000u;
    }
    big_trim(b);
    return (uint32_t)rem;
}

/* The decimal digits of b (consumed), most significant first. */
static void big_decimal(big *b, out_buf *o) {
    size_t nchunks = 0;
    uint32_t *chunks = malloc((b->n * 10 / 9 + 2) * sizeof *chunks);
    if (chunks == NULL) {
        out_free(o);
        return;
    }
    do chunks[nchunks++] = big_divsmall(b);
    while (b->n > 0);
    out_printf(o, "%" PRIu32, chunks[nchunks - 1]);
    for (size_t k = nchunks - 1; k-- > 0;) out_printf(o, "%09" PRIu32, chunks[k]);
    free(chunks);
}

/* Digits of an int in base 2, 8 or 16 (no underscores), bit by bit. */
static bool big_from_pow2(big *b, const char *digits, size_t nd, unsigned shift) {
    size_t bits = nd * shift;
    if (!big_reserve(b, bits / 32 + 1)) return false;
    memset(b->d, 0, (bits / 32 + 1) * sizeof *b->d);
    b->n = bits / 32 + 1;
    size_t pos = 0;
    for (size_t k = nd; k-- > 0; pos += shift) {
        uint32_t d = (uint32_t)hexval(digits[k]);
        b->d[pos / 32] |= d << (pos % 32);
        if (pos % 32 + shift > 32) b->d[pos / 32 + 1] |= d >> (32 - pos % 32);
    }
    big_trim(b);
    return true;
}

/* ---- numbers ------------------------------------------------------------- */

/* digit (["_"] digit)*: the digits are appended to clean. */
static size_t digitpart(lexer *lx, out_buf *clean) {
    size_t count = 0;
    for (;;) {
        char c = lx->s[lx->i];
        if (c == '_' && is_digit(lx->s[lx->i + 1]) && count > 0) {
            lx->i++;
            continue;
        }
        if (!is_digit(c)) return count;
        out_mem(clean, &c, 1);
        lx->i++;
        count++;
    }
}

static int parse_number(lexer *lx, pyshm_literal *out, kind *k) {
    const char *s = lx->s;
    out_buf clean;
    out_init(&clean);
    int rc = 0;
    unsigned base = 10;
    size_t start = lx->i;
    if (s[lx->i] == '0' && s[lx->i + 1] && strchr("xXoObB", s[lx->i + 1])) {
        base = strchr("xX", s[lx->i + 1]) ? 16 : strchr("oO", s[lx->i + 1]) ? 8 : 2;
        lx->i += 2;
        for (;;) {
            if (s[lx->i] == '_' && digit_in(s[lx->i + 1], base) >= 0) lx->i++;
            if (digit_in(s[lx->i], base) < 0) break;
            out_mem(&clean, &s[lx->i++], 1);
        }
        const char *what = base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary";
        if (clean.len == 0 || is_ident((unsigned char)s[lx->i]))
            rc = reject_at(lx, start, lx->i - start + 1, "invalid %s literal", what);
        *k = K_INT;
    } else {
        digitpart(lx, &clean);
        bool is_float = false;
        if (s[lx->i] == '.') {
            is_float = true;
            out_mem(&clean, ".", 1);
            lx->i++;
            digitpart(lx, &clean);
        }
        if (s[lx->i] == 'e' || s[lx->i] == 'E') {
            size_t j = lx->i + 1;
            if (s[j] == '+' || s[j] == '-') j++;
            if (!is_digit(s[j])) {
                rc = reject_at(lx, start, j - start, "invalid decimal literal");
            } else {
                out_mem(&clean, "e", 1);
                if (j > lx->i + 1) out_mem(&clean, &s[j - 1], 1);
                lx->i = j;
                digitpart(lx, &clean);
                is_float = true;
            }
        }
        if (rc == 0 && (s[lx->i] == 'j' || s[lx->i] == 'J'))
            rc = reject_at(lx, start, lx->i - start + 1,
                           "a complex number is not a value a ShareableList stores");
        else if (rc == 0 && is_ident((unsigned char)s[lx->i]))
            rc = reject_at(lx, start, lx->i - start + 1, "invalid decimal literal");
        if (rc == 0 && !is_float && clean.p && clean.p[0] == '0' &&
            clean.p[strspn(clean.p, "0")] != '\0')
            rc = reject_at(lx, start, lx->i - start,
                           "leading zeros in decimal integer literals are not permitted; "
                           "use an 0o prefix for octal integers");
        *k = is_float ? K_FLOAT : K_INT;
    }
    if (rc == 0 && clean.p == NULL) rc = PYSHM_ENOMEM;
    if (rc == 0 && *k == K_FLOAT) {
        out->value = pyshm_float(strtod(clean.p, NULL)); /* correctly rounded, any length */
    } else if (rc == 0) {
        big b = {NULL, 0, 0};
        bool ok = true;
        if (base == 10) {
            const char *d = clean.p + strspn(clean.p, "0");
            if (strlen(d) > MAX_INT_DIGITS) {
                rc = reject_at(lx, start, lx->i - start,
                               "Exceeds the limit (%d digits) for integer string conversion",
                               MAX_INT_DIGITS);
            }
            for (; rc == 0 && ok && *d; d++) ok = big_muladd(&b, 10, (uint32_t)(*d - '0'));
        } else {
            /* No digit limit here: CPython converts these bases in linear time. */
            ok = big_from_pow2(&b, clean.p, clean.len, base == 16 ? 4 : base == 8 ? 3 : 1);
        }
        if (rc == 0 && !ok) rc = PYSHM_ENOMEM;
        if (rc == 0) {
            big_trim(&b);
            out->limbs = b.d;
            out->nlimbs = b.n;
        } else {
            free(b.d);
        }
    }
    out_free(&clean);
    return rc;
}

/* ---- strings ------------------------------------------------------------- */

static int escape_hex(lexer *lx, const char *p, size_t avail, int digits, uint32_t *v,
                      const char *form) {
    *v = 0;
    for (int k = 0; k < digits; k++) {
        int h = (size_t)k < avail ? hexval(p[k]) : -1;
        if (h < 0) return reject_at(lx, lx->esc_at, 2 + (size_t)k, "truncated %s escape", form);
        *v = *v * 16 + (uint32_t)h;
    }
    return 0;
}

/* The body p[0..n) of a non-raw literal, escapes resolved. */
static int decode_escapes(lexer *lx, const char *p, size_t n, bool is_bytes) {
    for (size_t i = 0; i < n;) {
        if (p[i] != '\\') {
            size_t run = i;
            while (run < n && p[run] != '\\') run++;
            out_mem(&lx->text, p + i, run - i);
            i = run;
            continue;
        }
        char e = p[i + 1]; /* the scanner never ends a body on a lone backslash */
        lx->esc_at = (size_t)(p - lx->s) + i;
        i += 2;
        static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
        const char *m = NULL;
        for (const char *t = simple; *t; t += 2)
            if (*t == e) m = t;
        uint32_t v = 0;
        if (e == '\n') continue; /* a continuation inside the literal */
        if (m) {
            out_mem(&lx->text, m + 1, 1);
        } else if (e >= '0' && e <= '7') {
            v = (uint32_t)(e - '0');
            for (int k = 0; k < 2 && i < n && p[i] >= '0' && p[i] <= '7'; k++)
                v = v * 8 + (uint32_t)(p[i++] - '0');
            if (is_bytes) {
                char byte = (char)(v & 0xFF); /* CPython keeps the low byte of \400-\777 */
                out_mem(&lx->text, &byte, 1);
            } else {
                put_cp(lx, v);
            }
        } else if (e == 'x') {
            if (escape_hex(lx, p + i, n - i, 2, &v, "\\xXX")) return PYSHM_EINVAL;
            i += 2;
            if (is_bytes) {
                char byte = (char)v;
                out_mem(&lx->text, &byte, 1);
            } else {
                put_cp(lx, v);
            }
        } else if (!is_bytes && (e == 'u' || e == 'U')) {
            int digits = e == 'u' ? 4 : 8;
            if (escape_hex(lx, p + i, n - i, digits, &v, e == 'u' ? "\\uXXXX" : "\\UXXXXXXXX"))
                return PYSHM_EINVAL;
            i += (size_t)digits;
            if (v > 0x10FFFF)
                return reject_at(lx, lx->esc_at, 2 + (size_t)digits, "illegal Unicode character");
            put_cp(lx, v);
        } else if (!is_bytes && e == 'N') {
            const char *close = i < n && p[i] == '{' ? memchr(p + i, '}', n - i) : NULL;
            if (close == NULL || close == p + i + 1)
                return reject_at(lx, lx->esc_at, 2, "malformed \\N character escape");
            if (!pyshm_unicode_lookup(p + i + 1, (size_t)(close - p - i - 1), &v))
                return reject_at(lx, lx->esc_at, (size_t)(close - p) + 1 - (i - 2),
                                 "unknown Unicode character name in \\N{%.*s}",
                                 (int)(close - p - i - 1), p + i + 1);
            put_cp(lx, v);
            i = (size_t)(close - p) + 1;
        } else { /* not an escape: Python keeps the backslash */
            out_mem(&lx->text, "\\", 1);
            out_mem(&lx->text, &e, 1);
        }
    }
    return 0;
}

/* The prefix of a string literal (letters before a quote), or -1 for an
 * identifier that is not one. Sets raw and bytes. */
static int string_prefix(const char *p, size_t len, bool *raw, bool *is_bytes, bool *fstr) {
    *raw = *is_bytes = *fstr = false;
    bool u = false;
    for (size_t k = 0; k < len; k++) {
        char c = (char)(p[k] | 0x20); /* ASCII letters only reach here */
        bool *flag = c == 'r' ? raw : c == 'b' ? is_bytes : c == 'f' ? fstr : c == 'u' ? &u : NULL;
        if (flag == NULL || *flag) return -1;
        *flag = true;
    }
    if (len > 2 || (u && len > 1) || (*is_bytes && *fstr)) return -1;
    return 0;
}

/* One string literal at lx->i (prefix letters, then a quote). */
static int parse_string(lexer *lx, size_t prefix_len, bool *is_bytes) {
    bool raw, fstr;
    if (string_prefix(lx->s + lx->i, prefix_len, &raw, is_bytes, &fstr) != 0)
        return reject_at(lx, lx->i, prefix_len, "invalid string prefix %.*s", (int)prefix_len,
                         lx->s + lx->i);
    if (fstr) return reject_at(lx, lx->i, prefix_len, "an f-string is not a literal");
    const char *s = lx->s;
    size_t i = lx->i + prefix_len;
    char q = s[i];
    bool triple = s[i + 1] == q && s[i + 2] == q;
    size_t quote_at = i, quote_len = triple ? 3 : 1;
    i += quote_len;
    size_t start = i, end;
    for (;;) {
        if (i >= lx->n)
            return reject_at(lx, quote_at, quote_len,
                             triple ? "unterminated triple-quoted string literal"
                                    : "unterminated string literal");
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') {
            i += 2; /* the next character never ends the literal */
            continue;
        }
        if (c == '\n' && !triple)
            return reject_at(lx, quote_at, quote_len, "unterminated string literal");
        if (c == (unsigned char)q && (!triple || (s[i + 1] == q && s[i + 2] == q))) {
            end = i;
            i += triple ? 3 : 1;
            break;
        }
        if (*is_bytes && c >= 0x80)
            return reject_at(lx, i, 1, "bytes can only contain ASCII literal characters");
        i++;
    }
    lx->i = i;
    if (raw) {
        out_mem(&lx->text, s + start, end - start);
        return 0;
    }
    return decode_escapes(lx, s + start, end - start, *is_bytes);
}

/* The letters of an identifier at lx->i (ASCII; anything else is refused). */
static size_t ident_len(const lexer *lx) {
    size_t k = 0;
    while (is_ident((unsigned char)lx->s[lx->i + k])) k++;
    return k;
}

/* Adjacent string literals, concatenated as Python does. */
static int parse_strings(lexer *lx, kind *k) {
    bool first = true, bytes_seen = false;
    for (;;) {
        size_t plen = ident_len(lx);
        char q = lx->s[lx->i + plen];
        if (q != '\'' && q != '"') return 0;
        bool is_bytes;
        size_t at = lx->i;
        int rc = parse_string(lx, plen, &is_bytes);
        if (rc) return rc;
        if (!first && is_bytes != bytes_seen)
            return reject_at(lx, at, lx->i - at, "cannot mix bytes and nonbytes literals");
        first = false;
        bytes_seen = is_bytes;
        *k = is_bytes ? K_BYTES : K_STR;
        if (skip_ws(lx)) return PYSHM_EINVAL;
    }
}

/* ---- expressions --------------------------------------------------------- */

static int parse_expr(lexer *lx, pyshm_literal *out, kind *k, bool *is_signed);

static int parse_atom(lexer *lx, pyshm_literal *out, kind *k) {
    const char *s = lx->s;
    unsigned char c = (unsigned char)s[lx->i];
    if (is_digit(c) || (c == '.' && is_digit(s[lx->i + 1]))) return parse_number(lx, out, k);
    size_t len = ident_len(lx);
    if (c == '\'' || c == '"' || (len > 0 && (s[lx->i + len] == '\'' || s[lx->i + len] == '"'))) {
        lx->have_string = true;
        return parse_strings(lx, k);
    }
    if (len == 0) {
        if (lx->i == lx->n) return reject(lx, "no value");
        if (c >= 0x80) return reject(lx, "invalid character outside a string");
        return reject(lx, "unexpected '%c'", c);
    }
    static const struct {
        const char *name;
        kind k;
    } names[] = {{"None", K_CONST}, {"True", K_CONST},     {"False", K_CONST},
                 {"inf", K_FLOAT},  {"infinity", K_FLOAT}, {"nan", K_FLOAT}};
    for (size_t j = 0; j < sizeof names / sizeof names[0]; j++) {
        if (strlen(names[j].name) != len || memcmp(names[j].name, s + lx->i, len) != 0) continue;
        lx->i += len;
        *k = names[j].k;
        out->value = j == 0   ? pyshm_none()
                     : j < 3  ? pyshm_bool(j == 1)
                     : j < 5  ? pyshm_float(INFINITY)
                              : pyshm_float(NAN);
        return 0;
    }
    return reject_at(lx, lx->i, len, "%.*s is a name, not a literal", (int)(len > 40 ? 40 : len),
                     s + lx->i);
}

static int parse_expr(lexer *lx, pyshm_literal *out, kind *k, bool *is_signed) {
    *is_signed = false;
    if (skip_ws(lx)) return PYSHM_EINVAL;
    char c = lx->s[lx->i];
    if (c == '(') {
        lx->i++;
        lx->depth++;
        if (skip_ws(lx)) return PYSHM_EINVAL;
        if (lx->s[lx->i] == ')') return reject(lx, "() is a tuple, not a value a ShareableList stores");
        int rc = parse_expr(lx, out, k, is_signed);
        if (rc) return rc;
        if (skip_ws(lx)) return PYSHM_EINVAL;
        if (lx->s[lx->i] == ',') return reject(lx, "a tuple is not a value a ShareableList stores");
        if (lx->s[lx->i] != ')') return reject(lx, "'(' was never closed");
        lx->i++;
        lx->depth--;
        return skip_ws(lx);
    }
    if (c == '+' || c == '-') {
        size_t sign_at = lx->i++;
        bool inner_signed;
        int rc = parse_expr(lx, out, k, &inner_signed);
        if (rc) return rc;
        /* literal_eval takes one sign on a number: -1, -(1), not --1 or -True. */
        if ((*k != K_INT && *k != K_FLOAT) || inner_signed)
            return reject_at(lx, sign_at, 1, "a sign applies to one number only");
        *is_signed = true;
        if (c == '-') {
            out->negative = true;
            if (*k == K_FLOAT) out->value.u.f = -out->value.u.f;
        }
        return 0;
    }
    int rc = parse_atom(lx, out, k);
    return rc ? rc : skip_ws(lx);
}

/* Trailing blank lines, comments and whitespace only. */
static int expect_end(lexer *lx) {
    for (;;) {
        if (skip_ws(lx)) return PYSHM_EINVAL;
        if (lx->s[lx->i] != '\n') break;
        lx->i++;
        /* A last line of only spaces and tabs is an indent (IndentationError). */
        size_t col = 0, j = lx->i;
        for (; lx->s[j] == ' ' || lx->s[j] == '\t' || lx->s[j] == '\f'; j++)
            col = lx->s[j] == '\f' ? 0 : col + 1;
        if (j == lx->n && col > 0) return reject(lx, "unexpected indent");
    }
    if (lx->i == lx->n) return 0;
    unsigned char c = (unsigned char)lx->s[lx->i];
    if (c == ')') return reject(lx, "unmatched ')'");
    if (c == ',') return reject(lx, "a tuple is not a value a ShareableList stores");
    return reject(lx, "more than one value (or an operator) in the literal");
}

/* The int's value: int64 if it fits, else PYSHM_ERANGE with its limbs. */
static int finish_int(pyshm_literal *out, char *why, size_t whycap) {
    uint64_t mag = 0;
    if (out->nlimbs > 2) goto too_big;
    for (size_t k = out->nlimbs; k-- > 0;) mag = mag << 32 | out->limbs[k];
    if (mag > (uint64_t)INT64_MAX + out->negative) goto too_big;
    out->value = pyshm_int(out->negative ? (int64_t)(0 - mag) : (int64_t)mag);
    return 0;
too_big:
    snprintf(why, whycap, "an int outside int64");
    return PYSHM_ERANGE;
}

/* Where byte k of the normalised text was in the text as given ("\r\n" was
 * read as one "\n"). */
static size_t given_offset(const char *text, size_t len, size_t k) {
    size_t i = 0;
    for (size_t seen = 0; i < len && seen < k; seen++, i++)
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n') i++;
    return i;
}

static int parse_text(const char *text, size_t len, pyshm_literal *out, char *why,
                      size_t whycap) {
    memset(out, 0, sizeof *out);
    why[0] = '\0';
    lexer lx = {0};
    lx.why = why;
    lx.whycap = whycap;
    const char *nul = memchr(text, '\0', len);
    size_t bad;
    int rc = 0;
    if (nul) {
        rc = reject_at(&lx, (size_t)(nul - text), 1, "source code cannot contain null bytes");
    } else if (!pyshm__utf8_valid((const uint8_t *)text, len, &bad, NULL)) {
        rc = reject_at(&lx, bad, 1, "not valid UTF-8 (byte %zu)", bad);
    }
    if (rc) {
        out->err_at = lx.err_at;
        out->err_len = lx.err_len;
        return rc;
    }
    /* Python reads "\r\n" and a lone "\r" as "\n". */
    char *s = malloc(len + 3);
    if (s == NULL) return PYSHM_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r') {
            s[n++] = '\n';
            if (i + 1 < len && text[i + 1] == '\n') i++;
        } else {
            s[n++] = text[i];
        }
    }
    memset(s + n, 0, 3); /* lookahead of up to two bytes past the end */
    lx.s = s;
    lx.n = n;
    out_init(&lx.text);
    kind k = K_CONST;
    bool is_signed;
    rc = skip_leading(&lx);
    if (rc == 0) rc = parse_expr(&lx, out, &k, &is_signed);
    if (rc == 0) rc = expect_end(&lx);
    if (rc == 0 && lx.have_string && lx.text.p == NULL) rc = PYSHM_ENOMEM;
    if (rc == 0 && (k == K_STR || k == K_BYTES)) {
        out->storage = lx.text.p;
        lx.text.p = NULL;
        out->value = k == K_STR ? pyshm_strn(out->storage, lx.text.len)
                                : pyshm_bytes(out->storage, lx.text.len);
        if (lx.surrogate) {
            snprintf(why, whycap, "a lone surrogate: surrogates not allowed");
            rc = PYSHM_EENCODE;
        }
    } else if (rc == 0 && k == K_INT) {
        rc = finish_int(out, why, whycap);
    }
    if (rc == PYSHM_EINVAL) {
        size_t at = lx.err_at > n ? n : lx.err_at;
        size_t end = lx.err_len > n - at ? n : at + lx.err_len;
        out->err_at = given_offset(text, len, at);
        out->err_len = given_offset(text, len, end) - out->err_at;
    }
    out_free(&lx.text);
    free(s);
    return rc;
}

/* ---- suggestions --------------------------------------------------------- */

/* Whether text parses to a value without error. */
static bool parses(const char *text, size_t len) {
    pyshm_literal lit;
    char why[1];
    int rc = parse_text(text, len, &lit, why, sizeof why);
    pyshm_literal_free(&lit);
    return rc == 0;
}

/* The literal of the str whose UTF-8 is text[0..len): Python's repr(). */
static char *quoted(const char *text, size_t len) {
    out_buf b;
    out_init(&b);
    pyshm_value v = pyshm_strn(text, len);
    out_repr(&b, &v);
    return b.p;
}

/* Whether text[0..len) holds one of the characters of set. */
static bool has_any(const char *text, size_t len, const char *set) {
    for (size_t i = 0; i < len; i++)
        if (text[i] != '\0' && strchr(set, text[i])) return true;
    return false;
}

/* ASCII letters compared without case. */
static bool same_letters(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
}

/*
 * The VALUE that was probably meant by a text refused as not a literal, or
 * NULL: the constants of other languages in Python's spelling (true, null,
 * NaN, Infinity); the text quoted as a str when it is words without quotes,
 * brackets or operators (howdy: a shell took the quotes of 'howdy'), or when
 * its quotes hold the same quote ('it's'). A suggestion is made only if it
 * parses.
 */
static char *suggest(const char *text, size_t len) {
    static const struct {
        const char *other, *python;
    } spellings[] = {{"true", "True"},  {"false", "False"},   {"none", "None"},
                     {"null", "None"},  {"nil", "None"},      {"nan", "nan"},
                     {"inf", "inf"},    {"infinity", "inf"}};
    size_t signs = len > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
    char *s = NULL;
    for (size_t k = 0; k < sizeof spellings / sizeof spellings[0] && s == NULL; k++) {
        const char *o = spellings[k].other;
        if (strlen(o) != len - signs || !same_letters(o, text + signs, len - signs)) continue;
        bool number = spellings[k].python[0] != 'T' && spellings[k].python[0] != 'F' &&
                      spellings[k].python[0] != 'N';
        if (signs && !number) return NULL;
        out_buf b;
        out_init(&b);
        out_printf(&b, "%s%s", text[0] == '-' && signs ? "-" : "", spellings[k].python);
        s = b.p;
    }
    unsigned char c0 = len > 0 ? (unsigned char)text[0] : 0;
    bool triple = len >= 3 && text[1] == text[0] && text[2] == text[0];
    if (s == NULL && len >= 2 && (c0 == '\'' || c0 == '"') && !triple && text[len - 1] == text[0] &&
        memchr(text + 1, text[0], len - 2) != NULL && memchr(text, '\\', len) == NULL)
        s = quoted(text + 1, len - 2);
    if (s == NULL && (c0 >= 0x80 || c0 == '_' || ((c0 | 0x20) >= 'a' && (c0 | 0x20) <= 'z')) &&
        !has_any(text, len, "'\"()[]{}=,#"))
        s = quoted(text, len);
    if (s && !parses(s, strlen(s))) {
        free(s);
        s = NULL;
    }
    return s;
}

int pyshm_literal_parse(const char *text, size_t len, pyshm_literal *out, char *why,
                        size_t whycap) {
    char dummy[1];
    if (why == NULL || whycap == 0) why = dummy, whycap = sizeof dummy;
    int rc = parse_text(text, len, out, why, whycap);
    if (rc == PYSHM_EINVAL) out->suggestion = suggest(text, len);
    return rc;
}

void pyshm_literal_free(pyshm_literal *lit) {
    free(lit->storage);
    free(lit->limbs);
    free(lit->suggestion);
    lit->storage = NULL;
    lit->limbs = NULL;
    lit->suggestion = NULL;
}

bool pyshm_literal_big_eq(const pyshm_literal *lit, const pyshm_value *item) {
    if (item->type != PYSHM_FLOAT || lit->limbs == NULL) return false;
    double f = item->u.f;
    if (!isfinite(f) || f != floor(f) || (f < 0) != lit->negative) return false;
    int e;
    double frac = frexp(fabs(f), &e); /* |f| = frac * 2**e, 0.5 <= frac < 1 */
    uint64_t mant = (uint64_t)ldexp(frac, 53);
    int shift = e - 53; /* |f| = mant << shift */
    if (shift < 0) return false; /* below 2**53: inside int64 */
    size_t need = ((size_t)shift + 53 + 31) / 32;
    if (lit->nlimbs != need) return false;
    for (size_t k = 0; k < need; k++) {
        long s = (long)k * 32 - shift; /* limb k holds bits [s, s+32) of mant */
        uint32_t want = s >= 64 || s <= -32 ? 0
                        : s >= 0            ? (uint32_t)(mant >> s)
                                            : (uint32_t)(mant << -s);
        if (lit->limbs[k] != want) return false;
    }
    return true;
}

void pyshm_literal_repr(const pyshm_literal *lit, out_buf *b) {
    if (lit->limbs == NULL || lit->value.type != PYSHM_NONE) {
        out_repr(b, &lit->value);
        return;
    }
    big copy = {malloc(lit->nlimbs * sizeof *lit->limbs + 1), lit->nlimbs, lit->nlimbs};
    if (copy.d == NULL) {
        out_free(b);
        return;
    }
    memcpy(copy.d, lit->limbs, lit->nlimbs * sizeof *lit->limbs);
    if (lit->negative) out_str(b, "-");
    big_decimal(&copy, b);
    free(copy.d);
}
