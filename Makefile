# pcr-graph: the two commands a new machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint typecheck data browsers bench hardening clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

## The main job on the built-in demo data: graph, validation, gap report, maps -> out/
demo: $(STAMP)
	$(BIN)/pcr-graph build --out out

## Every test; installs what the tests need first (Chromium, npm packages: tools/test-deps.sh)
test: $(STAMP)
	bash tools/test-deps.sh
	$(BIN)/python -m pytest -q

## The everyday loop: every test not marked slow (under 2 minutes)
test-fast: $(STAMP)
	bash tools/test-deps.sh
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

## Regenerate the committed data in graph/ (reference areas, programme, demo system)
data: $(STAMP)
	$(BIN)/pcr-graph reference --raw ../shared/data/raw --out graph
	$(BIN)/pcr-graph import csv graph/demo --name demo --fictional --output graph/demo.ttl

## Debian's Chromium for the browser tests (needs root; Playwright never downloads one)
browsers:
	apt-get update -qq && apt-get install -y -qq chromium

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_render.py

## Run the hardening suite alone and print its figures
hardening: $(STAMP)
	$(BIN)/python benchmarks/hardening_summary.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
