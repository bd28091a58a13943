from django.core.management.base import BaseCommand

from participants.models import Programme
from reports.demo.loader import DEMO_PASSWORD, ensure_demo_accounts, load_demo


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
        self.stdout.write(self.style.SUCCESS(f"Демо-вход: http://127.0.0.1:8000/ — пароль у всех «{DEMO_PASSWORD}»:"))
        for username, role in accounts:
            self.stdout.write(f"  {username:<18} {role}")
