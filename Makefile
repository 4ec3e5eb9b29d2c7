# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint bench clean

run: $(INSTALLED)
	scripts/run-dev.sh

test: $(INSTALLED)
	scripts/install-browser.sh
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Never part of `make test`: loads local servers and PostgreSQL for about five minutes (bench/README.md).
bench: $(INSTALLED)
	scripts/install-bench-tools.sh
	$(BIN)/python bench/run.py

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Porch needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf output var .pytest_cache
