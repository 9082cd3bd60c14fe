/*
 * The pyshm extension module's objects, shared by its source files.
 *
 *   _Mapping       owns one libpyshm block (the mmap) and counts who uses its
 *                  memory: buffer exports (memoryviews, as CPython's mmap
 *                  counts them) and pins (C code of this module reading or
 *                  writing it right now). It refuses to close while either
 *                  is non-zero, and is unmapped when its last reference
 *                  goes, so no pointer into it outlives the memory.
 *   SharedMemory   name, size, buf (a memoryview of its _Mapping), close(),
 *                  unlink(), resource-tracker registration as CPython does it.
 *   ShareableList  a libpyshm list over the memory of one _Mapping, which it
 *                  keeps a reference to.
 *
 * The rule every path into the memory follows: everything that may call
 * back into Python (an __index__, an __eq__, a str subclass, a finalizer
 * run by the allocator, another thread taking the GIL) happens before
 * mapping_pin() or after mapping_unpin(), never between. What C reads
 * between them is copied out before the unpin. The pin count makes a
 * breach of that rule a BufferError in close(), never a use of unmapped
 * memory.
 */
#ifndef PYSHM_MODULE_H
#define PYSHM_MODULE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pyshm.h"

#if PY_VERSION_HEX >= 0x030D0000
#define HAVE_TRACK_ARG 1 /* SharedMemory(..., track=True) appeared in 3.13 */
#else
#define HAVE_TRACK_ARG 0
#endif

typedef struct {
    PyObject_HEAD
    pyshm_shm *shm;     /* the block; pyshm_shm_closed() once closed */
    Py_ssize_t exports; /* Py_buffer views of the memory */
    Py_ssize_t pins;    /* C code of this module using the memory */
} MappingObject;

typedef struct {
    PyObject_HEAD
    MappingObject *mapping; /* NULL before __init__ and once closed */
    PyObject *buf;          /* memoryview of mapping, or None */
    PyObject *name;         /* CPython's _name: "/" + name on POSIX */
    PyObject *size;         /* int */
    int track;
    PyObject *dict;
    PyObject *weakreflist;
} ShmObject;

typedef struct {
    PyObject_HEAD
    ShmObject *shm;         /* sl.shm; NULL before __init__ */
    MappingObject *mapping; /* the memory `list` wraps, alive while referenced */
    pyshm_list *list;       /* NULL before __init__ */
    PyObject *dict;
    PyObject *weakreflist;
} ListObject;

extern PyTypeObject MappingType, ShmType, ListType;

/* Cached objects of the module (single-phase init: one set per process). */
extern PyObject *pyshm_struct_error; /* struct.error */

/* Raises what CPython raises for library error rc (the class
 * pyshm_err_pyexc() names); filename goes into OSErrors, detail (may be
 * NULL or "") replaces the library's generic message. Returns NULL. */
PyObject *pyshm_raise(int rc, PyObject *filename, const char *detail);

/* type(o).__name__ of a static or heap type. */
const char *pyshm_type_name(PyTypeObject *t);

/* Pins m's memory for C code that calls no Python; NULL with TypeError
 * (CPython's error for a closed list) when m is closed. */
static inline void *mapping_pin(MappingObject *m) {
    void *p = pyshm_shm_buf(m->shm);
    if (p == NULL) {
        PyErr_SetString(PyExc_TypeError, "the shared memory block is closed");
        return NULL;
    }
    m->pins++;
    return p;
}

static inline void mapping_unpin(MappingObject *m) { m->pins--; }

/* Closes m: BufferError while its memory is exported or pinned. */
int mapping_close(MappingObject *m);

/*
 * The SharedMemory of a ShareableList, of the exact type ShmType, as
 * SharedMemory(name, create, size) would make it, except that a block
 * created here has every page reserved: the list writes all of them at once.
 */
ShmObject *shm_open_block(PyObject *name, int create, long long size);

/* pyshm.install(): multiprocessing.shared_memory uses this module. */
PyObject *pyshm_install(PyObject *module, PyObject *unused);
extern const char pyshm_install_doc[];

#endif
