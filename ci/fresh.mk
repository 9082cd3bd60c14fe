# Every documented target, each as the first command in its own bare Debian
# bookworm root (ci/fresh.sh): the proof that each installs what it needs
# before anything else runs. Long (each target installs its packages from
# the mirror, then runs), so not part of make check; the hosted CI runs the
# same list, one container per target.
#
#   make check-fresh [FRESH_TARGETS="leakcheck fuzz"] [FRESH_JOBS=2]

FRESH_TARGETS ?= $(DOCUMENTED_TARGETS)
FRESH_JOBS    ?= 2

$(eval $(call needs,check-fresh,mmdebstrap))
.PHONY: check-fresh
check-fresh:
	bash ci/fresh.sh -j $(FRESH_JOBS) --out $(BUILD)/fresh $(FRESH_TARGETS)
