/* ShareableList over a real block: create, attach, get, set, errors. */
#include "xtest.h"
#include "platform.h"

#include <stdio.h>
#include <string.h>

static bool is_str(const pyshm_value *v, const char *s) {
    return v->type == PYSHM_STR && v->u.s.len == strlen(s) &&
           memcmp(v->u.s.ptr, s, v->u.s.len) == 0;
}

static void list_roundtrip(pyshm_layout layout) {
    const pyshm_value items[] = {pyshm_int(-5), pyshm_float(0.5), pyshm_bool(true),
                                 pyshm_none(), pyshm_str("héllo"), pyshm_bytes("\0b", 2)};
    const int64_t n = (int64_t)(sizeof items / sizeof items[0]);
    pyshm_list *l = NULL, *peer = NULL;
    XT_RC(pyshm_list_create(NULL, items, (size_t)n, layout, &l), 0);
    if (l == NULL)
        return;
    const char *name = pyshm_shm_name(pyshm_list_shm(l));
    XT_CHECK(pyshm_list_len(l) == n);
    XT_CHECK(pyshm_list_layout(l) == layout);

    char err[200] = "";
    XT_RC(pyshm_list_attach(name, PYSHM_LAYOUT_AUTO, &peer, err, sizeof err), 0);
    if (peer != NULL) {
        pyshm_value v;
        XT_CHECK(pyshm_list_layout(peer) == layout);
        XT_CHECK(pyshm_list_len(peer) == n);
        XT_RC(pyshm_list_get(peer, 0, &v), 0);
        XT_CHECK(v.type == PYSHM_INT && v.u.i == -5);
        XT_RC(pyshm_list_get(peer, -2, &v), 0);
        XT_CHECK(is_str(&v, "héllo"));
        XT_RC(pyshm_list_get(peer, 5, &v), 0);
        XT_CHECK(v.type == PYSHM_BYTES && v.u.s.len == 2);
        XT_RC(pyshm_list_get(peer, n, &v), PYSHM_EINDEX);
        XT_RC(pyshm_list_get(peer, -n - 1, &v), PYSHM_EINDEX);

        /* A write through one handle is seen through the other. */
        pyshm_value s = pyshm_str("bye");
        XT_RC(pyshm_list_set(peer, 4, &s), 0);
        XT_RC(pyshm_list_get(l, 4, &v), 0);
        XT_CHECK(is_str(&v, "bye"));
        pyshm_value big = pyshm_str("far too long for slot");
        XT_RC(pyshm_list_set(peer, 4, &big), PYSHM_ESTORAGE);
        XT_RC(pyshm_list_get(l, 4, &v), 0);
        XT_CHECK(is_str(&v, "bye"));
        pyshm_value i = pyshm_int(7);
        XT_RC(pyshm_list_set(peer, 1, &i), 0);
        char fmt[9];
        XT_RC(pyshm_list_item_format(l, 1, fmt), 0);
        XT_CHECK(strcmp(fmt, "q") == 0);
        XT_RC(pyshm_list_item_format(l, 2, fmt), 0);
        XT_CHECK(strcmp(fmt, "xxxxxxx?") == 0);

        int64_t count = 0, index = 0;
        pyshm_value one = pyshm_float(1.0);
        XT_RC(pyshm_list_count(l, &one, &count), 0); /* True == 1.0 */
        XT_CHECK(count == 1);
        XT_RC(pyshm_list_index(l, &one, &index), 0);
        XT_CHECK(index == 2);
        pyshm_value absent = pyshm_str("absent");
        XT_RC(pyshm_list_index(l, &absent, &index), PYSHM_ENOTFOUND);

        char repr[128];
        size_t len = 0;
        XT_RC(pyshm_list_repr(l, repr, sizeof repr, &len), 0);
        XT_CHECK(strcmp(repr, "[-5, 7, True, None, 'bye', b'\\x00b']") == 0);
        if (strcmp(repr, "[-5, 7, True, None, 'bye', b'\\x00b']") != 0)
            printf("     repr: %s\n", repr);

        int64_t n_checked = -1;
        XT_RC(pyshm_list_length(peer, &n_checked), 0);
        XT_CHECK(n_checked == n);
        XT_RC(pyshm_list_close(peer), 0);
        XT_RC(pyshm_list_close(peer), 0);
        XT_RC(pyshm_list_get(peer, 0, &v), PYSHM_ECLOSED);
        /* Python's len() of a closed list is a TypeError; the getter keeps N. */
        XT_RC(pyshm_list_length(peer, &n_checked), PYSHM_ECLOSED);
        XT_CHECK(pyshm_list_len(peer) == n);
    } else {
        printf("     attach: %s\n", err);
    }
    pyshm_list_free(peer);
    XT_RC(pyshm_shm_unlink(pyshm_list_shm(l)), 0);
    pyshm_list_free(l);
}

static void list_errors(void) {
    pyshm_list *l = NULL;
    char err[200];
    XT_RC(pyshm_list_attach("xt_no_such_list", PYSHM_LAYOUT_AUTO, &l, err, sizeof err),
          PYSHM_ENOENT);
    XT_RC(pyshm_list_attach(NULL, PYSHM_LAYOUT_AUTO, &l, err, sizeof err), PYSHM_ENONAME);
    /* NULL handles: EINVAL, or the documented value of a getter. */
    XT_RC(pyshm_list_get(NULL, 0, NULL), PYSHM_EINVAL);
    XT_RC(pyshm_list_length(NULL, NULL), PYSHM_EINVAL);
    XT_CHECK(pyshm_list_len(NULL) == -1 && pyshm_list_shm(NULL) == NULL);
    XT_CHECK(pyshm_shm_size(NULL) == 0 && pyshm_shm_closed(NULL) && pyshm_shm_name(NULL) == NULL);

    /* A block whose header lies is refused with a message, not read. */
    char name[32];
    snprintf(name, sizeof name, "xt_%lx_bad", xt_pid());
    pyshm_shm *s = NULL;
    XT_RC(pyshm_shm_create(name, 64, &s), 0);
    if (s == NULL)
        return;
    int64_t huge = INT64_MAX;
    memcpy(pyshm_shm_buf(s), &huge, sizeof huge);
    err[0] = '\0';
    XT_RC(pyshm_list_attach(name, PYSHM_LAYOUT_AUTO, &l, err, sizeof err), PYSHM_ECORRUPT);
    XT_CHECK(err[0] != '\0');
    pyshm_list_free(l);
    XT_RC(pyshm_shm_unlink(s), 0);
    pyshm_shm_free(s);
}

void xt_list_tests(void) {
    list_roundtrip(PYSHM_LAYOUT_PY39);
    list_roundtrip(PYSHM_LAYOUT_PY38);
    list_errors();
}
