/*
 * SharedMemory: lifecycle and error codes, with the differences CPython has
 * between POSIX (unlink removes the name) and Windows (the block lives until
 * its last handle closes; unlink does nothing).
 */
#include "xtest.h"
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define RANDOM_PREFIX "wnsm_"
#else
#define RANDOM_PREFIX "psm_"
#endif

/* A name no other run uses: short enough for macOS's 31 and FreeBSD. */
static const char *unique_name(char buf[32]) {
    static unsigned counter;
    snprintf(buf, 32, "xt_%lx_%u", xt_pid(), counter++);
    return buf;
}

/* A created block's size: the size asked on Linux (fstat is exact) and on
 * Windows (CPython maps what it asked for); elsewhere fstat's, which macOS
 * rounds up to whole pages (CPython reports that too) and FreeBSD does not. */
static bool exact_size(size_t got, size_t asked) {
#if defined(__linux__) || defined(_WIN32)
    return got == asked;
#else
    return got == asked || (got > asked && got % 4096 == 0);
#endif
}

static bool all_hex(const char *s) {
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static void random_names(void) {
    pyshm_shm *a = NULL, *b = NULL;
    XT_RC(pyshm_shm_create(NULL, 100, &a), 0);
    XT_RC(pyshm_shm_create(NULL, 100, &b), 0);
    if (a == NULL || b == NULL)
        goto out;
    const char *na = pyshm_shm_name(a);
    size_t plen = strlen(RANDOM_PREFIX);
    XT_CHECK(strncmp(na, RANDOM_PREFIX, plen) == 0);
    XT_CHECK(strlen(na) == plen + 8 && all_hex(na + plen));
    XT_CHECK(strcmp(na, pyshm_shm_name(b)) != 0);
    XT_CHECK(exact_size(pyshm_shm_size(a), 100));
out:
    if (a) XT_RC(pyshm_shm_unlink(a), 0);
    if (b) XT_RC(pyshm_shm_unlink(b), 0);
    pyshm_shm_free(a);
    pyshm_shm_free(b);
}

static void lifecycle(void) {
    char name[32];
    unique_name(name);
    pyshm_shm *c = NULL, *a = NULL, *dup = NULL;
    XT_RC(pyshm_shm_create(name, 4097, &c), 0);
    if (c == NULL)
        return;
    XT_CHECK(strcmp(pyshm_shm_name(c), name) == 0);
    XT_CHECK(exact_size(pyshm_shm_size(c), 4097));
    XT_CHECK(!pyshm_shm_closed(c));
    unsigned char *p = pyshm_shm_buf(c);
    XT_CHECK(p != NULL && p[0] == 0 && p[4096] == 0);
    if (p != NULL)
        memcpy(p + 4000, "written", 7);

    XT_RC(pyshm_shm_create(name, 10, &dup), PYSHM_EEXIST);
    XT_CHECK(dup == NULL);

    XT_RC(pyshm_shm_attach(name, &a), 0);
    if (a != NULL) {
        size_t sz = pyshm_shm_size(a);
#if defined(_WIN32)
        /* The region's size: whole pages. */
        XT_CHECK(sz > 4097 && sz % 4096 == 0);
#else
        XT_CHECK(exact_size(sz, 4097)); /* fstat's, as on create */
#endif
        unsigned char *q = pyshm_shm_buf(a);
        XT_CHECK(q != NULL && memcmp(q + 4000, "written", 7) == 0);
        if (q != NULL)
            q[1] = 42; /* another view of the same memory */
        XT_CHECK(p[1] == 42);
    }

    XT_RC(pyshm_shm_close(c), 0);
    XT_RC(pyshm_shm_close(c), 0); /* idempotent */
    XT_CHECK(pyshm_shm_closed(c) && pyshm_shm_buf(c) == NULL);
    XT_RC(pyshm_shm_unlink(c), 0); /* allowed on a closed handle */
#ifdef _WIN32
    /* Nothing was removed: a is still open, so the name still resolves. */
    XT_RC(pyshm_shm_unlink(c), 0);
    pyshm_shm *again = NULL;
    XT_RC(pyshm_shm_attach(name, &again), 0);
    pyshm_shm_free(again);
#else
    XT_RC(pyshm_shm_unlink(c), PYSHM_ENOENT);
    XT_RC(pyshm_unlink(name), PYSHM_ENOENT);
    pyshm_shm *again = NULL;
    XT_RC(pyshm_shm_attach(name, &again), PYSHM_ENOENT);
    /* The mapping outlives the name. */
    if (a != NULL)
        XT_CHECK(((unsigned char *)pyshm_shm_buf(a))[1] == 42);
#endif
    pyshm_shm_free(a);
    pyshm_shm_free(c);
    /* Every handle is closed: the block is gone on every platform. */
    pyshm_shm *gone = NULL;
    XT_RC(pyshm_shm_attach(name, &gone), PYSHM_ENOENT);
    pyshm_shm_free(gone);
}

static void errors(void) {
    char name[32];
    pyshm_shm *s = NULL;
    XT_RC(pyshm_shm_create(unique_name(name), 0, &s), PYSHM_ESIZE);
    XT_RC(pyshm_shm_create(name, -1, &s), PYSHM_ENEGSIZE);
    XT_RC(pyshm_shm_create(NULL, 0, &s), PYSHM_ESIZE);
    XT_RC(pyshm_shm_attach(NULL, &s), PYSHM_ENONAME);
    XT_RC(pyshm_shm_attach(name, &s), PYSHM_ENOENT);
    XT_RC(pyshm_unlink(name), PYSHM_ENOENT);
    XT_RC(pyshm_shm_attach("", &s), PYSHM_EBADNAME);
    XT_RC(pyshm_shm_create("", 8, &s), PYSHM_EBADNAME);
    XT_CHECK(s == NULL);

    size_t max = pyshm_name_max();
    XT_CHECK(max >= 13); /* a random name must fit */
    char *longname = malloc(max + 2);
    if (longname == NULL)
        return;
    memset(longname, 'n', max + 1);
    longname[max + 1] = '\0';
    XT_RC(pyshm_shm_create(longname, 8, &s), PYSHM_ENAMETOOLONG);
    XT_RC(pyshm_shm_attach(longname, &s), PYSHM_ENAMETOOLONG);
    /* The longest accepted name works. */
    snprintf(longname, max + 1, "xt_%lx_", xt_pid());
    memset(longname + strlen(longname), 'm', max - strlen(longname));
    longname[max] = '\0';
    XT_RC(pyshm_shm_create(longname, 8, &s), 0);
    if (s != NULL) {
        XT_CHECK(strlen(pyshm_shm_name(s)) == max);
        XT_RC(pyshm_shm_unlink(s), 0);
    }
    pyshm_shm_free(s);
    free(longname);
    pyshm_shm_free(NULL);
}

struct seen {
    const char *name;
    uint64_t size;
    int found;
};

static int look(const char *name, uint64_t size, void *arg) {
    struct seen *s = arg;
    if (strcmp(name, s->name) == 0) {
        s->found++;
        s->size = size;
    }
    return 0;
}

static void foreach(void) {
    char name[32];
    pyshm_shm *s = NULL;
    XT_RC(pyshm_shm_create(unique_name(name), 24, &s), 0);
    struct seen seen = {name, 0, 0};
    int rc = pyshm_shm_foreach(look, &seen);
#if defined(__linux__)
    XT_RC(rc, 0);
    XT_CHECK(seen.found == 1 && seen.size == 24);
#elif defined(_WIN32)
    XT_RC(rc, PYSHM_ENOTSUP);
#else
    XT_CHECK(rc == 0 || rc == PYSHM_ENOTSUP);
#endif
    if (s != NULL)
        XT_RC(pyshm_shm_unlink(s), 0);
    pyshm_shm_free(s);
}

void xt_shm_tests(void) {
    random_names();
    lifecycle();
    errors();
    foreach();
}
