# The two commands a newcomer needs: `make run` (the quickstarts and a report against the embedded
# sandbox) and `make test` (lint, types and every test). Both build their own virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.billkit-installed
OUT ?= out
NICE ?=

.PHONY: run test lint typecheck unit system-packages bench clean

run: $(STAMP)
	$(BIN)/billkit demo --out $(OUT)

# Lint and the type check run beside the tests, niced: they take the CPU the test workers leave idle (a
# fresh clone's mypy has no cache: ~40 s of CPU), so they add little to the wall time. Each one's output is
# printed whole when it ends (--output-sync: the tests' too), and any failure fails `make test`.
test: $(STAMP) system-packages
	$(MAKE) --no-print-directory -j3 --output-sync=target NICE="nice -n 10" lint typecheck unit

lint: $(STAMP)
	$(NICE) $(BIN)/ruff format --check .
	$(NICE) $(BIN)/ruff check .

typecheck: $(STAMP)
	$(NICE) $(BIN)/mypy

# In parallel, one worker per core (pytest-xdist). The slowest tests are collected first
# (tests/conftest.py) and a worker that runs out of tests takes some of another's (worksteal), so the
# workers finish together even though the first share of each holds the slow tests.
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: pytest keeps the modules it rewrites for
# its assertions (the tests, and every module of the hypothesis and schemathesis plugins) instead of
# compiling them again in each worker, and the sandboxes and kernels the tests start read billkit compiled.
unit: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n auto --dist worksteal

# The Debian packages the tests and benchmarks need (Chromium for the page tests, wrk, ...), installed
# with one apt-get call when any is missing.
system-packages:
	scripts/ensure-debian-packages

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache
