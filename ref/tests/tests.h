/* tests.h - shared helpers of the reference's unit tests (CUnit). */
#ifndef PYSHM_TESTS_H
#define PYSHM_TESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "golden_types.h"
#include "pyshm.h"

/* Each suite file registers its tests; main.c calls them all. */
void suite_errors(void);
void suite_values(void);
void suite_codec_golden(void);
void suite_codec_limits(void);
void suite_codec_set(void);
void suite_codec_corrupt(void);
void suite_codec_fuzz(void);
void suite_shm(void);
void suite_list_shm(void);
void suite_hardening(void);

struct test_def {
    const char *name;
    CU_TestFunc fn;
};
void tests_add_suite(const char *name, const struct test_def *tests, size_t n);
#define TESTS_ADD_SUITE(name, defs) tests_add_suite(name, defs, sizeof defs / sizeof defs[0])

/* A CUnit assertion with a printf-style explanation; returns cond. */
bool check_impl(bool ok, unsigned line, const char *file, const char *func, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
#define CHECK(cond, ...) check_impl((cond) ? true : false, __LINE__, __FILE__, __func__, __VA_ARGS__)

/* The Python exception of a return code, or NULL for 0. */
const char *rc_exc(int rc);
/* NULL-safe string equality. */
bool str_eq(const char *a, const char *b);
/* Whether text contains one of the '|'-separated alternatives ("" matches). */
bool mentions(const char *text, const char *alternatives);

pyshm_value golden_value(const struct golden_val *g);
/* Same type and exactly the same contents (float: the same bits). */
bool golden_value_same(const pyshm_value *v, const struct golden_val *g);
/* A malloc'd copy of exactly len bytes (so ASan sees any overrun). */
uint8_t *dup_exact(const void *p, size_t len);
/* A malloc'd copy of a little-endian golden image in this host's byte order. */
uint8_t *golden_native(const uint8_t *le, size_t len, pyshm_layout layout);
/* The values of golden items (a malloc'd array; NULL for n == 0). */
pyshm_value *golden_values(const struct golden_val *g, size_t n);
/* A short printable form of a byte difference, for messages. */
const char *first_diff(const uint8_t *a, const uint8_t *b, size_t len);

/* A name no other run uses ("pyshm_t<pid>_<n>"), for shared memory tests. */
const char *test_shm_name(void);

#endif
