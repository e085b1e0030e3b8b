# The hub's everyday commands. `make run` and `make test` work on a fresh machine
# with Python 3.11+ (PostgreSQL for the tests: Debian's postgresql package).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format schema install clean conformance bench bench-full bench-bulk

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Migrate the database, load the fixtures and serve GraphQL on http://$HUB_HOST:$HUB_PORT/graphql
run: $(STAMP)
	$(BIN)/hub migrate
	$(BIN)/hub load-fixtures
	$(BIN)/hub serve

## The whole suite, on SQLite and on a PostgreSQL server the tests start themselves
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## graphql-http audit and schemathesis fuzz against a throwaway hub on loopback (needs Node/npm)
conformance: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,conformance]"
	scripts/conformance.sh

## The hub against PostGraphile and raw SQL on a private PostgreSQL (minutes; needs npm, wrk)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	command -v wrk >/dev/null || (apt-get install -y -qq wrk || (apt-get update -qq && apt-get install -y -qq wrk))
	$(BIN)/python bench/run.py

bench-full: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	command -v wrk >/dev/null || (apt-get install -y -qq wrk || (apt-get update -qq && apt-get install -y -qq wrk))
	$(BIN)/python bench/run.py --full

## Where a 10,000-figure submission's time goes: hub and PostgreSQL CPU per batch, each index's cost,
## and what the rate would be without the reference trigger or without the two read indexes
READ_INDEXES := ix_observations_province_indicator_breakdown ix_observations_indicator_year_current
bench-bulk: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python bench/bulk_costs.py --without-trigger $(addprefix --without-index ,$(READ_INDEXES))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy hub schema loaders tests scripts bench

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Rewrite schema.graphql from the code (a test fails while they disagree)
schema: $(STAMP)
	$(BIN)/hub export-schema

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
