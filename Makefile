# Two entry points, both self-contained on a machine with only python3 (and make):
#   make demo   set up .venv and trace the bundled example complaint
#   make test   set up .venv and run the whole suite: pytest, ruff, mypy --strict
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test check lint typecheck bench docs clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "error: '$(PYTHON) -m venv' failed. On Debian/Ubuntu install the venv module:" >&2; \
	  echo "       apt-get install python3-venv" >&2; exit 1; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,browser]'
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/headertrace trace examples/complaint.eml --our-domain example.com

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q
	$(BIN)/python -m ruff check src tests benchmarks
	$(BIN)/python -m ruff format --check src tests benchmarks
	$(BIN)/python -m mypy

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_trace.py

docs: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[docs]'
	$(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache site dist
