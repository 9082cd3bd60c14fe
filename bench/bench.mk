# Benchmarks: zero-copy vs pickle handoff throughput; list operations from C
# (libpyshm) and from Python (the pyshm module) against the stdlib's
# ShareableList on every CPython found, and how their cost grows; whole
# commands (hyperfine).
#
#   make bench         full run (about a quarter of an hour): bench/results,
#                      bench/REPORT.md, the plots and README's headline block
#   make bench-quick   reduced set, under two minutes, into $(BUILD)/bench-quick
#   make bench-python  the list operations alone, again (bench/results/python),
#                      then the report and README's block from bench/results
#   make check         runs bench-quick (check-bench) so the benchmarks keep
#                      working, and check-bench-report; goals are reported,
#                      never asserted.

BENCH_BIN   := $(BUILD)/bench
BENCH_PROGS := $(BENCH_BIN)/membw $(BENCH_BIN)/handoff $(BENCH_BIN)/listops
BENCH_RUN    = $(PYTHON) bench/py/run.py --bin $(BENCH_BIN) --pyshm $(BUILD)/pyshm --cc $(CC) \
               --builds $(BUILD)/python
BENCH_DOCS   = --readme README.md --package-readme ref/python/README.md
BENCH_REPORT = $(PYTHON) bench/py/report.py --results bench/results --report bench/REPORT.md \
               $(BENCH_DOCS)

$(BENCH_PROGS): $(BENCH_BIN)/%: bench/c/%.c bench/c/common.c bench/c/common.h \
                ref/include/pyshm.h $(BUILD)/libpyshm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC) -Ibench/c -o $@ $< bench/c/common.c $(BUILD)/libpyshm.a \
	  $(LDFLAGS) -lm

.PHONY: bench bench-quick bench-python check-bench check-bench-report
bench: $(BENCH_PROGS) $(BUILD)/pyshm python
	$(BENCH_RUN) --out bench/results --report bench/REPORT.md $(BENCH_DOCS)

bench-quick: $(BENCH_PROGS) $(BUILD)/pyshm python
	$(BENCH_RUN) --quick --out $(BUILD)/bench-quick --report $(BUILD)/bench-quick/REPORT.md

# The stdlib, the pyshm module on every interpreter it is built for and
# libpyshm from C, sampled in turn, and the sweep: the part of `make bench`
# the list tables and plots come from (five minutes or so).
bench-python: python $(BENCH_BIN)/listops
	$(PYTHON) bench/py/pyshm_bench.py --builds $(BUILD)/python --out bench/results/python \
	  --c-listops $(BENCH_BIN)/listops > /dev/null
	$(BENCH_REPORT)

check-bench: bench-quick

# bench/REPORT.md, README's headline block and the Python package README's
# speed block are exactly what the report generator makes of the committed
# bench/results (no one edited a number by hand, no result came in without
# them); shown to fail on either README with the figures of a get row
# changed, and on a report with one line changed.
BENCH_CHECK_TMP := $(BUILD)/bench-check
check-bench-report:
	@$(BENCH_REPORT) --check
	@mkdir -p $(BENCH_CHECK_TMP)
	@sed '/^| .* | `pyshm_list_get()` | /y/0123456789/1234567890/' README.md \
	  > $(BENCH_CHECK_TMP)/README.md
	@sed '0,/^| /s/^| /| edited /' bench/REPORT.md > $(BENCH_CHECK_TMP)/REPORT.md
	@sed '/^| `sl\[i\]`, an int | /y/0123456789/1234567890/' ref/python/README.md \
	  > $(BENCH_CHECK_TMP)/PACKAGE.md
	@for f in README REPORT PACKAGE; do \
	  case $$f in \
	  README) a="--readme $(BENCH_CHECK_TMP)/README.md --report bench/REPORT.md";; \
	  REPORT) a="--report $(BENCH_CHECK_TMP)/REPORT.md";; \
	  PACKAGE) a="--package-readme $(BENCH_CHECK_TMP)/PACKAGE.md --report bench/REPORT.md";; \
	  esac; \
	  if $(PYTHON) bench/py/report.py --results bench/results $$a --check \
	       > $(BENCH_CHECK_TMP)/$$f.log 2>&1 || \
	     ! grep -q "$(BENCH_CHECK_TMP)/$$f.md is not what the results give" $(BENCH_CHECK_TMP)/$$f.log; \
	  then cat $(BENCH_CHECK_TMP)/$$f.log; echo "check-bench-report: missed an edited $$f"; exit 1; fi; \
	done
	@echo "check-bench-report: bench/REPORT.md, README's headline block and ref/python/README.md's" \
	  "speed block match bench/results"

CHECK_TARGETS += check-bench check-bench-report
BENCH_PACKAGES := hyperfine gnuplot-nox python3-numpy
# Each builds the pyshm module (python) for the list operations.
$(foreach t,bench bench-quick check-bench,$(eval $(call needs,$(t),$(BENCH_PACKAGES) $$(DEPS_python))))
$(eval $(call needs,bench-python,gnuplot-nox $$(DEPS_python)))
