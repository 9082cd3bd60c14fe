/* Bytes shown as `hexdump -C` shows a file. */
#ifndef PYSHM_CLI_HEXDUMP_H
#define PYSHM_CLI_HEXDUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Writes p[0..n) to f as `hexdump -C` does: per 16 bytes the offset (8 hex
 * digits at least), the bytes in hex in two groups of eight, and the bytes
 * as ASCII between bars ('.' for any other byte); a line equal to the one
 * before becomes a single "*" however many follow; the last line is n.
 * p may be shared memory that another process writes: each line is copied
 * once, and what is shown and compared is the copy.
 */
void hexdump_c(FILE *f, const uint8_t *p, size_t n);

#endif
