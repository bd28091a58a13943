from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participants.importing import MAX_IMPORT_BYTES, import_participants
from participants.models import Organisation, Programme


class Command(BaseCommand):
    help = (
        "Загружает участников программы из книги Excel (.xlsx) по шаблону: с полным доступом — "
        "все организации субъекта РФ программы, категории и даты включения. Файл с ошибками не сохраняется."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="код программы, например tomsk-mkr")
        parser.add_argument("file", help="путь к файлу .xlsx")
        parser.add_argument(
            "--dry-run", action="store_true", help="только проверить файл и показать, что изменится, без сохранения"
        )

    def handle(self, slug, file, dry_run=False, **options):
        programme = Programme.objects.select_related("region").filter(slug=slug).first()
        if programme is None:
            known = ", ".join(Programme.objects.order_by("slug").values_list("slug", flat=True)) or "нет ни одной"
            raise CommandError(f"Программы «{slug}» нет. Есть: {known}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Файл «{path}» не найден.")
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:  # the importer's own check, before reading a huge file into memory
            raise CommandError(
                f"Файл слишком большой: {size / 1024 / 1024:.1f} МБ при допустимых "
                f"{MAX_IMPORT_BYTES / 1024 / 1024:g} МБ. Разделите его на несколько файлов."
            )
        data = path.read_bytes()
        report = import_participants(
            data,
            programme=programme,
            organisations=Organisation.objects.filter(region=programme.region),
            can_set_membership=True,
            user=None,
            commit=not dry_run,
        )
        if report.errors:
            for issue in report.errors:
                self.stderr.write(str(issue))
            raise CommandError(
                f"Ошибок в файле: {report.error_count}. Ничего не сохранено: исправьте файл и загрузите снова."
            )
        verbosity = options.get("verbosity", 1)
        if verbosity >= 2:
            labels = {"create": "создать", "update": "обновить", "unchanged": "без изменений"}
            for outcome in report.rows:
                line = f"Строка {outcome.row}: {outcome.person} — {labels[outcome.action]}"
                if outcome.changes:
                    line += "; " + "; ".join(f"{column}: {old} → {new}" for column, old, new in outcome.changes)
                if outcome.membership:
                    line += f"; членство: {outcome.membership}"
                self.stdout.write(line)
        counts = report.counts
        self.stdout.write(
            f"Создано: {counts['create']}, обновлено: {counts['update']}, без изменений: {counts['unchanged']}."
        )
        if report.saved:
            self.stdout.write(self.style.SUCCESS("Сохранено."))
        else:
            self.stdout.write("Проверка (--dry-run): ничего не сохранено.")
