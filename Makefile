# cem-research — the front door.  `make help` lists every target.
# Two commands on a fresh machine:  `make reports`  and  `make test`.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
STAMP  := $(VENV)/.installed
CLIENT ?=
NAME   ?=
FROM   ?=

.DEFAULT_GOAL := help
.PHONY: help reports report test test-fast lab clean demo new-client pdf bench check install browser

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run only, about 2 minutes)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,lab,dask,bench]"
	@# jsonschema imports rfc3987-syntax at start-up (+2 s per notebook run, jsonschema#1428);
	@# it is only needed to validate 'iri' formats, which nothing here uses.
	@$(PY) -m pip uninstall --quiet --yes rfc3987-syntax >/dev/null 2>&1 || true
	@touch $@

install: $(STAMP) ## Create the virtual environment and install the package

reports: $(STAMP) ## Regenerate every client's report (only what changed) and reports/index.html
	@$(PY) -m cem_research run -j $(JOBS)

report: $(STAMP) ## Regenerate one client's report: make report CLIENT=<name>
	@test -n "$(CLIENT)" || { echo "usage: make report CLIENT=<name>"; exit 2; }
	@$(PY) -m cem_research run --client "$(CLIENT)" -j $(JOBS)

check: $(STAMP) ## Validate every client's raw data against its client.yaml (writes nothing)
	@$(PY) -m cem_research check $(if $(CLIENT),--client "$(CLIENT)",)

test: $(STAMP) ## Run the whole test suite (unit, notebooks with nbval, end-to-end, browser)
	@$(PY) -m pytest -q -p no:cacheprovider tests
	@$(PY) -m pytest -q -p no:cacheprovider --nbval-lax notebooks

test-fast: $(STAMP) ## Run the unit tests only
	@$(PY) -m pytest -q -m "not slow and not browser" tests

lab: $(STAMP) ## Open JupyterLab on the notebooks (change `client` in the parameters cell)
	@$(PY) -m jupyter lab --notebook-dir=notebooks

demo: $(STAMP) ## Rewrite the demo clients in data/raw from the seeded generator
	@$(PY) -m datasets.demo --out data/raw

new-client: $(STAMP) ## Start a client from its export: make new-client NAME=<name> FROM=<export.sav|.xlsx|.csv>
	@test -n "$(NAME)" || { echo "usage: make new-client NAME=<name> [FROM=<survey export>]"; exit 2; }
	@$(PY) -m cem_research new-client "$(NAME)" $(if $(FROM),--from "$(FROM)",)

pdf: reports ## Render every report to PDF with headless Chromium (apt-get install chromium)
	@$(PY) -m cem_research pdf

bench: $(STAMP) ## Benchmark the pipeline at growing client sizes (writes reports/bench/)
	@$(PY) -m benchmarks.bench

browser: ## Install Debian's Chromium for PDF and browser tests (needs root)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

clean: ## Delete processed data and reports (raw data is never touched)
	@find data/processed reports -mindepth 1 ! -name .gitkeep -delete 2>/dev/null || true
	@echo "removed data/processed/* and reports/*"
