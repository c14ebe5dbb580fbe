# orleans_gov — one entry point for setup, data, tests and deliverables.
# Every target that needs Python creates .venv/ first (python3 -m venv + pip).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := orleans_gov
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: install data sample test reports lab clean help

help:
	@echo "make reports  - installe l'environnement, construit les données et rend tous les livrables"
	@echo "make test     - installe l'environnement et lance toute la suite de tests"
	@echo "make install | data | sample | lab | clean"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (orleans_gov)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

sample: $(STAMP)
	$(BIN)/orleans-gov echantillon

# Rebuilds data/processed only when an input changed (construction/etat.py); `make data TOUT=1` rebuilds it all.
data: $(STAMP)
	$(BIN)/orleans-gov donnees $(if $(TOUT),--tout)

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(JOBS) -q

# Re-renders only the deliverables whose inputs changed (the others are copied from the previous run);
# `make reports TOUT=1` rebuilds the data and renders everything (orleans-gov rapports --tout).
reports: data
	$(BIN)/orleans-gov rapports --jobs $(JOBS) $(if $(TOUT),--tout)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf data/processed/*.parquet data/processed/.construction.json data/processed/.cache_scenarios reports/[0-9]* reports/latest .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
