# Two entry points (see README): `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test chaos system-deps bench lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -e '.[dev,cloud]'
	@touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

demo: $(STAMP)
	$(BIN)/oncodrop demo --workdir demo-work

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

chaos: $(STAMP) system-deps
	ONCODROP_CHAOS=long $(BIN)/python -m pytest -q -s -p no:cacheprovider -m chaos

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/reporter.py

clean:
	rm -rf $(VENV) demo-work .pytest_cache
