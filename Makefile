# maillage — the everyday commands. `make serve` and `make test` work on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install browser load serve test lint fix bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

load: install  ## build the national graph into the on-disk store
	$(BIN)/maillage load

serve: load  ## load, then serve the SPARQL endpoint and the API
	$(BIN)/maillage serve --host $(HOST) --port $(PORT)

browser:  ## Debian's headless Chromium and its driver, for the browser test
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }

test: install browser lint  ## lint, then the whole test suite
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

fix: install
	$(BIN)/ruff check --fix .

bench: install  ## load and query timings on the national graph
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
