/* Shared declarations of the fuzz targets and their drivers. */
#ifndef PYSHM_FUZZ_H
#define PYSHM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point; standalone_main.c calls it for AFL++ and for
 * replaying files. Returns 0 (libFuzzer's convention). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a broken invariant and aborts, so that libFuzzer, AFL++ and the
 * replay driver all see it as a crash and keep the input. */
_Noreturn void fuzz_fail(const char *file, int line, const char *what);

#define FUZZ_CHECK(cond) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

#endif
