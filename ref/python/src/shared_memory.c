/*
 * _Mapping (a block's memory, with its users counted) and SharedMemory.
 */
#include "module.h"

#include <errno.h>
#include <string.h>

#include <structmember.h>

/* ------------------------------------------------------------------------ */
/* _Mapping                                                                  */
/* ------------------------------------------------------------------------ */

static void mapping_dealloc(MappingObject *self) {
    pyshm_shm_free(self->shm); /* unmaps: nothing can point into it any more */
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int mapping_getbuffer(MappingObject *self, Py_buffer *view, int flags) {
    void *p = pyshm_shm_buf(self->shm);
    if (p == NULL) {
        PyErr_SetString(PyExc_ValueError, "shared memory block is closed");
        return -1;
    }
    if (PyBuffer_FillInfo(view, (PyObject *)self, p, (Py_ssize_t)pyshm_shm_size(self->shm), 0,
                          flags) < 0)
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

PyTypeObject MappingType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyshm._Mapping",
    .tp_basicsize = sizeof(MappingObject),
    .tp_dealloc = (destructor)mapping_dealloc,
    .tp_as_buffer = &mapping_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The mapping of a shared memory block (the exporter behind SharedMemory.buf).",
};

int mapping_close(MappingObject *m) {
    if (m->exports > 0 || m->pins > 0) {
        /* CPython's mmap.close() says the same while views exist. */
        PyErr_SetString(PyExc_BufferError, "cannot close exported pointers exist");
        return -1;
    }
    pyshm_shm_close(m->shm);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* SharedMemory                                                              */
/* ------------------------------------------------------------------------ */

/* The resource tracker's register/unregister, as CPython calls them. */
static int tracker_call(const char *fn, PyObject *name) {
    static PyObject *resource_tracker;
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

/* Closes the mapping; BufferError while views of it exist, as CPython
 * (whose buf is released first, whatever follows). */
static int shm_do_close(ShmObject *self) {
    if (self->buf != Py_None) {
        PyObject *r = PyObject_CallMethod(self->buf, "release", NULL);
        if (r == NULL) return -1;
        Py_DECREF(r);
        Py_INCREF(Py_None);
        Py_SETREF(self->buf, Py_None);
    }
    if (self->mapping != NULL) {
        if (mapping_close(self->mapping) < 0) return -1;
        Py_CLEAR(self->mapping);
    }
    return 0;
}

/*
 * Creates (create != 0, of want bytes, every page reserved if reserve) or
 * attaches the block name (a str, or None for a random name), and makes
 * it self's. Whatever self held before (a live or a closed block) is let
 * go as CPython lets it go: the old mapping lives on while something
 * still uses it (a view of the old buf, a ShareableList made over it) and
 * is unmapped with the last of them.
 */
static int shm_setup(ShmObject *self, PyObject *name, int create, long long want, int reserve,
                     int track) {
    PyObject *sysname = NULL, *slashed = NULL;
    if (name != Py_None && !PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "can only concatenate str (not \"%.200s\") to str",
                     Py_TYPE(name)->tp_name);
        return -1;
    }
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
    m->pins = 0;
    const char *cname = sysname ? PyBytes_AS_STRING(sysname) : NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    if (!create)
        rc = pyshm_shm_attach(cname, &m->shm);
    else if (reserve)
        rc = pyshm_shm_create(cname, (int64_t)want, &m->shm);
    else
        rc = pyshm_shm_create_sparse(cname, (int64_t)want, &m->shm);
    Py_END_ALLOW_THREADS
    Py_XDECREF(sysname);
    if (rc) {
        Py_DECREF(m);
        if (rc == PYSHM_ENOMEM) { /* mmap's ENOMEM: CPython's mmap raises OSError */
            errno = ENOMEM;
            PyErr_SetFromErrno(PyExc_OSError);
        } else {
            pyshm_raise(rc, slashed, NULL);
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
    /* Every field is set before the old values go: letting go of an old
     * _name (any object) may run Python code that uses this object. */
    PyObject *old_name = self->name, *old_size = self->size, *old_buf = self->buf;
    MappingObject *old_mapping = self->mapping;
    self->name = slashed;
    self->size = sz;
    self->buf = view;
    self->mapping = m;
    self->track = track;
    Py_DECREF(old_buf);
    Py_XDECREF(old_mapping);
    Py_DECREF(old_size);
    Py_XDECREF(old_name);
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

static int shm_init(ShmObject *self, PyObject *args, PyObject *kwds) {
    int track = 1;
    PyObject *name = Py_None, *create_o = Py_False, *size = NULL;
#if HAVE_TRACK_ARG
    static char *kwlist[] = {"name", "create", "size", "track", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOO$p:SharedMemory", kwlist, &name,
                                     &create_o, &size, &track))
        return -1;
#else
    static char *kwlist[] = {"name", "create", "size", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOO:SharedMemory", kwlist, &name, &create_o,
                                     &size))
        return -1;
#endif
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
    /* Sparse, as CPython's: a plain block takes memory as it is written. */
    return shm_setup(self, name, create, want, 0, track);
}

ShmObject *shm_open_block(PyObject *name, int create, long long size) {
    ShmObject *self = (ShmObject *)shm_new(&ShmType, NULL, NULL);
    if (self == NULL) return NULL;
    if (shm_setup(self, name, create, size, create, 1) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return self;
}

static int shm_traverse(ShmObject *self, visitproc visit, void *arg) {
    Py_VISIT(self->dict);
    Py_VISIT(self->name);
    Py_VISIT(self->buf);
    return 0;
}

static int shm_clear(ShmObject *self) {
    Py_CLEAR(self->dict);
    Py_INCREF(Py_None);
    Py_XSETREF(self->name, Py_None);
    return 0;
}

/* A subclass's instance comes here from subtype_dealloc, which drops the
 * reference to its heap type itself. */
static void shm_dealloc(ShmObject *self) {
    PyObject_GC_UnTrack(self);
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
    shm_clear(self);
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
        pyshm_raise(rc, name, NULL);
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
    PyObject *r = PyUnicode_FromFormat("%s(%R, size=%R)", pyshm_type_name(Py_TYPE(self)), name,
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
     "close($self, /)\n--\n\n"
     "Closes access to the shared memory from this instance but does not destroy the "
     "block. BufferError while views of buf are exported."},
    {"unlink", (PyCFunction)shm_unlink, METH_NOARGS,
     "unlink($self, /)\n--\n\n"
     "Requests that the underlying shared memory block be destroyed."},
    {"__reduce__", (PyCFunction)shm_reduce, METH_NOARGS,
     "__reduce__($self, /)\n--\n\nPickles by name: unpickling attaches the block."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef shm_getset[] = {
    {"buf", (getter)shm_get_buf, NULL,
     "A memoryview of contents of the shared memory block (None once closed).", NULL},
    {"name", (getter)shm_get_name, NULL, "Unique name that identifies the shared memory block.",
     NULL},
    {"size", (getter)shm_get_size, NULL, "Size in bytes.", NULL},
    {"_size", (getter)shm_get_size, NULL, "Size in bytes.", NULL},
    {"_buf", (getter)shm_get_buf, NULL, "As buf.", NULL},
    {"_track", (getter)shm_get_track, NULL, "Whether the resource tracker knows this block.",
     NULL},
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef shm_members[] = {
    /* Writable, as CPython's: unlink() removes whatever name it holds. */
    {"_name", T_OBJECT, offsetof(ShmObject, name), 0,
     "The system name, with CPython's leading '/'."},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject ShmType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyshm.SharedMemory",
    .tp_basicsize = sizeof(ShmObject),
    .tp_dealloc = (destructor)shm_dealloc,
    .tp_repr = (reprfunc)shm_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "SharedMemory(name=None, create=False, size=0"
#if HAVE_TRACK_ARG
              ", *, track=True"
#endif
              ")\n--\n\n"
              "Creates a new shared memory block or attaches to an existing one, as "
              "multiprocessing.shared_memory.SharedMemory.",
    .tp_traverse = (traverseproc)shm_traverse,
    .tp_clear = (inquiry)shm_clear,
    .tp_weaklistoffset = offsetof(ShmObject, weakreflist),
    .tp_methods = shm_methods,
    .tp_members = shm_members,
    .tp_getset = shm_getset,
    .tp_dictoffset = offsetof(ShmObject, dict),
    .tp_init = (initproc)shm_init,
    .tp_new = shm_new,
};
