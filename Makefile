# The two commands a newcomer needs: `make run` (the quickstarts and a report against the embedded
# sandbox) and `make test` (lint, types and every test). Both build their own virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.billkit-installed
OUT ?= out

.PHONY: run test lint typecheck unit browser bench clean

run: $(STAMP)
	$(BIN)/billkit demo --out $(OUT)

test: $(STAMP) browser lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# Debian's Chromium, for the hosted bill page tests (Playwright drives it; it downloads no browser), and
# Debian's postgresql, whose server the team-ledger tests start themselves.
browser:
	scripts/ensure-chromium

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache
