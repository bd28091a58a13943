from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participants.models import Programme
from reports.pdf import render_report
from reports.services import build_report


class Command(BaseCommand):
    help = "Строит справку программы за период и сохраняет её в PDF."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="код программы, например tomsk-mkr")
        parser.add_argument("year", type=int, help="год начала периода, например 2019")
        parser.add_argument("--out", required=True, help="куда сохранить PDF")

    def handle(self, slug, year, out, **options):
        programme = Programme.objects.filter(slug=slug).first()
        if programme is None:
            known = ", ".join(Programme.objects.order_by("slug").values_list("slug", flat=True)) or "нет ни одной"
            raise CommandError(f"Программы «{slug}» нет. Есть: {known}.")
        path = Path(out)
        path.write_bytes(render_report(build_report(programme, year)))
        self.stdout.write(f"Справка {programme.slug} за {programme.period(year).label} сохранена в {path}.")
