# sanitize.mk - the test suite under AddressSanitizer, UndefinedBehaviorSanitizer
# and valgrind.
#
#   make check-asan       build into build-asan with ASan and UBSan, run every
#                         unit and end-to-end test; a test failure or any
#                         sanitizer report (memory error, leak, undefined
#                         behaviour) fails the target
#   make check-valgrind   build as usual, run the end-to-end tests with every
#                         trialsearch and trialsearch-index run under valgrind
#                         memcheck; a memory error or a definite leak in any
#                         run fails the target (VALGRIND_JOBS=2: two test
#                         files at once)

.PHONY: check-asan check-valgrind

ASAN_BUILD = build-asan
ASAN_SAN   = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ASAN_LOGS  = $(abspath $(ASAN_BUILD))/sanitizer-logs
# Reports go to one file per process in ASAN_LOGS (log_path), read after the
# run: the end-to-end tests do not check the status of every run, and a
# report's exit status (98) must not pass for "no hits".  halt_on_error: the
# first report ends the program; verify_asan_link_order=0: the install test
# runs a program that gets the ASan runtime only through libtrialsearch.so;
# allocator_may_return_null: the out-of-memory unit test needs malloc to
# fail rather than abort.
ASAN_ENV = \
	ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:exitcode=98:verify_asan_link_order=0:strict_string_checks=1:detect_stack_use_after_return=1:allocator_may_return_null=1:log_path=$(ASAN_LOGS)/asan \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98:log_path=$(ASAN_LOGS)/ubsan

check-asan: deps
	$(MAKE) BUILD=$(ASAN_BUILD) SAN="$(ASAN_SAN)" all
	rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	@status=0; \
	$(ASAN_ENV) $(MAKE) BUILD=$(ASAN_BUILD) SAN="$(ASAN_SAN)" unit || status=1; \
	$(ASAN_ENV) $(MAKE) BUILD=$(ASAN_BUILD) SAN="$(ASAN_SAN)" e2e || status=1; \
	if [ -n "$$(ls $(ASAN_LOGS))" ]; then \
	  echo "sanitizer reports:"; for f in $(ASAN_LOGS)/*; do echo "== $$f"; cat "$$f"; done; status=1; \
	else echo "check-asan: no sanitizer report"; fi; \
	exit $$status

# Exit status of a program in which valgrind found an error: none of the
# documented statuses of the two commands (0 1 2 3 75 130 143).
VALGRIND_STATUS = 99
VALGRIND_LOGS   = $(abspath $(BUILD))/valgrind-logs
# No suppression file: neither Xapian nor libxml2 needed one (blocks
# still reachable at exit would not count anyway).
VALGRIND        = valgrind --error-exitcode=$(VALGRIND_STATUS) --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=30
# index_shared.t indexes all of ../shared five times: about an hour under
# valgrind on two cores.  Run it too with VALGRIND_TESTS='tests/*.t'.
VALGRIND_TESTS ?= $(filter-out tests/index_shared.t,$(sort $(wildcard tests/*.t)))
# Test files run at once (prove -j): most of a file's time is one
# process after another, so two files keep two cores busy.
VALGRIND_JOBS ?= 1

# tests/lib.sh runs the binaries through valgrind when TS_VALGRIND is set,
# one log per process in TS_VALGRIND_LOGS.  Every log is read after the
# run: a log whose error summary is not 0 fails the target.
check-valgrind: deps
	@$(MAKE) --no-print-directory deps DEB_PACKAGES=valgrind
	$(MAKE) all
	rm -rf $(VALGRIND_LOGS) && mkdir -p $(VALGRIND_LOGS)
	@start=$$(date +%s); \
	TS_VALGRIND="$(VALGRIND)" TS_VALGRIND_LOGS=$(VALGRIND_LOGS) BUILD=$(abspath $(BUILD)) \
	  prove -v -j$(VALGRIND_JOBS) $(VALGRIND_TESTS); \
	status=$$?; \
	logs=$$(ls $(VALGRIND_LOGS) | wc -l); \
	bad=$$(grep -l 'ERROR SUMMARY: [1-9]' $(VALGRIND_LOGS)/*.log 2>/dev/null); \
	echo "check-valgrind: $$logs runs checked in $$(( $$(date +%s) - start )) s"; \
	if [ -n "$$bad" ]; then \
	  echo "valgrind found errors in:"; for f in $$bad; do echo "== $$f"; cat "$$f"; done; exit 1; \
	fi; \
	[ "$$logs" -gt 0 ] || { echo "check-valgrind: no run was checked"; exit 1; }; \
	exit $$status
