/*
 * main.c - runs the unit-test suites with CUnit's basic interface.
 *   ref-tests                  every suite
 *   ref-tests SUITE [TEST]     one suite, or one test of it (names as
 *                              PYSHM_TEST_VERBOSE=1 lists them)
 * PYSHM_TEST_VERBOSE=1 lists each test; the exit status is non-zero if any
 * assertion failed, 2 for a suite or test that does not exist.
 */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "tests.h"

int main(int argc, char **argv) {
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
        return 2;
    }
    suite_errors();
    suite_values();
    suite_codec_golden();
    suite_codec_limits();
    suite_codec_set();
    suite_codec_corrupt();
    suite_codec_fuzz();
    suite_shm();
    suite_list_shm();
    suite_hardening();

    const char *verbose = getenv("PYSHM_TEST_VERBOSE");
    CU_basic_set_mode(verbose && *verbose && *verbose != '0' ? CU_BRM_VERBOSE : CU_BRM_NORMAL);
    CU_ErrorCode rc;
    if (argc > 1) {
        CU_pSuite suite = CU_get_suite(argv[1]);
        CU_pTest test = suite && argc > 2 ? CU_get_test(suite, argv[2]) : NULL;
        if (suite == NULL || (argc > 2 && test == NULL) || argc > 3) {
            fprintf(stderr, "usage: ref-tests [SUITE [TEST]]: no %s '%s'\n",
                    suite ? "test" : "suite", suite ? argv[2] : argv[1]);
            CU_cleanup_registry();
            return 2;
        }
        rc = test ? CU_basic_run_test(suite, test) : CU_basic_run_suite(suite);
    } else {
        rc = CU_basic_run_tests();
    }
    unsigned failures = CU_get_number_of_failures();
    unsigned failed_tests = CU_get_number_of_tests_failed();
    unsigned asserts = CU_get_number_of_asserts();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    printf("\nref-tests: %u assertions, %u of them failed\n", asserts, failures);
    printf("ref-tests: %u passed, %u failed\n", ran - failed_tests, failed_tests);
    return (rc != CUE_SUCCESS || failures || failed_tests) ? 1 : 0;
}
