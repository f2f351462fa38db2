# Two commands: `make run` serves the demo, `make test` runs the whole suite. Both set up first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: setup run live test lint demo bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

data/floorview.duckdb: $(STAMP)
	$(BIN)/floorview demo --out data/demo --load

demo: $(STAMP)
	$(BIN)/floorview demo --out data/demo --load

# The demo ends yesterday: served later, "today" stays its last day.
run: data/floorview.duckdb
	$(BIN)/floorview serve --demo-today data/demo

# The live demo: serve with today's date and replay the demo's last day into it (SPEED=10 FROM=10:55 make live).
live: data/floorview.duckdb
	BIN=$(BIN) scripts/live-demo

test: $(STAMP)
	scripts/setup-browser
	$(BIN)/ruff check .
	$(BIN)/mypy  # strict on kpis, loaders, actions, store, settings, semantic (pyproject.toml [tool.mypy])
	# One worker per core, each taking whole test files (their module fixtures are built once).
	$(BIN)/pytest -q -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/bench_load.py
	$(BIN)/python bench/bench_kpis.py
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_incremental.py
	$(BIN)/python bench/bench_concurrency.py
	$(BIN)/python bench/bench_live.py
	$(BIN)/python bench/bench_rta.py

clean:
	rm -rf data/demo data/*.duckdb data/*.wal
