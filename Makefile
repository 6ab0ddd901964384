# nianbao — one entry point for set-up, tests, the demo and benchmarks.
# `make test` and `make demo` set everything up on a fresh Debian machine (run as root
# to get the Debian packages installed too).

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.nianbao-installed

.PHONY: help setup test bench demo crawl lint clean score

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

setup: $(STAMP)  ## create .venv, install nianbao and the Debian packages it needs
	@sh deploy/system-packages.sh

test: setup  ## run every test (PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379 expected)
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

bench: setup  ## measure throughput and memory and update BENCHMARKS.md (BENCH_ARGS=--quick for a smoke run)
	$(BIN)/python -m tests.bench --write $(BENCH_ARGS)

DEMO_SIZE ?= small
demo: setup  ## serve the simulated province, crawl it into data/nianbao.sqlite, print the summary and how to browse it (DEMO_SIZE=small|medium)
	@VENV=$(VENV) sh deploy/demo.sh $(DEMO_SIZE)

crawl: setup  ## crawl every portal of the shipped registry into data/ (resumable: data/jobs; run reports: data/reports; CRAWL_ARGS=...)
	$(BIN)/nianbao crawl --all --jobdir data/jobs --report-dir data/reports $(CRAWL_ARGS)

.PHONY: sandbox
SANDBOX_SIZE ?= small
SANDBOX_SEED ?= 7
SANDBOX_PORT ?= 0
sandbox: setup  ## serve the simulated province until ^C (SANDBOX_SIZE=small|medium|large SANDBOX_SEED=7 SANDBOX_PORT=0); portals.toml + ground_truth.json appear in sandbox-out/$(SANDBOX_SIZE) once it is ready
	$(BIN)/python -m tests.sandbox serve --seed $(SANDBOX_SEED) --size $(SANDBOX_SIZE) --port $(SANDBOX_PORT) --out sandbox-out/$(SANDBOX_SIZE)

score: setup  ## score `nianbao parse --json` against the hand-checked seeds and real reports (SCORE_DIRS=... for others)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tests/tools/score_parse.py $(or $(SCORE_DIRS),tests/fixtures/seeds tests/fixtures/realdata)

lint: setup  ## ruff
	$(BIN)/ruff check crawler parsers archive tests

clean:  ## remove the virtualenv and local data
	rm -rf $(VENV) data bench-out
