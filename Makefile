# The README's two commands: `make run` (main job) and `make test` (the test suite).
# Each creates its own virtual environment, so both work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNS ?= 100000
SEED ?= 1

.PHONY: run readme-figures test lint setup setup-test clean docs setup-docs examples

$(BIN)/escalation: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/escalation
	$(BIN)/python -m pip install --quiet -e ".[test,explore]"
	touch $@

$(VENV)/.docs-deps: $(BIN)/escalation
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@

setup: $(BIN)/escalation

setup-test: $(VENV)/.test-deps

run: setup
	rm -rf results/us_iran_2020
	$(BIN)/escalation run scenarios/us_iran_2020.yaml --runs $(RUNS) --seed $(SEED) --out results/us_iran_2020
	$(BIN)/escalation plot results/us_iran_2020 --kind all -o results/us_iran_2020/figures

# The README's figures: the outcome and ladder figures of `make run`'s study.
readme-figures: run
	cp results/us_iran_2020/figures/outcomes.png results/us_iran_2020/figures/ladder.png docs/img/

lint: setup-test
	$(BIN)/ruff check escalation tests examples benchmarks
	$(BIN)/ruff format --check escalation tests examples benchmarks

test: setup-test lint
	$(BIN)/python -m pytest -q

setup-docs: $(VENV)/.docs-deps

# The documentation site (mkdocs.yml), built strictly: any warning fails the build.
docs: setup-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

# Every example script, with its defaults; figures go to examples/output/.
examples: setup
	$(BIN)/python examples/quickstart.py
	$(BIN)/python examples/counterfactuals.py
	$(BIN)/python examples/sweep_militia_control.py

clean:
	rm -rf $(VENV) results build *.egg-info
