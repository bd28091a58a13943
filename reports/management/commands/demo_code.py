import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import current_code
from reports.demo.loader import DEMO_OTP_KEY


class Command(BaseCommand):
    help = "Печатает текущий одноразовый код демо-учётной записи (только для демонстрации, при DEBUG)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Демо-учётная запись, например demo или koordinator-tomsk.")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_code работает только в демонстрации (DEBUG=1): в рабочей системе код знает лишь приложение пользователя."
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Нет пользователя «{username}».")
        device = TOTPDevice.objects.filter(user=user, confirmed=True, key=DEMO_OTP_KEY).first()
        if device is None:
            raise CommandError(
                f"У пользователя «{username}» нет демо-приложения: код спрашивается только у администратора и "
                "координаторов, а демо-ключ им выдаёт python manage.py load_demo."
            )
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(current_code(device))
        self.stderr.write(f"Код действует ещё {left} с и только один раз.")
