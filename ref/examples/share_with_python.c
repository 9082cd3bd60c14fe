/* Create a ShareableList that Python reads with
 *     ShareableList(name="...")
 * then read it back, change an item, and clean up. */
#include <pyshm.h>
#include <stdio.h>

int main(void) {
    pyshm_value items[] = {
        pyshm_str("howdy"), pyshm_bytes("HoWdY", 5), pyshm_float(-273.154),
        pyshm_int(100),     pyshm_none(),            pyshm_bool(true),
        pyshm_int(42),
    };
    pyshm_list *list;
    int rc = pyshm_list_create(NULL, items, 7, PYSHM_LAYOUT_PY39, &list);
    if (rc) {
        fprintf(stderr, "create: %s (%s)\n", pyshm_strerror(rc), pyshm_err_pyexc(rc));
        return 1;
    }
    const char *name = pyshm_shm_name(pyshm_list_shm(list));
    printf("created %s\n", name);

    /* Another handle on the same block, as a second process would attach. */
    pyshm_list *peer;
    char why[256];
    rc = pyshm_list_attach(name, PYSHM_LAYOUT_AUTO, &peer, why, sizeof why);
    if (rc) {
        fprintf(stderr, "attach: %s: %s\n", pyshm_strerror(rc), why);
        return 1;
    }
    pyshm_value v = pyshm_str("hi");
    rc = pyshm_list_set(peer, 0, &v); /* fits the 8-byte slot */
    if (rc == 0) rc = pyshm_list_get(list, 0, &v);
    if (rc == 0) printf("item 0 is now %.*s\n", (int)v.u.s.len, v.u.s.ptr);

    char text[256];
    size_t len;
    if (pyshm_list_repr(list, text, sizeof text, &len) == 0) printf("%s\n", text);

    v = pyshm_str("far too long for the slot");
    rc = pyshm_list_set(list, 0, &v);
    printf("set: %s: %s\n", pyshm_err_pyexc(rc), pyshm_list_errmsg(list));

    pyshm_list_free(peer);
    pyshm_shm_unlink(pyshm_list_shm(list)); /* once, by one handle */
    pyshm_list_free(list);
    return 0;
}
