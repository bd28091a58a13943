from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from participants.models import Programme
from reports.demo.loader import load_demo

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"


class Command(BaseCommand):
    help = "Загружает демонстрационные данные обеих программ (tomsk-mkr, tula-kadry) и демо-учётную запись."

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
        self.ensure_demo_user()

    def ensure_demo_user(self):
        User = get_user_model()
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = User(
                username=DEMO_USERNAME, first_name="Демо", last_name="Координатор", is_staff=True, is_superuser=True
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-вход: http://127.0.0.1:8000/admin/ — логин «{DEMO_USERNAME}», пароль «{DEMO_PASSWORD}»."
            )
        )
