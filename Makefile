# Set-up is two commands: `make run` serves the site, `make test` runs every test.
# Both create the virtual environment and install what they need on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export KB_HOST   ?= 127.0.0.1
export KB_PORT   ?= 8000
export KB_CORPUS ?= corpus
export KB_INDEX  ?= var/index

.PHONY: install build run test lint clean browser services loadtest bench tune curve

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@# whoosh, whoosh-reloaded and whoosh3 all install the package directory `whoosh`: keep only ours.
	-$(BIN)/pip uninstall --quiet -y whoosh whoosh-reloaded 2>/dev/null
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

build: install
	$(BIN)/kb build

# kb serve runs one worker per core (KB_WORKERS); more than one share the rate limit through a private
# redis-server, installed here when missing.
run: install
	@if [ "$${KB_WORKERS:-$$(nproc)}" != 1 ]; then sh scripts/install-services.sh redis-server; fi
	$(BIN)/kb build
	$(BIN)/kb serve --host $(KB_HOST) --port $(KB_PORT)

services:
	@# Debian's redis-server (kb serve's workers share a rate limit through it) for tests/test_workers.py,
	@# and postgresql for tests/test_feedback_postgres.py (a throwaway cluster the test starts itself).
	sh scripts/install-services.sh redis-server postgresql

browser:
	@# Debian's Chromium and a Chinese font for the browser tests (apt-get when run as root).
	bash scripts/install-browser.sh

test: install browser services
	$(BIN)/pytest -q

# Benchmarks (docs/benchmarks.md); not part of `make test`.
loadtest: install
	@# make run's server (kb build + kb serve) on a free 127.0.0.1 port over a temporary copy of the corpus:
	@# 20 clients for 60 s, then a live kb add + reindex under load. LOADTEST_ARGS=--help
	@# Then, over the corpus + all of lawref: saturation throughput with 1 and N workers, and 20 agents
	@# asking about once a second with live typing bursts. LOADSCALE_ARGS=--help
	sh scripts/install-services.sh redis-server
	$(BIN)/python scripts/loadtest.py $(LOADTEST_ARGS)
	$(BIN)/python scripts/loadtest_scale.py $(LOADSCALE_ARGS)

bench: install
	@# The corpus plus all of ../shared/lawref in a temporary index, beside plain Whoosh and bm25s. BENCH_ARGS=--help
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

curve: install
	@# Build time, index size, peak memory and latency at 1×, 2×, 4× lawref (docs/cost-curve.png). CURVE_ARGS=--help
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python scripts/cost_curve.py $(CURVE_ARGS)

tune: install
	@# Refit the answer model (kb/data/answer_model.json) on the public question sets, with document-held-out
	@# cross-validation choosing the threshold. TUNE_ARGS=--help
	$(BIN)/pip install --quiet -e '.[test,tune]'
	@# PYTHONHASHSEED fixed: the order of some sets of candidates follows string hashing, and with it the
	@# sample of pairs the ranker is fit on; a refit of the same sets is then the same model.
	PYTHONHASHSEED=0 $(BIN)/python -m kb.answer.tuning $(TUNE_ARGS)

lint: install
	$(BIN)/ruff check kb web tests scripts
	$(BIN)/mypy

clean:
	rm -rf var .pytest_cache .ruff_cache
