# The README's two commands: `make run` (main job) and `make test` (the test suite).
# Each creates its own virtual environment, so both work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNS ?= 100000
SEED ?= 1

.PHONY: run test lint setup setup-test clean

$(BIN)/escalation: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/escalation
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

setup: $(BIN)/escalation

setup-test: $(VENV)/.test-deps

run: setup
	rm -rf results/us_iran_2020
	$(BIN)/escalation run scenarios/us_iran_2020.yaml --runs $(RUNS) --seed $(SEED) --out results/us_iran_2020 --plot results/us_iran_2020/outcomes.png

lint: setup-test
	$(BIN)/ruff check escalation tests examples benchmarks
	$(BIN)/ruff format --check escalation tests examples benchmarks

test: setup-test lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) results build *.egg-info
