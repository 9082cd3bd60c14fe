/* Private declarations shared by the library's source files. */
#ifndef PYSHM_INTERNAL_H
#define PYSHM_INTERNAL_H

/* macOS hides BSD interfaces (arc4random_buf, getpeereid) from a
 * -D_POSIX_C_SOURCE build unless asked; this header comes first in every
 * source file, before any system header, so asking here reaches them all. */
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE
#endif

#include "pyshm.h"

#include <stdarg.h>
#include <stdio.h>

/* Symbols of the shared library: only the public API is exported. */
#if defined(PYSHM_BUILDING_SHARED) && defined(__GNUC__)
#define PYSHM_API __attribute__((visibility("default")))
#else
#define PYSHM_API
#endif

/* The BSDs' CSPRNG and peer credentials. Their headers declare these only
 * when BSD extensions are visible, which -D_POSIX_C_SOURCE turns off for
 * good (no macro turns __BSD_VISIBLE back on); both are in libc either way,
 * and a second, identical declaration is harmless. */
#if defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <sys/types.h>
void arc4random_buf(void *buf, size_t n);
int getpeereid(int fd, uid_t *euid, gid_t *egid);
#endif

/* Records an operating system error (errno or GetLastError()) for
 * pyshm_last_os_error() and returns PYSHM_EOS. */
int pyshm__os_error(int os_code);

/*
 * Strict UTF-8 as CPython's decoder accepts it (Unicode table 3-7: no
 * overlongs, no surrogates, nothing above U+10FFFF). Returns true if s[0..n)
 * is valid; otherwise *bad receives the offset of the first invalid byte.
 * *chars (if not NULL) receives the number of code points of a valid s.
 */
bool pyshm__utf8_valid(const uint8_t *s, size_t n, size_t *bad, size_t *chars);

/* Decodes one code point of valid-or-not UTF-8 at s[0..n), n > 0; returns its
 * length in bytes, or 0 if the sequence is invalid (one byte is consumed). */
size_t pyshm__utf8_next(const uint8_t *s, size_t n, uint32_t *cp);

/* str.isprintable() for a code point >= 0x80 (CPython 3.11's Unicode 14). */
bool pyshm__unicode_printable(uint32_t cp);

/* Lowercase hex of data[0..n) into out (2n + 1 bytes, NUL-terminated).
 * Async-signal-safe. */
void pyshm__hex_encode(const char *data, size_t n, char *out);

/* Growable output for repr functions: behaves like snprintf (truncates,
 * always NUL-terminates, counts the whole length). */
typedef struct pyshm__out {
    char *buf;
    size_t cap;
    size_t len;
} pyshm__out;
void pyshm__out_bytes(pyshm__out *o, const char *s, size_t n);
void pyshm__out_str(pyshm__out *o, const char *s);
void pyshm__out_char(pyshm__out *o, char c);
void pyshm__out_value(pyshm__out *o, const pyshm_value *v);

/* The printf dialect format checks must assume. MinGW-w64 builds with
 * _POSIX_C_SOURCE use its own C99 printf family (gnu_printf), and plain
 * "printf" there would mean msvcrt's, which rejects %zu. */
#if defined(__MINGW32__)
#define PYSHM__PRINTF __MINGW_PRINTF_FORMAT
#else
#define PYSHM__PRINTF printf
#endif

/* Formats into a fixed message buffer (never NULL, cap > 0). */
void pyshm__msg(char *buf, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PYSHM__PRINTF, 3, 4)))
#endif
    ;

#endif
