/*
 * pyshm: multiprocessing.shared_memory's SharedMemory and ShareableList,
 * implemented over libpyshm. This file: the module, and the errors the
 * library's codes become.
 *
 * The classes keep the signatures, attributes and exceptions of the running
 * interpreter's multiprocessing.shared_memory, so they can replace it
 * (pyshm.install() does). They follow the reference library where CPython
 * has a defect (non-ASCII str sizing, corrupt images, failed packs, indexes
 * below -N): see README.md, "From Python".
 */
#include "module.h"

#include <errno.h>
#include <string.h>

PyObject *pyshm_struct_error;

const char *pyshm_type_name(PyTypeObject *t) {
    const char *dot = strrchr(t->tp_name, '.');
    return dot ? dot + 1 : t->tp_name;
}

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

PyObject *pyshm_raise(int rc, PyObject *filename, const char *detail) {
    const char *msg = detail && detail[0] ? detail : pyshm_strerror(rc);
    const char *cls = pyshm_err_pyexc(rc);
    if (rc == PYSHM_ENOMEM) return PyErr_NoMemory();
    if (strcmp(cls, "struct.error") == 0) {
        PyErr_SetString(pyshm_struct_error, msg);
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

static PyMethodDef module_methods[] = {
    {"install", pyshm_install, METH_NOARGS, pyshm_install_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef pyshm_module = {
    PyModuleDef_HEAD_INIT,
    "pyshm",
    "multiprocessing.shared_memory's SharedMemory and ShareableList in C, over libpyshm.\n\n"
    "pyshm.SharedMemory and pyshm.ShareableList take the place of the standard\n"
    "library's classes and read and write the same blocks; pyshm.install() makes\n"
    "multiprocessing.shared_memory (and so SharedMemoryManager) use them.",
    -1,
    module_methods,
    NULL, NULL, NULL, NULL,
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
    if (pyshm_struct_error == NULL) {
        PyObject *st = PyImport_ImportModule("struct");
        if (st == NULL) return NULL;
        pyshm_struct_error = PyObject_GetAttrString(st, "error");
        Py_DECREF(st);
        if (pyshm_struct_error == NULL) return NULL;
    }
    PyObject *m = PyModule_Create(&pyshm_module);
    if (m == NULL) return NULL;
    Py_INCREF(&ShmType);
    if (PyModule_AddObject(m, "SharedMemory", (PyObject *)&ShmType) < 0) {
        Py_DECREF(&ShmType);
        goto fail;
    }
    Py_INCREF(&ListType);
    if (PyModule_AddObject(m, "ShareableList", (PyObject *)&ListType) < 0) {
        Py_DECREF(&ListType);
        goto fail;
    }
    if (PyModule_AddStringConstant(m, "__version__", PYSHM_VERSION) < 0 ||
        PyModule_AddStringConstant(m, "library_version", PYSHM_VERSION) < 0)
        goto fail;
    PyObject *all = Py_BuildValue("[sss]", "SharedMemory", "ShareableList", "install");
    if (all == NULL) goto fail;
    if (PyModule_AddObject(m, "__all__", all) < 0) {
        Py_DECREF(all);
        goto fail;
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
