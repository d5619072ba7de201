# The two commands of the README: `make run` and `make test`. Both set themselves up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint benchmark clean

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable ".[dev,server]"
	touch $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/asc-warehouse run

test: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/pytest

clean:
	rm -rf warehouse .airflow dbt_project/target dbt_project/logs
