# Fuzzing the ShareableList codec: libFuzzer targets (also built with a
# plain main() for replay and for AFL++), the hostile-writer test, and the
# differential replay against CPython's own decoder.
#
#   make fuzz          every target for FUZZ_SECONDS, then the differential replay
#   make fuzz-afl      the AFL++ build of FUZZ_AFL_TARGET for FUZZ_SECONDS
#   make check-fuzz    (part of make check) a short run of each target, the
#                      regression replay and the hostile-writer test

FUZZ_CC            ?= clang
AFL_CC             ?= afl-clang-fast
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 10
HOSTILE_SECONDS    ?= 5
FUZZ_AFL_TARGET    ?= decode

FUZZ_TARGETS := decode roundtrip ops literal
# The tool's literal parser (the literal target) is linked with the rest.
FUZZ_COMMON  := fuzz/check.c fuzz/gen.c fuzz/list_check.c fuzz/model.c fuzz/pyeq.c \
                fuzz/utf8_check.c ref/cli/literal.c ref/cli/out.c ref/cli/unicode_names.c
FUZZ_HDRS    := $(wildcard fuzz/*.h)
FUZZ_INC     := $(INC) -Ifuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

FUZZ_LIBFUZZER := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/libfuzzer/%)
FUZZ_REPLAY    := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay/%)
FUZZ_AFL       := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/afl/%)

# clang with its sanitizer and libFuzzer runtimes; AFL++ for fuzz-afl.
FUZZ_PACKAGES := clang libclang-rt-14-dev
$(foreach t,fuzz fuzz-build check-fuzz,$(eval $(call needs,$(t),$(FUZZ_PACKAGES))))
$(eval $(call needs,fuzz-afl,$(FUZZ_PACKAGES) afl++))

# Each source is compiled once per flavour and the binaries share the
# objects, which keeps `make check` fast:
#   lf   clang, libFuzzer coverage + ASan + UBSan
#   san  the project's compiler + ASan + UBSan (replay, hostile, ref-decode)
#   afl  afl-clang-fast + ASan + UBSan
FUZZ_OBJ_HDRS := $(FUZZ_HDRS) $(LIB_HDRS)
$(BUILD)/fuzz/obj-lf/%.o: %.c $(FUZZ_OBJ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(FUZZ_INC) -c $< -o $@
$(BUILD)/fuzz/obj-san/%.o: %.c $(FUZZ_OBJ_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(FUZZ_INC) -c $< -o $@
$(BUILD)/fuzz/obj-afl/%.o: %.c $(FUZZ_OBJ_HDRS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 $(AFL_CC) $(ALL_CFLAGS) -O1 -g $(FUZZ_SAN) $(FUZZ_INC) -c $< -o $@

FUZZ_LIB_OBJS = $(patsubst %.c,$(BUILD)/fuzz/obj-$(1)/%.o,$(FUZZ_COMMON) $(LIB_SRCS))

$(FUZZ_LIBFUZZER): $(BUILD)/fuzz/libfuzzer/%: $(BUILD)/fuzz/obj-lf/fuzz/fuzz_%.o $(call FUZZ_LIB_OBJS,lf)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ -lm

# The targets with standalone_main.c instead of libFuzzer: replays
# regressions and corpora with any compiler.
$(FUZZ_REPLAY): $(BUILD)/fuzz/replay/%: $(BUILD)/fuzz/obj-san/fuzz/fuzz_%.o \
                $(BUILD)/fuzz/obj-san/fuzz/standalone_main.o $(call FUZZ_LIB_OBJS,san)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ -lm

# AFL++ instrumentation, driven through standalone_main.c (afl-fuzz ... @@).
$(FUZZ_AFL): $(BUILD)/fuzz/afl/%: $(BUILD)/fuzz/obj-afl/fuzz/fuzz_%.o \
             $(BUILD)/fuzz/obj-afl/fuzz/standalone_main.o $(call FUZZ_LIB_OBJS,afl)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 $(AFL_CC) $(FUZZ_SAN) -o $@ $^ -lm

# The reference's canonical reading of images, for the differential replay.
$(BUILD)/fuzz/ref-decode: $(BUILD)/fuzz/obj-san/fuzz/differential/ref_decode.o \
                          $(call FUZZ_LIB_OBJS,san)
	$(CC) $(SAN_FLAGS) -o $@ $^ -lm

$(BUILD)/fuzz/hostile: $(BUILD)/fuzz/obj-san/fuzz/hostile/hostile.o $(call FUZZ_LIB_OBJS,san)
	$(CC) $(SAN_FLAGS) -o $@ $^ -lm

.PHONY: fuzz fuzz-build fuzz-afl fuzz-differential check-fuzz check-fuzz-smoke \
        check-fuzz-regressions check-fuzz-hostile \
        check-fuzz-differential
fuzz-build: $(FUZZ_LIBFUZZER) $(FUZZ_REPLAY) $(BUILD)/fuzz/ref-decode $(BUILD)/fuzz/hostile

fuzz: $(FUZZ_LIBFUZZER) $(BUILD)/fuzz/ref-decode
	@for t in $(FUZZ_TARGETS); do \
	  sh fuzz/run_libfuzzer.sh $(BUILD) $$t $(FUZZ_SECONDS) || exit 1; done
	@$(MAKE) --no-print-directory fuzz-differential

fuzz-differential: $(BUILD)/fuzz/ref-decode
	$(PYTHON) fuzz/differential/differential.py --ref $(BUILD)/fuzz/ref-decode \
	  --work $(BUILD)/fuzz/differential --seeds fuzz/corpus/decode \
	  --findings $(BUILD)/fuzz/corpus/decode --findings fuzz/regressions/decode

fuzz-afl: $(BUILD)/fuzz/afl/$(FUZZ_AFL_TARGET)
	sh fuzz/run_afl.sh $(BUILD) $(FUZZ_AFL_TARGET) $(FUZZ_SECONDS)

check-fuzz-smoke: $(FUZZ_LIBFUZZER)
	@for t in $(FUZZ_TARGETS); do \
	  sh fuzz/run_libfuzzer.sh $(BUILD) $$t $(FUZZ_SMOKE_SECONDS) || exit 1; done

# Every kept input (regressions and seeds) through the gcc/ASan build.
check-fuzz-regressions: $(FUZZ_REPLAY)
	@for t in $(FUZZ_TARGETS); do \
	  $(BUILD)/fuzz/replay/$$t $$(ls -d fuzz/regressions/$$t fuzz/corpus/$$t 2>/dev/null) \
	    || exit 1; done

check-fuzz-hostile: $(BUILD)/fuzz/hostile
	$(BUILD)/fuzz/hostile $(HOSTILE_SECONDS)

# The kept inputs through the differential too: the classifier must name
# every disagreement they cause, on every CPython found.
check-fuzz-differential: $(BUILD)/fuzz/ref-decode
	$(PYTHON) fuzz/differential/differential.py --ref $(BUILD)/fuzz/ref-decode \
	  --work $(BUILD)/fuzz/differential-regressions --findings fuzz/regressions/decode --values 20

check-fuzz:
	@$(MAKE) --no-print-directory check-fuzz-regressions
	@$(MAKE) --no-print-directory check-fuzz-differential
	@$(MAKE) --no-print-directory check-fuzz-smoke
	@$(MAKE) --no-print-directory check-fuzz-hostile
CHECK_TARGETS += check-fuzz
