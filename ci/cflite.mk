# ClusterFuzzLite's build script (.clusterfuzzlite/build.sh), proved here:
# `make check-cflite` runs it with the variables the engine sets for an
# ASan+UBSan build, then runs every target it produced for CFLITE_SECONDS
# on its seed corpus, dictionary and options, as the engine would.
#
# `make cflite-vars` is what build.sh reads: the fuzz targets, the
# project's own compile flags (language level, macros, include paths) and
# the sources every target links, all from fuzz/fuzz.mk and ref/ref.mk.

CFLITE_DIR     := $(BUILD)/cflite
CFLITE_SECONDS ?= 3
CFLITE_CFLAGS  := -O1 -fno-omit-frame-pointer -gline-tables-only \
                  -fsanitize=address,undefined -fsanitize=fuzzer-no-link
# What the engine's build environment provides to build.sh, and no more:
# none of this make's own flags or jobserver.
CFLITE_ENV = env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
             CC=clang CXX=clang++ CFLAGS='$(CFLITE_CFLAGS)' CXXFLAGS='$(CFLITE_CFLAGS)' \
             LIB_FUZZING_ENGINE=-fsanitize=fuzzer SRC=$(abspath $(CFLITE_DIR)/src) \
             WORK=$(abspath $(CFLITE_DIR)/work) OUT=$(abspath $(CFLITE_DIR)/out)

# clang++ links libFuzzer's C++ runtime against libstdc++ (clang's own
# dependency); python3 writes and reads the seed-corpus archives.
$(eval $(call needs,check-cflite,clang libclang-rt-14-dev))
CHECK_TARGETS += check-cflite

.PHONY: cflite-vars check-cflite
cflite-vars:
	@echo "targets: $(FUZZ_TARGETS)"
	@echo "cflags: $(filter-out $(WARN),$(ALL_CFLAGS)) $(FUZZ_INC)"
	@echo "sources: $(patsubst $(BUILD)/fuzz/obj-lf/%.o,%.c,$(call FUZZ_LIB_OBJS,lf))"

# The engine's layout: the project at $SRC/pyshm, build.sh started there.
check-cflite:
	@rm -rf $(CFLITE_DIR)
	@mkdir -p $(CFLITE_DIR)/src $(CFLITE_DIR)/work $(CFLITE_DIR)/out
	@ln -s $(CURDIR) $(CFLITE_DIR)/src/pyshm
	@start=$$(date +%s); \
	  cd $(CFLITE_DIR)/src/pyshm && $(CFLITE_ENV) bash .clusterfuzzlite/build.sh \
	    > $(abspath $(CFLITE_DIR))/build.log 2>&1 || \
	  { tail -n 40 $(abspath $(CFLITE_DIR))/build.log; echo "cflite: build.sh failed"; exit 1; }; \
	  echo "cflite: build.sh built $(words $(FUZZ_TARGETS)) targets in $$(( $$(date +%s) - start ))s"
	@sh ci/cflite_run.sh $(CFLITE_DIR) $(CFLITE_SECONDS) $(FUZZ_TARGETS)
