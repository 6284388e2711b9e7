# Two commands on a fresh machine: `make run` and `make test`. Nothing to install beyond Python
# and Node.js's npm (browser-test tools only).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format migrate seed clean

$(STAMP): requirements.txt requirements-dev.txt package.json package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	# Browser-test tools (axe-core for tests/e2e), exactly as package-lock.json pins them.
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

## Serve the portal with demo data at http://127.0.0.1:8000/ (web + Celery worker + beat).
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) scripts/dev.py

## The whole test suite: SQLite by default, PostgreSQL when DATABASE_URL says so.
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var/celery test-artifacts node_modules
