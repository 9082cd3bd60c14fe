# Benchmarks: zero-copy vs pickle handoff throughput, list-operation speed
# (libpyshm vs every CPython found), whole-command timings (hyperfine).
#
#   make bench         full run: bench/results/*.json, bench/REPORT.md and
#                      bench/results/throughput.svg (takes several minutes)
#   make bench-quick   reduced set, under two minutes, into $(BUILD)/bench-quick
#   make check         runs bench-quick (check-bench) so the benchmarks keep
#                      working; goals are reported, never asserted.

BENCH_BIN   := $(BUILD)/bench
BENCH_PROGS := $(BENCH_BIN)/membw $(BENCH_BIN)/handoff $(BENCH_BIN)/listops
BENCH_RUN    = $(PYTHON) bench/py/run.py --bin $(BENCH_BIN) --pyshm $(BUILD)/pyshm --cc $(CC)

$(BENCH_PROGS): $(BENCH_BIN)/%: bench/c/%.c bench/c/common.c bench/c/common.h \
                ref/include/pyshm.h $(BUILD)/libpyshm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC) -Ibench/c -o $@ $< bench/c/common.c $(BUILD)/libpyshm.a \
	  $(LDFLAGS) -lm

.PHONY: bench bench-quick check-bench
bench: $(BENCH_PROGS) $(BUILD)/pyshm
	$(BENCH_RUN) --out bench/results --report bench/REPORT.md
	@$(MAKE) --no-print-directory bench-python

bench-quick: $(BENCH_PROGS) $(BUILD)/pyshm
	$(BENCH_RUN) --quick --out $(BUILD)/bench-quick --report $(BUILD)/bench-quick/REPORT.md

# The pyshm extension module beside the stdlib on every interpreter it is
# built for: bench/results/python/*.json and its section of bench/REPORT.md.
# `make bench` runs it after the main report (which rewrites the file);
# `make bench-python` alone takes two to three minutes.
.PHONY: bench-python
bench-python: python
	$(PYTHON) bench/py/pyshm_bench.py --builds $(BUILD)/python --out bench/results/python \
	  --report bench/REPORT.md

check-bench: bench-quick

CHECK_TARGETS += check-bench
$(foreach t,bench-quick check-bench,$(eval $(call needs,$(t),hyperfine gnuplot-nox)))
# `make bench` ends with bench-python, which builds the module.
$(eval $(call needs,bench,hyperfine gnuplot-nox $$(DEPS_python)))
$(eval $(call needs,bench-python,$$(DEPS_python)))
