# The pyshm CPython extension module (ref/python/), built for every
# interpreter found: pyenv's 3.8-3.13 and the system python3.
#
#   make python        build/python/<X.Y>/pyshm*.so (system: build/python/system/)
#   make check-python  on each: CPython's own shared-memory tests through
#                      pyshm.install() (children by fork and by spawn), the
#                      module's tests, the differential against the stdlib,
#                      the crash reproductions and stress test, install(),
#                      the READMEs' examples
#   make check-python-san  the same on one interpreter (PY_SAN_LABEL: 3.12, or
#                      the system python3), module and library built with
#                      ASan+UBSan, the stress test with 5,000 rounds
#   make check-python-package  sdist and wheel built offline with the system
#                      python3's pip, setuptools, wheel and build, checked,
#                      rebuilt from the sdist alone, installed into a fresh
#                      venv and tested there
#   make conformance-python  the conformance suite with ref/python/adapter.py
#                      (the CPython adapter, pyshm swapped in) as the
#                      implementation on each interpreter, every one a peer;
#                      profiles strict and cpython with expectations-*.txt
#
# Files: src/ the module (module.c: the module and errors; shared_memory.c:
# _Mapping and SharedMemory; shareable_list.c: ShareableList; install.c:
# pyshm.install(); module.h: the objects and the rule every access to the
# memory follows). pyshm/__init__.pyi and py.typed: its typing. setup.py,
# pyproject.toml, MANIFEST.in, LICENSE: the pip package (README.md is its
# description); package.sh and package_check.py check it. interpreters.sh,
# build.sh, check.sh: find the interpreters, build and test for each.
# tests/: run_cpython_tests.py (CPython's _TestSharedMemory, skips in
# cpython_skips.txt), test_pyshm.py, test_differential.py,
# test_memory_safety.py (with stress_close.py), test_install.py,
# test_readme_example.py. adapter.py: the conformance adapter.

PY_DIR      := $(BUILD)/python
PY_LIB_OBJS := $(LIB_SRCS:%.c=$(PY_DIR)/obj/%.o)
PY_LIB      := $(PY_DIR)/libpyshm-pic.a

# The library goes into the extension as position-independent objects with
# hidden symbols: the module exports PyInit_pyshm alone.
$(PY_DIR)/obj/%.o: %.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC) -fPIC -fvisibility=hidden -c $< -o $@
$(PY_LIB): $(PY_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

.PHONY: python check-python check-python-san check-python-package conformance-python
python: $(PY_LIB)
	@sh ref/python/build.sh $(PY_DIR) $(PY_LIB) $(CC) $(WARN) $(CFLAGS)

check-python: python
	@sh ref/python/check.sh $(PY_DIR)

# Python itself is not built with ASan, so its runtime is preloaded; leaks
# are not checked (the interpreter keeps memory until exit by design). A
# huge allocation is MemoryError, as without ASan (the differential makes
# CPython's ShareableList allocate for a corrupt N).
PY_SAN_BUILD := $(BUILD)/python-san
# 3.12 where pyenv has it, else the system python3 (a machine with Debian's only).
PY_SAN_LABEL ?= $(or $(shell sh ref/python/interpreters.sh | awk '$$1 == "3.12" {print $$1}'),system)
check-python-san:
	@PYSHM_ONLY=$(PY_SAN_LABEL) $(MAKE) --no-print-directory python BUILD=$(PY_SAN_BUILD) \
	  CC=gcc CFLAGS="$(SAN_FLAGS)"
	@LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)" \
	  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  PYSHM_STRESS_ROUNDS=5000 sh ref/python/check.sh $(PY_SAN_BUILD)/python $(PY_SAN_LABEL)

# Debian's own python3 is the one whose pip, setuptools, wheel and build
# the packages below provide.
PY_PACKAGE_PYTHON ?= /usr/bin/python3
check-python-package:
	@sh ref/python/package.sh $(PY_PACKAGE_PYTHON) $(abspath $(BUILD))/python-package

conformance-python: python
	@sh ref/python/conformance.sh $(PYTHON) $(PY_DIR)

CHECK_TARGETS += check-python check-python-san check-python-package
# Building needs the headers (python3-dev); CPython's own shared-memory
# tests come in the test package Debian ships apart, named after the system
# python3's version (/usr/bin/python3 -> python3.X); the package check
# builds with the system's packaging tools and installs into a venv.
PY_SYS_NAME := $(notdir $(shell readlink /usr/bin/python3 2>/dev/null))
PY_TESTSUITE := $(if $(filter python3.%,$(PY_SYS_NAME)),lib$(PY_SYS_NAME)-testsuite)
$(foreach t,python conformance-python,$(eval $(call needs,$(t),python3-dev)))
$(foreach t,check-python check-python-san,$(eval $(call needs,$(t),python3-dev $(PY_TESTSUITE))))
$(eval $(call needs,check-python-package,python3-dev python3-build python3-pip \
  python3-setuptools python3-venv python3-wheel))
