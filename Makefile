# The README's two commands are `make run` and `make test`; both set up .venv themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export LAKE_ROOT ?= $(CURDIR)/data

.PHONY: help venv run check test test-unit lint format lock emulators stop clean sql dbt

help:  ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

# The virtual environment, installed from the lock; rebuilt when the lock or pyproject changes.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

venv: $(STAMP)  ## Create .venv from requirements.lock

run: $(STAMP)  ## The main job: emulators + one daily cycle (DATE=YYYY-MM-DD to choose)
	$(BIN)/python -m titlevideo.cli run $(if $(DATE),--date $(DATE))

check: $(STAMP)  ## Preflight the systems the connections point at (else the running emulators); exit 0/1
	$(BIN)/python -m titlevideo.preflight

# The suite runs on every core (pytest-xdist): one process per core, each with its own Airflow home,
# lake and emulator ports, a test file at a time (its module fixtures built once). TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto
XDIST = -n $(TEST_WORKERS) --dist loadfile

test: $(STAMP)  ## The test suite (unit, integration, e2e) on every core (TEST_WORKERS=n to choose)
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

test-unit: $(STAMP)  ## Only the fast unit tier
	$(BIN)/python -m pytest $(XDIST) -m unit $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff check + format check; mypy --strict on titlevideo/ (pyproject.toml); sqlfluff on the dbt project (include/sql/.sqlfluff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd include/sql && ../../$(BIN)/sqlfluff lint . --disable-progress-bar

format: $(STAMP)  ## ruff fix + format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: $(STAMP)  ## Re-resolve requirements*.txt into requirements.lock (Python 3.11, all platforms)
	$(BIN)/uv pip compile requirements.txt requirements-dev.txt --python-version 3.11 --universal \
	  --generate-hashes --custom-compile-command "make lock" -o requirements.lock

emulators: $(STAMP)  ## Start both emulators in the background (they keep the emulated world's writes)
	$(BIN)/python -m titlevideo.cli emulators

stop: $(STAMP)  ## Stop the background emulators (the emulated world forgets its writes)
	$(BIN)/python -m titlevideo.cli stop

# The warehouse for analysts: DuckDB's own shell (duckdb-cli from the lock), read-only, so a build
# swapping a new file in never disturbs it. SQL on stdin runs and exits: echo "select 1" | make sql
WAREHOUSE = $(LAKE_ROOT)/warehouse/analytics.duckdb
sql: $(STAMP)  ## Read-only SQL shell on the warehouse (DuckDB CLI); or pipe SQL in
	@test -f "$(WAREHOUSE)" || { echo "no warehouse at $(WAREHOUSE): run make run first" >&2; exit 1; }
	@$(BIN)/duckdb -readonly "$(WAREHOUSE)"

# dbt on a scratch copy of the warehouse (titlevideo/warehouse/scratch.py): the build's profile,
# the raw views and rules tables given; the warehouse in place is never touched.
dbt: $(STAMP)  ## dbt on a copy of the warehouse: make dbt ARGS="build --select mart_x"
	@test -n "$(ARGS)" || { echo 'usage: make dbt ARGS="build --select <model>"' >&2; exit 2; }
	$(BIN)/python -m titlevideo.warehouse.scratch $(ARGS)

clean:  ## Stop the emulators; remove the venv, local Airflow home and lake
	-test -x $(BIN)/python && $(BIN)/python -m titlevideo.cli stop
	rm -rf $(VENV) .airflow data

# Benchmarks: bench-only dependencies (dlt, psutil, profilers) live in .venv-bench, outside the
# product's lock; bench/requirements.lock is compiled against requirements.lock where they overlap:
#   .venv/bin/uv pip compile bench/requirements.txt -c requirements.lock --python-version 3.11 \
#     --universal --generate-hashes --custom-compile-command "make bench (bench/requirements.lock)" \
#     -o bench/requirements.lock
BENCH_STAMP := .venv-bench/.installed

$(BENCH_STAMP): bench/requirements.lock $(STAMP)
	@test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	$(BIN)/uv pip sync --quiet --python .venv-bench/bin/python bench/requirements.lock
	@touch $@

.PHONY: bench
bench: $(STAMP) $(BENCH_STAMP)  ## Benchmarks vs dlt, pandas and the raw limits -> BENCHMARKS.md (BENCH_QUICK=1: smoke run)
	BENCH_QUICK=$(BENCH_QUICK) BENCH_RUNS=$(BENCH_RUNS) $(BIN)/python bench/run.py $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

# ---- The Airflow UI and season backfills (titlevideo/cli.py) ------------------------------------
.PHONY: airflow backfill

airflow: $(STAMP)  ## The Airflow UI: airflow standalone on the emulators, until Ctrl-C (PORT=8080)
	$(BIN)/python -m titlevideo.cli airflow $(if $(PORT),--port $(PORT))

backfill: $(STAMP)  ## Backfill a publication season: SEASON="Spring 2026" [FROM=YYYY-MM-DD TO=YYYY-MM-DD]
	@test -n "$(SEASON)" || { echo 'usage: make backfill SEASON="Spring 2026" [FROM=YYYY-MM-DD] [TO=YYYY-MM-DD]' >&2; exit 2; }
	$(BIN)/python -m titlevideo.cli backfill --season "$(SEASON)" $(if $(FROM),--from-date $(FROM)) $(if $(TO),--to-date $(TO))

.PHONY: chaos
chaos: $(STAMP)  ## The long reliability suite: chaos cycles and every crash point (tests marked long; ~15 min)
	$(BIN)/python -m pytest -m long $(PYTEST_ARGS)

# ---- The production stack as local processes (titlevideo/local/deploy/) ----------------------
# The stack of docker-compose.yaml (PostgreSQL, Redis, CeleryExecutor, two workers) without a
# container engine; its Airflow settings come from deploy/airflow.env, as Compose's do.
.PHONY: deploy deploy-stop test-deploy soak db-clean

deploy: $(STAMP)  ## The production stack as local processes, in the background (needs PostgreSQL and Redis)
	$(BIN)/python -m titlevideo.local.deploy up

deploy-stop: $(STAMP)  ## Stop the stack of make deploy; no process of it is left
	$(BIN)/python -m titlevideo.local.deploy down

db-clean: $(STAMP)  ## Purge Airflow history older than TITLEVIDEO_AIRFLOW_DB_RETENTION_DAYS (deploy/airflow.env) from make deploy's database
	$(BIN)/python -m titlevideo.local.dbclean --deploy $(if $(DRY_RUN),--dry-run)

test-deploy: $(STAMP)  ## The production stack: catch-up vs make run, workers killed (11-15 min, more on a loaded machine; PostgreSQL, Redis)
	$(BIN)/python -m pytest -m deploy tests/deploy $(PYTEST_ARGS)

soak: $(STAMP)  ## A month of days run by the scheduler on the stack (DAYS=30) -> RELIABILITY.md (~1.5 h)
	$(BIN)/python -m titlevideo.local.soak --days $(or $(DAYS),30) $(if $(WORKS),--works $(WORKS))
