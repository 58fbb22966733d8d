# Two commands on a fresh machine with Python 3.11+ and make: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BENCH_VENV := .venv-bench
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite runs a process per core (pytest-xdist); PYTEST_ARGS=-n0 runs it in one.
PYTEST_ARGS ?= -n auto

.PHONY: run test lint format bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

## run: install, apply migrations to instance/tracker.db, serve on http://127.0.0.1:5000
run: $(VENV)/.installed
	$(BIN)/tracker db upgrade
	$(BIN)/tracker serve --host $(HOST) --port $(PORT)

## test: install with the test extras and run the whole suite
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check tracker tests migrations bench tools
	$(BIN)/ruff format --check tracker tests migrations bench tools
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff format tracker tests migrations bench tools
	$(BIN)/ruff check --fix tracker tests migrations bench tools

# The benchmark's own environment: Datasette (the comparison) and locust (the load test's
# client) are installed there only.
$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e . 'datasette>=0.64,<1' 'locust>=2.30,<3'
	touch $@

## bench: build a 1,000,000-person database on SQLite (and PostgreSQL if reachable), write bench/RESULTS.md
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m bench $(BENCH_ARGS)

## load: 50 analysts and a researcher at once against `tracker serve`, before and after, on SQLite and PostgreSQL at 100,000 and 1,000,000 persons; writes bench/LOAD.md
load: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m bench.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) build dist .pytest_cache .ruff_cache .mypy_cache
