from django.core.management.base import BaseCommand, CommandError

from reports.demo.synthetic import SyntheticError, generate_synthetic


class Command(BaseCommand):
    help = (
        "Создаёт синтетическую программу для замеров производительности: масштаб 1 — размер Томской области "
        "(около 500 человек), масштаб 1000 — около 500 000 человек и 2 000 000 записей об участии."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="масштаб, целое число от 1")
        parser.add_argument("--seed", type=int, default=1, help="зерно: одно и то же зерно даёт те же данные")
        parser.add_argument("--slug", default="synthetic", help="код создаваемой программы")

    def handle(self, scale, seed, slug, **options):
        try:
            programme = generate_synthetic(scale, seed, slug, progress=self.stdout.write)
        except SyntheticError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Программа «{programme.slug}» создана; справка: /reports/{programme.slug}/2025/")
