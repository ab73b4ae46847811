# Two commands: `make run` (set up, migrate, demo data, serve) and `make test` (set up, test).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_SIZE ?= small
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-dev console-assets migrate demo-data schema bench ci clean

run: install
	$(BIN)/crm-engine migrate
	$(BIN)/crm-engine demo-data --size $(DEMO_SIZE) --seed 7 --if-empty
	$(BIN)/crm-engine serve

test: install-dev
	$(BIN)/python -m pytest

# --- set-up (each step re-runs only when its inputs change) ---------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

console-assets: node_modules/.installed

install: $(VENV)/.installed console-assets

install-dev: $(VENV)/.installed-dev console-assets

# --- everyday helpers -----------------------------------------------------------------------
migrate: install
	$(BIN)/crm-engine migrate

demo-data: install
	$(BIN)/crm-engine demo-data --size $(DEMO_SIZE) --seed 7

schema: install
	$(BIN)/crm-engine export-schema

bench: install-dev
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-min-rounds=30 --benchmark-storage=var/.benchmarks --benchmark-json=var/benchmarks.json --benchmark-save-data
	$(BIN)/python benchmarks/report.py var/benchmarks.json

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) node_modules var/*.db var/*.db-*
