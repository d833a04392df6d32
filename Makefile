# trialsearch - build, test, demo and install.
#
#   make demo      install missing Debian packages, build, index corpus/, search it
#   make check     install missing Debian packages, build, run every test
#   make install PREFIX=DIR

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build

DEB_PACKAGES = build-essential pkg-config libxapian-dev libutf8proc-dev \
	libxml2-dev libjansson-dev libarchive-dev libcmocka-dev xapian-tools \
	perl python3

PKGS     = xapian-core libutf8proc libxml-2.0 jansson libarchive
CC      ?= cc
CXX     ?= c++
OPT     ?= -O2 -g
WARN     = -Wall -Wextra
CFLAGS  ?= $(OPT)
CXXFLAGS?= $(OPT)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) -fPIC -Iinclude -Ilib $(PKG_CFLAGS) $(CFLAGS) $(SAN)
ALL_CXXFLAGS = -std=c++17 $(WARN) -fPIC -Iinclude -Ilib $(PKG_CFLAGS) $(CXXFLAGS) $(SAN)
# --as-needed: the query program links only what it uses (no libxml2,
# libarchive and their dependencies), which makes it quicker to start.
# libstdc++ comes first among the libraries loaded: the dynamic loader
# looks each symbol up in load order, and libstdc++'s own relocations are
# the most numerous (a one-shot search: 230,000 instructions fewer).
LIBS     = -Wl,--as-needed -lstdc++ $(PKG_LIBS) -lpthread -lm

# The shared library's ABI: raised when a public type changes layout (1:
# ts_scan_cbs_t gained wants), so programs built against the old one keep
# loading the old file.
SOVERSION = 1
LIB_C    = $(sort $(wildcard lib/*.c))
LIB_CXX  = $(sort $(wildcard lib/*.cc))
LIB_OBJ  = $(LIB_C:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cc=$(BUILD)/%.o) $(BUILD)/gen/builtin_synonyms.o
STATIC   = $(BUILD)/libtrialsearch.a
SHARED   = $(BUILD)/libtrialsearch.so.$(SOVERSION)
INDEXER  = $(BUILD)/trialsearch-index
QUERY    = $(BUILD)/trialsearch
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo check unit e2e install uninstall clean
.DEFAULT_GOAL := all

# Targets of their own (sanitizers, fuzzing, evaluation, benchmarks); a
# fragment may add unit-test programs to UNIT_BIN.
-include $(sort $(wildcard mk/*.mk))

all: $(STATIC) $(SHARED) $(INDEXER) $(QUERY)

# Install what the build and the tests need, when something is missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/lib/%.o: lib/%.c include/trialsearch.h $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/lib/%.o: lib/%.cc include/trialsearch.h $(wildcard lib/*.h lib/*.hh)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

# The curated synonym list, compiled into the library's table at build
# time (no process reads it at start-up) by tools/compile_synonyms.c, which
# uses the library's own reader; a malformed line fails the build.  The
# tool's objects are its own, built without $(SAN): the sanitizer and
# fuzzing builds run it too.
SYNC_OBJ = $(addprefix $(BUILD)/tools/,compile_synonyms.o synonyms.o text.o analyze.o error.o)
SYNC     = $(BUILD)/tools/compile_synonyms

$(BUILD)/tools/%.o: lib/%.c include/trialsearch.h $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SAN),$(ALL_CFLAGS)) -c -o $@ $<

$(BUILD)/tools/%.o: tools/%.c include/trialsearch.h $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SAN),$(ALL_CFLAGS)) -c -o $@ $<

$(SYNC): $(SYNC_OBJ)
	$(CC) -o $@ $^ $(PKG_LIBS)

$(BUILD)/gen/builtin_synonyms.c: share/synonyms.txt $(SYNC)
	@mkdir -p $(dir $@)
	$(SYNC) share/synonyms.txt $@

$(BUILD)/gen/builtin_synonyms.o: $(BUILD)/gen/builtin_synonyms.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ) lib/libtrialsearch.map
	$(CXX) -shared -Wl,-soname,libtrialsearch.so.$(SOVERSION) \
	  -Wl,--version-script=lib/libtrialsearch.map -o $@ $(LIB_OBJ) $(LIBS) $(SAN)

$(INDEXER): $(wildcard indexer/*.c indexer/*.h) $(STATIC)
	$(CC) $(ALL_CFLAGS) -o $(BUILD)/indexer.o -c indexer/main.c
	$(CXX) -o $@ $(BUILD)/indexer.o $(STATIC) $(LIBS) $(SAN)

$(QUERY): $(wildcard query/*.c query/*.h) $(STATIC)
	@mkdir -p $(BUILD)/query
	for f in query/*.c; do $(CC) $(ALL_CFLAGS) -Iquery -c -o $(BUILD)/$${f%.c}.o $$f || exit 1; done
	$(CXX) -o $@ $(patsubst %.c,$(BUILD)/%.o,$(wildcard query/*.c)) $(STATIC) $(LIBS) $(SAN)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@.o -c $<
	$(CXX) -o $@ $@.o $(STATIC) $(LIBS) -lcmocka $(SAN)

# ---- tests -----------------------------------------------------------

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) e2e

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "# $$t"; $$t || fail=1; done; exit $$fail

e2e: all
	BUILD=$(abspath $(BUILD)) prove -v tests/*.t

# ---- demo ------------------------------------------------------------

DEMO_DB = $(BUILD)/demo-index
demo: deps
	$(MAKE) all
	rm -rf $(DEMO_DB)
	$(INDEXER) --db $(DEMO_DB) corpus
	$(QUERY) --db $(DEMO_DB) "intrathecal ALS"

# ---- install ---------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(INDEXER) $(QUERY) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 include/trialsearch.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libtrialsearch.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libtrialsearch.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/^#define TS_VERSION "\(.*\)"/\1/p' include/trialsearch.h)|g' \
	  trialsearch.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/trialsearch.pc
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/trialsearch
	install -m 644 share/synonyms.txt $(DESTDIR)$(PREFIX)/share/trialsearch/

clean:
	rm -rf $(BUILD)
