# ReportQA — two commands for a new machine: `make run` (the app on the seeds) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup run test test-slow lint bench bench-quick clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev,llm]"
	touch $(STAMP)

run: setup  ## the web app on the seeds (ingested on first start) at http://127.0.0.1:7860 (HOST=, PORT= to change)
	$(BIN)/reportqa serve --ingest seeds --host $(or $(HOST),127.0.0.1) --port $(or $(PORT),7860)

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# Slow tests (pytest marker `slow`: kill -9 mid-ingest, 100 MB uploads, ONNX fp32 export, ...), excluded from `make test`.
test-slow: setup
	$(BIN)/python -m pytest -q -m slow

# Speed, scale, quality and load numbers: bench/results/<date>.json|.md|.png (see README "Benchmark").
bench: setup
	$(BIN)/python -m pytest -q -m slow
	$(BIN)/reportqa bench

bench-quick: setup
	$(BIN)/reportqa bench --quick

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data .pytest_cache
