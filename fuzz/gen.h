/*
 * Builds pyshm values from fuzz input. The grammar (one tag byte, then the
 * payload) is also written by make_corpus.py to seed the roundtrip and ops
 * targets:
 *   tag % 10: 0 None; 1 int (8 bytes LE); 2 int from a table of limits;
 *             3 float (8 bytes LE of its bits, so every NaN payload and
 *             -0.0 occur); 4 float from a table of special values;
 *             5 bool (low bit); 6, 7 str; 8, 9 bytes.
 *   str and bytes start with a length: one byte L, or if its high bit is
 *   set, two bytes ((L & 0x7f) << 8 | next). bytes then has L raw bytes;
 *   str has L code points: a byte below 0x80 is that ASCII character (NUL
 *   included); otherwise byte % 3 picks a 2-, 3- or 4-byte UTF-8 range and
 *   the next 2 or 3 bytes pick the code point (surrogates are skipped).
 */
#ifndef PYSHM_FUZZ_GEN_H
#define PYSHM_FUZZ_GEN_H

#include "input.h"
#include "pyshm.h"

/* Storage for str and bytes payloads, released all at once. A payload of L
 * items takes at most 4*L bytes and L is capped by the remaining input, so
 * 4 * input size + 16 bytes always suffice. */
typedef struct fuzz_arena {
    char *buf;
    size_t cap;
    size_t used;
} fuzz_arena;

bool fuzz_arena_init(fuzz_arena *a, size_t input_size);
void fuzz_arena_free(fuzz_arena *a);

/* Decodes one value; false if the input was already exhausted. */
bool fuzz_gen_value(fuzz_in *in, fuzz_arena *a, pyshm_value *out);

/* Raw bytes as a str value, possibly invalid UTF-8 (to exercise EENCODE). */
bool fuzz_gen_raw_str(fuzz_in *in, fuzz_arena *a, pyshm_value *out);

#endif
