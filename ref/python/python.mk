# The pyshm CPython extension module (ref/python/), built for every
# interpreter found: pyenv's 3.8-3.13 and the system python3.
#
#   make python        build/python/<X.Y>/pyshm*.so (system: build/python/system/)
#   make check-python  CPython's own shared-memory tests against the module,
#                      the module's tests and the README example, on each

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

.PHONY: python check-python
python: $(PY_LIB)
	@sh ref/python/build.sh $(PY_DIR) $(PY_LIB) $(CC) $(WARN) $(CFLAGS)

check-python: python
	@sh ref/python/check.sh $(PY_DIR)

CHECK_TARGETS += check-python
DEPS_PACKAGES += python3-dev
