# Two commands on a fresh machine with Python 3.11+ and make: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test lint format clean

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
	$(BIN)/ruff check tracker tests migrations
	$(BIN)/ruff format --check tracker tests migrations
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff format tracker tests migrations
	$(BIN)/ruff check --fix tracker tests migrations

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache
