"""The pyshm extension for pip: the module's sources and libpyshm's built
into one shared object, pyshm/__init__ (the package whose typing is
pyshm/__init__.pyi), as `make python` builds it with the library linked in.

The module is built from a copy of libpyshm's sources in libpyshm/: in the
repository, setup.py refreshes that copy from ../src and ../include first
(libpyshm/ is not tracked); an sdist carries it, so it builds on its own
anywhere.
"""
import glob
import os
import re
import shutil
import sys

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
COPY = "libpyshm"
REPO_LIBRARY = os.path.join(HERE, "..")


def used(filename):
    """The library's parts the module uses: all but the manager and the
    watchdog process it starts (manager*, watchdog*), and the backend of the
    other family of systems."""
    return not filename.startswith(("manager", "watchdog")) and filename != "shm_win32.c"


def refresh_copy():
    """In the repository: libpyshm/ becomes the library's current sources."""
    if not os.path.isfile(os.path.join(REPO_LIBRARY, "include", "pyshm.h")):
        if not os.path.isdir(os.path.join(HERE, COPY)):
            sys.exit("pyshm: libpyshm's sources are missing: build from the repository "
                     "(ref/python) or from an sdist")
        return  # an sdist: its copy is the one
    shutil.rmtree(os.path.join(HERE, COPY), ignore_errors=True)
    for sub, pattern in (("src", "*.[ch]"), ("include", "pyshm.h")):
        os.makedirs(os.path.join(HERE, COPY, sub))
        for path in glob.glob(os.path.join(REPO_LIBRARY, sub, pattern)):
            if used(os.path.basename(path)):
                shutil.copy2(path, os.path.join(HERE, COPY, sub))


def version():
    with open(os.path.join(HERE, COPY, "include", "pyshm.h"), encoding="utf-8") as f:
        return re.search(r'#define PYSHM_VERSION "([^"]+)"', f.read()).group(1)


if sys.platform == "win32":
    # The module follows CPython's POSIX behaviour (resource tracker, names
    # with '/'): README.md, "Windows".
    sys.exit("pyshm: the Python module does not build on Windows yet (README.md, 'Windows')")

refresh_copy()
setup(
    version=version(),
    ext_modules=[
        Extension(
            "pyshm.__init__",
            sources=sorted(glob.glob(os.path.join("src", "*.c")) +
                           glob.glob(os.path.join(COPY, "src", "*.c"))),
            depends=sorted(glob.glob(os.path.join("src", "*.h")) +
                           glob.glob(os.path.join(COPY, "*", "*.h"))),
            include_dirs=[os.path.join(COPY, "include"), os.path.join(COPY, "src")],
            define_macros=[("_DEFAULT_SOURCE", None)],
            extra_compile_args=["-std=c11", "-fvisibility=hidden"],
        )
    ],
)
