# The two commands of README.md: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-fast install lock messages lint bench screenshots clean

# requirements-dev.txt is the lock of everything (the runtime lock requirements.txt, plus the test tools):
# every package, transitive ones too, at one version with its hashes; pip refuses anything else.
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-markers.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r requirements-dev.txt -r requirements-markers.txt
	touch $@

# Writes the locks again from requirements.in and requirements-dev.in (after changing a pin there).
PIP_TOOLS := pip-tools==7.6.2
LOCK := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet '$(PIP_TOOLS)'
	$(LOCK) -o requirements.txt requirements.in
	$(LOCK) -o requirements-dev.txt requirements-dev.in

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed (Node.js 18 or newer): apt-get install -y nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Bootstrap Italia with only the rules the portal's templates use (bin/build-css.mjs).
static/build/bootstrap-italia.css: node_modules/.installed bin/build-css.mjs $(shell find templates static/js -name '*.html' -o -name '*.js' 2>/dev/null)
	node bin/build-css.mjs

install: $(VENV)/.installed node_modules/.installed static/build/bootstrap-italia.css

# Runs the portal with demo content on http://$(HOST):$(PORT), with a Celery
# worker and beat. SQLite and a file-based Celery broker by default: no server
# needed. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
demo: install
	mkdir -p var
	DJANGO_SETTINGS_MODULE=alliance.settings.local $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=alliance.settings.local $(PY) manage.py load_demo
	DJANGO_SETTINGS_MODULE=alliance.settings.local HOST=$(HOST) PORT=$(PORT) bin/run-demo

# Runs the whole test suite against PostgreSQL and Redis (see tests/conftest.py).
test: install
	bin/ensure-chromium
	DJANGO_SETTINGS_MODULE=alliance.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

# The same without the browser journeys and the transactional tests (threads, real workers): a quick check.
test-fast: install
	$(VENV)/bin/pytest --fast

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Regenerates the gettext catalogues; translate locale/*/LC_MESSAGES/django.po, then run again.
messages: install
	DJANGO_SETTINGS_MODULE=alliance.settings.local $(PY) manage.py makemessages -l it -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var
	DJANGO_SETTINGS_MODULE=alliance.settings.local $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

# The README's pictures, taken again from the demo running on http://$(HOST):$(PORT) (make demo).
screenshots: install
	$(PY) bin/screenshots --base-url http://$(HOST):$(PORT)

# The benchmarks of issue 13 at full scale (10,000 allies...) on PostgreSQL, with the registration burst and
# Lighthouse; prints the issue's targets as met or not and writes bench/RESULTS.md. The database named by
# BENCH_DATABASE_URL (an alleanza_bench* one, dropped and made again) and REDIS_URL must be reachable.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alleanza_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/12
bench: install
	bin/ensure-chromium
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/run.py --scale 1 --burst --lighthouse

clean:
	rm -rf $(VENV) node_modules var
