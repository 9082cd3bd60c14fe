# pyshm: one entry point. Plain `make` only builds; nothing is installed.
#
# Each area keeps its rules in its own fragment (ref/ref.mk, conformance/
# conformance.mk, ...). A fragment adds its test target to CHECK_TARGETS and
# the Debian packages it needs to DEPS_PACKAGES; `make check` runs them all.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
PYTHON   ?= python3
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS)
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

CHECK_TARGETS :=
DEPS_PACKAGES := libcunit1-dev python3

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

# Installs the Debian packages every target needs (idempotent; a no-op when
# all are present). apt-get needs root or sudo.
deps:
	@sh ci/deps.sh $(sort $(DEPS_PACKAGES))

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -k $(CHECK_TARGETS) && echo "make check: all passed" || \
	  { echo "make check: FAILED"; exit 1; }

clean:
	rm -rf $(BUILD)
