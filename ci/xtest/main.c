/* Runs every group and prints "N passed, N failed" (exit 1 on failures). */
#include "xtest.h"

#include <stdio.h>

static unsigned passed, failed;
char xt_context[96];

void xt_check(int ok, const char *file, int line, const char *what) {
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s:%d: %s%s%s\n", file, line, what, xt_context[0] ? " in " : "", xt_context);
}

void xt_check_rc(int got, int want, const char *file, int line, const char *what) {
    xt_check(got == want, file, line, what);
    if (got != want)
        printf("     got %s (%d), want %s (%d)\n", pyshm_err_name(got), got,
               pyshm_err_name(want), want);
}

int main(void) {
    /* Unbuffered, so output interleaves correctly with a child's under wine. */
    setvbuf(stdout, NULL, _IONBF, 0);
    xt_codec_tests();
    xt_value_tests();
    xt_snan_tests();
    xt_shm_tests();
    xt_list_tests();
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
