/*
 * An in-memory model of a ShareableList, written from CPython's
 * shared_memory.py rather than from the library: each slot keeps its raw
 * bytes, type and allocation, reads strip trailing NULs, writes follow
 * __setitem__, and model_image() lays the whole image out byte for byte so
 * the fuzzers can compare it with what the library wrote.
 */
#ifndef PYSHM_FUZZ_MODEL_H
#define PYSHM_FUZZ_MODEL_H

#include "pyshm.h"

typedef struct model_slot {
    pyshm_type type;
    size_t alloc;
    uint8_t *data; /* alloc bytes: the slot's contents in the image */
} model_slot;

typedef struct model {
    pyshm_layout layout; /* PY38 or PY39 */
    size_t n;
    model_slot *slot;
} model;

/*
 * The allocation CPython gives a value (8 for scalars, 8*(len//8+1) for
 * bytes, from the character count for str). For a str whose UTF-8 form is
 * longer than that slot the library chooses its own; *exact is then false
 * and the caller checks only that the slot holds the bytes.
 */
size_t model_alloc(const pyshm_value *v, bool *exact);

/* Sets up the model of items encoded with the given allocations (taken from
 * the library, checked by the caller against model_alloc()). */
bool model_init(model *m, const pyshm_value *items, size_t n, pyshm_layout layout,
                const size_t *allocs);
void model_free(model *m);

/* CPython's __setitem__; 0, PYSHM_EINDEX, PYSHM_EENCODE or PYSHM_ESTORAGE. */
int model_set(model *m, int64_t index, const pyshm_value *v);
/* CPython's __getitem__; str and bytes point into the model. */
int model_get(const model *m, int64_t index, pyshm_value *out);
/* Normalises a Python index; false if out of range. */
bool model_index(const model *m, int64_t index, size_t *pos);

void model_format(const model *m, size_t pos, char out[9]);
int model_code(pyshm_type type);

size_t model_image_size(const model *m);
/* Writes model_image_size() bytes. */
void model_image(const model *m, uint8_t *out);

#endif
