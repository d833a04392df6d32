# bench.mk - `make bench`: trialsearch against SQLite FTS5 and omega's
# scriptindex on replicated copies of the shared records (bench/README.md).
#
#   make bench                              scales 1x, 10x, 147x (~600,000 records)
#   make bench BENCH_SCALES="1 2"           a quick run
#   make bench BENCH_SYSTEMS="fts5 scriptindex" BENCH_SCALES=147
#   make bench-report                       the table and plot again from the
#                                           results kept in $(BENCH_DIR)/results
#
# Other knobs: BENCH_ROUNDS (timed rounds of the short queries, 3),
# BENCH_TOPIC_ROUNDS (of the patient topics, 1), BENCH_COMPACT=0 (do not
# compact the Xapian indexes), BENCH_PATIENT=0 (skip trialsearch --patient).
#
# Each (system, scale) result is a JSON file in $(BENCH_DIR)/results/; a
# later run replaces only the results it measures, so the systems can be
# run at different times.  The report is $(BENCH_DIR)/results.md, .json
# and .png.  Corpora, dumps and indexes go in $(BENCH_DIR)/work and are
# removed as soon as they are no longer needed unless BENCH_KEEP=1 (147x
# needs about 35 GB of disk at a time).  A benchmark measures; it fails only when a
# system fails to run, never on a time.

BENCH_DIR      ?= $(BUILD)/bench
BENCH_SCALES   ?= 1 10 147
BENCH_SYSTEMS  ?= trialsearch fts5 scriptindex
BENCH_ROUNDS   ?= 3
BENCH_TOPIC_ROUNDS ?= 1
BENCH_COMPACT  ?= 1
BENCH_PATIENT  ?= 1
BENCH_KEEP     ?= 0
BENCH_DATA     ?= ../shared/data
BENCH_PACKAGES  = xapian-omega xapian-tools libsqlite3-dev time gnuplot-nox python3

BENCH_BINS = $(BUILD)/bench/bench-export $(BUILD)/bench/bench-tslat \
	$(BUILD)/bench/bench-proclat $(BUILD)/bench/bench-fts5 $(BUILD)/bench/bench-xapian

.PHONY: bench bench-deps bench-build bench-report

bench: deps
	$(MAKE) bench-deps
	$(MAKE) all bench-build
	@rc=0; BUILD=$(abspath $(BUILD)) BENCH_DIR=$(abspath $(BENCH_DIR)) \
	  BENCH_SCALES="$(BENCH_SCALES)" BENCH_SYSTEMS="$(BENCH_SYSTEMS)" \
	  BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_TOPIC_ROUNDS=$(BENCH_TOPIC_ROUNDS) \
	  BENCH_COMPACT=$(BENCH_COMPACT) BENCH_PATIENT=$(BENCH_PATIENT) BENCH_KEEP=$(BENCH_KEEP) \
	  BENCH_DATA=$(abspath $(BENCH_DATA)) bench/run || rc=$$?; \
	if [ $$rc = 77 ]; then echo "bench: skipped, no shared data in $(BENCH_DATA)"; exit 0; fi; \
	[ $$rc = 0 ] && python3 bench/report $(abspath $(BENCH_DIR))

bench-report:
	python3 bench/report $(abspath $(BENCH_DIR))

bench-deps:
	$(MAKE) deps DEB_PACKAGES="$(BENCH_PACKAGES)"

bench-build: $(BENCH_BINS)

$(BUILD)/bench/bench-export: bench/export.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@.o $<
	$(CXX) -o $@ $@.o $(STATIC) $(LIBS)

$(BUILD)/bench/bench-tslat: bench/tslat.c bench/lat.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@.o $<
	$(CXX) -o $@ $@.o $(STATIC) $(LIBS)

$(BUILD)/bench/bench-proclat: bench/proclat.c bench/lat.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(BUILD)/bench/bench-fts5: bench/fts5.c bench/lat.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lsqlite3

$(BUILD)/bench/bench-xapian: bench/xapian.cc bench/lat.h
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -o $@ $< $(shell pkg-config --libs xapian-core)
