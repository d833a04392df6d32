# fuzz.mk - libFuzzer targets (fuzz/): `make fuzz FUZZ_SECONDS=N`.
#
# Builds each target in fuzz/ with clang and -fsanitize=fuzzer,address,
# undefined into $(FUZZ_BUILD) (its own objects of the library: build/ is
# never touched), seeds it from corpus/ and ../shared at run time (copies
# go into $(FUZZ_BUILD), never into the tree), runs each target for
# FUZZ_SECONDS and prints executions and coverage per target.  A crash
# leaves its input in $(FUZZ_BUILD)/crashes/ and makes the run fail.
# Needs the Debian packages clang and libclang-rt-14-dev (libFuzzer).
#
#   make fuzz FUZZ_SECONDS=60                 all six targets, 60 s each
#   make fuzz FUZZ_TARGETS="xml query"        some of them
#   make fuzz-build                           build only

FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= xml v2json classic text detect query
FUZZ_CC      ?= clang
FUZZ_CXX     ?= clang++
FUZZ_SANS     = -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
                -Iinclude -Ilib $(PKG_CFLAGS) -O1 -g $(FUZZ_SANS) \
                -fsanitize=fuzzer-no-link
FUZZ_CXXFLAGS = -std=c++17 $(WARN) -Iinclude -Ilib $(PKG_CFLAGS) -O1 -g \
                $(FUZZ_SANS) -fsanitize=fuzzer-no-link
# The library's objects (lib/ and generated ones), in $(FUZZ_BUILD).
FUZZ_LIB_OBJ  = $(patsubst $(BUILD)/%,$(FUZZ_BUILD)/%,$(LIB_OBJ))
FUZZ_LIB      = $(FUZZ_BUILD)/libtrialsearch-fuzz.a
FUZZ_BINS     = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BINS)

# clang and libFuzzer's runtime: installed here, not by every `make check`.
FUZZ_PACKAGES = clang libclang-rt-14-dev

fuzz: deps
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(FUZZ_PACKAGES)"
	$(MAKE) fuzz-build
	@echo "fuzzing $(FUZZ_TARGETS) for $(FUZZ_SECONDS) s each (logs in $(FUZZ_BUILD)/)"
	sh fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(FUZZ_BUILD)/lib/%.o: lib/%.c include/trialsearch.h $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/lib/%.o: lib/%.cc include/trialsearch.h $(wildcard lib/*.h lib/*.hh)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -c -o $@ $<

# Generated sources are made by the main Makefile's rules, in $(FUZZ_BUILD),
# which know what each depends on (share/, the build-time tools and the
# library's sources): always ask them.
.PHONY: fuzz-gen-always
$(FUZZ_BUILD)/gen/%.c: fuzz-gen-always
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) $@

$(FUZZ_BUILD)/gen/%.o: $(FUZZ_BUILD)/gen/%.c $(wildcard lib/*.h)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/fuzz/%.o: fuzz/%.c fuzz/fuzz.h include/trialsearch.h lib/ts_internal.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_CORPUS='"$(CURDIR)/corpus"' -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CXX) $(FUZZ_SANS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LIBS)

# Keep the objects between runs (they are only reached through patterns).
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/fuzz_%.o) \
            $(patsubst %.o,%.c,$(filter $(FUZZ_BUILD)/gen/%,$(FUZZ_LIB_OBJ)))
