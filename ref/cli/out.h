/* Growable output buffers, and text shown safely: values and names as
 * Python's repr() would show them. */
#ifndef PYSHM_CLI_OUT_H
#define PYSHM_CLI_OUT_H

#include "pyshm.h"

/* PYSHM__PRINTF: the printf that checks %zu on every compiler. */
#include "internal.h"

#include <stdarg.h>

/* p is NUL-terminated, or NULL once an allocation failed (later writes are
 * ignored, so a caller checks once at the end). */
typedef struct {
    char *p;
    size_t len, cap;
} out_buf;

void out_init(out_buf *b);
void out_free(out_buf *b);
void out_mem(out_buf *b, const char *s, size_t n);
void out_str(out_buf *b, const char *s);
void out_printf(out_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PYSHM__PRINTF, 2, 3)))
#endif
    ;
void out_vprintf(out_buf *b, const char *fmt, va_list ap);

/* Python's repr() of a value. */
void out_repr(out_buf *b, const pyshm_value *v);
/* repr() of the str whose bytes are s (bytes that are not UTF-8 shown as
 * '\udcXX', as Python's surrogateescape decoding of a file name gives). */
void out_repr_text(out_buf *b, const char *s);
/* A block's name: as it is when it holds only printable ASCII other than
 * space, quotes and backslash, else as out_repr_text(). */
void out_name(out_buf *b, const char *name);
/* s[0..n) with each character that repr() would escape (controls, ESC,
 * non-printable Unicode, bytes that are not UTF-8) escaped as repr()
 * escapes it; quotes and backslashes are kept, so a message stays
 * readable and cannot send a newline or a terminal escape. */
void out_escaped(out_buf *b, const char *s, size_t n);

#endif
