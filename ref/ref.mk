# The reference library, the pyshm tool and their tests.

LIB_SRCS := ref/src/error.c ref/src/utf8.c ref/src/value.c ref/src/repr.c \
            ref/src/unicode_printable.c ref/src/codec.c ref/src/list.c \
            ref/src/inspect.c ref/src/version.c ref/src/shm_posix.c ref/src/manager.c \
            ref/src/watchdog.c ref/src/watchdog_spawn.c ref/src/watchdog_image.c
LIB_HDRS := ref/include/pyshm.h $(wildcard ref/src/*.h)
CLI_SRCS := ref/cli/pyshm.c ref/cli/report.c ref/cli/held.c ref/cli/cmd_block.c \
            ref/cli/cmd_inspect.c ref/cli/cmd_list.c ref/cli/complete.c ref/cli/help.c \
            ref/cli/json.c ref/cli/hexdump.c ref/cli/literal.c ref/cli/out.c \
            ref/cli/unicode_names.c
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

# The man page, written by gen_man from the tool's own command table
# (ref/cli/help.c), the text of `pyshm help`: the two cannot drift apart.
$(BUILD)/gen_man: ref/cli/gen_man.c ref/cli/help.c ref/cli/out.c $(CLI_HDRS) $(BUILD)/libpyshm.a
	$(CC) $(ALL_CFLAGS) $(INC) -o $@ ref/cli/gen_man.c ref/cli/help.c ref/cli/out.c \
	  $(BUILD)/libpyshm.a $(LDFLAGS) -lm
$(BUILD)/pyshm.1: $(BUILD)/gen_man
	$(BUILD)/gen_man > $@.tmp && mv $@.tmp $@

# The installed tool links the installed shared library and finds it by its
# rpath, RPATH (`make install RPATH=` leaves it out, for a prefix whose lib
# directory the dynamic linker searches anyway). The tool in $(BUILD) links
# the static library, so that it runs from the build tree. utf8.o: the
# literal parser uses the library's UTF-8 decoder, which libpyshm.so does
# not export.
RPATH ?= $(PREFIX)/lib
RPATH_FLAG := -Wl,-rpath,$(RPATH)
$(BUILD)/inst/rpath: FORCE
	@mkdir -p $(dir $@)
	@echo '$(RPATH)' | cmp -s - $@ || echo '$(RPATH)' > $@
$(BUILD)/inst/pyshm: $(CLI_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/ref/src/utf8.o \
                     $(BUILD)/libpyshm.so $(BUILD)/inst/rpath
	$(CC) $(CFLAGS) -o $@ $(CLI_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/ref/src/utf8.o \
	  -L$(BUILD) -lpyshm $(if $(RPATH),$(RPATH_FLAG)) $(LDFLAGS) -lm

# Installation: header, libraries, tool, the manager's watchdog program, a
# pkg-config file, the man page and bash and zsh completion. INSTALLED is
# the list both install and uninstall go by, so uninstall removes exactly
# what install put. make install then says how programs find the library
# (ref/tools/libdir_hint.sh): as root, it refreshes the dynamic linker's
# cache when PREFIX/lib is among the directories it searches, and otherwise
# it says what to do instead of leaving a program to fail at its start.
PYSHM_VERSION := $(shell sed -n 's/^\#define PYSHM_VERSION "\(.*\)"/\1/p' ref/include/pyshm.h)
BASH_COMPLETION_DIR := share/bash-completion/completions
ZSH_COMPLETION_DIR  := share/zsh/site-functions
INSTALLED := include/pyshm.h lib/libpyshm.a lib/libpyshm.so.$(PYSHM_VERSION) lib/libpyshm.so.0 \
             lib/libpyshm.so lib/pkgconfig/pyshm.pc bin/pyshm libexec/pyshm-watchdog \
             share/man/man1/pyshm.1 $(BASH_COMPLETION_DIR)/pyshm $(ZSH_COMPLETION_DIR)/_pyshm
INSTALL_DIR := $(DESTDIR)$(PREFIX)

.PHONY: install uninstall
install: all $(BUILD)/inst/pyshm $(BUILD)/pyshm.1
	install -d $(addprefix $(INSTALL_DIR)/,include lib/pkgconfig bin libexec share/man/man1 \
	  $(BASH_COMPLETION_DIR) $(ZSH_COMPLETION_DIR))
	install -m 644 ref/include/pyshm.h $(INSTALL_DIR)/include/
	install -m 644 $(BUILD)/libpyshm.a $(INSTALL_DIR)/lib/
	install -m 755 $(BUILD)/libpyshm.so $(INSTALL_DIR)/lib/libpyshm.so.$(PYSHM_VERSION)
	ln -sf libpyshm.so.$(PYSHM_VERSION) $(INSTALL_DIR)/lib/libpyshm.so.0
	ln -sf libpyshm.so.0 $(INSTALL_DIR)/lib/libpyshm.so
	install -m 755 $(BUILD)/inst/pyshm $(INSTALL_DIR)/bin/
	install -m 755 $(BUILD)/pyshm-watchdog $(DESTDIR)$(WATCHDOG_PATH)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(PYSHM_VERSION)|g' ref/pyshm.pc.in \
	  > $(INSTALL_DIR)/lib/pkgconfig/pyshm.pc
	install -m 644 $(BUILD)/pyshm.1 $(INSTALL_DIR)/share/man/man1/
	install -m 644 ref/cli/completion/pyshm.bash $(INSTALL_DIR)/$(BASH_COMPLETION_DIR)/pyshm
	install -m 644 ref/cli/completion/_pyshm $(INSTALL_DIR)/$(ZSH_COMPLETION_DIR)/
	@$(if $(DESTDIR),:,sh ref/tools/libdir_hint.sh install '$(PREFIX)/lib' '$(RPATH)')
uninstall:
	rm -f $(addprefix $(INSTALL_DIR)/,$(INSTALLED))
	@$(if $(DESTDIR),:,sh ref/tools/libdir_hint.sh uninstall '$(PREFIX)/lib' '$(RPATH)')


# The tool as its users meet it (ref/tests/tool/test_tool.py): help and
# usage errors, --json read back and compared with CPython's values, dump
# with hexdump -C, inspect, ls --long, literal errors, the man page with
# `pyshm help`, bash and zsh completion. On Linux the tool runs under ASan
# and UBSan.
ifeq ($(shell uname -s 2>/dev/null),Linux)
TOOL_CHECK_BIN := $(BUILD)/san/pyshm
else
TOOL_CHECK_BIN := $(BUILD)/pyshm
endif
.PHONY: check-tool
check-tool: $(TOOL_CHECK_BIN) $(BUILD)/pyshm.1
	PYSHM=$(TOOL_CHECK_BIN) PYSHM_MAN=$(BUILD)/pyshm.1 $(PYTHON) ref/tests/tool/test_tool.py
CHECK_TARGETS += check-tool
$(eval $(call needs,check-tool,bsdextrautils groff-base zsh))

# make install and make uninstall into temporary prefixes, with and without
# DESTDIR: exactly the files of INSTALLED, all removed again; the installed
# tool runs by its rpath; pkg-config, `pyshm --version` and pyshm_version()
# give the header's version; the hint about the linker's path is right.
.PHONY: check-install
check-install:
	@sh ref/tests/install/check_install.sh "$(MAKE)" "$(CC)"
CHECK_TARGETS += check-install
$(eval $(call needs,check-install,pkg-config))

# README's library section, run as written: its C program (this file),
# its Python session against the name the program prints (with every
# CPython 3.9+ found), and the output README shows after Enter.
$(BUILD)/example: ref/examples/share_with_python.c $(BUILD)/libpyshm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iref/include -o $@ $< $(BUILD)/libpyshm.a
.PHONY: check-example
check-example: $(BUILD)/example
	@$(PYTHON) ref/examples/check_readme_example.py README.md ref/examples/share_with_python.c \
	  $(BUILD)/example $$($(PYTHON) ci/pythons.py --min 3.9 --one-per-minor | cut -d' ' -f2)
CHECK_TARGETS += check-example
