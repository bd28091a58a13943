"""The справка: one programme, one period, computed from the records.

`build_report(programme, year)` runs the sections the programme is configured with; each section
is a plain function (programme, period) -> dataclass in bank.py, events.py, cohort.py or
criteria.py, registered with its title, template, sheet and draft in reports/sections.py. The HTML
page, the PDF, the workbook and the JSON all render this one result.
"""

from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from events.models import Edition
from participants.models import CriterionTarget, Membership, Programme, ReportSection
from participants.periods import Period, PeriodKind
from reports import aggregates

S = ReportSection


@dataclass
class Report:
    programme: Programme
    period: Period
    generated_at: datetime
    sections: dict[str, Any] = field(default_factory=dict)
    has_data: bool = True

    def get(self, key: str):
        """A section's result, computed once even when conclusions ask for it again."""
        if key not in self.sections:
            from reports.sections import SECTIONS  # the registry imports the section functions from here

            self.sections[key] = SECTIONS[key].compute(self)
        return self.sections[key]

    @property
    def period_title(self) -> str:
        kind = "учебный год" if self.programme.period_kind == PeriodKind.ACADEMIC else "год"
        return f"{self.period.label} {kind}"

    def ordered_sections(self) -> list[tuple[str, str, Any]]:
        """(key, title, result) in print order."""
        from reports.sections import SECTIONS

        return [(key, SECTIONS[key].title, self.sections[key]) for key in self.programme.section_keys()]

    def to_dict(self) -> dict:
        data = {
            "programme": {
                "slug": self.programme.slug,
                "name": self.programme.name,
                "region": self.programme.region.name,
                "operator": self.programme.operator,
            },
            "period": {
                "year": self.period.year,
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "generated_at": self.generated_at.isoformat(),
            "has_data": self.has_data,
        }
        from reports.sections import SECTIONS

        for key in self.programme.section_keys():
            data[SECTIONS[key].json_key] = jsonable(self.sections[key])
        if S.COHORT in self.sections:
            data["participants"] = self.sections[S.COHORT].participants
            data["organizations"] = self.sections[S.COHORT].organizations
        return data


def jsonable(value):
    if is_dataclass(value):
        return jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def period_has_data(programme: Programme, period: Period) -> bool:
    """Whether anything was recorded for the period: an edition, or someone included in it.
    (Open memberships alone do not count: they reach into every future period.)"""
    editions = Edition.objects.filter(series__programme=programme, period=period.year)
    included = Membership.objects.filter(programme=programme, included_on__range=(period.start, period.end))
    return editions.exists() or included.exists()


def build_report(programme: Programme, year: int) -> Report:
    period = programme.period(year)
    report = Report(programme=programme, period=period, generated_at=timezone.now())
    report.has_data = period_has_data(programme, period)
    with aggregates.reading():
        for key in programme.section_keys():
            report.get(key)
    return report


def available_years(programme: Programme) -> list[int]:
    """Periods that have events or criteria targets, newest first (the list of справки)."""
    years = set(Edition.objects.filter(series__programme=programme).values_list("period", flat=True))
    years |= set(CriterionTarget.objects.filter(criterion__programme=programme).values_list("period", flat=True))
    return sorted(years, reverse=True)
