# The two commands: `make app` and `make test`. Each sets up everything it needs itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LEDGER := sample_data/ledger.duckdb
PORT   ?= 8866
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: app test lint bench sample wheelhouse lab workshop workshop-solutions workshop-reset system-deps clean

$(VENV)/.app: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.lab: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[lab]'
	touch $@ $(VENV)/.app

$(VENV)/.dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.app $(VENV)/.lab

$(LEDGER): | $(VENV)/.app
	$(BIN)/toolkit sample --out $(LEDGER)

sample: $(LEDGER)

## Serve the apps on http://127.0.0.1:$(PORT) (token printed below)
app: $(VENV)/.app $(LEDGER)
	$(BIN)/toolkit serve --ledger $(LEDGER) --port $(PORT)

## Run the whole test suite (browser/PostgreSQL tests skip loudly when their packages are missing)
test: $(VENV)/.dev
	$(BIN)/ruff check toolkit tests bench notebooks
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check toolkit tests bench notebooks
	$(BIN)/ruff format --check toolkit tests bench

## Re-measure: every section of BENCHMARKS.md is rewritten by its bench; the 1M-problem ledger and write benches take ~20 minutes, serving ~15
bench: $(VENV)/.dev $(LEDGER)
	$(BIN)/python -m bench.apps_bench $(LEDGER)
	$(BIN)/python -m bench.metrics_bench $(LEDGER)
	$(BIN)/python -m bench.ingest_bench
	$(BIN)/python -m bench.ledger_bench --scale 93 --keep bench/.work
	$(BIN)/python -m bench.write_bench bench/.work/sample-x93.duckdb
	$(BIN)/python -m bench.apps_bench bench/.work/sample-x93.duckdb --at-scale
	$(BIN)/python -m bench.serve_bench $(LEDGER)

## The analyst's JupyterLab at the repository root, in Chinese, nothing fetched from the internet
lab: $(VENV)/.lab $(LEDGER)
	$(BIN)/python -m toolkit.lab

## The course: lessons copied to classroom/lessons (git-ignored), the course's own ledger, JupyterLab there
workshop: $(VENV)/.lab
	$(BIN)/python -m toolkit.classroom

## The trainer's solutions (classroom/solutions), on the same course ledger
workshop-solutions: $(VENV)/.lab
	$(BIN)/python -m toolkit.classroom --solutions

## Back to the state before the course: fresh lessons, empty scratch ledger
workshop-reset: $(VENV)/.lab
	$(BIN)/python -m toolkit.classroom --reset --prepare-only

## Every wheel the app needs, for a machine with no network (dist/wheelhouse, with its README)
wheelhouse: $(VENV)/.app
	rm -rf dist/wheelhouse
	$(BIN)/python -m pip wheel -q -w dist/wheelhouse .
	cp docs/offline-install.md dist/wheelhouse/README.md
	@echo "dist/wheelhouse: $$(ls dist/wheelhouse/*.whl | wc -l) wheels, $$(du -sh dist/wheelhouse | cut -f1); see dist/wheelhouse/README.md"

## Debian packages the browser, PostgreSQL and report tests need (run as root)
system-deps:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$(cat .ci/system-packages.txt)

clean:
	rm -rf dist build $(VENV) $(LEDGER) $(LEDGER).published $(LEDGER).lock test-artifacts classroom
