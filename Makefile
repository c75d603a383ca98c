# Linli — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LINLI := $(BIN)/linli
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run dev test test-pg test-browser lint format ci install migrate demo clean messages bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(LINLI) migrate --noinput

demo: migrate
	$(LINLI) demo

run: migrate ## serve the demo world on http://127.0.0.1:8000 with gunicorn, the task worker and the scheduler
	DJANGO_SETTINGS_MODULE=linli.settings.base $(LINLI) demo --if-empty
	DJANGO_SETTINGS_MODULE=linli.settings.base $(LINLI) collectstatic --noinput -v 0
	@$(LINLI) demo --logins
	@echo "Open http://127.0.0.1:8000/"
	DJANGO_SETTINGS_MODULE=linli.settings.base $(LINLI) serve

dev: migrate ## runserver with auto-reload (DEBUG on); tasks run inline, no worker needed
	$(LINLI) demo --if-empty
	@$(LINLI) demo --logins
	$(LINLI) runserver 127.0.0.1:8000

test: install ## the test suite on SQLite (browser tests skip without Chromium)
	env -u DATABASE_URL $(BIN)/pytest -q

test-pg: install ## the test suite on PostgreSQL from DATABASE_URL
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/pytest -q

test-browser: install ## only the browser tests (needs /usr/bin/chromium)
	env -u DATABASE_URL LINLI_REQUIRE_BROWSER=1 $(BIN)/pytest -q -m browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install ## refresh the Chinese catalogue after changing UI text (needs GNU gettext)
	cd linli && ../$(LINLI) makemessages -l zh_Hans --no-obsolete --no-location
	$(BIN)/python -m linli.core.i18n compile

bench: install ## e.g. make bench BENCH="--only booking --residents 20000 --seed 7"
	$(BIN)/python -m linli.bench $(BENCH)

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var/static
