/*
 * golden_types.h - the shape of the CPython-generated tables in golden.h
 * (regenerate with gen_golden.py). Images are little-endian, as generated;
 * golden_native() gives a copy in this host's byte order.
 */
#ifndef PYSHM_TESTS_GOLDEN_TYPES_H
#define PYSHM_TESTS_GOLDEN_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "pyshm.h"

/* A value, exactly: i for int and bool, the IEEE bits for float. */
struct golden_val {
    pyshm_type type;
    int64_t i;
    uint64_t bits;
    const char *s;
    size_t len;
};

/* What CPython's sl[i] gave: repr and value, or the exception class. */
struct golden_read {
    const char *repr;
    const char *exc;
    struct golden_val val;
};

/* sl.count(val) and sl.index(val), or the exception each raised. */
struct golden_probe {
    struct golden_val val;
    int64_t count;
    const char *count_exc;
    int64_t index;
    const char *index_exc;
};

struct golden_image {
    pyshm_layout layout; /* 0: no interpreter for this layout */
    const uint8_t *bytes;
    size_t len;
    const struct golden_read *reads;
    size_t nreads;
    const char *list_repr; /* repr(list(sl)), or NULL and list_exc */
    const char *list_exc;
    const char *format;    /* sl.format */
    const struct golden_probe *probes;
    size_t nprobes;
};

struct golden_case {
    const char *name;
    const struct golden_val *items;
    size_t nitems;
    int encodes; /* 1: pyshm_list_encode(items) must give the image */
    struct golden_image img[2]; /* py38, py39 */
};

/* One sl[index] = val; exc is NULL or the exception CPython raised. */
struct golden_step {
    int64_t index;
    struct golden_val val;
    const char *exc;
    const uint8_t *after;
    size_t len;
};

struct golden_set_case {
    const char *name;
    pyshm_layout layout;
    const struct golden_val *items;
    size_t nitems;
    int encodes; /* 0: image is CPython's, patched; not encode(items) */
    const uint8_t *image;
    size_t len;
    const struct golden_step *steps;
    size_t nsteps;
};

struct golden_repr {
    struct golden_val val;
    const char *repr;
};

extern const struct golden_case golden_cases[];
extern const size_t golden_ncases;
extern const struct golden_set_case golden_set_cases[];
extern const size_t golden_nset_cases;
extern const struct golden_repr golden_reprs[];
extern const size_t golden_nreprs;
extern const struct golden_val golden_eq_pool[];
extern const size_t golden_neq_pool;
extern const char golden_eq_matrix[];
extern const int golden_have_py38;
/* The longest bytes CPython stores, and what it raises for one byte more. */
extern const size_t golden_cpython_item_max;
extern const char golden_cpython_item_too_long_exc[];

#endif
