# The conformance suite: the reference adapter, the golden-vector runner,
# and the harness that judges an implementation against every CPython found.
#   make conformance               the reference: profile cpython with its known
#                                  deviations (expectations/ref.txt), then strict
#   make conformance IMPL="cmd" [EXPECT=file] [PROFILE=strict]
#                                  any implementation, through its adapter
#   make conformance-pypy          PyPy (Debian's pypy3), expectations/pypy.txt
#   make conformance-self          every CPython found as the implementation:
#                                  each must pass its own suite, 100%
#   make conformance-matrix        all of them, as Markdown and one HTML page
#   make conformance-vectors       the vectors through the C runner, no Python
#   make conformance-regen-vectors rewrite conformance/vectors/*.vec with CPython

CONF_BUILD := $(BUILD)/conformance
CONF_HDRS  := ref/include/pyshm.h $(wildcard conformance/common/*.h)
CONF_RUN   := $(PYTHON) conformance/run.py
REF_ADAPTER := $(CONF_BUILD)/ref-adapter
CPY_ADAPTER := conformance/adapters/cpython/adapter.py
PROFILE    ?= cpython

$(CONF_BUILD)/ref-adapter: conformance/adapters/ref/adapter.c $(CONF_HDRS) $(BUILD)/libpyshm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iref/include -o $@ $< $(BUILD)/libpyshm.a $(LDFLAGS) -lm

$(CONF_BUILD)/check-vectors: conformance/vectors/check_vectors.c $(CONF_HDRS) $(BUILD)/libpyshm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iref/include -o $@ $< $(BUILD)/libpyshm.a $(LDFLAGS) -lm

.PHONY: conformance conformance-run conformance-vectors conformance-regen-vectors \
        check-conformance conformance-pypy conformance-pypy-run conformance-self \
        conformance-matrix conformance-matrix-run check-harness-mutants
# A conformance run needs only the base packages: a C compiler and python3.
# They are installed before the build starts (a second make, so that even
# `make -j` never compiles ahead of the compiler's installation).
$(eval $(call needs,conformance,))
conformance:
	@$(MAKE) --no-print-directory conformance-run
ifeq ($(IMPL),)
# The reference: exactly CPython but for its documented decisions, then
# those decisions themselves.
conformance-run: $(REF_ADAPTER)
	$(CONF_RUN) --impl $(REF_ADAPTER) --profile cpython \
	  --expect conformance/expectations/ref.txt --out $(CONF_BUILD)/cpython
	$(CONF_RUN) --impl $(REF_ADAPTER) --profile strict --out $(CONF_BUILD)/strict
else
# Another implementation: judged as it is, never credited with the
# reference's results.
conformance-run:
	$(CONF_RUN) --impl "$(IMPL)" --profile $(PROFILE) $(if $(EXPECT),--expect $(EXPECT)) \
	  --out $(CONF_BUILD)/impl
endif

# PyPy, the standing outside implementation, through the CPython adapter.
$(eval $(call needs,conformance-pypy,pypy3))
conformance-pypy:
	@$(MAKE) --no-print-directory conformance-pypy-run
conformance-pypy-run:
	$(CONF_RUN) --impl "pypy3 $(CPY_ADAPTER)" --expect conformance/expectations/pypy.txt \
	  --out $(CONF_BUILD)/pypy

# The oracle passes its own suite: every CPython as the implementation.
conformance-self:
	$(PYTHON) conformance/matrix.py --self-only --out $(CONF_BUILD)/self --work $(CONF_BUILD)/self

# Every CPython, PyPy and the reference, profiles as columns; the page is
# checked in headless Chromium and its screenshot kept with the report.
$(eval $(call needs,conformance-matrix,pypy3 chromium))
$(eval $(call needs,conformance-self,))
conformance-matrix:
	@$(MAKE) --no-print-directory conformance-matrix-run
conformance-matrix-run: $(REF_ADAPTER)
	$(PYTHON) conformance/matrix.py --ref $(REF_ADAPTER) --pypy pypy3 \
	  --out conformance/results --screenshot

conformance-vectors: $(CONF_BUILD)/check-vectors
	@$(CONF_BUILD)/check-vectors conformance/vectors > $(CONF_BUILD)/vectors.log; \
	  rc=$$?; tail -n 1 $(CONF_BUILD)/vectors.log; \
	  [ $$rc -eq 0 ] || { grep -v "^ok" $(CONF_BUILD)/vectors.log | head -20; exit $$rc; }

conformance-regen-vectors:
	$(PYTHON) conformance/vectors/generate.py --all

# Mutants of the harness itself (a case judged against the reference's
# decision instead of CPython, ...): each must make a CPython fail its own
# suite.
$(eval $(call needs,check-harness-mutants,patch))
check-harness-mutants: $(REF_ADAPTER)
	$(PYTHON) conformance/tests/test_run_cli.py
	$(PYTHON) conformance/mutants/harness/run.py

check-conformance: conformance
CHECK_TARGETS += check-conformance conformance-pypy conformance-self check-harness-mutants \
                 conformance-vectors
