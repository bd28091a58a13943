from django.conf import settings
from django.core.management.base import BaseCommand

from participants.models import ImportUpload


class Command(BaseCommand):
    help = (
        "Удаляет загрузки из Excel (файлы с персональными данными и результаты их проверки) старше "
        "срока IMPORT_UPLOAD_LIFETIME (сутки), сохранённые и несохранённые. Каждая новая загрузка делает "
        "то же сама, так что запускать команду по расписанию не обязательно."
    )

    def handle(self, **options):
        deleted = ImportUpload.purge_expired()
        hours = settings.IMPORT_UPLOAD_LIFETIME.total_seconds() / 3600
        self.stdout.write(f"Удалено загрузок старше {hours:g} ч: {deleted}.")
