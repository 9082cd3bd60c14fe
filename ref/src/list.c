/* ShareableList over a SharedMemory block: create, attach, close, free. */
#include "codec.h"
#include "shm.h"

#include <stdlib.h>
#include <string.h>

PYSHM_API int pyshm_list_create(const char *name, const pyshm_value *items, size_t n,
                                pyshm_layout layout, pyshm_list **out) {
    size_t size;
    if (out == NULL) return PYSHM_EINVAL;
    *out = NULL;
    int rc = pyshm_list_image_size(items, n, layout, &size);
    if (rc) return rc;
    pyshm_shm *shm;
    if ((rc = pyshm_shm_create(name, (int64_t)size, &shm)) != 0) return rc;
    rc = pyshm_list_encode(shm->buf, shm->size, items, n, layout);
    if (rc == 0)
        rc = pyshm__list_open(out, shm, shm->buf, shm->size,
                              layout == PYSHM_LAYOUT_PY38 ? PYSHM_LAYOUT_PY38 : PYSHM_LAYOUT_PY39,
                              NULL, 0);
    if (rc) {
        pyshm_shm_unlink(shm);
        pyshm_shm_free(shm);
    }
    return rc;
}

PYSHM_API int pyshm_list_attach(const char *name, pyshm_layout layout, pyshm_list **out,
                                char *errmsg, size_t errmsg_cap) {
    pyshm_shm *shm;
    if (errmsg && errmsg_cap) errmsg[0] = '\0';
    if (out == NULL) return PYSHM_EINVAL;
    *out = NULL;
    int rc = pyshm_shm_attach(name, &shm);
    if (rc) return rc;
    size_t len = pyshm_shm_data_size(shm);
    rc = pyshm__list_open(out, shm, shm->buf, len, layout, errmsg, errmsg_cap);
    if (rc == PYSHM_ECORRUPT && len < shm->size && errmsg && errmsg_cap) {
        size_t used = strlen(errmsg);
        pyshm__msg(errmsg + used, errmsg_cap - used,
                   " (an image is trusted only as far as the block's written bytes reach: "
                   "%zu of its %zu bytes; the rest are holes, never written)",
                   len, shm->size);
    }
    if (rc) pyshm_shm_free(shm);
    return rc;
}

PYSHM_API pyshm_shm *pyshm_list_shm(const pyshm_list *l) { return l ? l->shm : NULL; }

PYSHM_API int pyshm_list_close(pyshm_list *l) {
    if (l == NULL) return PYSHM_EINVAL;
    l->closed = true;
    return l->shm ? pyshm_shm_close(l->shm) : 0;
}

PYSHM_API void pyshm_list_free(pyshm_list *l) {
    if (l == NULL) return;
    pyshm_shm_free(l->shm);
    free(l->h.offsets);
    free(l);
}
