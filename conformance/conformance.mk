# The conformance suite: the reference adapter, the golden-vector runner,
# and the harness that plays them against every CPython found.
#   make conformance                      everything (PYTHONS="..." IMPL="cmd" override)
#   make conformance-vectors              the vectors only, no Python needed
#   make conformance-regen-vectors        rewrite conformance/vectors/*.vec with CPython

CONF_BUILD := $(BUILD)/conformance
CONF_HDRS  := ref/include/pyshm.h $(wildcard conformance/common/*.h)

$(CONF_BUILD)/ref-adapter: conformance/adapters/ref/adapter.c $(CONF_HDRS) $(BUILD)/libpyshm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iref/include -o $@ $< $(BUILD)/libpyshm.a $(LDFLAGS) -lm

$(CONF_BUILD)/check-vectors: conformance/vectors/check_vectors.c $(CONF_HDRS) $(BUILD)/libpyshm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iref/include -o $@ $< $(BUILD)/libpyshm.a $(LDFLAGS) -lm

.PHONY: conformance conformance-run conformance-vectors conformance-regen-vectors check-conformance
# A conformance run needs only the base packages: a C compiler and python3.
# They are installed before the build starts (a second make, so that even
# `make -j` never compiles ahead of the compiler's installation).
$(eval $(call needs,conformance,))
conformance:
	@$(MAKE) --no-print-directory conformance-run
conformance-run: $(CONF_BUILD)/ref-adapter $(CONF_BUILD)/check-vectors
	$(PYTHON) conformance/run.py --impl "$(if $(IMPL),$(IMPL),$(CONF_BUILD)/ref-adapter)" \
	  --vectors-runner $(CONF_BUILD)/check-vectors --out $(CONF_BUILD)

conformance-vectors: $(CONF_BUILD)/check-vectors
	@$(CONF_BUILD)/check-vectors conformance/vectors > $(CONF_BUILD)/vectors.log; \
	  rc=$$?; tail -n 1 $(CONF_BUILD)/vectors.log; \
	  [ $$rc -eq 0 ] || { grep -v "^ok" $(CONF_BUILD)/vectors.log | head -20; exit $$rc; }

conformance-regen-vectors:
	$(PYTHON) conformance/vectors/generate.py --all

check-conformance: conformance
CHECK_TARGETS += check-conformance
