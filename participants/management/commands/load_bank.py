from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participants.backup import BackupError, load_bank


class Command(BaseCommand):
    help = (
        "Загружает книгу, сохранённую export_bank, в пустую базу (после manage.py migrate) одной транзакцией, "
        "с прежними номерами записей. Если в базе уже есть данные банка, ничего не загружается. "
        "Пользователи, которых нет в базе, создаются неактивными и без пароля."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="путь к файлу .xlsx, сохранённому export_bank")

    def handle(self, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Файл «{path}» не найден.")
        try:
            result = load_bank(path)
        except BackupError as exc:
            raise CommandError(f"{exc} Ничего не загружено.") from exc
        for sheet, count in result.counts.items():
            self.stdout.write(f"{sheet:<24} {count:>8}  {result.labels[sheet]}")
        for sheet in result.missing_sheets:
            self.stdout.write(f"{sheet:<24} {'—':>8}  {result.labels[sheet]}: листа нет в выгрузке, таблица пуста")
        if result.created_users:
            self.stdout.write(
                f"Созданы неактивные учётные записи без пароля ({len(result.created_users)}): "
                f"{', '.join(result.created_users)}. Активируйте их, назначьте группу и пароль в админке."
            )
        self.stdout.write(self.style.SUCCESS(f"Загружено строк: {result.total} на {len(result.counts)} листах."))
