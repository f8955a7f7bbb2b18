# Rebook: two commands for a newcomer, `make run` and `make test`.
# Everything else here is what those two need; each step is skipped when already done.

# The newest supported Python that runs here (3.13, 3.12, 3.11; a pyenv shim may exist without
# its version being active); `make PYTHON=/path/to/python run` picks another.
PYTHON ?= $(or $(shell for p in python3.13 python3.12 python3.11; do \
            $$p -c '' >/dev/null 2>&1 && { echo $$p; break; }; done),python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
PORT   ?= 5000

.PHONY: run test test-quick lint layers test-sqlite test-postgres test-on-day install install-test assets browser bench bench-pages clean translations catalogues

run: install assets
	$(FLASK) init-db
	$(FLASK) demo --if-empty
	@echo "Rebook on http://127.0.0.1:$(PORT)  (demo logins in README.md; Ctrl-C stops it)"
	$(FLASK) serve --port $(PORT)

test: install-test assets browser
	$(MAKE) lint
	$(MAKE) layers
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

# pyflakes' checks (pyproject.toml's tool.ruff): names never defined, imports and variables never
# used, f-strings with nothing to fill in.
lint: install-test
	$(BIN)/ruff check --no-cache --quiet .

# The floors of the code (pyproject.toml's import contracts; docs/ARCHITECTURE.md).
layers: install-test
	$(BIN)/lint-imports --no-cache

# The quick loop while working: tests/domain and tests/web on SQLite: no browser, no spawned
# processes (those are in tests/browser and tests/slow). `make test` runs them all, on both DBs.
test-quick: install-test assets lint layers
	REBOOK_TEST_DB=sqlite $(BIN)/pytest -q -p no:cacheprovider tests/domain tests/web

test-sqlite:
	REBOOK_TEST_DB=sqlite $(BIN)/pytest -q -p no:cacheprovider

test-postgres:
	REBOOK_TEST_DB=postgres $(BIN)/pytest -q -p no:cacheprovider

# The whole suite on another day, under Debian's faketime (no test may depend on the day):
#   make test-on-day DAY="2026-12-05 14:00:00" [DB=postgres]
# The clock starts at DAY and runs on, as one offset from the real clock, so every process the
# tests start (servers, workers) agrees on the time; Chromium keeps the real clock
# (tests/browser/conftest.py).
test-on-day: install-test assets browser
	@command -v faketime >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq faketime >/dev/null; } \
	  || { echo "faketime is missing: run 'sudo apt-get install faketime' once."; exit 1; }
	offset=$$(( $$(date -u -d "$(DAY)" +%s) - $$(date -u +%s) )); \
	FAKETIME_DONT_FAKE_MONOTONIC=1 PYTHONPATH=$(CURDIR)/tests/support/faketime \
	  REBOOK_TEST_DB=$(or $(DB),sqlite) faketime -f "$$( [ $$offset -ge 0 ] && echo +)$$offset" \
	  $(BIN)/pytest -q -p no:cacheprovider

# Python: a virtual environment with the pinned dependencies from pyproject.toml.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed catalogues
install-test: $(VENV)/.installed-test catalogues

# Languages: translations/<lang>/LC_MESSAGES/messages.po are kept in git; the compiled .mo
# files the app reads are made here (ignored by git).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
catalogues: $(CATALOGUES)
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After adding or changing text: gather every _() into messages.pot, merge it into each
# language's messages.po (new strings arrive empty: translate them), then compile.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output \
	  -k _l -k lazy_gettext -o translations/messages.pot portal templates
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
	  --ignore-obsolete --width=100
	$(MAKE) catalogues

# Front end: htmx and Pico CSS from the npm registry, pinned by package-lock.json,
# copied into static/vendor/ (ignored by git).
# axe-core (a dev package) stays in node_modules: the accessibility browser test injects it.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.copied: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico.min.css
	touch $@

assets: static/vendor/.copied

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' once."; exit 1; \
	  fi; \
	fi

bench: install-test
	$(BIN)/python -m bench

# Rebook's pages beside a bare Flask app, CPU per request (bench/pages.py); load from Debian's wrk.
bench-pages: install-test
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
	  || echo "wrk is missing ('sudo apt-get install wrk'): Python clients send the load instead."
	$(BIN)/python -m bench pages

clean:
	rm -rf $(VENV) node_modules static/vendor instance .pytest_cache translations/*/LC_MESSAGES/*.mo
