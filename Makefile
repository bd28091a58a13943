# talentbank: make run (demo on SQLite), make test (suite on a throwaway PostgreSQL 15)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: install run serve test bench load lint format clean

install: $(STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Нужен Python 3.11 или новее.")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Не удалось создать $(VENV): установите python3-venv." >&2; exit 1; }
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt \
		|| { echo "Не удалось установить пакеты из requirements.txt (нет доступа к PyPI?)." >&2; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $@

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	@# The browser tests drive Debian's chromium: install it when missing (as root, else through sudo).
	@test -x /usr/bin/chromium || { echo "Устанавливаю Chromium для браузерных тестов (apt-get install chromium)…" >&2; \
		if [ "$$(id -u)" = 0 ]; then as=env; elif command -v sudo >/dev/null; then as="sudo env"; else as=; fi; \
		[ -n "$$as" ] && { $$as DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
			|| { $$as apt-get update -q && $$as DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }; } \
		|| echo "Браузерные тесты не пройдут: установите Chromium (apt-get install chromium, пакет Debian chromium)." >&2; }
	scripts/with-postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks at BENCH_SCALES (default "1 100 1000") on a throwaway PostgreSQL; writes bench/results.json.
bench: install
	scripts/with-postgres $(BIN)/python bench/run.py

# 50 users for 60 s against gunicorn with the demo data (locust); fails if any request failed.
load: install
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
	DEBUG=0 exec $(BIN)/gunicorn --config gunicorn.conf.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
