# The pyshm CPython extension module (ref/python/), built for every
# interpreter found: pyenv's 3.8-3.13 and the system python3.
#
#   make python        build/python/<X.Y>/pyshm*.so (system: build/python/system/)
#   make check-python  CPython's own shared-memory tests against the module,
#                      the module's tests and the README example, on each
#   make conformance-python  the conformance suite with ref/python/adapter.py
#                      (the CPython adapter, pyshm swapped in) as the
#                      implementation on each interpreter, every one a peer;
#                      profiles strict and cpython with expectations-*.txt
#   make check-python-san  the same on one interpreter (PY_SAN_LABEL: 3.12, or
#                      the system python3), module and library built with ASan+UBSan

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

.PHONY: python check-python check-python-san conformance-python
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
	  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 PYSHM_STRESS_ROUNDS=5000 \
	  sh ref/python/check.sh $(PY_SAN_BUILD)/python $(PY_SAN_LABEL)

conformance-python: python
	@sh ref/python/conformance.sh $(PYTHON) $(PY_DIR)

CHECK_TARGETS += check-python check-python-san
# Building needs the headers (python3-dev); CPython's own shared-memory
# tests come in the test package Debian ships apart, named after the system
# python3's version (/usr/bin/python3 -> python3.X).
PY_SYS_NAME := $(notdir $(shell readlink /usr/bin/python3 2>/dev/null))
PY_TESTSUITE := $(if $(filter python3.%,$(PY_SYS_NAME)),lib$(PY_SYS_NAME)-testsuite)
$(foreach t,python conformance-python,$(eval $(call needs,$(t),python3-dev)))
$(foreach t,check-python check-python-san,$(eval $(call needs,$(t),python3-dev $(PY_TESTSUITE))))
