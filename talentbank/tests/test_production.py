"""Production settings (DEBUG=0): `check --deploy` is clean, static files and state fit several app servers,
`make serve` asks for what it needs, and every kind of page sends a content security policy that its own
scripts satisfy."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from participants.models import Participant, Programme

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_COOKIE_AGE",
    "LOGIN_FAILURE_LIMIT",
    "API_BROWSABLE",
    "LOGIN_LOCKOUT_MINUTES",
    "PROXY_COUNT",
)


def production_env(**overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="example.org")
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_finds_nothing_with_production_settings():
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr.upper(), result.stderr


def test_check_deploy_does_complain_when_https_is_turned_off():
    # The check above can fail: without the HTTPS redirect and secure cookies Django warns.
    env = production_env(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W004" in result.stderr


PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "sessions": settings.SESSION_ENGINE,
    "cache": settings.CACHES["default"]["BACKEND"],
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "csrf_origins": settings.CSRF_TRUSTED_ORIGINS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "session_age": settings.SESSION_COOKIE_AGE,
    "axes": [settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds(), settings.AXES_LOCKOUT_PARAMETERS],
}))
"""


def test_production_settings_keep_no_state_on_the_server_and_read_the_environment():
    env = production_env(
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto=https",
        CSRF_TRUSTED_ORIGINS="https://talents.example.org, https://www.example.org",
        SESSION_COOKIE_AGE="600",
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="15",
    )
    result = run([sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "sessions": "django.contrib.sessions.backends.db",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "proxy_header": ["HTTP_X_FORWARDED_PROTO", "https"],
        "csrf_origins": ["https://talents.example.org", "https://www.example.org"],
        "ssl_redirect": True,
        "secure_cookies": [True, True],
        "session_age": 600,
        "axes": [3, 900.0, [["username", "ip_address"]]],
    }


def test_a_malformed_proxy_header_setting_is_explained_in_russian():
    result = run([sys.executable, "manage.py", "check"], production_env(SECURE_PROXY_SSL_HEADER="https"))
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER задаётся как «Заголовок=значение»" in result.stderr


DATABASE = "DATABASE_URL (PostgreSQL: postgres://пользователь:пароль@сервер:5432/база)"
KEY = "SECRET_KEY (50 и более случайных символов)"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, f"make serve: задайте в окружении {DATABASE} и {KEY}."),
        (
            {"DATABASE_URL": "sqlite:///db.sqlite3", "SECRET_KEY": "x" * 60},
            f"make serve: задайте в окружении {DATABASE}.",
        ),
        ({"DATABASE_URL": "postgres://u@127.0.0.1:9/db"}, f"make serve: задайте в окружении {KEY}."),
    ],
)
def test_make_serve_asks_for_postgresql_and_a_secret_key_in_one_line(env, message):
    outer = ("DATABASE_URL", "SECRET_KEY", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    clean = {k: v for k, v in os.environ.items() if k not in outer}
    result = run(["make", "--no-print-directory", "-o", "install", "serve"], {**clean, **env})
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    assert ours == [message], result.stderr


# Content security policy --------------------------------------------------------------------------

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def inline_scripts_without_nonce(html: str, nonce: str | None) -> list[str]:
    """<script> elements the policy would block: inline, not JSON data, without the response's nonce."""
    blocked = []
    for match in SCRIPT.finditer(html):
        attributes = match.group(1)
        if "src=" in attributes or 'type="application/json"' in attributes:
            continue
        if nonce is None or f'nonce="{nonce}"' not in attributes:
            blocked.append(match.group(0))
    return blocked


@pytest.fixture
def admin_pages(demo_data, coordinator_client):
    tomsk = Programme.objects.get(slug="tomsk-mkr")
    return {
        "admin index": reverse("admin:index"),
        "changelist": reverse("admin:participants_participant_changelist"),
        "change page with inlines": reverse("admin:participants_programme_change", args=[tomsk.pk]),
        "add page with autocomplete": reverse("admin:participants_membership_add"),
        "participant with inlines and autocomplete": reverse(
            "admin:participants_participant_change", args=[Participant.objects.order_by("pk").first().pk]
        ),
        "import": reverse("admin:participants_participant_import"),
        "duplicates": reverse("admin:participants_participant_duplicates"),
        "report": reverse("reports:detail", args=["tomsk-mkr", 2019]),
        "report list": reverse("reports:index"),
        "swagger docs": reverse("api-docs"),
        "password page": reverse("admin:accounts_manageduser_changelist"),
        "audit log": reverse("admin:audit_auditevent_changelist"),
    }


def test_every_kind_of_page_sends_the_policy_and_its_scripts_satisfy_it(coordinator_client, admin_pages):
    for name, url in admin_pages.items():
        response = coordinator_client.get(url)
        assert response.status_code == 200, f"{name}: {url} -> {response.status_code}"
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert "'unsafe-inline'" not in directives["script-src"], name
        assert "'unsafe-eval'" not in directives["script-src"], name
        nonces = [s.removeprefix("'nonce-").rstrip("'") for s in directives["script-src"] if s.startswith("'nonce-")]
        html = response.content.decode()
        assert inline_scripts_without_nonce(html, nonces[0] if nonces else None) == [], name


def test_the_swagger_page_runs_its_start_up_script_with_the_nonce(coordinator_client, demo_data):
    response = coordinator_client.get(reverse("api-docs"))
    nonce = next(s for s in policy(response)["script-src"] if s.startswith("'nonce-"))[len("'nonce-") : -1]
    html = response.content.decode()
    assert f'<script nonce="{nonce}">' in html
    assert "SwaggerUIBundle(" in html  # the script that starts the page is the one carrying the nonce
    # a fresh nonce per response
    again = policy(coordinator_client.get(reverse("api-docs")))["script-src"]
    assert f"'nonce-{nonce}'" not in again


def test_json_and_file_responses_carry_the_policy_too(coordinator_client, demo_data):
    autocomplete = coordinator_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "participants", "model_name": "membership", "field_name": "participant", "term": "а"},
    )
    assert autocomplete.status_code == 200 and autocomplete.json()["results"]
    assert policy(autocomplete)["default-src"] == ["'self'"]
    xlsx = coordinator_client.get(reverse("reports:xlsx", args=["tomsk-mkr", 2019]))
    assert xlsx.status_code == 200
    assert "Content-Security-Policy" in xlsx


def test_the_login_page_sends_the_policy(client, db):
    response = client.get(reverse("login"))
    assert policy(response)["script-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
