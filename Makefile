# Set-up is part of every target: a fresh clone needs only `make test` or `make demo`.
VENV   ?= .venv
PYTHON := $(VENV)/bin/python
# The CPU build of torch; a GPU user installs their own torch build first.
TORCH  ?= torch==2.13.0

.PHONY: demo test lint docs install clean

$(VENV)/.installed: pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet "$(TORCH)"
	$(PYTHON) -m pip install --quiet -e ".[test,docs]"
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(PYTHON) -m skgrow

lint: $(VENV)/.installed
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

test: lint
	$(PYTHON) -m pytest

docs: $(VENV)/.installed
	$(PYTHON) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info docs/_build docs/auto_examples \
		docs/generated docs/sg_execution_times.rst
