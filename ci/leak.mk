# Leaks and crashes: nothing a program does with pyshm may leave memory,
# descriptors, mappings or names behind.
#
#   make leakcheck   memcheck over the unit tests, the lifecycle driver
#                    (every close/unlink ordering of up to three handles in
#                    two processes, with reference and CPython peers) and
#                    the manager's tests; the manager's tests again under
#                    ASan+UBSan (with a watchdog program built with them, so
#                    that its code runs under the sanitizers too), built for
#                    non-Linux POSIX, natively with the heavy cases (a 512
#                    MiB owner, the descriptor limit, 50,000 names), and
#                    without the watchdog image, finding the program beside
#                    them; CPython's resource tracker against
#                    reference-created blocks
#   make soak        SOAK_N manager owners SIGKILLed at random moments:
#                    every name must be gone within 1 s
#   make manager-bench  what a manager costs and how it holds up: the
#                    watchdog of a 512 MiB owner, 500 hostile connections,
#                    a trickled request (figures only)
#
# `make check` runs leakcheck and a soak of SOAK_CHECK_N kills.

# The unit tests run under memcheck too, so CUnit comes with valgrind;
# setcap gives a copy of the manager's test a file capability.
$(eval $(call needs,leakcheck,valgrind libcunit1-dev libcap2-bin))
CHECK_TARGETS += leakcheck soak-check

SOAK_N       ?= 500
SOAK_CHECK_N ?= 50
LEAK_DIR     := $(BUILD)/leak

# CPython interpreters: every one found (ci/pythons.py) for the tracker
# cases, and the newest of 3.13 or later (track=False exists there) as a
# lifecycle peer. Looked up only by the rules that use them, once each.
LEAK_PYTHONS ?= $(eval LEAK_PYTHONS := $$(shell $(PYTHON) ci/pythons.py | cut -d' ' -f2))$(LEAK_PYTHONS)
LEAK_PY313   ?= $(eval LEAK_PY313 := $$(lastword $$(shell $(PYTHON) ci/pythons.py --min 3.13)))$(LEAK_PY313)
LEAK_PEERS    = ref "$(PYTHON) ci/leak/peer.py" \
                $(if $(LEAK_PY313),"$(LEAK_PY313) ci/leak/peer.py")

LEAK_CFLAGS := $(ALL_CFLAGS) $(INC)
# Each program is its own source, the helpers they share and the library.
LEAK_SRCS   := ci/leak/util.c ci/leak/mgr_raw.c $(LIB_SRCS)
LEAK_DEPS   := $(LEAK_SRCS) ci/leak/util.h ci/leak/mgr_raw.h $(LIB_HDRS)

# The manager's programs are built as if nothing were installed (the
# installed program's path names nothing). Most carry the watchdog image,
# as the library does: executed from memory, or, built for non-Linux POSIX,
# from a file. The sanitizer build carries none and runs a watchdog program
# built with the sanitizers from the installed path; the search build
# carries none and finds the program beside itself.
LEAK_IMAGED := $(LEAK_DIR)/manager_test $(LEAK_DIR)/portable/manager_test $(LEAK_DIR)/soak \
               $(LEAK_DIR)/manager_bench
$(LEAK_IMAGED): $(WATCHDOG_IMAGE)
$(LEAK_IMAGED): LEAK_CFLAGS += -DPYSHM_WATCHDOG_IMAGE='"$(abspath $(WATCHDOG_IMAGE))"'
$(LEAK_IMAGED) $(LEAK_DIR)/search/bin/manager_test: \
  LEAK_CFLAGS += -DPYSHM_WATCHDOG_PATH='"/nonexistent/pyshm-watchdog"'
LEAK_SAN_WATCHDOG := $(abspath $(LEAK_DIR))/san/pyshm-watchdog
$(LEAK_DIR)/san/manager_test: LEAK_CFLAGS += -DPYSHM_WATCHDOG_PATH='"$(LEAK_SAN_WATCHDOG)"'

$(LEAK_DIR)/%: ci/leak/%.c $(LEAK_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LEAK_CFLAGS) -o $@ $< $(LEAK_SRCS) -lm
# The manager as on POSIX systems without Linux's abstract sockets and pidfds.
$(LEAK_DIR)/portable/manager_test: ci/leak/manager_test.c $(LEAK_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LEAK_CFLAGS) -DPYSHM_MANAGER_PORTABLE -o $@ $< $(LEAK_SRCS) -lm
$(LEAK_DIR)/san/manager_test: ci/leak/manager_test.c $(LEAK_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LEAK_CFLAGS) $(SAN_FLAGS) -o $@ $< $(LEAK_SRCS) -lm
$(LEAK_DIR)/san/pyshm-watchdog: $(WATCHDOG_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC) $(SAN_FLAGS) $(WATCHDOG_LINK) -o $@ $(WATCHDOG_SRCS) -lm
$(LEAK_DIR)/search/bin/manager_test: ci/leak/manager_test.c $(LEAK_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LEAK_CFLAGS) -o $@ $< $(LEAK_SRCS) -lm
$(LEAK_DIR)/search/bin/pyshm-watchdog: $(BUILD)/pyshm-watchdog
	@mkdir -p $(dir $@)
	cp $< $@

.PHONY: leakcheck soak soak-check
leakcheck: $(BUILD)/ref-tests $(BUILD)/pyshm $(LEAK_DIR)/lifecycle $(LEAK_DIR)/manager_test \
           $(LEAK_DIR)/portable/manager_test $(LEAK_DIR)/san/manager_test \
           $(LEAK_DIR)/san/pyshm-watchdog $(LEAK_DIR)/search/bin/manager_test \
           $(LEAK_DIR)/search/bin/pyshm-watchdog
	@echo "leakcheck: unit tests under memcheck"
	@sh ci/leak/vg.sh $(LEAK_DIR)/vg-unit $(BUILD)/ref-tests
	@echo "leakcheck: lifecycle under memcheck"
	@sh ci/leak/vg.sh $(LEAK_DIR)/vg-lifecycle $(LEAK_DIR)/lifecycle $(LEAK_PEERS)
	@echo "leakcheck: manager under memcheck, ASan+UBSan, portable, heavy, and without its image"
	@sh ci/leak/vg.sh $(LEAK_DIR)/vg-manager $(LEAK_DIR)/manager_test
	@ASAN_OPTIONS=detect_leaks=1 $(LEAK_DIR)/san/manager_test
	@$(LEAK_DIR)/portable/manager_test
	@$(LEAK_DIR)/manager_test --heavy
	@$(LEAK_DIR)/search/bin/manager_test --search
	@echo "leakcheck: CPython's resource tracker"
	@$(PYTHON) ci/leak/tracker.py $(BUILD)/pyshm $(PYTHON) $(LEAK_PYTHONS) > $(LEAK_DIR)/tracker.log; \
	  rc=$$?; tail -n 1 $(LEAK_DIR)/tracker.log; \
	  [ $$rc -eq 0 ] || { cat $(LEAK_DIR)/tracker.log; exit $$rc; }
	@echo "leakcheck: passed"

# The owners, and the tool, run the watchdog image their library carries.
soak: $(LEAK_DIR)/soak $(BUILD)/pyshm
	$(LEAK_DIR)/soak -n $(SOAK_N) --cli $(BUILD)/pyshm
soak-check: $(LEAK_DIR)/soak $(BUILD)/pyshm
	$(LEAK_DIR)/soak -n $(SOAK_CHECK_N) --cli $(BUILD)/pyshm

.PHONY: manager-bench
manager-bench: $(LEAK_DIR)/manager_bench
	$(LEAK_DIR)/manager_bench
