# The two commands of the README: `make run` and `make test`. Both set themselves up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint-sql clean

# sqlfluff renders the models with dbt, and some models read seeds or the loaded CLD table's
# columns while compiling: lint against a scratch file holding the seeds and the empty raw tables
# only, never the warehouse.
LINT_DIR := .lint
LINT_ENV := ASC_BUILD_PATH=$(CURDIR)/$(LINT_DIR)/seeds.duckdb DBT_TARGET_PATH=$(CURDIR)/$(LINT_DIR)/target DBT_LOG_PATH=$(CURDIR)/$(LINT_DIR)/logs

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable ".[dev,server]"
	touch $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/asc-warehouse run --sample

test: $(INSTALLED)
	$(BIN)/ruff check .
	$(MAKE) lint-sql
	$(BIN)/pytest

lint-sql: $(INSTALLED)
	rm -rf $(LINT_DIR) && mkdir -p $(LINT_DIR)
	$(LINT_ENV) $(BIN)/dbt seed --project-dir dbt_project --profiles-dir dbt_project --quiet
	$(BIN)/python -c "import duckdb; from asc_warehouse.ingest.cld import ensure_schema; \
		ensure_schema(duckdb.connect('$(LINT_DIR)/seeds.duckdb'))"
	$(LINT_ENV) $(BIN)/sqlfluff lint dbt_project/models dbt_project/tests --processes 2

clean:
	rm -rf warehouse .airflow dbt_project/target dbt_project/logs $(LINT_DIR)
