/*
 * pyshm.install(): multiprocessing.shared_memory's SharedMemory and
 * ShareableList become this module's, in this process and in the processes
 * multiprocessing starts from it, as drop-in C accelerators offer it.
 *
 * SharedMemoryManager needs nothing more: it looks both classes up in that
 * module each time it makes a block, in the client and in its server. A
 * child made by fork inherits the change. A child made by spawn or
 * forkserver is a new interpreter: it first unpickles the parent's
 * "preparation data" (multiprocessing.spawn.get_preparation_data()), so an
 * entry is added there whose unpickling installs the module in the child.
 */
#include "module.h"

const char pyshm_install_doc[] =
    "install($module, /)\n--\n\n"
    "Makes multiprocessing.shared_memory.SharedMemory and ShareableList (and so\n"
    "SharedMemoryManager) this module's classes, in this process and in every\n"
    "process multiprocessing starts from it (fork, spawn or forkserver). Code that\n"
    "imported the classes by name before the call keeps the standard library's.";

/*
 * Run in a child as it unpickles the preparation data, before that data
 * sets its sys.path: the module the parent loaded, by its file, so that
 * the child runs the same build, or else whatever `import pyshm` finds.
 */
static const char child_code[] =
    "import sys\n"
    "pyshm = sys.modules.get('pyshm')\n"
    "if pyshm is None:\n"
    "    try:\n"
    "        from importlib import util\n"
    "        spec = util.spec_from_file_location('pyshm', path)\n"
    "        pyshm = util.module_from_spec(spec)\n"
    "        spec.loader.exec_module(pyshm)\n"
    "        sys.modules['pyshm'] = pyshm\n"
    "    except (ImportError, OSError, AttributeError):\n"
    "        import pyshm\n"
    "pyshm.install()\n";

/* The preparation data's entry: pickles as a call that runs child_code. */
typedef struct {
    PyObject_HEAD
    PyObject *path; /* the parent's pyshm.__file__ */
} InstallerObject;

static void installer_dealloc(InstallerObject *self) {
    Py_XDECREF(self->path);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *installer_reduce(InstallerObject *self, PyObject *unused) {
    (void)unused;
    PyObject *exec = PyDict_GetItemString(PyEval_GetBuiltins(), "exec"); /* borrowed */
    if (exec == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "no builtin exec");
        return NULL;
    }
    return Py_BuildValue("O(s{sO})", exec, child_code, "path", self->path);
}

static PyMethodDef installer_methods[] = {
    {"__reduce__", (PyCFunction)installer_reduce, METH_NOARGS,
     "__reduce__($self, /)\n--\n\nUnpickling installs pyshm in the unpickling process."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject InstallerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyshm._ChildInstaller",
    .tp_basicsize = sizeof(InstallerObject),
    .tp_dealloc = (destructor)installer_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Installs pyshm in a child process started by spawn or forkserver.",
    .tp_methods = installer_methods,
};

static PyObject *original_preparation_data; /* multiprocessing.spawn's own */
static PyObject *installer;                  /* the entry added to its result */

/* multiprocessing.spawn.get_preparation_data(name), with the entry. */
static PyObject *preparation_data(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    PyObject *data = PyObject_Call(original_preparation_data, args, kwds);
    if (data != NULL && PyDict_Check(data) &&
        PyDict_SetItemString(data, "pyshm.install", installer) < 0)
        Py_CLEAR(data);
    return data;
}

static PyMethodDef preparation_data_def = {
    "get_preparation_data", (PyCFunction)(void (*)(void))preparation_data,
    METH_VARARGS | METH_KEYWORDS,
    "get_preparation_data(name)\n--\n\n"
    "multiprocessing.spawn's, with an entry that installs pyshm in the child."};

/* Wraps multiprocessing.spawn.get_preparation_data, once in a process
 * (wrapping a wrapper of it again would make the two call each other). */
static int hook_spawn(PyObject *module) {
    if (original_preparation_data != NULL) return 0;
    PyObject *spawn = PyImport_ImportModule("multiprocessing.spawn");
    if (spawn == NULL) return -1;
    PyObject *current = PyObject_GetAttrString(spawn, "get_preparation_data");
    PyObject *wrapper = NULL;
    int rc = -1;
    if (current == NULL) {
        /* Another Python's multiprocessing: children install by themselves. */
        PyErr_Clear();
        rc = 0;
        goto done;
    }
    if (installer == NULL) {
        PyObject *path = PyModule_GetFilenameObject(module);
        if (path == NULL) goto done;
        if (PyType_Ready(&InstallerType) < 0) {
            Py_DECREF(path);
            goto done;
        }
        InstallerObject *inst = PyObject_New(InstallerObject, &InstallerType);
        if (inst == NULL) {
            Py_DECREF(path);
            goto done;
        }
        inst->path = path;
        installer = (PyObject *)inst;
    }
    wrapper = PyCFunction_New(&preparation_data_def, NULL);
    if (wrapper == NULL) goto done;
    rc = PyObject_SetAttrString(spawn, "get_preparation_data", wrapper);
    if (rc == 0) {
        original_preparation_data = current;
        current = NULL;
    }
done:
    Py_XDECREF(wrapper);
    Py_XDECREF(current);
    Py_DECREF(spawn);
    return rc;
}

PyObject *pyshm_install(PyObject *module, PyObject *unused) {
    (void)unused;
    PyObject *sm = PyImport_ImportModule("multiprocessing.shared_memory");
    if (sm == NULL) return NULL;
    int rc = PyObject_SetAttrString(sm, "SharedMemory", (PyObject *)&ShmType);
    if (rc == 0) rc = PyObject_SetAttrString(sm, "ShareableList", (PyObject *)&ListType);
    Py_DECREF(sm);
    if (rc < 0 || hook_spawn(module) < 0) return NULL;
    Py_RETURN_NONE;
}
