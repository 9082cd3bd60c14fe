# Mutation testing: each conformance/mutants/NN-name.patch is a realistic
# porting mistake in ref/src; `make mutation` builds every mutant in a copy
# of the tree under $(BUILD)/mutation and runs the checks below, cheapest
# first, until one fails. A surviving mutant means a missing test.
# Too long for `make check`, which only verifies that every patch applies.
#
#   make mutation                      all mutants, MUTATION_JOBS at a time;
#                                      the score goes to conformance/MUTATION.md
#   make mutation MUTATION_ONLY=07,12  just those (report under $(BUILD)/mutation,
#                                      as with MUTATION_CHECKS overridden)

MUTATION_JOBS ?= 2
MUTATION_ONLY ?=
# "label|make targets and VAR=value words|command", run in the copy with
# BUILD=build, in order of their cost. {py38} is a CPython 3.8 found at run
# time (or nothing). The conformance suite, against the system python3 and
# 3.8, costs less than check-cpython and its sanitizer build.
MUTATION_CHECKS ?= \
  'unit|check-unit' \
  'vectors|build/conformance/check-vectors|build/conformance/check-vectors conformance/vectors' \
  'conformance|conformance "PYTHONS=python3 {py38}"' \
  'cpython|check-cpython' \
  'fuzz-replay|check-fuzz-regressions' \
  'leak|leakcheck'

# Only a full run with the usual checks is the score of record.
MUTATION_REPORT = $(if $(MUTATION_ONLY)$(filter-out file,$(origin MUTATION_CHECKS)),$(BUILD)/mutation/MUTATION.md,conformance/MUTATION.md)

.PHONY: mutation check-mutants
# Its checks include the unit tests and leakcheck.
$(eval $(call needs,mutation,patch $$(DEPS_check-unit) $$(DEPS_leakcheck)))
$(eval $(call needs,check-mutants,patch))
mutation:
	$(PYTHON) conformance/mutants/run.py --work $(BUILD)/mutation --jobs $(MUTATION_JOBS) \
	  --cc "$(CC)" --cflags "$(ALL_CFLAGS) $(INC)" \
	  $(if $(MUTATION_ONLY),--only $(MUTATION_ONLY)) --report $(MUTATION_REPORT) $(MUTATION_CHECKS)

# Rotten patches (ref/src changed under them) are caught by `make check`.
check-mutants:
	@CC="$(CC)" CFLAGS="$(ALL_CFLAGS) $(INC)" sh conformance/mutants/selftest.sh
CHECK_TARGETS += check-mutants
