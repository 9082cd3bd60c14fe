/*
 * pyshm: multiprocessing.shared_memory's SharedMemory and ShareableList,
 * implemented over libpyshm.
 *
 * The classes keep the signatures, attributes and exceptions of the running
 * interpreter's multiprocessing.shared_memory, so they can replace it. They
 * follow the reference library where CPython has a defect (non-ASCII str
 * sizing, corrupt images, failed packs, indexes below -N): see README.md,
 * "From Python".
 *
 * Objects:
 *   _Mapping      owns the libpyshm block and exports the buffer. It lives
 *                 as long as any memoryview of it does, as CPython's mmap
 *                 object does, so a view never outlives its memory.
 *   SharedMemory  name, size, buf (a memoryview of the _Mapping), close(),
 *                 unlink(), resource-tracker registration as CPython does it.
 *   ShareableList a libpyshm list wrapped over its SharedMemory's mapping.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "pyshm.h"

#if PY_VERSION_HEX >= 0x030D0000
#define HAVE_TRACK_ARG 1 /* SharedMemory(..., track=True) appeared in 3.13 */
#else
#define HAVE_TRACK_ARG 0
#endif

/* Module state kept in statics: the module is single-phase and keeps
 * nothing that differs between interpreters but these cached objects. */
static PyObject *struct_error;     /* struct.error */
static PyObject *functools_partial;
static PyObject *resource_tracker; /* multiprocessing.resource_tracker, on demand */

/* type(o).__name__ for a static or heap type (tp_name after its last dot). */
static const char *type_name(PyTypeObject *t) {
    const char *dot = strrchr(t->tp_name, '.');
    return dot ? dot + 1 : t->tp_name;
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* The errno CPython's _posixshmem would have reported for a library error
 * of the OSError family. */
static int os_errno(int rc) {
    switch (rc) {
    case PYSHM_EEXIST: return EEXIST;
    case PYSHM_ENOENT: return ENOENT;
    case PYSHM_EACCES: return EACCES;
    case PYSHM_ENAMETOOLONG: return ENAMETOOLONG;
    case PYSHM_EBADNAME: return EINVAL;
    case PYSHM_ENOTSUP: return ENOTSUP;
    default: {
        /* EOS and the system's own failures the library names itself. */
        int e = pyshm_last_os_error();
        return e > 0 ? e : EINVAL;
    }
    }
}

/*
 * Raises the Python exception CPython raises for library error rc, by the
 * class the library names for it (pyshm_err_pyexc()), so that codes added
 * to the library later map as it says. filename (may be NULL) goes into
 * OSErrors as CPython's "/name"; detail (may be NULL or "") replaces the
 * generic message.
 */
static PyObject *raise_error(int rc, PyObject *filename, const char *detail) {
    const char *msg = detail && detail[0] ? detail : pyshm_strerror(rc);
    const char *cls = pyshm_err_pyexc(rc);
    if (rc == PYSHM_ENOMEM) return PyErr_NoMemory();
    if (strcmp(cls, "struct.error") == 0) {
        PyErr_SetString(struct_error, msg);
        return NULL;
    }
    PyObject *type = PyDict_GetItemString(PyEval_GetBuiltins(), cls); /* borrowed */
    if (type != NULL && PyType_Check(type) &&
        PyType_IsSubtype((PyTypeObject *)type, (PyTypeObject *)PyExc_OSError)) {
        errno = os_errno(rc);
        return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, filename);
    }
    /* The Unicode errors take five arguments, not a message: ValueError is
     * their base class (the module raises the real ones itself). */
    if (type == NULL || !PyType_Check(type) ||
        !PyType_IsSubtype((PyTypeObject *)type, (PyTypeObject *)PyExc_Exception) ||
        PyType_IsSubtype((PyTypeObject *)type, (PyTypeObject *)PyExc_UnicodeError))
        type = PyExc_ValueError;
    PyErr_SetString(type, msg);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* _Mapping: the block and its buffer exports                                */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    pyshm_shm *shm;
    Py_ssize_t exports;
} MappingObject;

static void mapping_dealloc(MappingObject *self) {
    pyshm_shm_free(self->shm);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int mapping_getbuffer(MappingObject *self, Py_buffer *view, int flags) {
    if (self->shm == NULL || pyshm_shm_closed(self->shm)) {
        PyErr_SetString(PyExc_ValueError, "shared memory block is closed");
        return -1;
    }
    if (PyBuffer_FillInfo(view, (PyObject *)self, pyshm_shm_buf(self->shm),
                          (Py_ssize_t)pyshm_shm_size(self->shm), 0, flags) < 0)
        return -1;
    self->exports++;
    return 0;
}

static void mapping_releasebuffer(MappingObject *self, Py_buffer *view) {
    (void)view;
    self->exports--;
}

static PyBufferProcs mapping_as_buffer = {
    (getbufferproc)mapping_getbuffer,
    (releasebufferproc)mapping_releasebuffer,
};

static PyTypeObject MappingType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyshm._Mapping",
    .tp_basicsize = sizeof(MappingObject),
    .tp_dealloc = (destructor)mapping_dealloc,
    .tp_as_buffer = &mapping_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The mapping of a shared memory block (the exporter behind SharedMemory.buf).",
};

/* ------------------------------------------------------------------------ */
/* SharedMemory                                                              */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    MappingObject *mapping; /* NULL once closed */
    PyObject *buf;          /* memoryview, or None once closed */
    PyObject *name;         /* CPython's _name: "/" + name on POSIX */
    PyObject *size;         /* int */
    int track;
    PyObject *weakreflist;
} ShmObject;

static PyTypeObject ShmType;

/* The resource tracker's register/unregister, as CPython calls them. */
static int tracker_call(const char *fn, PyObject *name) {
    if (resource_tracker == NULL) {
        resource_tracker = PyImport_ImportModule("multiprocessing.resource_tracker");
        if (resource_tracker == NULL) return -1;
    }
    PyObject *r = PyObject_CallMethod(resource_tracker, fn, "Os", name, "shared_memory");
    Py_XDECREF(r);
    return r ? 0 : -1;
}

/* name as the bytes the system gets, without CPython's leading "/";
 * ValueError on an embedded NUL, as CPython's path conversion. */
static PyObject *system_name(PyObject *name) {
    PyObject *b = PyUnicode_EncodeFSDefault(name);
    if (b == NULL) return NULL;
    if (strlen(PyBytes_AS_STRING(b)) != (size_t)PyBytes_GET_SIZE(b)) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_ValueError, "embedded null character");
        return NULL;
    }
    return b;
}

static PyObject *shm_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    (void)args;
    (void)kwds;
    ShmObject *self = (ShmObject *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    Py_INCREF(Py_None);
    self->buf = Py_None;
    Py_INCREF(Py_None);
    self->name = Py_None;
    self->size = PyLong_FromLong(0);
    self->track = 1;
    if (self->size == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

/* Closes the mapping; BufferError while views of it exist, as mmap. */
static int shm_do_close(ShmObject *self) {
    if (self->buf != Py_None) {
        PyObject *r = PyObject_CallMethod(self->buf, "release", NULL);
        if (r == NULL) return -1;
        Py_DECREF(r);
        Py_SETREF(self->buf, Py_None);
        Py_INCREF(Py_None);
    }
    if (self->mapping != NULL) {
        if (self->mapping->exports > 0) {
            PyErr_SetString(PyExc_BufferError, "cannot close exported pointers exist");
            return -1;
        }
        pyshm_shm_close(self->mapping->shm);
        Py_CLEAR(self->mapping);
    }
    return 0;
}

static int shm_init(ShmObject *self, PyObject *args, PyObject *kwds) {
#if HAVE_TRACK_ARG
    static char *kwlist[] = {"name", "create", "size", "track", NULL};
    int track = 1;
    PyObject *name = Py_None, *create_o = Py_False, *size = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOO$p:SharedMemory", kwlist, &name,
                                     &create_o, &size, &track))
        return -1;
#else
    static char *kwlist[] = {"name", "create", "size", NULL};
    int track = 1;
    PyObject *name = Py_None, *create_o = Py_False, *size = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOO:SharedMemory", kwlist, &name, &create_o,
                                     &size))
        return -1;
#endif
    if (self->mapping != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "SharedMemory.__init__ called twice");
        return -1;
    }
    /* CPython's order of checks: size, then create, then name. */
    long long want = 0;
    if (size != NULL) {
        PyObject *zero = PyLong_FromLong(0);
        if (zero == NULL) return -1;
        int ge = PyObject_RichCompareBool(size, zero, Py_GE);
        Py_DECREF(zero);
        if (ge < 0) return -1;
        if (!ge) {
            PyErr_SetString(PyExc_ValueError, "'size' must be a positive integer");
            return -1;
        }
    }
    int create = PyObject_IsTrue(create_o);
    if (create < 0) return -1;
    if (create) {
        /* An int is needed here; CPython would find out only in ftruncate,
         * after creating the block, and leave it behind. */
        if (size != NULL) {
            PyObject *idx = PyNumber_Index(size);
            if (idx == NULL) return -1;
            want = PyLong_AsLongLong(idx);
            Py_DECREF(idx);
            if (want == -1 && PyErr_Occurred()) return -1;
        }
        if (want == 0) {
            PyErr_SetString(PyExc_ValueError,
                            "'size' must be a positive number different from zero");
            return -1;
        }
    }
    if (name == Py_None && !create) {
        PyErr_SetString(PyExc_ValueError, "'name' can only be None if create=True");
        return -1;
    }
    if (name != Py_None && !PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "can only concatenate str (not \"%.200s\") to str",
                     Py_TYPE(name)->tp_name);
        return -1;
    }
    self->track = track;

    PyObject *sysname = NULL, *slashed = NULL;
    if (name != Py_None) {
        sysname = system_name(name);
        if (sysname == NULL) return -1;
        slashed = PyUnicode_FromFormat("/%U", name);
        if (slashed == NULL) {
            Py_DECREF(sysname);
            return -1;
        }
    }
    MappingObject *m = PyObject_New(MappingObject, &MappingType);
    if (m == NULL) {
        Py_XDECREF(sysname);
        Py_XDECREF(slashed);
        return -1;
    }
    m->shm = NULL;
    m->exports = 0;
    const char *cname = sysname ? PyBytes_AS_STRING(sysname) : NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = create ? pyshm_shm_create(cname, (int64_t)want, &m->shm) : pyshm_shm_attach(cname, &m->shm);
    Py_END_ALLOW_THREADS
    Py_XDECREF(sysname);
    if (rc) {
        Py_DECREF(m);
        if (rc == PYSHM_ENOMEM) { /* mmap's ENOMEM: CPython's mmap raises OSError */
            errno = ENOMEM;
            PyErr_SetFromErrno(PyExc_OSError);
        } else {
            raise_error(rc, slashed, NULL);
        }
        Py_XDECREF(slashed);
        return -1;
    }
    if (slashed == NULL) {
        slashed = PyUnicode_FromFormat("/%s", pyshm_shm_name(m->shm));
        if (slashed == NULL) goto fail;
    }
    PyObject *sz = PyLong_FromSize_t(pyshm_shm_size(m->shm));
    if (sz == NULL) goto fail;
    PyObject *view = PyMemoryView_FromObject((PyObject *)m);
    if (view == NULL) {
        Py_DECREF(sz);
        goto fail;
    }
    Py_SETREF(self->name, slashed);
    Py_SETREF(self->size, sz);
    Py_SETREF(self->buf, view);
    self->mapping = m;
    /* CPython registers every block it creates or attaches (3.13: unless
     * track=False); its tracker unlinks what is still registered at exit. */
    if (track && tracker_call("register", self->name) < 0) return -1;
    return 0;
fail:
    if (create) pyshm_shm_unlink(m->shm);
    Py_DECREF(m);
    Py_XDECREF(slashed);
    return -1;
}

static void shm_dealloc(ShmObject *self) {
    /* As CPython's __del__: close, but never unlink. A view still held
     * elsewhere keeps the _Mapping, and so the memory, alive. */
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    if (self->buf != NULL && self->buf != Py_None) {
        PyObject *r = PyObject_CallMethod(self->buf, "release", NULL);
        if (r == NULL) PyErr_Clear();
        Py_XDECREF(r);
    }
    PyErr_Restore(et, ev, tb);
    if (self->weakreflist != NULL) PyObject_ClearWeakRefs((PyObject *)self);
    Py_CLEAR(self->buf);
    Py_CLEAR(self->mapping);
    Py_CLEAR(self->name);
    Py_CLEAR(self->size);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *shm_close(ShmObject *self, PyObject *unused) {
    (void)unused;
    if (shm_do_close(self) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *shm_unlink(ShmObject *self, PyObject *unused) {
    (void)unused;
    /* By _name, as CPython: whatever that attribute holds now. */
    PyObject *name = self->name;
    if (name == Py_None || (PyUnicode_Check(name) && PyUnicode_GET_LENGTH(name) == 0))
        Py_RETURN_NONE;
    if (!PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "_name must be a str");
        return NULL;
    }
    Py_INCREF(name);
    PyObject *bare = name;
    if (PyUnicode_READ_CHAR(name, 0) == '/') {
        bare = PyUnicode_Substring(name, 1, PyUnicode_GET_LENGTH(name));
        if (bare == NULL) goto fail;
    } else {
        Py_INCREF(bare);
    }
    PyObject *sysname = system_name(bare);
    Py_DECREF(bare);
    if (sysname == NULL) goto fail;
    int rc = pyshm_unlink(PyBytes_AS_STRING(sysname));
    Py_DECREF(sysname);
    if (rc) {
        raise_error(rc, name, NULL);
        goto fail;
    }
    if (self->track && tracker_call("unregister", name) < 0) goto fail;
    Py_DECREF(name);
    Py_RETURN_NONE;
fail:
    Py_DECREF(name);
    return NULL;
}

static PyObject *shm_reduce(ShmObject *self, PyObject *unused) {
    (void)unused;
    PyObject *name = PyObject_GetAttrString((PyObject *)self, "name");
    if (name == NULL) return NULL;
    return Py_BuildValue("O(NOO)", (PyObject *)Py_TYPE(self), name, Py_False, self->size);
}

static PyObject *shm_repr(ShmObject *self) {
    PyObject *name = PyObject_GetAttrString((PyObject *)self, "name");
    if (name == NULL) return NULL;
    PyObject *r = PyUnicode_FromFormat("%s(%R, size=%R)", type_name(Py_TYPE(self)), name,
                                       self->size);
    Py_DECREF(name);
    return r;
}

static PyObject *shm_get_name(ShmObject *self, void *closure) {
    (void)closure;
    PyObject *n = self->name;
    if (PyUnicode_Check(n) && PyUnicode_GET_LENGTH(n) > 0 && PyUnicode_READ_CHAR(n, 0) == '/')
        return PyUnicode_Substring(n, 1, PyUnicode_GET_LENGTH(n));
    Py_INCREF(n);
    return n;
}

static PyObject *shm_get_buf(ShmObject *self, void *closure) {
    (void)closure;
    Py_INCREF(self->buf);
    return self->buf;
}

static PyObject *shm_get_size(ShmObject *self, void *closure) {
    (void)closure;
    Py_INCREF(self->size);
    return self->size;
}

static PyObject *shm_get_track(ShmObject *self, void *closure) {
    (void)closure;
    return PyBool_FromLong(self->track);
}

static PyMethodDef shm_methods[] = {
    {"close", (PyCFunction)shm_close, METH_NOARGS,
     "Closes access to the shared memory from this instance but does not destroy the "
     "block. BufferError while views of buf are exported."},
    {"unlink", (PyCFunction)shm_unlink, METH_NOARGS,
     "Requests that the underlying shared memory block be destroyed."},
    {"__reduce__", (PyCFunction)shm_reduce, METH_NOARGS, "Pickles by name."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef shm_getset[] = {
    {"buf", (getter)shm_get_buf, NULL, "A memoryview of contents of the shared memory block.",
     NULL},
    {"name", (getter)shm_get_name, NULL, "Unique name that identifies the shared memory block.",
     NULL},
    {"size", (getter)shm_get_size, NULL, "Size in bytes.", NULL},
    {"_size", (getter)shm_get_size, NULL, "Size in bytes.", NULL},
    {"_buf", (getter)shm_get_buf, NULL, "As buf.", NULL},
    {"_track", (getter)shm_get_track, NULL, "Whether the resource tracker knows this block.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef shm_members[] = {
    /* Writable, as CPython's: unlink() removes whatever name it holds. */
    {"_name", T_OBJECT, offsetof(ShmObject, name), 0,
     "The system name, with CPython's leading '/'."},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject ShmType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyshm.SharedMemory",
    .tp_basicsize = sizeof(ShmObject),
    .tp_dealloc = (destructor)shm_dealloc,
    .tp_repr = (reprfunc)shm_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "SharedMemory(name=None, create=False, size=0"
#if HAVE_TRACK_ARG
              ", *, track=True"
#endif
              ")\n\nCreates a new shared memory block or attaches to an existing one, "
              "as multiprocessing.shared_memory.SharedMemory.",
    .tp_weaklistoffset = offsetof(ShmObject, weakreflist),
    .tp_methods = shm_methods,
    .tp_members = shm_members,
    .tp_getset = shm_getset,
    .tp_init = (initproc)shm_init,
    .tp_new = shm_new,
};

/* ------------------------------------------------------------------------ */
/* Values between Python and libpyshm                                       */
/* ------------------------------------------------------------------------ */

/*
 * A Python value as a pyshm_value, by CPython's rules: str and bytes (and
 * their subclasses) by isinstance, the rest by exact type (KeyError for any
 * other, as CPython's _types_mapping lookup). str points into the object's
 * UTF-8 cache, valid while the object lives. Returns 0, or -1 with an
 * exception set (struct.error for an int outside int64).
 */
static int to_value(PyObject *o, pyshm_value *v) {
    if (PyLong_CheckExact(o)) {
        int overflow;
        long long i = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow) {
            PyErr_SetString(struct_error, "argument out of range");
            return -1;
        }
        if (i == -1 && PyErr_Occurred()) return -1;
        *v = pyshm_int(i);
        return 0;
    }
    if (PyFloat_CheckExact(o)) {
        *v = pyshm_float(PyFloat_AS_DOUBLE(o));
        return 0;
    }
    if (PyBool_Check(o)) {
        *v = pyshm_bool(o == Py_True);
        return 0;
    }
    if (o == Py_None) {
        *v = pyshm_none();
        return 0;
    }
    if (PyUnicode_Check(o)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(o, &n);
        if (s == NULL) return -1; /* a lone surrogate: UnicodeEncodeError */
        *v = pyshm_strn(s, (size_t)n);
        return 0;
    }
    if (PyBytes_Check(o)) {
        *v = pyshm_bytes(PyBytes_AS_STRING(o), (size_t)PyBytes_GET_SIZE(o));
        return 0;
    }
    PyErr_SetObject(PyExc_KeyError, (PyObject *)Py_TYPE(o));
    return -1;
}

static PyObject *from_value(const pyshm_value *v) {
    switch (v->type) {
    case PYSHM_INT: return PyLong_FromLongLong(v->u.i);
    case PYSHM_FLOAT: return PyFloat_FromDouble(v->u.f);
    case PYSHM_BOOL: return PyBool_FromLong(v->u.b);
    case PYSHM_STR: return PyUnicode_DecodeUTF8(v->u.s.ptr, (Py_ssize_t)v->u.s.len, "strict");
    case PYSHM_BYTES: return PyBytes_FromStringAndSize(v->u.s.ptr, (Py_ssize_t)v->u.s.len);
    default: Py_RETURN_NONE;
    }
}

/* ------------------------------------------------------------------------ */
/* ShareableList                                                             */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    ShmObject *shm;
    pyshm_list *list; /* wraps shm's mapping; NULL before __init__ */
    PyObject *weakreflist;
} ListObject;

static PyTypeObject ListType;

#if PY_VERSION_HEX >= 0x03090000
#define DEFAULT_LAYOUT PYSHM_LAYOUT_PY39
#else
#define DEFAULT_LAYOUT PYSHM_LAYOUT_PY38 /* what this interpreter's stdlib writes */
#endif

static int parse_layout(PyObject *o, pyshm_layout *out, int creating) {
    if (o == Py_None) {
        *out = creating ? DEFAULT_LAYOUT : PYSHM_LAYOUT_AUTO;
        return 0;
    }
    if (PyUnicode_Check(o)) {
        if (PyUnicode_CompareWithASCIIString(o, "py38") == 0) {
            *out = PYSHM_LAYOUT_PY38;
            return 0;
        }
        if (PyUnicode_CompareWithASCIIString(o, "py39") == 0) {
            *out = PYSHM_LAYOUT_PY39;
            return 0;
        }
    }
    PyErr_Format(PyExc_ValueError, "layout must be None, 'py38' or 'py39', not %R", o);
    return -1;
}

/* The list's memory is usable: its SharedMemory has not been closed (CPython
 * then fails in struct with TypeError, its buf being None). */
static inline int list_ready(ListObject *self) {
    if (self->list != NULL && self->shm->buf != Py_None) return 1;
    PyErr_SetString(PyExc_TypeError, self->list ? "the ShareableList's shared memory is closed"
                                                : "ShareableList is not initialised");
    return 0;
}

static PyObject *new_shm(PyObject *name, int create, size_t size) {
    PyObject *args = create ? Py_BuildValue("(OOn)", name, Py_True, (Py_ssize_t)size)
                            : Py_BuildValue("(O)", name);
    if (args == NULL) return NULL;
    PyObject *shm = PyObject_Call((PyObject *)&ShmType, args, NULL);
    Py_DECREF(args);
    return shm;
}

/* Wraps the image in shm's mapping, ValueError naming the bad field. */
static int list_wrap(ListObject *self, pyshm_layout layout) {
    char msg[256];
    MappingObject *m = self->shm->mapping;
    int rc = pyshm_list_wrap(pyshm_shm_buf(m->shm), pyshm_shm_size(m->shm), layout, &self->list,
                             msg, sizeof msg);
    if (rc) {
        raise_error(rc, NULL, msg);
        return -1;
    }
    return 0;
}

static int list_init(ListObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"sequence", "name", "layout", NULL};
    PyObject *seq = Py_None, *name = Py_None, *layout_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$OO:ShareableList", kwlist, &seq, &name,
                                     &layout_o))
        return -1;
    if (self->list != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "ShareableList.__init__ called twice");
        return -1;
    }
    int creating = name == Py_None || seq != Py_None;
    pyshm_layout layout;
    if (parse_layout(layout_o, &layout, creating) < 0) return -1;
    if (!creating) {
        self->shm = (ShmObject *)new_shm(name, 0, 0);
        if (self->shm == NULL) return -1;
        return list_wrap(self, layout);
    }
    /* All items are checked and sized before any block exists: a bad item
     * (KeyError, struct.error, ...) leaves nothing behind. */
    int truth = seq == Py_None ? 0 : PyObject_IsTrue(seq);
    if (truth < 0) return -1;
    PyObject *fast = truth ? PySequence_Fast(seq, "ShareableList needs a sequence")
                           : PyTuple_New(0);
    if (fast == NULL) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    PyObject **items = PySequence_Fast_ITEMS(fast);
    pyshm_value *vals = PyMem_Calloc((size_t)n + 1, sizeof *vals);
    int ret = -1;
    size_t size;
    if (vals == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        /* CPython looks every initial item up by its exact type, so a str or
         * bytes subclass is a KeyError here (though __setitem__ takes it). */
        PyObject *o = items[i];
        if ((PyUnicode_Check(o) && !PyUnicode_CheckExact(o)) ||
            (PyBytes_Check(o) && !PyBytes_CheckExact(o))) {
            PyErr_SetObject(PyExc_KeyError, (PyObject *)Py_TYPE(o));
            goto done;
        }
        if (to_value(o, &vals[i]) < 0) goto done;
    }
    int rc = pyshm_list_image_size(vals, (size_t)n, layout, &size);
    if (rc) {
        raise_error(rc, NULL, NULL);
        goto done;
    }
    self->shm = (ShmObject *)new_shm(name, 1, size);
    if (self->shm == NULL) goto done;
    MappingObject *m = self->shm->mapping;
    rc = pyshm_list_encode(pyshm_shm_buf(m->shm), pyshm_shm_size(m->shm), vals, (size_t)n, layout);
    if (rc == 0) rc = list_wrap(self, layout) < 0 ? -1 : 0;
    else raise_error(rc, NULL, NULL);
    if (rc) {
        /* Cannot happen with a size from pyshm_list_image_size; leave no block. */
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        PyObject *r = PyObject_CallMethod((PyObject *)self->shm, "unlink", NULL);
        Py_XDECREF(r);
        PyErr_Restore(et, ev, tb);
        goto done;
    }
    ret = 0;
done:
    PyMem_Free(vals);
    Py_DECREF(fast);
    return ret;
}

static void list_dealloc(ListObject *self) {
    if (self->weakreflist != NULL) PyObject_ClearWeakRefs((PyObject *)self);
    pyshm_list_free(self->list); /* a wrapped list: frees the handle only */
    Py_CLEAR(self->shm);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A Python index as int64; IndexError when it cannot be one, as CPython's
 * list indexing says. TypeError for a non-integer. */
static int to_index(PyObject *key, int64_t *out, const char *msg) {
    if (PyLong_CheckExact(key)) {
        int overflow;
        long long i = PyLong_AsLongLongAndOverflow(key, &overflow);
        if (!overflow) {
            *out = i;
            return 0;
        }
    } else {
        PyObject *idx = PyNumber_Index(key);
        if (idx == NULL) return -1;
        int overflow;
        long long i = PyLong_AsLongLongAndOverflow(idx, &overflow);
        Py_DECREF(idx);
        if (!overflow) {
            *out = i;
            return 0;
        }
    }
    PyErr_SetString(PyExc_IndexError, msg);
    return -1;
}

static PyObject *list_errstr(ListObject *self, int rc) {
    return raise_error(rc, NULL, pyshm_list_errmsg(self->list));
}

/* Slots up to this size are copied to the stack before decoding. */
#define STACK_SLOT 512

/* Item i; str and bytes are copied out of the block first, so a writer in
 * another process cannot change them between validation and use. */
static PyObject *list_get_item(ListObject *self, int64_t i) {
    char stack[STACK_SLOT];
    char *copy = stack;
    size_t cap = sizeof stack;
    pyshm_value v;
    int rc = pyshm_list_get_copy(self->list, i, &v, copy, cap);
    if (rc == PYSHM_ENOBUFS && pyshm_list_slot(self->list, i, &cap) == 0) {
        copy = PyMem_Malloc(cap ? cap : 1);
        if (copy == NULL) return PyErr_NoMemory();
        rc = pyshm_list_get_copy(self->list, i, &v, copy, cap);
    }
    PyObject *r;
    if (rc == 0) {
        r = from_value(&v);
    } else if (rc == PYSHM_EUNICODE) {
        /* CPython's own decoder on the copied bytes gives its exact
         * UnicodeDecodeError (it succeeds only if the slot changed since). */
        char fmt[9];
        size_t width = 0;
        if (pyshm_list_item_format(self->list, i, fmt) == 0) width = strtoul(fmt, NULL, 10);
        if (width > cap) width = cap;
        while (width > 0 && copy[width - 1] == '\0') width--;
        r = PyUnicode_DecodeUTF8(copy, (Py_ssize_t)width, "strict");
    } else {
        r = list_errstr(self, rc);
    }
    if (copy != stack) PyMem_Free(copy);
    return r;
}

static PyObject *list_subscript(ListObject *self, PyObject *key) {
    int64_t i;
    if (!list_ready(self)) return NULL;
    if (to_index(key, &i, "index out of range") < 0) return NULL;
    return list_get_item(self, i);
}

static int list_ass_subscript(ListObject *self, PyObject *key, PyObject *value) {
    int64_t i;
    pyshm_value v;
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "'ShareableList' object doesn't support item deletion");
        return -1;
    }
    if (!list_ready(self)) return -1;
    if (to_index(key, &i, "assignment index out of range") < 0) return -1;
    /* The index is checked before the value, as CPython does. */
    int64_t n = pyshm_list_len(self->list);
    if (i < -n || i >= n) {
        PyErr_SetString(PyExc_IndexError, "assignment index out of range");
        return -1;
    }
    if (to_value(value, &v) < 0) return -1;
    int rc = pyshm_list_set(self->list, i, &v);
    if (rc) {
        list_errstr(self, rc);
        return -1;
    }
    return 0;
}

static Py_ssize_t list_length(ListObject *self) {
    if (!list_ready(self)) return -1;
    return (Py_ssize_t)pyshm_list_len(self->list);
}

/* sq_item serves iteration and the sequence protocol (index already
 * adjusted by Python when negative and sq_length exists). */
static PyObject *list_sq_item(ListObject *self, Py_ssize_t i) {
    if (!list_ready(self)) return NULL;
    return list_get_item(self, i);
}

static PyObject *list_get_format(ListObject *self, void *closure) {
    (void)closure;
    if (!list_ready(self)) return NULL;
    size_t len = 0;
    int64_t n = pyshm_list_len(self->list);
    size_t cap = (size_t)n * 8 + 1;
    char *buf = PyMem_Malloc(cap);
    if (buf == NULL) return PyErr_NoMemory();
    int rc = pyshm_list_format(self->list, buf, cap, &len);
    PyObject *r = rc ? list_errstr(self, rc) : PyUnicode_DecodeUTF8(buf, (Py_ssize_t)len, "strict");
    PyMem_Free(buf);
    return r;
}

static PyObject *list_get_shm(ListObject *self, void *closure) {
    (void)closure;
    PyObject *r = self->shm ? (PyObject *)self->shm : Py_None;
    Py_INCREF(r);
    return r;
}

static PyObject *list_get_layout(ListObject *self, void *closure) {
    (void)closure;
    if (self->list == NULL) Py_RETURN_NONE;
    return PyUnicode_FromString(pyshm_list_layout(self->list) == PYSHM_LAYOUT_PY38 ? "py38"
                                                                                   : "py39");
}

/* A value the library can compare with Python's == semantics by itself:
 * exact built-in types. Anything else (subclasses with their own __eq__,
 * ints beyond int64, Decimal, ...) goes through Python's ==. */
static int native_comparable(PyObject *o, pyshm_value *v) {
    if (!(PyLong_CheckExact(o) || PyFloat_CheckExact(o) || PyBool_Check(o) || o == Py_None ||
          PyUnicode_CheckExact(o) || PyBytes_CheckExact(o)))
        return 0;
    if (to_value(o, v) == 0) return 1;
    PyErr_Clear(); /* an int beyond int64, a lone surrogate: compare in Python */
    return 0;
}

/* count (want_index 0) or index (1) by Python's ==, item by item. */
static PyObject *list_scan_python(ListObject *self, PyObject *value, int want_index) {
    int64_t n = pyshm_list_len(self->list), count = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!list_ready(self)) return NULL; /* __eq__ may have closed it */
        PyObject *item = list_get_item(self, i);
        if (item == NULL) return NULL;
        int eq = PyObject_RichCompareBool(value, item, Py_EQ);
        Py_DECREF(item);
        if (eq < 0) return NULL;
        if (eq && want_index) return PyLong_FromLongLong(i);
        count += eq;
    }
    if (want_index) {
        PyErr_Format(PyExc_ValueError, "%R not in this container", value);
        return NULL;
    }
    return PyLong_FromLongLong(count);
}

/* count (want_index 0) or index (1): in the library for built-in values,
 * through Python's == for anything else. */
static PyObject *list_find(ListObject *self, PyObject *value, int want_index) {
    pyshm_value v;
    int64_t r;
    if (!list_ready(self)) return NULL;
    if (!native_comparable(value, &v)) return list_scan_python(self, value, want_index);
    int rc = want_index ? pyshm_list_index(self->list, &v, &r)
                        : pyshm_list_count(self->list, &v, &r);
    if (rc == PYSHM_ENOTFOUND) {
        PyErr_Format(PyExc_ValueError, "%R not in this container", value);
        return NULL;
    }
    /* An item that is not valid UTF-8: raise what CPython raises, there. */
    if (rc == PYSHM_EUNICODE) return list_scan_python(self, value, want_index);
    if (rc) return list_errstr(self, rc);
    return PyLong_FromLongLong(r);
}

static PyObject *list_count(ListObject *self, PyObject *value) {
    return list_find(self, value, 0);
}

static PyObject *list_index(ListObject *self, PyObject *value) {
    return list_find(self, value, 1);
}

static PyObject *list_packing_format(ListObject *self, PyObject *pos) {
    int64_t i;
    char fmt[9];
    if (!list_ready(self)) return NULL;
    if (to_index(pos, &i, "Requested position out of range.") < 0) return NULL;
    int rc = pyshm_list_item_format(self->list, i, fmt);
    if (rc) return list_errstr(self, rc);
    return PyUnicode_FromString(fmt);
}

static PyObject *list_reduce(ListObject *self, PyObject *unused) {
    (void)unused;
    if (self->shm == NULL) {
        PyErr_SetString(PyExc_TypeError, "ShareableList is not initialised");
        return NULL;
    }
    /* partial(cls, name=...), () as CPython: unpickling attaches by name. */
    PyObject *name = PyObject_GetAttrString((PyObject *)self->shm, "name");
    if (name == NULL) return NULL;
    PyObject *args = PyTuple_Pack(1, (PyObject *)Py_TYPE(self));
    PyObject *kw = args ? Py_BuildValue("{sN}", "name", name) : NULL;
    if (kw == NULL) {
        Py_XDECREF(args);
        if (args == NULL) Py_DECREF(name);
        return NULL;
    }
    PyObject *p = PyObject_Call(functools_partial, args, kw);
    Py_DECREF(args);
    Py_DECREF(kw);
    if (p == NULL) return NULL;
    return Py_BuildValue("N()", p);
}

static PyObject *list_repr(ListObject *self) {
    if (self->shm == NULL) return PyUnicode_FromFormat("<%s uninitialised>", type_name(Py_TYPE(self)));
    PyObject *items = PySequence_List((PyObject *)self);
    if (items == NULL) return NULL;
    PyObject *name = PyObject_GetAttrString((PyObject *)self->shm, "name");
    PyObject *r = name ? PyUnicode_FromFormat("%s(%R, name=%R)", type_name(Py_TYPE(self)),
                                              items, name)
                       : NULL;
    Py_DECREF(items);
    Py_XDECREF(name);
    return r;
}

static PyMethodDef list_methods[] = {
    {"count", (PyCFunction)list_count, METH_O,
     "L.count(value) -> integer -- return number of occurrences of value."},
    {"index", (PyCFunction)list_index, METH_O,
     "L.index(value) -> integer -- return first index of value.\n"
     "Raises ValueError if the value is not present."},
    {"_get_packing_format", (PyCFunction)list_packing_format, METH_O,
     "Gets the packing format for a single value stored in the list."},
    {"__reduce__", (PyCFunction)list_reduce, METH_NOARGS, "Pickles by name."},
#if PY_VERSION_HEX >= 0x03090000
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, "See PEP 585."},
#endif
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef list_getset[] = {
    {"format", (getter)list_get_format, NULL,
     "The struct packing format used by all currently stored items.", NULL},
    {"shm", (getter)list_get_shm, NULL, "The SharedMemory block holding the list.", NULL},
    {"layout", (getter)list_get_layout, NULL,
     "'py39' (CPython 3.9 and later) or 'py38' (CPython 3.8): the image's header layout.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMappingMethods list_as_mapping = {
    (lenfunc)list_length,
    (binaryfunc)list_subscript,
    (objobjargproc)list_ass_subscript,
};

static PySequenceMethods list_as_sequence = {
    .sq_length = (lenfunc)list_length,
    .sq_item = (ssizeargfunc)list_sq_item,
};

static PyTypeObject ListType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyshm.ShareableList",
    .tp_basicsize = sizeof(ListObject),
    .tp_dealloc = (destructor)list_dealloc,
    .tp_repr = (reprfunc)list_repr,
    .tp_as_sequence = &list_as_sequence,
    .tp_as_mapping = &list_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "ShareableList(sequence=None, *, name=None, layout=None)\n\n"
              "A fixed-length list in a shared memory block, as "
              "multiprocessing.shared_memory.ShareableList. layout: None (create in this "
              "interpreter's own layout, detect it on attach), 'py39' or 'py38' (CPython 3.8).",
    .tp_weaklistoffset = offsetof(ListObject, weakreflist),
    .tp_methods = list_methods,
    .tp_getset = list_getset,
    .tp_init = (initproc)list_init,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------------ */
/* Module                                                                    */
/* ------------------------------------------------------------------------ */

static struct PyModuleDef pyshm_module = {
    PyModuleDef_HEAD_INIT,
    "pyshm",
    "multiprocessing.shared_memory's SharedMemory and ShareableList over libpyshm.",
    -1,
    NULL, NULL, NULL, NULL, NULL,
};

/* Exported by hand: the module is built with -fvisibility=hidden and
 * CPython 3.8's PyMODINIT_FUNC does not mark it visible. */
#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
PyMODINIT_FUNC PyInit_pyshm(void);
PyMODINIT_FUNC PyInit_pyshm(void) {
    if (PyType_Ready(&MappingType) < 0 || PyType_Ready(&ShmType) < 0 ||
        PyType_Ready(&ListType) < 0)
        return NULL;
    PyObject *st = PyImport_ImportModule("struct");
    if (st == NULL) return NULL;
    struct_error = PyObject_GetAttrString(st, "error");
    Py_DECREF(st);
    if (struct_error == NULL) return NULL;
    PyObject *ft = PyImport_ImportModule("functools");
    if (ft == NULL) return NULL;
    functools_partial = PyObject_GetAttrString(ft, "partial");
    Py_DECREF(ft);
    if (functools_partial == NULL) return NULL;

    PyObject *m = PyModule_Create(&pyshm_module);
    if (m == NULL) return NULL;
    Py_INCREF(&ShmType);
    Py_INCREF(&ListType);
    if (PyModule_AddObject(m, "SharedMemory", (PyObject *)&ShmType) < 0 ||
        PyModule_AddObject(m, "ShareableList", (PyObject *)&ListType) < 0 ||
        PyModule_AddStringConstant(m, "__version__", PYSHM_VERSION) < 0 ||
        PyModule_AddStringConstant(m, "library_version", PYSHM_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    PyObject *all = Py_BuildValue("[ss]", "SharedMemory", "ShareableList");
    if (all == NULL || PyModule_AddObject(m, "__all__", all) < 0) {
        Py_XDECREF(all);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
