/*
 * ShareableList: a libpyshm list over the memory of one _Mapping, and the
 * conversion of values between Python and libpyshm.
 *
 * Every access to the memory runs between mapping_pin() and
 * mapping_unpin() and calls no Python code there (module.h): indexes and
 * values are converted before, results are built from copies after.
 */
#include "module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Values between Python and libpyshm                                       */
/* ------------------------------------------------------------------------ */

/*
 * A Python value as a pyshm_value, by CPython's rules: str and bytes (and
 * their subclasses) by isinstance, the rest by exact type (KeyError for any
 * other, as CPython's _types_mapping lookup). str points into the object's
 * UTF-8 cache, valid while the object lives. Calls no Python code. Returns
 * 0, or -1 with an exception set (struct.error for an int outside int64).
 */
static int to_value(PyObject *o, pyshm_value *v) {
    if (PyLong_CheckExact(o)) {
        int overflow;
        long long i = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow) {
            PyErr_SetString(pyshm_struct_error, "argument out of range");
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

/* A str from UTF-8 the library has validated: ASCII (the usual case) is
 * copied as it is, without a second decoding. */
static PyObject *str_from_valid_utf8(const char *s, size_t n) {
    uint64_t bits = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        bits |= w;
    }
    for (; i < n; i++) bits |= (unsigned char)s[i];
    if (bits & UINT64_C(0x8080808080808080))
        return PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "strict");
    PyObject *r = PyUnicode_New((Py_ssize_t)n, 127);
    if (r != NULL && n > 0) memcpy(PyUnicode_1BYTE_DATA(r), s, n);
    return r;
}

static PyObject *from_value(const pyshm_value *v) {
    switch (v->type) {
    case PYSHM_INT: return PyLong_FromLongLong(v->u.i);
    case PYSHM_FLOAT: return PyFloat_FromDouble(v->u.f);
    case PYSHM_BOOL: return PyBool_FromLong(v->u.b);
    case PYSHM_STR: return str_from_valid_utf8(v->u.s.ptr, v->u.s.len);
    case PYSHM_BYTES: return PyBytes_FromStringAndSize(v->u.s.ptr, (Py_ssize_t)v->u.s.len);
    default: Py_RETURN_NONE;
    }
}

/* ------------------------------------------------------------------------ */
/* ShareableList                                                             */
/* ------------------------------------------------------------------------ */

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

static int not_initialised(void) {
    PyErr_SetString(PyExc_TypeError, "ShareableList is not initialised");
    return -1;
}

/* The list's handle with its memory pinned (*m, for mapping_unpin); NULL
 * with TypeError before __init__, and once its SharedMemory's buf is gone
 * (CPython's list reads through it and fails in struct then: after close(),
 * even one refused for a live view) or its own memory is closed. */
static inline pyshm_list *list_pin(ListObject *self, MappingObject **m) {
    if (self->list == NULL) {
        not_initialised();
        return NULL;
    }
    if (self->shm == NULL || self->shm->buf == Py_None) {
        PyErr_SetString(PyExc_TypeError, "the shared memory block is closed");
        return NULL;
    }
    if (mapping_pin(self->mapping) == NULL) return NULL;
    *m = self->mapping;
    return self->list;
}

/* The list's memory is closed (or was never there): TypeError, as
 * list_pin() would raise, without pinning. */
static int list_closed(ListObject *self) {
    MappingObject *m;
    if (list_pin(self, &m) == NULL) return 1;
    mapping_unpin(m);
    return 0;
}

/* Raises the library's error rc with the handle's explanation. */
static PyObject *list_raise(pyshm_list *l, int rc) {
    return pyshm_raise(rc, NULL, pyshm_list_errmsg(l));
}

/* The items of seq as values, every one checked before any block exists (a
 * bad item, KeyError or struct.error, leaves nothing behind). *items, a
 * tuple of its own that no Python code can change, keeps the objects the
 * values point into alive while Python code runs (the resource tracker). */
static pyshm_value *sequence_values(PyObject *seq, PyObject **tuple, Py_ssize_t *n) {
    int truth = seq == Py_None ? 0 : PyObject_IsTrue(seq);
    if (truth < 0) return NULL;
    *tuple = truth ? PySequence_Tuple(seq) : PyTuple_New(0);
    if (*tuple == NULL) return NULL;
    *n = PyTuple_GET_SIZE(*tuple);
    PyObject **items = PySequence_Fast_ITEMS(*tuple);
    pyshm_value *vals = PyMem_Calloc((size_t)*n + 1, sizeof *vals);
    if (vals == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < *n; i++) {
        /* CPython looks every initial item up by its exact type, so a str or
         * bytes subclass is a KeyError here (though __setitem__ takes it). */
        PyObject *o = items[i];
        if ((PyUnicode_Check(o) && !PyUnicode_CheckExact(o)) ||
            (PyBytes_Check(o) && !PyBytes_CheckExact(o))) {
            PyErr_SetObject(PyExc_KeyError, (PyObject *)Py_TYPE(o));
            goto fail;
        }
        if (to_value(o, &vals[i]) < 0) goto fail;
    }
    return vals;
fail:
    PyMem_Free(vals);
    Py_CLEAR(*tuple);
    return NULL;
}

/* Unlinks a block this list has just created and cannot use, keeping the
 * exception that says why. */
static void drop_new_block(ShmObject *shm) {
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    PyObject *r = PyObject_CallMethod((PyObject *)shm, "unlink", NULL);
    if (r == NULL) PyErr_Clear();
    Py_XDECREF(r);
    PyErr_Restore(et, ev, tb);
}

/*
 * Creates the block of the image of seq and writes it (every page reserved:
 * all are written now), or attaches the block name. Fills the three parts
 * of a list; nothing of self is touched.
 */
static int list_open(PyObject *seq, PyObject *name, int creating, pyshm_layout layout,
                     ShmObject **shm_out, pyshm_list **list_out) {
    char msg[512];
    ShmObject *shm;
    pyshm_list *list = NULL;
    if (!creating) {
        shm = shm_open_block(name, 0, 0);
        if (shm == NULL) return -1;
    } else {
        PyObject *items;
        Py_ssize_t n;
        size_t size;
        pyshm_value *vals = sequence_values(seq, &items, &n);
        if (vals == NULL) return -1;
        int rc = pyshm_list_image_size(vals, (size_t)n, layout, &size);
        shm = rc ? NULL : shm_open_block(name, 1, (long long)size);
        if (rc) pyshm_raise(rc, NULL, NULL);
        if (shm != NULL) {
            /* The tracker's register (Python code) ran since the mapping was
             * made: pin it, as every access does. */
            MappingObject *m = shm->mapping;
            void *p = m ? mapping_pin(m) : NULL;
            if (p == NULL) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "the block was closed");
                rc = -1;
            } else {
                rc = pyshm_list_encode(p, pyshm_shm_size(m->shm), vals, (size_t)n, layout);
                mapping_unpin(m);
                /* Cannot fail with a size from pyshm_list_image_size. */
                if (rc) pyshm_raise(rc, NULL, NULL);
            }
            if (rc) {
                drop_new_block(shm);
                Py_CLEAR(shm);
            }
        }
        PyMem_Free(vals);
        Py_DECREF(items);
        if (shm == NULL) return -1;
    }
    MappingObject *m = shm->mapping;
    void *p = m ? mapping_pin(m) : NULL;
    int rc = -1;
    if (p != NULL) {
        /* An attached image is read only as far as the block was written:
         * a header over never-written pages (holes) would fault them in. */
        size_t len = creating ? pyshm_shm_size(m->shm) : pyshm_shm_data_size(m->shm);
        rc = pyshm_list_wrap(p, len, layout, &list, msg, sizeof msg);
        mapping_unpin(m);
        if (rc == PYSHM_ECORRUPT && len < pyshm_shm_size(m->shm)) {
            size_t used = strlen(msg);
            snprintf(msg + used, sizeof msg - used,
                     " (an image is trusted only as far as the block's written bytes reach: "
                     "%zu of its %zu bytes; the rest are holes, never written)",
                     len, pyshm_shm_size(m->shm));
        }
        if (rc) pyshm_raise(rc, NULL, msg);
    } else if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_TypeError, "the block was closed");
    }
    if (rc) {
        if (creating) drop_new_block(shm);
        Py_DECREF(shm);
        return -1;
    }
    *shm_out = shm;
    *list_out = list;
    return 0;
}

static int list_init(ListObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"sequence", "name", "layout", NULL};
    PyObject *seq = Py_None, *name = Py_None, *layout_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$OO:ShareableList", kwlist, &seq, &name,
                                     &layout_o))
        return -1;
    int creating = name == Py_None || seq != Py_None;
    pyshm_layout layout;
    if (parse_layout(layout_o, &layout, creating) < 0) return -1;
    ShmObject *shm;
    pyshm_list *list;
    if (list_open(seq, name, creating, layout, &shm, &list) < 0) return -1;
    /* Called again (as CPython allows), the list takes the new block; the
     * old parts go only once nothing can point into them. */
    ShmObject *old_shm = self->shm;
    MappingObject *old_mapping = self->mapping;
    pyshm_list *old_list = self->list;
    Py_INCREF(shm->mapping);
    self->shm = shm;
    self->mapping = shm->mapping;
    self->list = list;
    pyshm_list_free(old_list); /* a wrapped list: frees the handle only */
    Py_XDECREF(old_mapping);
    Py_XDECREF(old_shm);
    return 0;
}

static int list_traverse(ListObject *self, visitproc visit, void *arg) {
    Py_VISIT(self->dict);
    Py_VISIT(self->shm);
    return 0;
}

/* Breaks cycles through attributes; the memory and the handle stay until
 * dealloc, so a list cleared this way still reads (or raises) safely. */
static int list_clear(ListObject *self) {
    Py_CLEAR(self->dict);
    Py_CLEAR(self->shm);
    return 0;
}

static void list_dealloc(ListObject *self) {
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL) PyObject_ClearWeakRefs((PyObject *)self);
    list_clear(self);
    pyshm_list_free(self->list);
    Py_CLEAR(self->mapping);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A Python index as int64; IndexError when it cannot be one, as CPython's
 * list indexing says. TypeError for a non-integer. May call __index__. */
static int to_index(PyObject *key, int64_t *out, const char *msg) {
    int overflow;
    long long i;
    if (PyLong_CheckExact(key)) {
        i = PyLong_AsLongLongAndOverflow(key, &overflow);
    } else {
        PyObject *idx = PyNumber_Index(key);
        if (idx == NULL) return -1;
        i = PyLong_AsLongLongAndOverflow(idx, &overflow);
        Py_DECREF(idx);
    }
    if (!overflow) {
        *out = i;
        return 0;
    }
    PyErr_SetString(PyExc_IndexError, msg);
    return -1;
}

/* Slots up to this size are copied to the stack before decoding. */
#define STACK_SLOT 512

/* Item i, decoded from a copy: another process cannot change it between
 * validation and use, and the copy outlives the pin. */
static PyObject *list_get_item(ListObject *self, int64_t i) {
    char stack[STACK_SLOT];
    char *copy = stack;
    size_t cap = sizeof stack, width = 0;
    pyshm_value v;
    MappingObject *m;
    /* CPython's order: an index out of range is IndexError even once the
     * list is closed. */
    if (self->list != NULL) {
        int64_t n = pyshm_list_len(self->list);
        if (i < -n || i >= n) {
            PyErr_SetString(PyExc_IndexError, "index out of range");
            return NULL;
        }
    }
    pyshm_list *l = list_pin(self, &m);
    if (l == NULL) return NULL;
    int rc = pyshm_list_get_copy(l, i, &v, copy, cap);
    if (rc == PYSHM_ENOBUFS && pyshm_list_slot(l, i, &cap) == 0) {
        copy = PyMem_Malloc(cap ? cap : 1);
        rc = copy ? pyshm_list_get_copy(l, i, &v, copy, cap) : PYSHM_ENOMEM;
    }
    if (rc == PYSHM_EUNICODE) {
        char fmt[9];
        if (pyshm_list_item_format(l, i, fmt) == 0) width = strtoul(fmt, NULL, 10);
    }
    mapping_unpin(m);
    PyObject *r;
    if (rc == 0) {
        r = from_value(&v);
    } else if (rc == PYSHM_EUNICODE) {
        /* CPython's own decoder on the copied bytes gives its exact
         * UnicodeDecodeError (it succeeds only if the slot changed since). */
        if (width > cap) width = cap;
        while (width > 0 && copy[width - 1] == '\0') width--;
        r = PyUnicode_DecodeUTF8(copy, (Py_ssize_t)width, "strict");
    } else if (rc == PYSHM_ENOMEM) {
        r = PyErr_NoMemory();
    } else {
        r = list_raise(l, rc);
    }
    if (copy != stack) PyMem_Free(copy);
    return r;
}

static PyObject *list_subscript(ListObject *self, PyObject *key) {
    int64_t i;
    if (to_index(key, &i, "index out of range") < 0) return NULL;
    return list_get_item(self, i);
}

static int list_ass_subscript(ListObject *self, PyObject *key, PyObject *value) {
    int64_t i;
    pyshm_value v;
    if (value == NULL) {
        /* CPython's class has no __delitem__. */
        PyErr_SetString(PyExc_AttributeError, "__delitem__");
        return -1;
    }
    if (to_index(key, &i, "assignment index out of range") < 0) return -1;
    if (self->list == NULL) return not_initialised();
    /* CPython's order: the index, the list's memory, then the value. */
    int64_t n = pyshm_list_len(self->list);
    if (i < -n || i >= n) {
        PyErr_SetString(PyExc_IndexError, "assignment index out of range");
        return -1;
    }
    if (list_closed(self) || to_value(value, &v) < 0) return -1;
    MappingObject *m;
    pyshm_list *l = list_pin(self, &m);
    if (l == NULL) return -1;
    int rc = pyshm_list_set(l, i, &v);
    mapping_unpin(m);
    if (rc) {
        list_raise(l, rc);
        return -1;
    }
    return 0;
}

static Py_ssize_t list_length(ListObject *self) {
    if (list_closed(self)) return -1;
    return (Py_ssize_t)pyshm_list_len(self->list);
}

/* sq_item serves iteration and the sequence protocol (index already
 * adjusted by Python when negative and sq_length exists). */
static PyObject *list_sq_item(ListObject *self, Py_ssize_t i) {
    return list_get_item(self, i);
}

static PyObject *list_get_format(ListObject *self, void *closure) {
    (void)closure;
    MappingObject *m;
    pyshm_list *l = list_pin(self, &m);
    if (l == NULL) return NULL;
    size_t len = 0, cap = (size_t)pyshm_list_len(l) * 8 + 1;
    char *buf = PyMem_Malloc(cap);
    int rc = buf ? pyshm_list_format(l, buf, cap, &len) : PYSHM_ENOMEM;
    mapping_unpin(m);
    PyObject *r = rc ? list_raise(l, rc) : PyUnicode_DecodeUTF8(buf, (Py_ssize_t)len, "strict");
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

static PyObject *not_found(PyObject *value) {
    PyErr_Format(PyExc_ValueError, "%R not in this container", value);
    return NULL;
}

/* count (want_index 0) or index (1) by Python's ==, item by item, as
 * CPython's loop: each item read afresh (its __eq__ may change the list). */
static PyObject *list_scan_python(ListObject *self, PyObject *value, int want_index) {
    int64_t count = 0;
    for (int64_t i = 0; self->list == NULL || i < pyshm_list_len(self->list); i++) {
        PyObject *item = list_get_item(self, i);
        if (item == NULL) return NULL;
        int eq = PyObject_RichCompareBool(value, item, Py_EQ);
        Py_DECREF(item);
        if (eq < 0) return NULL;
        if (eq && want_index) return PyLong_FromLongLong(i);
        count += eq;
    }
    return want_index ? not_found(value) : PyLong_FromLongLong(count);
}

/* count (want_index 0) or index (1): in the library for built-in values,
 * through Python's == for anything else. */
static PyObject *list_find(ListObject *self, PyObject *value, int want_index) {
    pyshm_value v;
    int64_t r;
    if (self->list == NULL || !native_comparable(value, &v))
        return list_scan_python(self, value, want_index);
    /* No item: CPython's loop never touches the memory, closed or not. */
    if (pyshm_list_len(self->list) == 0) return want_index ? not_found(value) : PyLong_FromLong(0);
    MappingObject *m;
    pyshm_list *l = list_pin(self, &m);
    if (l == NULL) return NULL;
    int rc = want_index ? pyshm_list_index(l, &v, &r) : pyshm_list_count(l, &v, &r);
    mapping_unpin(m);
    if (rc == PYSHM_ENOTFOUND) return not_found(value);
    /* An item that is not valid UTF-8: raise what CPython raises, there. */
    if (rc == PYSHM_EUNICODE) return list_scan_python(self, value, want_index);
    if (rc) return list_raise(l, rc);
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
    if (to_index(pos, &i, "Requested position out of range.") < 0) return NULL;
    MappingObject *m;
    pyshm_list *l = list_pin(self, &m);
    if (l == NULL) return NULL;
    int rc = pyshm_list_item_format(l, i, fmt);
    mapping_unpin(m);
    if (rc) return list_raise(l, rc);
    return PyUnicode_FromString(fmt);
}

static PyObject *list_reduce(ListObject *self, PyObject *unused) {
    (void)unused;
    static PyObject *partial;
    if (self->shm == NULL) {
        not_initialised();
        return NULL;
    }
    if (partial == NULL) {
        PyObject *ft = PyImport_ImportModule("functools");
        if (ft == NULL) return NULL;
        partial = PyObject_GetAttrString(ft, "partial");
        Py_DECREF(ft);
        if (partial == NULL) return NULL;
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
    PyObject *p = PyObject_Call(partial, args, kw);
    Py_DECREF(args);
    Py_DECREF(kw);
    if (p == NULL) return NULL;
    return Py_BuildValue("N()", p);
}

static PyObject *list_repr(ListObject *self) {
    if (self->shm == NULL)
        return PyUnicode_FromFormat("<%s uninitialised>", pyshm_type_name(Py_TYPE(self)));
    PyObject *items = PySequence_List((PyObject *)self);
    if (items == NULL) return NULL;
    PyObject *name = self->shm ? PyObject_GetAttrString((PyObject *)self->shm, "name") : NULL;
    if (name == NULL && !PyErr_Occurred()) not_initialised(); /* cleared meanwhile */
    PyObject *r = name ? PyUnicode_FromFormat("%s(%R, name=%R)", pyshm_type_name(Py_TYPE(self)),
                                              items, name)
                       : NULL;
    Py_DECREF(items);
    Py_XDECREF(name);
    return r;
}

static PyMethodDef list_methods[] = {
    {"count", (PyCFunction)list_count, METH_O,
     "count($self, value, /)\n--\n\nReturns the number of occurrences of value."},
    {"index", (PyCFunction)list_index, METH_O,
     "index($self, value, /)\n--\n\n"
     "Returns first index of value. Raises ValueError if the value is not present."},
    {"_get_packing_format", (PyCFunction)list_packing_format, METH_O,
     "_get_packing_format($self, position, /)\n--\n\n"
     "Gets the packing format for a single value stored in the list."},
    {"__reduce__", (PyCFunction)list_reduce, METH_NOARGS,
     "__reduce__($self, /)\n--\n\nPickles by name: unpickling attaches the list."},
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
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL},
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

PyTypeObject ListType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyshm.ShareableList",
    .tp_basicsize = sizeof(ListObject),
    .tp_dealloc = (destructor)list_dealloc,
    .tp_repr = (reprfunc)list_repr,
    .tp_as_sequence = &list_as_sequence,
    .tp_as_mapping = &list_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "ShareableList(sequence=None, *, name=None, layout=None)\n--\n\n"
              "A fixed-length list in a shared memory block, as "
              "multiprocessing.shared_memory.ShareableList. layout: None (create in this "
              "interpreter's own layout, detect it on attach), 'py39' or 'py38' (CPython 3.8).",
    .tp_traverse = (traverseproc)list_traverse,
    .tp_clear = (inquiry)list_clear,
    .tp_weaklistoffset = offsetof(ListObject, weakreflist),
    .tp_methods = list_methods,
    .tp_getset = list_getset,
    .tp_dictoffset = offsetof(ListObject, dict),
    .tp_init = (initproc)list_init,
    .tp_new = PyType_GenericNew,
};
