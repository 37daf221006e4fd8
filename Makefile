# brickgate developer entry points. `make demo` and `make test` work on a fresh machine
# (Python >= 3.10, Java 17 for Spark): they create .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.brickgate-installed
PYTEST_FAST := -m "not slow and not spark and not e2e and not mlflow_server"
PYTEST_SLOW := -m "slow or spark or e2e or mlflow_server"

.PHONY: install test lint typecheck pytest demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_FAST)
	$(BIN)/pytest $(PYTEST_SLOW) || test $$? -eq 5  # 5: no slow tests selected

test: lint typecheck pytest

demo: $(STAMP)
	$(BIN)/brickgate validate-bundle tests/fixtures/bundles/valid/minimal -t dev

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[all,dev,bench]'
	for script in benchmarks/bench_*.py; do $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf $(VENV) .brickgate .pytest_cache .mypy_cache .ruff_cache
