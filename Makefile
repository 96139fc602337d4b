# Brobygger: `make run` brings up a local federation, `make test` runs the suite.
# Python 3.11 to 3.13: the newest of python3.13, python3.12, python3.11 (then python3) that runs and
# reports a supported version; a name that exists but does not run (a pyenv shim for a version that
# is not selected) does not count. Chosen once; `make PYTHON=/path/to/python3.x` overrides it.
PYTHON_CANDIDATES := python3.13 python3.12 python3.11 python3
PYTHON_SUPPORTED  := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for cand in $(PYTHON_CANDIDATES); do \
	"$$cand" -c '$(PYTHON_SUPPORTED)' >/dev/null 2>&1 && { echo "$$cand"; break; }; done)
endif
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
BUF    := proto/tools/node_modules/.bin/buf
# The browser tier's Chromium (the npm package @sparticuz/chromium, extracted under var/browser/) and
# axe-core; the stamp is touched once both are installed and Chromium's shared libraries are found.
BROWSER_TOOLS := tests/browser/tools/node_modules/.installed

.PHONY: install run test test-fast test-browser bench proto proto-check proto-lint translations clean help import-members

help:
	@echo "make run          install and start a local federation (nodes mir, mira, mkr, hub, broker, issuer)"
	@echo "make test         install and run the whole test suite"
	@echo "make test-fast    everything but the tiers that start a federation (federation, browser)"
	@echo "make test-browser the browser tier: pages of a running federation in headless Chromium"
	@echo "make bench        run the benchmarks; figures go to bench-results.json"
	@echo "make proto        regenerate proto/gen from proto/brobygger"
	@echo "make proto-check  fail if proto/gen is stale"
	@echo "make proto-lint   buf lint (STANDARD rules, AIP exceptions in buf.yaml)"
	@echo "make translations extract the web app's messages into its catalogues and compile them"
	@echo "make import-members FILE=x.csv [APPLY=1] [ORG=mir]  import members into a node of make run (a dry run without APPLY)"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11, 3.12 or 3.13 is needed: none of $(PYTHON_CANDIDATES) runs one." \
		"Install one (e.g. from python.org, your package manager or pyenv), or name it: make PYTHON=/path/to/python3.13"; \
		exit 1; }
	@$(PYTHON) -c '$(PYTHON_SUPPORTED)' 2>/dev/null || { echo "Python 3.11, 3.12 or 3.13 is needed;" \
		"PYTHON=$(PYTHON) is $$($(PYTHON) --version 2>&1 | head -n 1)"; exit 1; }
	@if [ -x $(PY) ] && [ "$$($(PY) -c 'import sys; print(sys.version_info[:2])' 2>/dev/null)" != \
		"$$($(PYTHON) -c 'import sys; print(sys.version_info[:2])')" ]; then \
		echo "$(VENV) was made with another Python; making it anew with $(PYTHON)"; rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

$(BUF): proto/tools/package.json
	@command -v npm >/dev/null || { echo "npm is needed for buf (the protobuf linter); install Node.js and npm"; exit 1; }
	npm install --prefix proto/tools --no-package-lock --no-audit --no-fund --loglevel=error
	touch $@

# Chromium's shared libraries are checked with ldd; as root the Debian packages holding missing ones are
# installed, otherwise the check names them (apt-get install ...) and stops.
$(BROWSER_TOOLS): tests/browser/tools/package.json | $(STAMP)
	@command -v npm >/dev/null || { echo "npm is needed for the browser tier (Chromium, axe-core); install Node.js and npm"; exit 1; }
	npm install --prefix tests/browser/tools --no-package-lock --no-audit --no-fund --loglevel=error
	$(PY) -m tests.browser.chromium
	touch $@

install: $(STAMP) $(BUF) $(BROWSER_TOOLS)

run: $(STAMP)
	$(PY) -m services.devstack

test: $(STAMP) $(BUF) $(BROWSER_TOOLS)
	$(PY) -m pytest

test-fast: $(STAMP) $(BUF)
	$(PY) -m pytest -m "not federation and not browser"

test-browser: $(STAMP) $(BROWSER_TOOLS)
	$(PY) -m pytest tests/browser

# The operator's import of members into a node that `make run` started (MiR unless ORG=mira or ORG=mkr):
# a dry run, or with APPLY=1 the import (ON_ERROR=stop stops at the first row that cannot be imported).
ORG ?= mir
ON_ERROR ?= skip
import-members: $(STAMP)
	@test -n "$(FILE)" || { echo "name the spreadsheet: make import-members FILE=medlemmer.csv [APPLY=1] [ORG=mir]"; exit 2; }
	@case "$(ORG)" in mir) port=50111;; mira) port=50121;; mkr) port=50131;; \
		*) echo "ORG must be mir, mira or mkr (the nodes of make run)"; exit 2;; esac; \
	BROBYGGER_ORG=$(ORG) BROBYGGER_MEMBERSHIP_ADDRESS=127.0.0.1:$$port \
		$(PY) -m services.operator import "$(FILE)" --on-error $(ON_ERROR) $(if $(APPLY),--apply)

bench: $(STAMP)
	$(PY) -m tests.bench --out bench-results.json

proto: $(STAMP)
	$(PY) -m services.common.protogen proto/gen

proto-check: $(STAMP)
	$(PY) -m services.common.protogen --check proto/gen

proto-lint: $(BUF)
	$(BUF) lint

TRANSLATIONS := gateway/web/translations
translations: $(STAMP)
	$(VENV)/bin/pybabel -q extract -F gateway/web/babel.cfg -k lazy_gettext -k _l --no-location \
		--sort-output --project=Brobygger -o $(TRANSLATIONS)/messages.pot .
	for lang in nb en; do \
		if [ -f $(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po ]; then \
			$(VENV)/bin/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot \
				-d $(TRANSLATIONS) -l $$lang; \
		else $(VENV)/bin/pybabel -q init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang; fi; \
	done
	$(VENV)/bin/pybabel -q compile --use-fuzzy -d $(TRANSLATIONS)

clean:
	rm -rf var .pytest_cache
