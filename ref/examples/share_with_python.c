/* Create a ShareableList, let Python read and change it with
 *     ShareableList(name="...")
 * then read it back, try a value too long for its slot, and clean up. */
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
    printf("%s\n", pyshm_shm_name(pyshm_list_shm(list)));
    printf("press Enter when Python is done\n");
    fflush(stdout);
    getchar();

    /* Python's write, seen through this process's own mapping. */
    pyshm_value v;
    rc = pyshm_list_get(list, 0, &v);
    if (rc == 0) printf("item 0 is now %.*s\n", (int)v.u.s.len, v.u.s.ptr);

    char text[256];
    size_t len;
    if (pyshm_list_repr(list, text, sizeof text, &len) == 0) printf("%s\n", text);

    v = pyshm_str("far too long for the slot");
    rc = pyshm_list_set(list, 0, &v);
    printf("set: %s: %s\n", pyshm_err_pyexc(rc), pyshm_list_errmsg(list));

    /* Before 3.13, the Python process's resource tracker may have unlinked
     * the name already (README: the resource tracker); ENOENT is fine. */
    rc = pyshm_shm_unlink(pyshm_list_shm(list));
    if (rc && rc != PYSHM_ENOENT) fprintf(stderr, "unlink: %s\n", pyshm_strerror(rc));
    pyshm_list_free(list);
    return 0;
}
