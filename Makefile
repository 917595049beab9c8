# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck openapi migrate demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Run Konvoi on SQLite at http://127.0.0.1:8000 (demo convoy loaded on first start)
run: $(STAMP)
	$(BIN)/konvoi serve --demo

## Lint, type-check and run the whole test suite (PostgreSQL half when KONVOI_TEST_POSTGRES_URL is set)
test: $(STAMP) lint typecheck
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy app tests bench migrations/env.py

openapi: $(STAMP)
	$(BIN)/konvoi openapi

migrate: $(STAMP)
	$(BIN)/konvoi migrate

demo: $(STAMP)
	$(BIN)/konvoi demo

## Measure keyset pagination (SQLite; set KONVOI_BENCH_POSTGRES_URL for PostgreSQL)
bench: $(STAMP)
	$(BIN)/python -m bench.pagination

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache konvoi.db
