from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participants.backup import BackupError, export_bank


class Command(BaseCommand):
    help = (
        "Выгружает весь банк в одну книгу Excel (.xlsx): по листу на каждую таблицу приложений participants и "
        "events, первая строка — имена полей. Пользователи указаны по имени входа. Загрузить обратно в пустую "
        "базу: manage.py load_bank ФАЙЛ.xlsx. Полная резервная копия — pg_dump (см. README, «Backups»)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="куда сохранить книгу, например bank-2024-05-01.xlsx")

    def handle(self, file, **options):
        path = Path(file)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"Имя файла должно оканчиваться на .xlsx: «{path}».")
        if not path.parent.is_dir():
            raise CommandError(f"Папки «{path.parent}» нет: создайте её или укажите другой путь.")
        try:
            result = export_bank(path)
        except (BackupError, OSError) as exc:
            raise CommandError(f"Выгрузка не сохранена: {exc}") from exc
        for sheet, count in result.counts.items():
            self.stdout.write(f"{sheet:<24} {count:>8}  {result.labels[sheet]}")
        self.stdout.write(
            self.style.SUCCESS(f"Выгружено строк: {result.total} на {len(result.counts)} листах в «{path}».")
        )
