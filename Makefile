# pyshm: one entry point. Plain `make` only builds; it never installs.
#
# Each area keeps its rules in its own fragment (ref/ref.mk, conformance/
# conformance.mk, ...). A fragment adds its test target to CHECK_TARGETS and
# declares the Debian packages each of its user-facing targets needs with
#     $(eval $(call needs,TARGET,PACKAGES))
# Naming such a target on the command line (`make leakcheck`) installs its
# packages while make reads the makefiles, before any rule runs (see the end
# of this file); `make check` installs what each of CHECK_TARGETS needs.
# NO_INSTALL=1 lists what is missing and stops instead of installing.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
PYTHON   ?= python3
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS)
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The targets README documents, each promised to work as the first command
# on a fresh machine (`make check-fresh` proves it).
DOCUMENTED_TARGETS := build install uninstall conformance check fuzz leakcheck bench \
                      bench-quick bench-python cross mutation python check-python \
                      conformance-pypy conformance-self conformance-matrix

CHECK_TARGETS :=
# What every installing target needs: a C compiler with the C library's
# headers (gcc only recommends libc6-dev), and python3 for the suites and
# scripts.
BASE_PACKAGES := gcc libc6-dev make python3

# $(1): a target, $(2): the Debian packages it needs beyond BASE_PACKAGES.
# A target that runs another in a sub-make names that one's list lazily,
# as $$(DEPS_other): sub-makes never install.
define needs
DEPS_$(1) += $(2)
DEPS_TARGETS += $(1)
endef
packages_of = $(sort $(BASE_PACKAGES) $(DEPS_$(1)))

.PHONY: all check install clean FORCE
all:

include ref/ref.mk
-include ref/python/python.mk
-include conformance/conformance.mk
-include fuzz/fuzz.mk
-include ci/leak.mk
-include ci/cross.mk
-include bench/bench.mk
-include ci/mutation.mk
-include ci/workflow.mk
-include ci/cflite.mk
-include ci/fresh.mk
-include ci/docs.mk

# `make build` is plain `make` for a machine that lacks the compiler: it
# installs the base packages first.
.PHONY: build
build: all
$(eval $(call needs,build,))
$(eval $(call needs,install,))

# make check needs what each of its targets needs.
DEPS_check = $(foreach t,$(CHECK_TARGETS),$(DEPS_$(t)))
DEPS_TARGETS += check

check:
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -k $(CHECK_TARGETS) && echo "make check: all passed" || \
	  { echo "make check: FAILED"; exit 1; }

clean:
	rm -rf $(BUILD)

# `make deps` installs what make check needs, `make deps-TARGET` what TARGET
# needs; `make deps-list` prints every installing target's packages.
.PHONY: deps deps-list
deps: deps-check
deps-%:
	@NO_INSTALL='$(NO_INSTALL)' sh ci/deps.sh $(call packages_of,$*)
deps-list:
	@$(foreach t,$(sort $(DEPS_TARGETS)),echo "$(t): $(call packages_of,$(t))";)
# `make print-VAR` prints a variable (for scripts and reviews).
print-%:
	@echo '$($*)'

# Packages before anything else. The goals' packages are installed while
# make reads its makefiles: ci/deps.sh changes $(DEPS_STAMP) only when it
# installs something, and a changed makefile makes make
# start again, so that every rule and every $(shell) of the fragments sees
# the new tools. A package named only once another is present (the test
# suite of the python3 just installed) comes in the next round. Sub-makes
# and dry runs (-n) never install.
GOAL_PACKAGES := $(sort $(foreach g,$(filter $(DEPS_TARGETS),$(MAKECMDGOALS)),$(call packages_of,$(g))))
DEPS_STAMP    := $(BUILD)/.deps-installed
DRY_RUN       := $(findstring n,$(firstword -$(MAKEFLAGS)))
ifeq ($(MAKELEVEL)$(DRY_RUN),0)
ifneq ($(GOAL_PACKAGES),)
# Made here, not by its rule, so that make restarts only after an install.
$(shell [ -f $(DEPS_STAMP) ] || { mkdir -p $(dir $(DEPS_STAMP)) && : > $(DEPS_STAMP); })
include $(DEPS_STAMP)
$(DEPS_STAMP): FORCE
	@NO_INSTALL='$(NO_INSTALL)' sh ci/deps.sh --stamp $@ $(GOAL_PACKAGES)
else
# Nothing to install: a goal that compiles needs a working compiler, and
# without one make stops at once and says what to install.
NO_CC_GOALS := clean deps deps-% deps-list print-% uninstall cflite-vars check-fresh check-docs
CC_GOALS    := $(filter-out $(NO_CC_GOALS),$(or $(MAKECMDGOALS),all))
ifneq ($(CC_GOALS),)
ifneq ($(shell printf '\043include <stdio.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo ok),ok)
$(error no working C compiler ('$(CC)' cannot compile <stdio.h>): install gcc libc6-dev (as root, `make build` installs them, then builds))
endif
endif
endif
endif
