from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

FIRST_PERIOD_YEAR = 2000
LAST_PERIOD_YEAR = 2100


class PeriodYearField(models.PositiveSmallIntegerField):
    """The year a reporting period starts in (see participants.periods)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", "период")
        kwargs.setdefault(
            "help_text",
            "Год начала периода: для календарного года — сам год, для учебного 2019 означает 2019/2020.",
        )
        kwargs.setdefault(
            "validators",
            [
                MinValueValidator(FIRST_PERIOD_YEAR, f"Период не может быть раньше {FIRST_PERIOD_YEAR} года."),
                MaxValueValidator(LAST_PERIOD_YEAR, f"Период не может быть позже {LAST_PERIOD_YEAR} года."),
            ],
        )
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs
