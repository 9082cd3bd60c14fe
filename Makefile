# pyshm: one entry point. Plain `make` only builds; nothing is installed.
#
# Each area keeps its rules in its own fragment (ref/ref.mk, conformance/
# conformance.mk, ...). A fragment adds its test target to CHECK_TARGETS and
# declares the Debian packages each of its targets needs with
#     $(eval $(call needs,TARGET,PACKAGES))
# which makes TARGET install them first (through deps-TARGET) and adds them to
# DEPS_PACKAGES, the set `make deps` and `make check` install. Only the
# user-facing targets install; plain `make` never does.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
PYTHON   ?= python3
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS)
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

CHECK_TARGETS :=
# What every target needs: a C compiler with the C library's headers (gcc only
# recommends libc6-dev), and python3 for the suites and scripts.
BASE_PACKAGES := gcc libc6-dev make python3
DEPS_PACKAGES := $(BASE_PACKAGES)

# $(1): a target, $(2): the Debian packages it needs beyond BASE_PACKAGES.
define needs
DEPS_PACKAGES += $(2)
DEPS_$(1) += $(2)
DEPS_TARGETS += $(1)
$(1): deps-$(1)
endef

.PHONY: all check deps install clean
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

# Installs the Debian packages every target needs (idempotent; a no-op when
# all are present). apt-get needs root or sudo.
deps:
	@sh ci/deps.sh $(sort $(DEPS_PACKAGES))
deps-%:
	@sh ci/deps.sh $(sort $(BASE_PACKAGES) $(DEPS_$*))
# Prints what each user-facing target installs (for the README and reviews).
.PHONY: deps-list
deps-list:
	@echo "check: $(sort $(DEPS_PACKAGES))"
	@$(foreach t,$(sort $(DEPS_TARGETS)),echo "$(t): $(sort $(BASE_PACKAGES) $(DEPS_$(t)))";)

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -k $(CHECK_TARGETS) && echo "make check: all passed" || \
	  { echo "make check: FAILED"; exit 1; }

clean:
	rm -rf $(BUILD)
