# README's promises about targets, checked against the Makefile: its table
# of documented targets lists each one with exactly the Debian packages the
# target installs (ci/docs_check.py). The check is also shown to fail on a
# copy of README whose leakcheck row forgets valgrind.
DOCS_TMP := $(BUILD)/docs
CHECK_TARGETS += check-docs
.PHONY: check-docs
check-docs:
	@$(PYTHON) ci/docs_check.py README.md
	@mkdir -p $(DOCS_TMP)
	@sed '/^| `leakcheck` /s/ valgrind | / | /' README.md > $(DOCS_TMP)/README.md
	@if $(PYTHON) ci/docs_check.py $(DOCS_TMP)/README.md > $(DOCS_TMP)/broken.log 2>&1 || \
	    ! grep -q "row 'leakcheck' names libcap2-bin libcunit1-dev, make deps-list libcap2-bin libcunit1-dev valgrind" \
	      $(DOCS_TMP)/broken.log; then \
	  cat $(DOCS_TMP)/broken.log; echo "docs: the check missed a package README forgot"; exit 1; fi
