/* hexdump -C, for shared memory. */
#include "hexdump.h"

#include <stdbool.h>
#include <string.h>

/* One line for len (1 to 16) bytes at offset, without the newline, into out
 * (at least HEXDUMP_LINE bytes). */
enum { HEXDUMP_LINE = 96 };
static void hexdump_line(char *out, size_t offset, const uint8_t *bytes, size_t len) {
    static const char hex[] = "0123456789abcdef";
    int k = snprintf(out, HEXDUMP_LINE, "%08zx  ", offset);
    char *o = out + k;
    for (size_t i = 0; i < 16; i++) {
        if (i < len) {
            *o++ = hex[bytes[i] >> 4];
            *o++ = hex[bytes[i] & 15];
        } else {
            *o++ = ' ';
            *o++ = ' ';
        }
        *o++ = ' ';
        if (i == 7) *o++ = ' ';
    }
    *o++ = ' ';
    *o++ = '|';
    for (size_t i = 0; i < len; i++) *o++ = bytes[i] >= 0x20 && bytes[i] < 0x7F ? (char)bytes[i] : '.';
    *o++ = '|';
    *o = '\0';
}

void hexdump_c(FILE *f, const uint8_t *p, size_t n) {
    uint8_t line[16], prev[16];
    char text[HEXDUMP_LINE];
    bool have_prev = false, squeezing = false;
    for (size_t at = 0; at < n; at += 16) {
        size_t len = n - at < 16 ? n - at : 16;
        memcpy(line, p + at, len);
        /* Only whole lines are squeezed, as hexdump does. */
        if (have_prev && len == 16 && memcmp(line, prev, 16) == 0) {
            if (!squeezing) fputs("*\n", f);
            squeezing = true;
            continue;
        }
        squeezing = false;
        hexdump_line(text, at, line, len);
        fputs(text, f);
        fputc('\n', f);
        memcpy(prev, line, len);
        have_prev = len == 16;
    }
    if (n > 0) fprintf(f, "%08zx\n", n);
}
