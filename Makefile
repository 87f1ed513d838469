# The README's two commands: `make run` and `make test`. Everything else is a helper for them.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/scorecard.duckdb
PORT ?= 8501

.PHONY: run test lint demo bench bench-10m bench-browser clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python -m connectors demo --db $(DB) --if-empty
	$(BIN)/python -m metrics rollups --db $(DB)
	SCORECARD_DB=$(DB) $(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

demo: $(BIN)/.installed
	rm -f $(DB) $(DB).wal
	$(BIN)/python -m connectors demo --db $(DB)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(BIN)/.installed lint
	$(BIN)/python -m pytest -q -n 2

bench: $(BIN)/.installed
	$(BIN)/python -m bench --contacts 1000000

bench-10m: $(BIN)/.installed
	$(BIN)/python -m bench --contacts 10000000

# Issue 11's page budgets in headless Chromium (Debian's /usr/bin/chromium) on the 1M warehouse.
bench-browser: $(BIN)/.installed
	$(BIN)/python -m bench.browser

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
