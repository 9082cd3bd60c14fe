# The extension's build for pip: the module and the library's sources in one
# shared object (the library linked in statically, as `make python` does).
import glob
import os

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
ref = os.path.relpath(os.path.join(here, ".."), here)
# POSIX only (shm_win32.c is the Windows block; this build is not set up for it).
lib = sorted(p for p in glob.glob(os.path.join(ref, "src", "*.c")) if not p.endswith("shm_win32.c"))

setup(
    ext_modules=[
        Extension(
            "pyshm",
            sources=["pyshmmodule.c"] + lib,
            include_dirs=[os.path.join(ref, "include"), os.path.join(ref, "src")],
            define_macros=[("_DEFAULT_SOURCE", None)],
            extra_compile_args=["-std=c11", "-fvisibility=hidden"],
        )
    ],
)
