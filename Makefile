# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup constraints system-packages chromium translations run test lint typecheck openapi migrate demo bench bench-tools bench-lists bench-writes bench-planning bench-driver bench-board bench-documents bench-import bench-ledger bench-collection bench-restart bench-weekend screenshots clean

# The languages of the pages: catalogs kept in the repository, compiled here.
CATALOGS := $(wildcard app/locale/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

$(STAMP): pyproject.toml constraints.txt package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The versions CI tested (constraints.txt), not whatever is newest today.
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	# htmx and the stylesheet the pages use, from the npm registry (package-lock.json).
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

## Set up: Python packages, front-end packages, compiled translations
setup: $(STAMP) $(COMPILED)

## Pin what the current pyproject.toml resolves to today (run the tests after)
constraints:
	rm -rf .constraints-venv && $(PYTHON) -m venv .constraints-venv
	.constraints-venv/bin/pip install --quiet --upgrade pip
	.constraints-venv/bin/pip install --quiet -e ".[dev]"
	{ echo "# The exact versions CI tested: \`make setup\` installs with \`pip install -c constraints.txt\`."; \
	  echo "# Refresh after changing pyproject.toml: make constraints (then run make test)."; \
	  .constraints-venv/bin/pip freeze --exclude-editable | grep -v '^konvoi'; } > constraints.txt
	rm -rf .constraints-venv

## Extract the pages' strings and merge them into the catalogs (then translate the new ones)
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o app/locale/messages.pot --no-location --sort-output \
		--omit-header --project=Konvoi --width=100 .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale --no-fuzzy-matching \
		--ignore-obsolete --width=100

## What the tests need from Debian: Chromium for the browser tests (no tool downloads its own
## browser) and poppler-utils, whose pdftoppm renders the generated papers
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
		echo "installing from Debian:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

chromium: system-packages

## Run Konvoi on SQLite at http://127.0.0.1:8000 (demo convoy loaded on first start; the log
## as plain lines here, JSON lines by default elsewhere)
run: setup
	KONVOI_LOG_FORMAT=$${KONVOI_LOG_FORMAT:-text} $(BIN)/konvoi serve --demo

## Lint, type-check and run the whole test suite (PostgreSQL half when KONVOI_TEST_POSTGRES_URL is set)
test: setup system-packages lint typecheck
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy app tests bench docs migrations/env.py

openapi: $(STAMP)
	$(BIN)/konvoi openapi

migrate: $(STAMP)
	$(BIN)/konvoi migrate

demo: $(STAMP)
	$(BIN)/konvoi demo

## What the benchmark needs from Debian: the load generator wrk
bench-tools:
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

## Konvoi against the floor app: throughput, cold start and memory as ratios (SQLite; set
## KONVOI_BENCH_POSTGRES_URL for PostgreSQL too)
bench: $(STAMP) bench-tools
	$(BIN)/python -m bench.throughput

## Measure keyset pagination (SQLite; set KONVOI_BENCH_POSTGRES_URL for PostgreSQL)
bench-lists: $(STAMP)
	$(BIN)/python -m bench.pagination

## Restart a private PostgreSQL under write load: 503s during the outage, recovery, no lost write
bench-restart: $(STAMP)
	$(BIN)/python -m bench.database_restart

## Count the API calls that plan a six-vehicle convoy, one by one and with the batch calls
bench-planning: $(STAMP)
	$(BIN)/python -m bench.planning_calls

## Concurrent writes against a running server: status codes per request, fails on any 5xx
bench-writes: $(STAMP)
	$(BIN)/python -m bench.concurrent_writes

## The driver's page on emulated slow 3G in Chromium: bytes on the wire and LCP
bench-driver: $(STAMP) chromium
	$(BIN)/python -m bench.driver_page

## The convoy board and readiness at 6 and 60 vehicles: server time and SQL statements
bench-board: $(STAMP)
	$(BIN)/python -m bench.convoy_board

## The papers of a 60-vehicle convoy with 600 cargo lines: time to generate each
bench-documents: $(STAMP)
	$(BIN)/python -m bench.documents

## Importing a 5,000-row needs list: the dry run and the import
bench-import: $(STAMP)
	$(BIN)/python -m bench.needs_import

## A transport series' books: 100,000 ledger entries, every fund's balance and a year's report
## (SQLite; set KONVOI_BENCH_POSTGRES_URL for PostgreSQL too)
bench-ledger: $(STAMP)
	$(BIN)/python -m bench.ledger

## The collection point: an intake line beside creating a donor, matching 500 open needs against
## 20,000 stock lines, the stock list at 20,000 lines against 200 (SQLite; set
## KONVOI_BENCH_POSTGRES_URL for PostgreSQL too)
bench-collection: $(STAMP)
	$(BIN)/python -m bench.collection

## A convoy weekend's users (Locust, as a library) against one worker: p50/p95/p99 and errors per
## request, then the mix stepped up until some p95 passes 500 ms (SQLite; set
## KONVOI_BENCH_POSTGRES_URL for PostgreSQL too)
bench-weekend: $(STAMP)
	$(BIN)/python -m bench.weekend

## Screenshots of the main pages for the README (docs/screenshots/), from the demo data
screenshots: $(STAMP) chromium
	$(BIN)/python -m docs.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache konvoi.db konvoi.db-wal konvoi.db-shm
