from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reports import aggregates
from reports.wording import number


class Command(BaseCommand):
    help = (
        "Пересчитывает сводки «в банке на конец периода» по всем членствам и сводки диагностик, заменяет ими "
        "сохранённые и сообщает о расхождениях (код возврата 1, если они были)."
    )

    def handle(self, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Сводок нет: на этой базе справка считается по записям.")
            return
        differences = [*aggregates.rebuild(), *aggregates.rebuild_diagnostics()]
        if not differences:
            self.stdout.write("Сводки пересчитаны, расхождений нет.")
            return
        for d in differences[:50]:
            self.stdout.write(str(d))
        if len(differences) > 50:
            self.stdout.write(f"… и ещё {number(len(differences) - 50)}")
        raise CommandError(f"Найдено расхождений: {number(len(differences))}. Сводки пересчитаны заново.")
