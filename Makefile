# Brobygger: `make run` brings up a local federation, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
BUF    := proto/tools/node_modules/.bin/buf

.PHONY: install run test test-fast bench proto proto-check proto-lint clean help

help:
	@echo "make run          install and start a local federation (nodes mir, mira, mkr, hub, broker, issuer)"
	@echo "make test         install and run the whole test suite"
	@echo "make bench        run the benchmarks; figures go to bench-results.json"
	@echo "make proto        regenerate proto/gen from proto/brobygger"
	@echo "make proto-check  fail if proto/gen is stale"
	@echo "make proto-lint   buf lint (STANDARD rules, AIP exceptions in buf.yaml)"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 not found)"; exit 1; }
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

$(BUF): proto/tools/package.json
	@command -v npm >/dev/null || { echo "npm is needed for buf (the protobuf linter); install Node.js and npm"; exit 1; }
	npm install --prefix proto/tools --no-package-lock --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(BUF)

run: $(STAMP)
	$(PY) -m services.devstack

test: $(STAMP) $(BUF)
	$(PY) -m pytest

test-fast: $(STAMP) $(BUF)
	$(PY) -m pytest -m "not federation"

bench: $(STAMP)
	$(PY) -m tests.bench --out bench-results.json

proto: $(STAMP)
	$(PY) -m services.common.protogen proto/gen

proto-check: $(STAMP)
	$(PY) -m services.common.protogen --check proto/gen

proto-lint: $(BUF)
	$(BUF) lint

clean:
	rm -rf var .pytest_cache
