# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Every package of every extra, each pinned with its hashes; `make lock` remakes it.
LOCK := requirements/dev.lock
# The lock files' own tool lives in a venv of its own, apart from the project's.
UV := uv==0.13.8
LOCK_TOOLS := .venv-lock
# The oldest Python Porch supports (pyproject.toml's requires-python); the locks hold
# for it and every newer one.
OLDEST_PYTHON := 3.11.5

.PHONY: run test lint bench lock clean

run: $(INSTALLED)
	scripts/run-dev.sh

test: $(INSTALLED)
	scripts/install-browser.sh
	scripts/install-test-tools.sh
	scripts/install-imap-server.sh
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Never part of `make test`: loads local servers and PostgreSQL for about five minutes (bench/README.md).
bench: $(INSTALLED)
	scripts/install-bench-tools.sh
	$(BIN)/python bench/run.py

$(INSTALLED): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "$(OLDEST_PYTHON)".split("."))) and "Porch needs Python $(OLDEST_PYTHON) or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# After changing a pin in pyproject.toml. Pins already in the locks are kept; to move
# every unpinned dependency to its latest release: make lock LOCK_FLAGS=--upgrade
lock:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/pip install --quiet $(UV)
	$(call compile,--extra dev,$(LOCK))
	$(call compile,--extra service --extra postgresql --extra redis -c $(LOCK),requirements/service.lock)
	$(call compile,--extra blog -c $(LOCK),requirements/blog.lock)

compile = $(LOCK_TOOLS)/bin/uv pip compile --quiet --universal --python-version $(OLDEST_PYTHON) \
	--generate-hashes --custom-compile-command 'make lock' $(LOCK_FLAGS) $(1) -o $(2) pyproject.toml

clean:
	rm -rf output .output-staging var cache .pytest_cache
