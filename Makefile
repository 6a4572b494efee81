# The two commands: `make run` (set up, serve with demo data) and `make test` (the whole suite).
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export INTERVIEWLOOP_ENV ?= development
# A database created fresh by the test run (see tests/conftest.py); the name gets a suffix.
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/interviewloop_test
# The 25 slowest tests are listed at the end of each run: the suite must stay inside CI's budget.
PYTEST_ARGS ?= -n 2 --durations=25
# Bytecode is written even where the environment says not to: without it each xdist worker
# compiles and assertion-rewrites every test module again (~9 s of CPU a worker, a run).
test-sqlite test-postgres: export PYTHONDONTWRITEBYTECODE :=
# `make fuzz`: the state machine (tests/fuzz) for this many steps per database, random seeds.
FUZZ_STEPS ?= 50000

.PHONY: run test test-sqlite test-postgres lint services bench bench-serve fuzz clean

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The test suite's JavaScript peers (ical.js), installed from the lock file.
JS_DEPS := tests/js/node_modules/.package-lock.json

$(JS_DEPS): tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund

# The background worker runs beside the server (its queue is a SQLite file in instance/)
# and stops with it; mail is kept in the database, readable at /admin/mail, not sent.
run: export MAIL_DELIVERY ?= outbox
run: $(BIN)/.installed
	$(BIN)/interviewloop init-db
	$(BIN)/interviewloop import-questions
	$(BIN)/interviewloop demo
	@echo "Serving on http://$(HOST):$(PORT)/ with a background worker; mail is kept at /admin/mail"
	$(BIN)/interviewloop worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/interviewloop run --host $(HOST) --port $(PORT)

services:
	bash scripts/ensure-services

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test-sqlite: $(BIN)/.installed-dev $(JS_DEPS)
	INTERVIEWLOOP_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(BIN)/.installed-dev $(JS_DEPS)
	INTERVIEWLOOP_ENV=test TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(PYTEST_ARGS)

test: services lint test-sqlite test-postgres

fuzz: services $(BIN)/.installed-dev
	INTERVIEWLOOP_ENV=test FUZZ_STEPS=$(FUZZ_STEPS) $(BIN)/pytest -n 0 tests/fuzz
	INTERVIEWLOOP_ENV=test FUZZ_STEPS=$(FUZZ_STEPS) TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 0 tests/fuzz

# BENCH_SIZE=default|2k|10k (bench/README.md). The PostgreSQL database is created fresh and
# dropped afterwards; its name must contain "bench".
BENCH_SIZE ?= default
PG_BENCH_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/interviewloop_bench

bench: $(BIN)/.installed-dev
	INTERVIEWLOOP_ENV=test BENCH_SIZE=$(BENCH_SIZE) $(BIN)/python -m bench.pages

# gunicorn (several workers) loaded by wrk on loopback, on SQLite and then on PostgreSQL.
bench-serve: services $(BIN)/.installed-dev
	bash scripts/ensure-wrk
	INTERVIEWLOOP_ENV=test BENCH_SIZE=$(BENCH_SIZE) $(BIN)/python -m bench.serve
	INTERVIEWLOOP_ENV=test BENCH_SIZE=$(BENCH_SIZE) $(BIN)/python -m bench.serve --database-url $(PG_BENCH_URL)

clean:
	rm -rf $(VENV) instance .pytest_cache tests/js/node_modules
