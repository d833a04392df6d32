# ---- relevance evaluation: make eval ---------------------------------
#
# Indexes ../shared/data and ../shared/seeds into $(BUILD)/eval-index, runs
# the 75 TREC 2021 Clinical Trials topics through `trialsearch --patient`
# in the default configuration, with --plain and with each component
# removed (--without=...), and prints condensed-list nDCG@10, P@10 and
# R@100 for each (eval/run.sh does the work).  Skips, saying so, when
# ../shared is absent.  EVAL_ONLY="default plain" runs only those
# configurations.  ts-eval (the metrics) and its unit test are built
# here too.

EVAL_SHARED ?= ../shared
TS_EVAL      = $(BUILD)/ts-eval

UNIT_BIN += $(BUILD)/tests/test_metrics

.PHONY: eval

$(TS_EVAL): eval/ts-eval.c eval/metrics.c eval/metrics.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ieval -o $@ eval/ts-eval.c eval/metrics.c -lm $(SAN)

$(BUILD)/tests/test_metrics: eval/test_metrics.c eval/metrics.c eval/metrics.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ieval -o $@ eval/test_metrics.c eval/metrics.c -lcmocka -lm $(SAN)

eval: deps
	$(MAKE) all $(TS_EVAL)
	BUILD=$(BUILD) SHARED=$(EVAL_SHARED) EVAL_ONLY="$(EVAL_ONLY)" sh eval/run.sh
