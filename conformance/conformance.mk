# The conformance suite: the reference adapter, the golden-vector runner,
# and the harness that judges an implementation against every CPython found.
#   make conformance               the reference: profile cpython with its known
#                                  deviations (expectations/ref.txt), then strict
#   make conformance IMPL="cmd" [EXPECT=file] [PROFILE=strict]
#                                  any implementation, through its adapter
#   make conformance-pypy          PyPy (Debian's pypy3), expectations/pypy.txt
#   make conformance-self          every CPython found as the implementation:
#                                  each must pass its own suite, 100%
#   make conformance-matrix        all of them, as Markdown and HTML pages
#                                  [MATRIX_BROWSER=google-chrome]
#   make check-matrix-pages        the pages, from recorded runs (in make check)
#   make conformance-vectors       the vectors through the C runner, no Python
#   make conformance-regen-vectors rewrite conformance/vectors/*.vec with CPython
#
# Exit status: make's own is 2 whenever a run fails. Scripts and CI that
# need run.py's 0 (conforms) / 1 (does not) / 2 (cannot judge) call
# conformance/run.py directly (README, "Validate your implementation").

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
        conformance-matrix conformance-matrix-run check-harness-mutants check-conformance-run \
        check-matrix-pages
# A conformance run needs only the base packages: a C compiler and python3.
# They are installed before the build starts (a second make, so that even
# `make -j` never compiles ahead of the compiler's installation).
$(eval $(call needs,conformance,))
conformance:
	@$(MAKE) --no-print-directory conformance-run
# What a passing run of the reference depends on: when none of it changed
# since the last one (CONF_STAMP), check-conformance reuses its verdict.
CONF_STAMP  := $(CONF_BUILD)/reference.passed
CONF_PEERS  := $(CONF_BUILD)/interpreters.txt
CONF_INPUTS  = $(REF_ADAPTER) $(CONF_PEERS) conformance/run.py $(wildcard conformance/harness/*.py) \
               $(CPY_ADAPTER) $(wildcard conformance/adapters/wrong/*.py) \
               conformance/expectations/ref.txt $(wildcard conformance/vectors/*.vec)
# The interpreters found, rewritten only when they change.
$(CONF_PEERS): FORCE
	@mkdir -p $(dir $@)
	@$(PYTHON) conformance/harness/discover.py > $@.new && \
	  { cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@; }

ifeq ($(IMPL),)
# The reference: exactly CPython but for its documented decisions, then
# those decisions themselves.
conformance-run: $(REF_ADAPTER) $(CONF_PEERS)
	@rm -f $(CONF_STAMP)
	$(CONF_RUN) --impl $(REF_ADAPTER) --profile cpython \
	  --expect conformance/expectations/ref.txt --out $(CONF_BUILD)/cpython
	$(CONF_RUN) --impl $(REF_ADAPTER) --profile strict --out $(CONF_BUILD)/strict
	@touch $(CONF_STAMP)
else
# Another implementation: judged as it is, never credited with the
# reference's results.
conformance-run:
	@$(CONF_RUN) --impl "$(IMPL)" --profile $(PROFILE) $(if $(EXPECT),--expect $(EXPECT)) \
	  --out $(CONF_BUILD)/impl || { rc=$$?; echo "conformance: run.py exited $$rc (0 conforms, \
	1 does not, 2 cannot judge); make exits 2 on any failure: scripts call conformance/run.py"; \
	  exit $$rc; }
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

# Every CPython, PyPy, the reference and the pyshm module (built for the
# newest CPython ref/python/interpreters.sh lists, else the system python3),
# profiles as columns: conformance/results/matrix.html and .md, a page per
# run, each page opened in a headless browser, its screenshot kept and its
# links checked. A line per run as it starts and ends.
# MATRIX_BROWSER=COMMAND uses that browser (e.g. google-chrome) instead of
# Debian's chromium, which is then not installed; DejaVu is named because
# the pages' status symbols are drawn in it (chromium pulls it in only as
# the first of several fonts fontconfig accepts).
$(eval $(call needs,conformance-matrix,pypy3 python3-dev $(if $(MATRIX_BROWSER),,chromium fonts-dejavu-core)))
$(eval $(call needs,conformance-self,))
# "LABEL PYTHON" of the interpreter the module is built for.
MATRIX_MODULE = $(shell sh ref/python/interpreters.sh | \
  awk '$$1 != "system" { x = $$0 } $$1 == "system" { s = $$0 } END { print (x != "" ? x : s) }')
conformance-matrix:
	@$(MAKE) --no-print-directory conformance-matrix-run
conformance-matrix-run: $(REF_ADAPTER)
	@$(if $(word 2,$(MATRIX_MODULE)),:,echo "conformance-matrix: no CPython found"; exit 2)
	@PYSHM_ONLY=$(word 1,$(MATRIX_MODULE)) $(MAKE) --no-print-directory python
	$(PYTHON) -u conformance/matrix.py --ref $(REF_ADAPTER) --pypy pypy3 \
	  --module "env PYTHONPATH=$(PY_DIR)/$(word 1,$(MATRIX_MODULE)) $(word 2,$(MATRIX_MODULE)) ref/python/adapter.py" \
	  --out conformance/results --screenshot $(if $(MATRIX_BROWSER),--browser "$(MATRIX_BROWSER)")

# The results pages, made from recorded runs (tests/fixtures/matrix/) in a
# second: links, cells, symbols, contrast, reprs; and that a broken
# summary.json or link fails them.
check-matrix-pages:
	@mkdir -p $(CONF_BUILD)
	@if $(PYTHON) conformance/tests/test_matrix_pages.py > $(CONF_BUILD)/matrix-pages.log 2>&1; then \
	  echo "check-matrix-pages: $$(grep '^Ran ' $(CONF_BUILD)/matrix-pages.log), OK"; \
	else cat $(CONF_BUILD)/matrix-pages.log; echo "check-matrix-pages: FAILED"; exit 1; fi

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
	$(PYTHON) conformance/tests/test_verdict.py
	$(PYTHON) conformance/mutants/harness/run.py

# make check after make conformance (as CI runs them): the reference's run
# is reused when nothing it depends on changed, and made again otherwise.
check-conformance:
	@$(MAKE) --no-print-directory check-conformance-run
check-conformance-run: $(REF_ADAPTER) $(CONF_PEERS)
	@if [ -f $(CONF_STAMP) ] && [ -z "$$(find $(CONF_INPUTS) -newer $(CONF_STAMP))" ]; then \
	  echo "check-conformance: reusing the passing run of make conformance of" \
	    "$$(date -r $(CONF_STAMP) '+%F %T') (same adapter, harness, expectations," \
	    "vectors and interpreters):"; \
	  for p in cpython strict; do head -n 1 $(CONF_BUILD)/$$p/report.md | sed 's/[*][*]//g'; done; \
	else \
	  echo "check-conformance: no passing run of make conformance for these inputs: running it"; \
	  $(MAKE) --no-print-directory conformance-run; \
	fi
CHECK_TARGETS += check-conformance conformance-pypy conformance-self check-harness-mutants \
                 conformance-vectors check-matrix-pages
