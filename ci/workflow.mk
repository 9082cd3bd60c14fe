# The hosted-CI workflow, linted so that it cannot drift from the Makefile:
# yamllint (settings in .yamllint) on it, on .clusterfuzzlite/project.yaml and
# on .yamllint itself, then ci/workflow_check.py: every `make TARGET` it runs
# must exist, and its Linux job must run the README's commands in a bare
# Debian container.
# Each check is also shown to fail on a broken copy of the workflow.

WORKFLOW      := .github/workflows/ci.yml
WORKFLOW_YAML := $(WORKFLOW) .clusterfuzzlite/project.yaml .yamllint
WORKFLOW_TMP  := $(BUILD)/workflow
# Debian's interpreter: the one python3-yaml (yamllint's own parser) is for.
WORKFLOW_PYTHON ?= /usr/bin/python3
WORKFLOW_CHECK   = MAKE="$(MAKE)" $(WORKFLOW_PYTHON) ci/workflow_check.py

$(eval $(call needs,check-workflow,yamllint python3-yaml))
CHECK_TARGETS += check-workflow

.PHONY: check-workflow
check-workflow:
	@mkdir -p $(WORKFLOW_TMP)
	yamllint --strict -c .yamllint $(WORKFLOW_YAML)
	@{ cat $(WORKFLOW); echo "  broken: [unclosed"; } > $(WORKFLOW_TMP)/broken.yml
	@if yamllint --strict -c .yamllint $(WORKFLOW_TMP)/broken.yml \
	      > $(WORKFLOW_TMP)/broken.log 2>&1; then \
	  echo "workflow: yamllint accepted a YAML syntax error"; exit 1; fi
	@$(WORKFLOW_CHECK) $(WORKFLOW) README.md
	@sed 's/make check-unit-equivalents/make check-unit-equivalnets/' $(WORKFLOW) \
	  > $(WORKFLOW_TMP)/misspelt.yml
	@if $(WORKFLOW_CHECK) $(WORKFLOW_TMP)/misspelt.yml README.md \
	      > $(WORKFLOW_TMP)/misspelt.log 2>&1 || \
	    ! grep -q "no make target 'check-unit-equivalnets'" $(WORKFLOW_TMP)/misspelt.log; then \
	  cat $(WORKFLOW_TMP)/misspelt.log; \
	  echo "workflow: the target check missed a misspelt target"; exit 1; fi
	@sed 's/^\(        target: \[build, \)install, /\1/' $(WORKFLOW) > $(WORKFLOW_TMP)/unfresh.yml
	@if $(WORKFLOW_CHECK) $(WORKFLOW_TMP)/unfresh.yml README.md \
	      > $(WORKFLOW_TMP)/unfresh.log 2>&1 || \
	    ! grep -q "job fresh runs .*each of DOCUMENTED_TARGETS" $(WORKFLOW_TMP)/unfresh.log; then \
	  cat $(WORKFLOW_TMP)/unfresh.log; \
	  echo "workflow: the check missed a documented target the fresh job skips"; exit 1; fi
	@sed '/^            3\.8$$/d' $(WORKFLOW) > $(WORKFLOW_TMP)/no38.yml
	@if $(WORKFLOW_CHECK) $(WORKFLOW_TMP)/no38.yml README.md > $(WORKFLOW_TMP)/no38.log 2>&1 || \
	    ! grep -q "job pythons sets up CPython" $(WORKFLOW_TMP)/no38.log; then \
	  cat $(WORKFLOW_TMP)/no38.log; \
	  echo "workflow: the check missed CPython 3.8 missing from the pythons job"; exit 1; fi
