# The two commands of the README: `make demo` and `make test`. Everything else they need is
# installed on first use and skipped afterwards (stamps record what was installed from what).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.stamp-run
STAMP_DEV := $(VENV)/.stamp-dev
STAMP_NODE := .cache/npm/.stamp

.PHONY: demo test lint typecheck bench chromium clean

demo: $(STAMP_RUN)
	$(BIN)/samtale demo $(ARGS)

test: $(STAMP_DEV) chromium $(STAMP_NODE)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

bench: $(STAMP_DEV)
	$(BIN)/pip install -q -e '.[bench]'
	@for b in $$(ls bench/*.py | grep -v -e __init__ -e common); do \
		m=$$(basename $$b .py); echo "== bench.$$m"; $(BIN)/python -m bench.$$m || exit 1; done

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP_RUN): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP_RUN)

# Browser tests drive Debian's Chromium through Playwright; install it when we can.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
	      || { echo "Could not install chromium with apt-get."; exit 1; }; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium."; \
	    echo "Install it with: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

# axe-core (the accessibility scan) is used by the browser tests only.
$(STAMP_NODE): tests/browser/package.json
	mkdir -p .cache/npm
	cp tests/browser/package.json .cache/npm/package.json
	cd .cache/npm && npm install --no-audit --no-fund --silent
	touch $@

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
