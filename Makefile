# talentbank: make run (demo on SQLite), make test (suite on a throwaway PostgreSQL 15)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The site's packages (make run, make serve) and, on top, the tools of tests and benchmarks
# (make test, bench, load, lint). Both lock files pin every package with hashes: edit
# requirements.in or requirements-dev.in, then `make lock` (pip-tools) rewrites them.
RUN_STAMP := $(VENV)/.installed-run-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes
# The suite runs on one process per core (pytest-xdist; each has its own test database on the
# throwaway server). `make test PYTEST_ARGS="-n 0 participants"` runs a part in one process.
# --dist load hands each process its tests in collection order, where pytest-django puts the tests
# that empty the database (transactional) after the others; work stealing would break that order.
PYTEST_ARGS ?= -n auto --dist load

.PHONY: install install-dev lock run serve test bench load lint format clean

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Нужен Python 3.11 или новее.")'
	@$(PYTHON) -m venv $(VENV) || { echo "Не удалось создать $(VENV): установите python3-venv." >&2; exit 1; }
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(RUN_STAMP): requirements.txt | $(BIN)/python
	@$(PIP_INSTALL) -r requirements.txt \
		|| { echo "Не удалось установить пакеты из requirements.txt (нет доступа к PyPI?)." >&2; exit 1; }
	@rm -f $(VENV)/.installed-run-* $(VENV)/.installed-[0-9]*
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	@$(PIP_INSTALL) -r requirements.txt -r requirements-dev.txt \
		|| { echo "Не удалось установить пакеты из requirements.txt и requirements-dev.txt (нет доступа к PyPI?)." >&2; exit 1; }
	@rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-run-* $(VENV)/.installed-[0-9]*
	@touch $@ $(RUN_STAMP)

# Re-resolve the lock files after editing requirements*.in; existing pins are kept unless
# `make lock UPGRADE=1`.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: install-dev
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --if-empty
	scripts/with-worker $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-dev
	@# The browser tests drive Debian's chromium: install it when missing (as root, else through sudo).
	@test -x /usr/bin/chromium || { echo "Устанавливаю Chromium для браузерных тестов (apt-get install chromium)…" >&2; \
		if [ "$$(id -u)" = 0 ]; then as=env; elif command -v sudo >/dev/null; then as="sudo env"; else as=; fi; \
		[ -n "$$as" ] && { $$as DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
			|| { $$as apt-get update -q && $$as DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }; } \
		|| echo "Браузерные тесты не пройдут: установите Chromium (apt-get install chromium, пакет Debian chromium)." >&2; }
	scripts/with-postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks at BENCH_SCALES (default "1 100 1000") on a throwaway PostgreSQL; writes bench/results.json.
bench: install-dev
	scripts/with-postgres $(BIN)/python bench/run.py

# 50 users for 60 s against gunicorn with the demo data (locust); fails if any request failed.
load: install-dev
	scripts/with-postgres bench/load.sh

# Production: PostgreSQL and a secret key from the environment, DEBUG off, gunicorn (gunicorn.conf.py:
# BIND, WEB_CONCURRENCY), static files served by WhiteNoise.
serve: install
	@missing=""; \
	case "$$DATABASE_URL" in postgres://*|postgresql://*|pgsql://*|postgis://*) ;; *) missing="DATABASE_URL (PostgreSQL: postgres://пользователь:пароль@сервер:5432/база)";; esac; \
	test -n "$$SECRET_KEY" || missing="$${missing:+$$missing и }SECRET_KEY (50 и более случайных символов)"; \
	if [ -n "$$missing" ]; then echo "make serve: задайте в окружении $$missing." >&2; exit 1; fi
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput
	DEBUG=0 scripts/with-worker $(BIN)/gunicorn --config gunicorn.conf.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
