/*
 * A minimal test harness for targets without CUnit (Windows under wine,
 * s390x under qemu, 32-bit x86): checks count instead of aborting, so one
 * run reports every failure, and the last line is "N passed, N failed".
 */
#ifndef XTEST_H
#define XTEST_H

#include "pyshm.h"

#include <stddef.h>
#include <stdint.h>

/* A malloc'd copy of a little-endian golden image in this machine's byte
 * order (see native.c); NULL if out of memory. */
unsigned char *xt_native(const unsigned char *image, size_t len, pyshm_layout layout);

/* Named in failure messages: the golden case being checked, or NULL. */
extern char xt_context[96];

/* Records one check; prints the failure with its location. */
void xt_check(int ok, const char *file, int line, const char *what);
#define XT_CHECK(cond) xt_check(!!(cond), __FILE__, __LINE__, #cond)
/* An API call's return code: prints both codes' names on mismatch. */
void xt_check_rc(int got, int want, const char *file, int line, const char *what);
#define XT_RC(call, want) xt_check_rc((call), (want), __FILE__, __LINE__, #call)

/* The test groups. */
void xt_codec_tests(void);
void xt_value_tests(void);
void xt_snan_tests(void);
void xt_shm_tests(void);
void xt_list_tests(void);

#endif
