/*
 * Two processes, one list: `peer create NAME READYFILE` creates a list,
 * writes READYFILE and waits (up to 30 s) to see another process's write;
 * `peer attach NAME` attaches, checks what the creator wrote and writes
 * back. Run the two as separate processes (separate wine processes on
 * Windows) to prove a block made by one is shared with the other. Files,
 * not stdin, carry the handshake: CI runs with no terminal.
 *
 * `peer hold NAME READYFILE STOPFILE` creates the list
 * [1, 2.5, 'hi', b'x', None, True], writes READYFILE and keeps the list
 * until STOPFILE exists (at most 120 s): on Windows a block lives only while
 * a process holds it, so the tool's test (tool.sh) reads it meanwhile.
 */
#include "pyshm.h"
#include "platform.h"

#include <stdio.h>
#include <string.h>

static int fail(const char *what, int rc) {
    printf("peer: %s: %s (%s)\n", what, pyshm_err_name(rc), pyshm_strerror(rc));
    return 1;
}

static int create(const char *name, const char *ready) {
    const pyshm_value items[] = {pyshm_int(1), pyshm_str("hello"), pyshm_float(2.5)};
    pyshm_list *l = NULL;
    int rc = pyshm_list_create(name, items, 3, PYSHM_LAYOUT_AUTO, &l);
    if (rc != 0)
        return fail("create", rc);
    FILE *f = fopen(ready, "w");
    if (f == NULL || fclose(f) != 0) {
        printf("peer: cannot write %s\n", ready);
        pyshm_shm_unlink(pyshm_list_shm(l));
        pyshm_list_free(l);
        return 1;
    }
    int status = 1;
    for (int tick = 0; tick < 300; tick++) {
        pyshm_value v;
        rc = pyshm_list_get(l, 0, &v);
        if (rc != 0) {
            fail("get", rc);
            break;
        }
        if (v.type == PYSHM_INT && v.u.i == 2) {
            char buf[16];
            rc = pyshm_list_get_copy(l, 1, &v, buf, sizeof buf);
            status = !(rc == 0 && v.type == PYSHM_STR && v.u.s.len == 5 &&
                       memcmp(v.u.s.ptr, "world", 5) == 0);
            printf("peer: creator saw the other process's write: %s\n",
                   status ? "WRONG VALUE" : "ok");
            break;
        }
        xt_sleep_ms(100);
    }
    if (status != 0)
        printf("peer: creator did not see the expected write\n");
    pyshm_shm_unlink(pyshm_list_shm(l));
    pyshm_list_free(l);
    return status;
}

static int attach(const char *name) {
    pyshm_list *l = NULL;
    char err[200] = "";
    int rc = pyshm_list_attach(name, PYSHM_LAYOUT_AUTO, &l, err, sizeof err);
    if (rc != 0)
        return fail(err[0] ? err : "attach", rc);
    pyshm_value v;
    int status = 1;
    if (pyshm_list_len(l) == 3 && pyshm_list_get(l, 1, &v) == 0 && v.type == PYSHM_STR &&
        v.u.s.len == 5 && memcmp(v.u.s.ptr, "hello", 5) == 0 &&
        pyshm_list_get(l, 2, &v) == 0 && v.type == PYSHM_FLOAT && v.u.f == 2.5) {
        /* The str first: the creator polls item 0 and then reads item 1. */
        pyshm_value w = pyshm_str("world"), two = pyshm_int(2);
        status = pyshm_list_set(l, 1, &w) != 0 || pyshm_list_set(l, 0, &two) != 0;
    }
    printf("peer: attacher read and wrote: %s\n", status ? "FAILED" : "ok");
    pyshm_list_free(l);
    return status;
}

static int exists(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    fclose(f);
    return 1;
}

static int hold(const char *name, const char *ready, const char *stop) {
    const pyshm_value items[] = {pyshm_int(1),      pyshm_float(2.5), pyshm_str("hi"),
                                 pyshm_bytes("x", 1), pyshm_none(),     pyshm_bool(true)};
    pyshm_list *l = NULL;
    int rc = pyshm_list_create(name, items, 6, PYSHM_LAYOUT_AUTO, &l);
    if (rc != 0)
        return fail("create", rc);
    FILE *f = fopen(ready, "w");
    int status = f == NULL || fclose(f) != 0;
    for (int tick = 0; !status && tick < 1200 && !exists(stop); tick++)
        xt_sleep_ms(100);
    pyshm_shm_unlink(pyshm_list_shm(l));
    pyshm_list_free(l);
    return status;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 4 && strcmp(argv[1], "create") == 0)
        return create(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "attach") == 0)
        return attach(argv[2]);
    if (argc == 5 && strcmp(argv[1], "hold") == 0)
        return hold(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: peer create NAME READYFILE | peer attach NAME |"
                    " peer hold NAME READYFILE STOPFILE\n");
    return 2;
}
