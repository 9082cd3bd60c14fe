/*
 * test_shm.c - SharedMemory: create, attach, close, unlink and every error
 * path, as CPython's SharedMemory behaves on POSIX. Every block made here
 * is unlinked before the test returns.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests.h"

static void test_create_sizes(void) {
    pyshm_shm *s = NULL;
    CHECK(pyshm_shm_create(test_shm_name(), 0, &s) == PYSHM_ESIZE, "size 0");
    CHECK(pyshm_shm_create(NULL, 0, &s) == PYSHM_ESIZE, "size 0, random name");
    CHECK(pyshm_shm_create(test_shm_name(), -1, &s) == PYSHM_ENEGSIZE, "size -1");
    CHECK(pyshm_shm_create(NULL, INT64_MIN, &s) == PYSHM_ENEGSIZE, "size INT64_MIN");
    CHECK(str_eq(pyshm_err_pyexc(PYSHM_ESIZE), "ValueError") &&
              str_eq(pyshm_err_pyexc(PYSHM_ENEGSIZE), "ValueError"),
          "size errors are ValueError");
}

static void test_lifecycle(void) {
    const char *name = test_shm_name();
    char saved[64];
    strcpy(saved, name);
    pyshm_shm *a = NULL, *b = NULL;
    int rc = pyshm_shm_create(saved, 1000, &a);
    if (!CHECK(rc == 0 && a, "create: rc %d", rc))
        return;
    CHECK(str_eq(pyshm_shm_name(a), saved), "name %s", pyshm_shm_name(a));
    CHECK(pyshm_shm_size(a) == 1000, "size %zu", pyshm_shm_size(a));
    CHECK(!pyshm_shm_closed(a) && pyshm_shm_buf(a) != NULL, "open");
    uint8_t *p = pyshm_shm_buf(a);
    bool zero = true;
    for (size_t i = 0; i < 1000; i++)
        zero = zero && p[i] == 0;
    CHECK(zero, "a new block is zeroed");
    memcpy(p, "hello", 5);

    rc = pyshm_shm_attach(saved, &b);
    if (CHECK(rc == 0 && b, "attach: rc %d", rc)) {
        CHECK(pyshm_shm_size(b) == 1000, "attached size %zu", pyshm_shm_size(b));
        CHECK(memcmp(pyshm_shm_buf(b), "hello", 5) == 0, "attach sees the data");
        memcpy((uint8_t *)pyshm_shm_buf(b) + 5, "!", 1);
        CHECK(p[5] == '!', "writes are shared");
    }
    pyshm_shm *c = NULL;
    CHECK(pyshm_shm_create(saved, 10, &c) == PYSHM_EEXIST && c == NULL, "name in use");

    /* Mappings stay valid after unlink; the name is gone. */
    CHECK(pyshm_shm_unlink(a) == 0, "unlink");
    CHECK(memcmp(p, "hello!", 6) == 0, "mapping valid after unlink");
    p[0] = 'H';
    CHECK(b && ((uint8_t *)pyshm_shm_buf(b))[0] == 'H', "still shared after unlink");
    CHECK(pyshm_shm_attach(saved, &c) == PYSHM_ENOENT, "attach after unlink");
    CHECK(pyshm_shm_unlink(a) == PYSHM_ENOENT, "second unlink");
    CHECK(pyshm_shm_unlink(b) == PYSHM_ENOENT, "unlink through another handle");
    CHECK(pyshm_unlink(saved) == PYSHM_ENOENT, "unlink by name");

    CHECK(pyshm_shm_close(a) == 0, "close");
    CHECK(pyshm_shm_closed(a) && pyshm_shm_buf(a) == NULL, "closed");
    CHECK(pyshm_shm_close(a) == 0, "close twice");
    CHECK(str_eq(pyshm_shm_name(a), saved), "name after close");
    CHECK(pyshm_shm_unlink(a) == PYSHM_ENOENT, "unlink of a closed handle reaches the system");
    CHECK(!pyshm_shm_closed(b), "another handle stays open");
    pyshm_shm_free(a);
    pyshm_shm_free(b);
    pyshm_shm_free(NULL);
}

static void test_unlink_closed_handle(void) {
    pyshm_shm *a = NULL;
    if (!CHECK(pyshm_shm_create(NULL, 64, &a) == 0, "create"))
        return;
    pyshm_shm_close(a);
    CHECK(pyshm_shm_unlink(a) == 0, "unlink works on a closed handle");
    pyshm_shm *b = NULL;
    CHECK(pyshm_shm_attach(pyshm_shm_name(a), &b) == PYSHM_ENOENT, "gone");
    pyshm_shm_free(a);
}

static void test_attach_errors(void) {
    pyshm_shm *s = NULL;
    CHECK(pyshm_shm_attach(NULL, &s) == PYSHM_ENONAME && s == NULL, "NULL name");
    CHECK(str_eq(pyshm_err_pyexc(PYSHM_ENONAME), "ValueError"), "ENONAME is ValueError");
    CHECK(pyshm_shm_attach(test_shm_name(), &s) == PYSHM_ENOENT, "missing");
    CHECK(str_eq(pyshm_err_pyexc(PYSHM_ENOENT), "FileNotFoundError"), "ENOENT's exception");
    CHECK(pyshm_unlink(test_shm_name()) == PYSHM_ENOENT, "unlink missing");
}

static void test_bad_names(void) {
    const char *bad[] = {"", "a/b", "/abc", "abc/", "/"};
    pyshm_shm *s = NULL;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(pyshm_shm_create(bad[i], 8, &s) == PYSHM_EBADNAME, "create <%s>", bad[i]);
        CHECK(pyshm_shm_attach(bad[i], &s) == PYSHM_EBADNAME, "attach <%s>", bad[i]);
        CHECK(pyshm_unlink(bad[i]) == PYSHM_EBADNAME, "unlink <%s>", bad[i]);
    }
    size_t max = pyshm_name_max();
    CHECK(max >= 14 && max < 4096, "name_max %zu", max);
    char *name = malloc(max + 2);
    snprintf(name, max + 2, "%s", test_shm_name());
    size_t used = strlen(name);
    memset(name + used, 'x', max + 1 - used);
    name[max + 1] = '\0';
    CHECK(pyshm_shm_create(name, 8, &s) == PYSHM_ENAMETOOLONG, "create name of %zu", max + 1);
    CHECK(pyshm_shm_attach(name, &s) == PYSHM_ENAMETOOLONG, "attach name of %zu", max + 1);
    CHECK(pyshm_unlink(name) == PYSHM_ENAMETOOLONG, "unlink name of %zu", max + 1);
    name[max] = '\0';
    int rc = pyshm_shm_create(name, 8, &s);
    if (CHECK(rc == 0, "create name of name_max %zu: rc %d", max, rc)) {
        pyshm_shm *t = NULL;
        CHECK(pyshm_shm_attach(name, &t) == 0, "attach name of name_max");
        pyshm_shm_free(t);
        CHECK(pyshm_shm_unlink(s) == 0, "unlink");
        pyshm_shm_free(s);
    }
    free(name);
}

static bool random_name_ok(const char *n) {
    if (strlen(n) != 12 || strncmp(n, "psm_", 4) != 0)
        return false;
    for (int i = 4; i < 12; i++)
        if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
            return false;
    return true;
}

static void test_random_names(void) {
    char seen[16][16];
    for (int i = 0; i < 16; i++) {
        pyshm_shm *s = NULL;
        int rc = pyshm_shm_create(NULL, 1, &s);
        if (!CHECK(rc == 0, "create: rc %d", rc))
            return;
        const char *n = pyshm_shm_name(s);
        CHECK(random_name_ok(n), "random name <%s>", n);
        snprintf(seen[i], sizeof seen[i], "%s", n);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(seen[i], seen[j]) != 0, "repeated name %s", n);
        CHECK(pyshm_shm_size(s) == 1, "size 1");
        CHECK(pyshm_shm_unlink(s) == 0, "unlink");
        pyshm_shm_free(s);
    }
}

static void test_mode(void) {
    struct stat st;
    if (stat("/dev/shm", &st) != 0) {
        CU_PASS("no /dev/shm on this system: mode not checked");
        return;
    }
    pyshm_shm *s = NULL;
    if (!CHECK(pyshm_shm_create(NULL, 4096, &s) == 0, "create"))
        return;
    char path[128];
    snprintf(path, sizeof path, "/dev/shm/%s", pyshm_shm_name(s));
    CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_size == 4096,
          "%s: mode %o size %lld", path, (unsigned)(st.st_mode & 07777), (long long)st.st_size);
    pyshm_shm_unlink(s);
    pyshm_shm_free(s);
}

static int find_cb(const char *name, uint64_t size, void *arg) {
    const char *want = arg;
    if (strcmp(name, want) == 0)
        return size == 777 ? 1 : 2;
    return 0;
}

static void test_foreach(void) {
    pyshm_shm *s = NULL;
    if (!CHECK(pyshm_shm_create(NULL, 777, &s) == 0, "create"))
        return;
    int rc = pyshm_shm_foreach(find_cb, (void *)pyshm_shm_name(s));
    CHECK(rc == 1 || rc == PYSHM_ENOTSUP, "foreach found the block with its size: rc %d", rc);
    pyshm_shm_unlink(s);
    pyshm_shm_free(s);
    char name[64];
    snprintf(name, sizeof name, "%s", test_shm_name());
    rc = pyshm_shm_foreach(find_cb, name);
    CHECK(rc == 0 || rc == PYSHM_ENOTSUP, "foreach without a match: rc %d", rc);
}

static void test_large(void) {
    pyshm_shm *s = NULL;
    int64_t size = (int64_t)64 << 20;
    int rc = pyshm_shm_create(NULL, size, &s);
    if (!CHECK(rc == 0, "64 MiB: rc %d", rc))
        return;
    uint8_t *p = pyshm_shm_buf(s);
    p[size - 1] = 1;
    CHECK(pyshm_shm_size(s) == (size_t)size, "size");
    pyshm_shm_unlink(s);
    pyshm_shm_free(s);
}

void suite_shm(void) {
    static const struct test_def t[] = {
        {"create: size 0 and negative", test_create_sizes},
        {"create, attach, share, unlink, close", test_lifecycle},
        {"unlink a closed handle", test_unlink_closed_handle},
        {"attach: NULL and missing names", test_attach_errors},
        {"bad and overlong names", test_bad_names},
        {"random names psm_[0-9a-f]{8}", test_random_names},
        {"mode 0600", test_mode},
        {"foreach lists blocks", test_foreach},
        {"a 64 MiB block", test_large},
    };
    TESTS_ADD_SUITE("SharedMemory", t);
}
