"""The project's set-up: migrations in step with the models, clear messages when something is missing."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_no_missing_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_unreachable_database_is_reported_in_one_clear_line(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Нет связи с базой данных (проверьте DATABASE_URL)")


def test_settings_are_russian(settings):
    assert settings.LANGUAGE_CODE == "ru"
    assert settings.USE_I18N and settings.USE_TZ
