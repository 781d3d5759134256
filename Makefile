# The one command surface of the CORETT workbench. `make help` lists the targets.
# Every target that needs Python first makes sure .venv exists and holds the project as declared.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := False
export MPLBACKEND := Agg
# Jupyter keeps its config, data and runtime folders inside the project, not in the user's home.
export JUPYTER_CONFIG_DIR := $(CURDIR)/.jupyter/config
export JUPYTER_DATA_DIR := $(CURDIR)/.jupyter/data
export JUPYTER_RUNTIME_DIR := $(CURDIR)/.jupyter/runtime
export IPYTHONDIR := $(CURDIR)/.jupyter/ipython

.PHONY: help install test test-fast lint typecheck contracts format validate indicators reports bench lab clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project (run by every other target)

lint: $(STAMP) ## ruff format check and lint
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP) ## Reformat the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

contracts: $(STAMP) ## Architecture contracts (import-linter: layers, forbidden imports) and no import cycle
	$(BIN)/lint-imports

typecheck: $(STAMP) ## mypy over corett_lib (0 errors)
	$(BIN)/mypy

test: lint contracts typecheck ## What CI runs: format check, lint, contracts, type check, then every test
	$(BIN)/python -m pytest

test-fast: lint contracts ## Quick loop (under a minute): lint, contracts, tests not marked slow
	$(BIN)/python -m pytest -m "not slow" -x -q

validate: $(STAMP) ## Validate the shipped data (report in outputs/validation/)
	$(BIN)/corett validate

indicators: $(STAMP) ## Print the headline indicators for every member and CORETT
	$(BIN)/corett indicators --format table

reports: $(STAMP) ## Build every report of the default matrix into outputs/
	$(BIN)/corett build

# make bench BENCH_ARGS=--quick: every section at smoke-test sizes; --only SECTION, --out DIR
BENCH_ARGS ?=
bench: $(STAMP) ## Benchmarks: start-up, load + validate, indicators, report build, scale (Dask); JSON in outputs/bench/
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# The kernel spec goes into the project's Jupyter data folder, searched before the virtualenv's
# (JUPYTER_PREFER_ENV_PATH=0); no announcement, news, update check or extension index is fetched.
# On a machine without a desktop browser: make lab LAB_ARGS=--no-browser
LAB_ARGS ?=
LAB_OVERRIDES := {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}
lab: $(STAMP) ## Start JupyterLab with the project's kernel, offline (open explorer.ipynb)
	@mkdir -p $(JUPYTER_CONFIG_DIR)/labconfig
	@echo '$(LAB_OVERRIDES)' > $(JUPYTER_CONFIG_DIR)/labconfig/default_setting_overrides.json
	JUPYTER_PREFER_ENV_PATH=0 $(BIN)/python -m ipykernel install --user --name python3 \
	  --display-name "Python 3 (CORETT workbench)" --env GX_ANALYTICS_ENABLED False >/dev/null
	JUPYTER_PREFER_ENV_PATH=0 $(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 \
	  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  --LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

clean: ## Remove generated outputs and caches (keeps .venv)
	rm -rf outputs .cache .pytest_cache .ruff_cache
