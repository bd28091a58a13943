#!/usr/bin/env python
"""Django's command-line utility for talentbank."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentbank.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        sys.exit(
            f"Не установлен пакет {exc.name or 'django'}: выполните «make install» (или «pip install -r requirements.txt»)."
        )

    from django.db.utils import DatabaseError

    from talentbank import dberrors

    try:
        execute_from_command_line(sys.argv)
    except DatabaseError as exc:
        kind = dberrors.kind(exc)  # by SQLSTATE: a timeout or a deadlock is not a lost connection
        if kind is None:
            raise
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        if kind == dberrors.CONNECTION_LOST:
            sys.exit(f"Нет связи с базой данных (проверьте DATABASE_URL): {first_line}")
        sys.exit(f"{dberrors.MESSAGES[kind]} ({first_line})")
    except ModuleNotFoundError as exc:
        sys.exit(f"Не установлен пакет {exc.name}: выполните «make install» (или «pip install -r requirements.txt»).")


if __name__ == "__main__":
    main()
