# The reference library, the pyshm tool and their tests.

LIB_SRCS := ref/src/error.c ref/src/utf8.c ref/src/value.c ref/src/repr.c \
            ref/src/unicode_printable.c ref/src/codec.c ref/src/list.c \
            ref/src/inspect.c ref/src/shm_posix.c ref/src/manager.c ref/src/watchdog.c \
            ref/src/watchdog_spawn.c ref/src/watchdog_image.c
LIB_HDRS := ref/include/pyshm.h $(wildcard ref/src/*.h)
CLI_SRCS := ref/cli/pyshm.c ref/cli/literal.c ref/cli/out.c ref/cli/unicode_names.c
CLI_HDRS := $(wildcard ref/cli/*.h)
TEST_SRCS := $(sort $(wildcard ref/tests/*.c))
TEST_HDRS := $(wildcard ref/tests/*.h) conformance/common/native_image.h

LIB_OBJS     := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB_PIC_OBJS := $(LIB_SRCS:%.c=$(BUILD)/pic/%.o)
INC := -Iref/include -Iref/src

all: $(BUILD)/libpyshm.a $(BUILD)/libpyshm.so $(BUILD)/pyshm $(BUILD)/pyshm-watchdog

$(BUILD)/obj/%.o: %.c $(LIB_HDRS) $(CLI_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC) -c $< -o $@
$(BUILD)/pic/%.o: %.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC) -fPIC -fvisibility=hidden -DPYSHM_BUILDING_SHARED -c $< -o $@

$(BUILD)/libpyshm.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^
# Apple's linker has no -soname; -install_name is its equivalent.
ifeq ($(shell uname -s 2>/dev/null),Darwin)
SONAME_FLAG := -Wl,-install_name,libpyshm.so.0
else
SONAME_FLAG := -Wl,-soname,libpyshm.so.0
endif
$(BUILD)/libpyshm.so: $(LIB_PIC_OBJS)
	$(CC) -shared $(SONAME_FLAG) -o $@ $^ $(LDFLAGS)

$(BUILD)/pyshm: $(CLI_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/libpyshm.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) -lm

# The manager's watchdog program, linked from the sources with only the
# code it runs (about 20 kB), for `make install` and as the image the
# library carries (ref/src/watchdog_image.c: the stripped program's bytes),
# which it runs with nothing installed. The library also looks where
# `make install` puts it, so the library is rebuilt when PREFIX changes.
WATCHDOG_PATH  := $(PREFIX)/libexec/pyshm-watchdog
WATCHDOG_SRCS  := ref/src/watchdog_main.c $(filter-out ref/src/watchdog_image.c,$(LIB_SRCS))
WATCHDOG_IMAGE := $(BUILD)/gen/watchdog_image.inc
# Only what main() reaches is linked (not the code that runs the image).
ifeq ($(shell uname -s 2>/dev/null),Darwin)
WATCHDOG_LINK := -ffunction-sections -fdata-sections -Wl,-dead_strip
else
WATCHDOG_LINK := -ffunction-sections -fdata-sections -Wl,--gc-sections
endif
$(BUILD)/pyshm-watchdog: $(WATCHDOG_SRCS) $(LIB_HDRS)
	$(CC) $(ALL_CFLAGS) $(INC) $(WATCHDOG_LINK) -o $@ $(WATCHDOG_SRCS) $(LDFLAGS) -lm
$(WATCHDOG_IMAGE): $(BUILD)/pyshm-watchdog
	@mkdir -p $(dir $@)
	strip -o $@.bin $<
	od -An -v -tx1 $@.bin | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' > $@.tmp
	@rm -f $@.bin
	@mv $@.tmp $@
$(BUILD)/watchdog-path: FORCE
	@mkdir -p $(dir $@)
	@echo '$(WATCHDOG_PATH)' | cmp -s - $@ || echo '$(WATCHDOG_PATH)' > $@
$(BUILD)/obj/ref/src/watchdog_spawn.o $(BUILD)/pic/ref/src/watchdog_spawn.o: $(BUILD)/watchdog-path
$(BUILD)/obj/ref/src/watchdog_spawn.o $(BUILD)/pic/ref/src/watchdog_spawn.o: \
  ALL_CFLAGS += -DPYSHM_WATCHDOG_PATH='"$(WATCHDOG_PATH)"'
WATCHDOG_IMAGE_OBJS := $(foreach d,obj pic python/obj,$(BUILD)/$(d)/ref/src/watchdog_image.o)
$(WATCHDOG_IMAGE_OBJS): $(WATCHDOG_IMAGE)
$(WATCHDOG_IMAGE_OBJS): ALL_CFLAGS += -DPYSHM_WATCHDOG_IMAGE='"$(abspath $(WATCHDOG_IMAGE))"'
.PHONY: FORCE
FORCE:

# Unit tests (CUnit), plain and under ASan+UBSan.
$(BUILD)/ref-tests: $(TEST_SRCS) $(TEST_HDRS) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC) -o $@ $(TEST_SRCS) $(LIB_SRCS) -lcunit -lm
$(BUILD)/san/ref-tests: $(TEST_SRCS) $(TEST_HDRS) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(INC) -o $@ $(TEST_SRCS) $(LIB_SRCS) -lcunit -lm
$(BUILD)/san/pyshm: $(CLI_SRCS) $(CLI_HDRS) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(INC) -o $@ $(CLI_SRCS) $(LIB_SRCS) -lm

.PHONY: check-unit check-unit-san check-cpython
check-unit: $(BUILD)/ref-tests
	$(BUILD)/ref-tests
check-unit-san: $(BUILD)/san/ref-tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(BUILD)/san/ref-tests
# The tool against the system's CPython, both directions, images compared.
check-cpython: $(BUILD)/pyshm $(BUILD)/san/pyshm
	PYSHM=$(BUILD)/san/pyshm $(PYTHON) ref/tests/cpython/test_cpython.py
CHECK_TARGETS += check-unit check-unit-san check-cpython
$(eval $(call needs,check-unit,libcunit1-dev))
$(eval $(call needs,check-unit-san,libcunit1-dev))

# Installation: header, libraries, tool, the manager's watchdog program and a
# pkg-config file.
.PHONY: install
install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 ref/include/pyshm.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libpyshm.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libpyshm.so $(DESTDIR)$(PREFIX)/lib/libpyshm.so.$(PYSHM_VERSION)
	ln -sf libpyshm.so.$(PYSHM_VERSION) $(DESTDIR)$(PREFIX)/lib/libpyshm.so.0
	ln -sf libpyshm.so.0 $(DESTDIR)$(PREFIX)/lib/libpyshm.so
	install -m 755 $(BUILD)/pyshm $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/libexec
	install -m 755 $(BUILD)/pyshm-watchdog $(DESTDIR)$(WATCHDOG_PATH)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(PYSHM_VERSION)|g' ref/pyshm.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pyshm.pc

PYSHM_VERSION := $(shell sed -n 's/^\#define PYSHM_VERSION "\(.*\)"/\1/p' ref/include/pyshm.h)

# The README's example compiles against the installed layout and runs.
$(BUILD)/example: ref/examples/share_with_python.c $(BUILD)/libpyshm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iref/include -o $@ $< $(BUILD)/libpyshm.a
.PHONY: check-example
check-example: $(BUILD)/example
	$(BUILD)/example | grep -q "^\['hi', b'HoWdY', -273.154, 100, None, True, 42\]$$"
	@awk '/^```c$$/{f=1;next} /^```$$/{f=0} f' README.md | diff -q - ref/examples/share_with_python.c >/dev/null \
	  || { echo "README's C example differs from ref/examples/share_with_python.c"; exit 1; }
	@echo "example: 1 passed, 0 failed"
CHECK_TARGETS += check-example
