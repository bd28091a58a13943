"""Reporting periods: the one place that knows calendar and academic year boundaries.

A period is named by the year it starts in: for an academic-year programme 2019 is 2019/2020
(1 September 2019 to 31 August 2020); for a calendar-year programme it is the year itself.
"""

from dataclasses import dataclass
from datetime import date

from django.db import models

ACADEMIC_YEAR_FIRST_MONTH = 9


class PeriodKind(models.TextChoices):
    CALENDAR = "calendar", "календарный год"
    ACADEMIC = "academic", "учебный год (сентябрь – август)"


@dataclass(frozen=True)
class Period:
    kind: str
    year: int

    @property
    def start(self) -> date:
        if self.kind == PeriodKind.ACADEMIC:
            return date(self.year, ACADEMIC_YEAR_FIRST_MONTH, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        if self.kind == PeriodKind.ACADEMIC:
            return date(self.year + 1, ACADEMIC_YEAR_FIRST_MONTH - 1, 31)
        return date(self.year, 12, 31)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.ACADEMIC:
            return f"{self.year}/{self.year + 1}"
        return str(self.year)

    def shifted(self, years: int) -> "Period":
        return Period(self.kind, self.year + years)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        suffix = "учебный год" if self.kind == PeriodKind.ACADEMIC else "год"
        return f"{self.label} {suffix}"


def period_of(kind: str, day: date) -> Period:
    """The period of the given kind that contains the day."""
    if kind == PeriodKind.ACADEMIC and day.month < ACADEMIC_YEAR_FIRST_MONTH:
        return Period(kind, day.year - 1)
    return Period(kind, day.year)


def period_year_sql(kind_sql: str, day_sql: str) -> str:
    """`period_of(kind, day).year` as a PostgreSQL expression over SQL operands (the summary
    tables of reports/aggregates.py compute it inside triggers)."""
    academic = f"'{PeriodKind.ACADEMIC.value}'"
    return (
        f"(EXTRACT(YEAR FROM {day_sql})::int - CASE WHEN {kind_sql} = {academic} "
        f"AND EXTRACT(MONTH FROM {day_sql}) < {ACADEMIC_YEAR_FIRST_MONTH} THEN 1 ELSE 0 END)"
    )
