# One-command entry points. `make demo` and `make test` create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## ingest the bundled example corpus into atlas.db and show what is in it
	$(BIN)/solidarity extract examples/corpus --format table
	$(BIN)/solidarity ingest examples/corpus --db atlas.db
	$(BIN)/solidarity stats --db atlas.db
	$(BIN)/solidarity org show KKE --db atlas.db
	$(BIN)/solidarity timeline --country KZ --db atlas.db
	$(BIN)/solidarity network --db atlas.db --top 8

test: $(STAMP)  ## lint, type-check and run the test suite
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: $(STAMP)  ## extraction throughput against a bare read-and-regex pass
	$(BIN)/python bench/extract_throughput.py

clean:
	rm -rf atlas.db atlas.db-wal atlas.db-shm $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
