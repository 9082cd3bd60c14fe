/* test_errors.c - pyshm_strerror, pyshm_err_name and pyshm_err_pyexc for every code;
 * pyshm_version(). */
#include <stdio.h>
#include <string.h>

#include "tests.h"

struct err_row {
    int code;
    const char *name;
    const char *pyexc;
    const char *msg;
};

static const struct err_row rows[] = {
#define ROW_(code, value, pyexc, msg) {PYSHM_##code, #code, pyexc, msg},
    PYSHM_ERRNO_MAP(ROW_)
#undef ROW_
};

static void test_every_code(void) {
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct err_row *r = &rows[i];
        CHECK(r->code < 0, "%s must be negative", r->name);
        CHECK(str_eq(pyshm_err_name(r->code), r->name), "err_name(%d) = %s, want %s", r->code,
              pyshm_err_name(r->code), r->name);
        CHECK(str_eq(pyshm_err_pyexc(r->code), r->pyexc), "err_pyexc(%s) = %s, want %s",
              r->name, pyshm_err_pyexc(r->code), r->pyexc);
        const char *m = pyshm_strerror(r->code);
        /* These two show the thread's last OS error instead, once there is one. */
        bool os_text = (r->code == PYSHM_EOS || r->code == PYSHM_ENOSPC) && pyshm_last_os_error();
        CHECK(m && (os_text ? strncmp(m, "[Errno ", 7) == 0 : strstr(m, r->msg) != NULL), "strerror(%s) = %s, want %s", r->name, m ? m : "NULL",
              r->msg);
        for (size_t j = 0; j < i; j++)
            CHECK(rows[j].code != r->code, "%s and %s share a value", rows[j].name, r->name);
    }
}

static void test_unknown_codes(void) {
    const int unknown[] = {1, 42, -1000, -99, -100, 0x7fffffff, -0x7fffffff - 1};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK(str_eq(pyshm_err_name(unknown[i]), "UNKNOWN"), "err_name(%d) = %s", unknown[i],
              pyshm_err_name(unknown[i]));
        CHECK(pyshm_strerror(unknown[i]) != NULL, "strerror(%d) is NULL", unknown[i]);
        CHECK(pyshm_err_pyexc(unknown[i]) != NULL, "err_pyexc(%d) is NULL", unknown[i]);
    }
    CHECK(pyshm_strerror(0) != NULL, "strerror(0) is NULL");
    CHECK(pyshm_err_name(0) != NULL, "err_name(0) is NULL");
}

/* The running library's version is the header's, and the header's string
 * is its three numbers (the Makefile reads the string for pkg-config). */
static void test_version(void) {
    const char *v = pyshm_version();
    CHECK(v != NULL && str_eq(v, PYSHM_VERSION), "pyshm_version() = %s, PYSHM_VERSION %s",
          v ? v : "NULL", PYSHM_VERSION);
    char parts[64];
    snprintf(parts, sizeof parts, "%d.%d.%d", PYSHM_VERSION_MAJOR, PYSHM_VERSION_MINOR,
             PYSHM_VERSION_PATCH);
    CHECK(str_eq(parts, PYSHM_VERSION), "PYSHM_VERSION %s, its numbers say %s", PYSHM_VERSION,
          parts);
}

void suite_errors(void) {
    static const struct test_def t[] = {
        {"every code: name, message, Python exception", test_every_code},
        {"unknown codes", test_unknown_codes},
        {"pyshm_version() is the header's version", test_version},
    };
    TESTS_ADD_SUITE("errors", t);
}
