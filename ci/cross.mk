# Cross-platform checks: the library, the CUnit-free test runner (ci/xtest),
# the golden-vector runner and the pyshm tool (ci/xtest/tool.sh), built for
# other systems and run there under emulation:
#   win64   MinGW-w64, run under wine; plus two wine processes sharing a list
#   s390x   big-endian, static, run under qemu-s390x
#   i686    32-bit x86, static, runs natively
# `make cross` installs the tools and runs every target; a target that
# cannot run fails it. Nothing here needs a display or a terminal.

# The cross compilers only recommend their C libraries, so those are named.
CROSS_PACKAGES := gcc-mingw-w64-x86-64 wine wine64 gcc-s390x-linux-gnu libc6-dev-s390x-cross \
                  qemu-user gcc-i686-linux-gnu libc6-dev-i386-cross
$(eval $(call needs,cross,$(CROSS_PACKAGES)))
CHECK_TARGETS += cross

XT_DIR     := ci/xtest
# native_image.h and wire_value.h, which the runners share.
CONF_COMMON_HDRS := conformance/common/*.h
XT_SRCS    := $(XT_DIR)/main.c $(XT_DIR)/native.c $(XT_DIR)/test_codec.c \
              $(XT_DIR)/test_shm.c $(XT_DIR)/test_list.c ref/tests/golden.c
XT_HDRS    := $(wildcard $(XT_DIR)/*.h $(CONF_COMMON_HDRS)) ref/tests/golden_types.h \
              ref/tests/golden.h
XT_INC     := $(INC) -Iref/tests -I$(XT_DIR)
VEC_SRC    := $(wildcard conformance/vectors/check_vectors.c)
VEC_DIR    := conformance/vectors
CROSS      := $(BUILD)/cross

# Every library source is guarded for its platform (shm_posix.c and the
# watchdog compile to nothing on Windows), so Windows adds its backend.
WIN_LIB_SRCS := $(filter-out ref/src/shm_win32.c,$(LIB_SRCS)) ref/src/shm_win32.c

# Per target: compiler, archiver, link flags, how to run a program.
CROSS_CC_win64    := x86_64-w64-mingw32-gcc
CROSS_AR_win64    := x86_64-w64-mingw32-ar
CROSS_EXE_win64   := .exe
CROSS_LIBS_win64  := -static -lbcrypt
CROSS_SRCS_win64  := $(WIN_LIB_SRCS)
# wine keeps its state in a prefix of its own under $(BUILD); mono and gecko
# are not wanted (their installers would ask, and nothing here uses them).
WINE_ENV := WINEPREFIX=$(abspath $(CROSS))/wineprefix WINEDEBUG=-all \
            WINEDLLOVERRIDES=mscoree,mshtml= DISPLAY=
CROSS_RUN_win64   := env $(WINE_ENV) wine
CROSS_PREP_win64  := $(CROSS)/wineprefix.made
# The prefix's first start takes seconds and chatters on stderr (e.g. about
# the 32-bit loader, which nothing here needs): done once, quietly.
$(CROSS)/wineprefix.made:
	@echo "wine: making a prefix under $(CROSS) (first start only)"
	@mkdir -p $(CROSS)
	@env $(WINE_ENV) wineboot --init >$(CROSS)/wineboot.log 2>&1 || \
	  { cat $(CROSS)/wineboot.log; exit 1; }
	@touch $@
CROSS_TOOLS_win64 := x86_64-w64-mingw32-gcc wine

CROSS_CC_s390x    := s390x-linux-gnu-gcc
CROSS_AR_s390x    := s390x-linux-gnu-ar
CROSS_LIBS_s390x  := -static -lm
CROSS_SRCS_s390x  := $(LIB_SRCS)
CROSS_RUN_s390x   := qemu-s390x
CROSS_TOOLS_s390x := s390x-linux-gnu-gcc qemu-s390x

CROSS_CC_i686     := i686-linux-gnu-gcc
CROSS_AR_i686     := i686-linux-gnu-ar
CROSS_LIBS_i686   := -static -lm
CROSS_SRCS_i686   := $(LIB_SRCS)
CROSS_RUN_i686    :=
CROSS_TOOLS_i686  := i686-linux-gnu-gcc

CROSS_TARGETS := win64 s390x i686
missing_tools = $(strip $(foreach t,$(CROSS_TOOLS_$(1)),$(if $(shell command -v $(t) 2>/dev/null),,$(t))))
CROSS_READY   := $(strip $(foreach x,$(CROSS_TARGETS),$(if $(call missing_tools,$(x)),,$(x))))
CROSS_SKIPPED := $(filter-out $(CROSS_READY),$(CROSS_TARGETS))

# $(1): target. Objects, the static library, the runners, and the run rule.
define cross_target
$(CROSS)/$(1)/obj/%.o: %.c $(LIB_HDRS) $(XT_HDRS) $(CLI_HDRS)
	@mkdir -p $$(dir $$@)
	$(CROSS_CC_$(1)) $$(ALL_CFLAGS) $(XT_INC) -c $$< -o $$@
$(CROSS)/$(1)/libpyshm.a: $(CROSS_SRCS_$(1):%.c=$(CROSS)/$(1)/obj/%.o)
	@rm -f $$@
	$(CROSS_AR_$(1)) rcs $$@ $$^
$(CROSS)/$(1)/xtest$(CROSS_EXE_$(1)): $(XT_SRCS:%.c=$(CROSS)/$(1)/obj/%.o) $(CROSS)/$(1)/libpyshm.a
	$(CROSS_CC_$(1)) $$(CFLAGS) -o $$@ $$^ $(CROSS_LIBS_$(1))
$(CROSS)/$(1)/peer$(CROSS_EXE_$(1)): $(CROSS)/$(1)/obj/$(XT_DIR)/peer.o $(CROSS)/$(1)/libpyshm.a
	$(CROSS_CC_$(1)) $$(CFLAGS) -o $$@ $$^ $(CROSS_LIBS_$(1))
$(CROSS)/$(1)/check-vectors$(CROSS_EXE_$(1)): $(VEC_SRC:%.c=$(CROSS)/$(1)/obj/%.o) $(CROSS)/$(1)/libpyshm.a
	$(CROSS_CC_$(1)) $$(CFLAGS) -o $$@ $$^ $(CROSS_LIBS_$(1))
$(CROSS)/$(1)/pyshm$(CROSS_EXE_$(1)): $(CLI_SRCS:%.c=$(CROSS)/$(1)/obj/%.o) $(CROSS)/$(1)/libpyshm.a
	$(CROSS_CC_$(1)) $$(CFLAGS) -o $$@ $$^ $(CROSS_LIBS_$(1)) $(if $(filter win64,$(1)),,-lm)

.PHONY: cross-$(1)
cross-$(1): $(CROSS)/$(1)/xtest$(CROSS_EXE_$(1)) $(CROSS)/$(1)/peer$(CROSS_EXE_$(1)) \
            $(CROSS)/$(1)/pyshm$(CROSS_EXE_$(1)) \
            $(if $(VEC_SRC),$(CROSS)/$(1)/check-vectors$(CROSS_EXE_$(1))) $(CROSS_PREP_$(1))
	@echo "== cross $(1): unit runner"
	$(CROSS_RUN_$(1)) $(CROSS)/$(1)/xtest$(CROSS_EXE_$(1)) </dev/null
	@echo "== cross $(1): golden vectors"
	$(if $(VEC_SRC),$(CROSS_RUN_$(1)) $(CROSS)/$(1)/check-vectors$(CROSS_EXE_$(1)) $(VEC_DIR) </dev/null,@echo "skipped: conformance/vectors/check_vectors.c does not exist")
	@echo "== cross $(1): two processes share a list"
	sh $(XT_DIR)/two_procs.sh $(CROSS)/$(1) "$(CROSS_RUN_$(1))" $(CROSS)/$(1)/peer$(CROSS_EXE_$(1))
	@echo "== cross $(1): the tool"
	sh $(XT_DIR)/tool.sh $(CROSS)/$(1) "$(CROSS_RUN_$(1))" $(CROSS)/$(1)/pyshm$(CROSS_EXE_$(1)) \
	  $(CROSS)/$(1)/peer$(CROSS_EXE_$(1))
endef
$(foreach x,$(CROSS_TARGETS),$(eval $(call cross_target,$(x))))

# `make cross` has its tools installed before make reads this file again
# (the Makefile's `needs`). A target whose tools are still missing fails the
# run, naming them: nothing is skipped in silence.
.PHONY: cross
cross: $(addprefix cross-,$(CROSS_READY))
	@$(foreach x,$(CROSS_SKIPPED),echo "cross: $(x) cannot run: missing $(call missing_tools,$(x)) (make deps-cross installs them)";)
	@$(if $(CROSS_SKIPPED),exit 1,echo "cross: passed on $(CROSS_READY)")

# The same runners on the host itself, for systems without CUnit (the macOS
# and Windows CI jobs): built straight from the sources with $(CC).
ifeq ($(OS),Windows_NT)
HOST_EXE      := .exe
HOST_LIB_SRCS := $(WIN_LIB_SRCS)
HOST_LIBS     := -lbcrypt
else
HOST_EXE      :=
HOST_LIB_SRCS := $(LIB_SRCS)
HOST_LIBS     := -lm
endif
HOST_XT := $(BUILD)/xtest/xtest$(HOST_EXE) $(BUILD)/xtest/peer$(HOST_EXE) \
           $(BUILD)/xtest/pyshm$(HOST_EXE) \
           $(if $(VEC_SRC),$(BUILD)/xtest/check-vectors$(HOST_EXE))

$(BUILD)/xtest/xtest$(HOST_EXE): $(XT_SRCS) $(XT_HDRS) $(HOST_LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(XT_INC) -o $@ $(XT_SRCS) $(HOST_LIB_SRCS) $(HOST_LIBS)
$(BUILD)/xtest/peer$(HOST_EXE): $(XT_DIR)/peer.c $(XT_HDRS) $(HOST_LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(XT_INC) -o $@ $(XT_DIR)/peer.c $(HOST_LIB_SRCS) $(HOST_LIBS)
$(BUILD)/xtest/check-vectors$(HOST_EXE): $(VEC_SRC) $(wildcard $(CONF_COMMON_HDRS)) \
                                         $(HOST_LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(XT_INC) -o $@ $(VEC_SRC) $(HOST_LIB_SRCS) $(HOST_LIBS)

$(BUILD)/xtest/pyshm$(HOST_EXE): $(CLI_SRCS) $(CLI_HDRS) $(HOST_LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC) -o $@ $(CLI_SRCS) $(HOST_LIB_SRCS) $(HOST_LIBS)

.PHONY: check-unit-equivalents
check-unit-equivalents: $(HOST_XT)
	$(BUILD)/xtest/xtest$(HOST_EXE) </dev/null
	$(if $(VEC_SRC),$(BUILD)/xtest/check-vectors$(HOST_EXE) $(VEC_DIR) </dev/null,@echo "skipped: conformance/vectors/check_vectors.c does not exist")
	sh $(XT_DIR)/two_procs.sh $(BUILD)/xtest "" $(BUILD)/xtest/peer$(HOST_EXE)
	sh $(XT_DIR)/tool.sh $(BUILD)/xtest "" $(BUILD)/xtest/pyshm$(HOST_EXE) $(BUILD)/xtest/peer$(HOST_EXE)
