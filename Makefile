# Two commands on a fresh machine: `make run` and `make test`. Nothing to install beyond Python
# and Node.js's npm (browser-test tools only).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format migrate seed clean prod-local prod-local-stop messages

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

## The production profile on 127.0.0.1 (docs/deploy.md): nginx with TLS (self-signed) in front of
## gunicorn, DEBUG=0. Ports: PROD_LOCAL_HTTP_PORT/HTTPS_PORT/GUNICORN_PORT (8140/8143/8141).
## Needs REDIS_URL; PROD_LOCAL_ARGS=--with-celery adds a worker and beat.
prod-local: $(STAMP)
	$(PY) scripts/prod_local.py start $(PROD_LOCAL_ARGS)

prod-local-stop:
	$(PY) scripts/prod_local.py stop

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

## Collect the translatable strings into locale/fr/LC_MESSAGES/django.po and compile the .mo
## (needs GNU gettext: `apt-get install -y gettext`). Commit both: tests fail on a stale .mo.
messages: $(STAMP)
	$(PY) manage.py makemessages -l fr -e html,txt,py,subject --no-obsolete --ignore=.venv --ignore=var \
		--ignore=mutants --ignore='tests/*' --ignore='bench/*' --ignore='scripts/*' --ignore=static
	msgfmt --check -o locale/fr/LC_MESSAGES/django.mo locale/fr/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) var/celery test-artifacts node_modules
