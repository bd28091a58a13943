from django.conf import settings
from django.core.management.base import BaseCommand

from participants.models import Programme
from reports.demo.loader import (
    DEMO_OTP_SECRET,
    DEMO_PASSWORD,
    approve_demo_reports,
    ensure_demo_accounts,
    ensure_demo_devices,
    load_demo,
)


class Command(BaseCommand):
    help = "Загружает демонстрационные данные обеих программ (tomsk-mkr, tula-kadry) и демо-учётные записи."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ничего не делать, если в базе уже есть хотя бы одна программа.",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Programme.objects.exists():
            self.stdout.write("В базе уже есть данные: демонстрационные данные не загружаются.")
        else:
            for slug, loaded in load_demo().items():
                state = "загружена" if loaded else "уже есть, не изменялась"
                self.stdout.write(f"Программа {slug}: {state}.")
        accounts = ensure_demo_accounts()
        for approved in approve_demo_reports():
            self.stdout.write(f"Справка {approved} утверждена от имени координатора.")
        # The demo key is public: only a demonstration (DEBUG on) gets it, never a production database.
        with_code = ensure_demo_devices() if settings.DEBUG else []
        self.stdout.write(self.style.SUCCESS(f"Демо-вход: http://127.0.0.1:8000/ — пароль у всех «{DEMO_PASSWORD}»:"))
        for username, role in accounts:
            note = "  + одноразовый код" if username in with_code else ""
            self.stdout.write(f"  {username:<18} {role}{note}")
        if with_code:
            self.stdout.write(
                f"Учётные записи {', '.join(with_code)} подтверждают вход одноразовым кодом: после пароля\n"
                f"введите код, который печатает (в другом терминале)\n"
                f"  .venv/bin/python manage.py demo_code {with_code[-1]}\n"
                f"или добавьте в приложение-аутентификатор ключ {DEMO_OTP_SECRET} (он один у всех демо-записей).\n"
                "Каждый код действует один раз: для повторного входа дождитесь следующего (новый код каждые 30 с)."
            )
        elif not settings.DEBUG:
            self.stdout.write(
                "DEBUG выключен: демо-ключи для входа с кодом не созданы; "
                "администратор и координаторы подключат приложение при первом входе."
            )
