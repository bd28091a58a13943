"""Approving a справка and comparing its versions: plain functions the views call.

`approve(programme, year, user)` freezes the current справка as the next version: figures (the
JSON of `Report.to_dict`), narrative, the PDF and the workbook as rendered now, who and when, a
SHA-256 digest of figures and narrative, and the differences from the previous version. It runs in
one transaction holding a lock on the справка's row, so two coordinators approving at once get
versions N and N+1, never two versions N.

`differences(before, after, programme)` lists what changed between two sets of figures as rows a
reader can check: (section, row, figure, before, after), in the справка's order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from participants.models import ReportSection

from . import narrative as prose
from . import wording as w
from .models import PeriodReport, ReportVersion, person_name
from .services import Report, build_report, jsonable

# Keys of Report.to_dict() that are not figures of the справка.
NOT_FIGURES = {"generated_at", "programme", "period", "has_data", "participants", "organizations"}

# What a row is called: the first of these keys a row of a table has.
ROW_NAMES = (
    "municipality", "organization", "name", "title", "series", "team", "competence", "event", "label",
    "direction_label", "category", "kind", "number", "period_label",
)  # fmt: skip

# Figures as the differences name them (the dataclass fields of reports.services).
FIELD_LABELS = {
    "achieved_on": "дата", "active": "действует", "actual": "факт", "by_category": "по категориям",
    "by_direction": "по направлениям", "by_kind": "по видам", "by_outlet": "по площадкам",
    "category": "категория", "change": "изменение", "change_percent": "изменение, %",
    "change_vs_previous": "изменение к прошлому периоду, %", "change_vs_two_before": "изменение к позапрошлому периоду, %",
    "competence": "компетенция", "count": "число", "current": "текущий период", "description": "описание",
    "direction": "направление", "direction_label": "направление", "editions": "мероприятия", "ends_on": "окончание",
    "entry": "входная диагностика", "event": "мероприятие", "excess_percent": "перевыполнение, %",
    "final": "итоговая диагностика", "growth": "прирост", "held": "проведено", "indicators": "показатели",
    "instrument": "инструмент", "kind": "вид", "label": "название", "level": "уровень", "media": "СМИ",
    "members": "участники команды", "mentor": "наставник", "met": "выполнен", "metric": "показатель",
    "municipalities": "муниципалитеты", "municipality": "муниципалитет", "name": "название", "new": "новые",
    "new_names": "новые", "new_residents": "новые резиденты", "not_covered": "не охвачены", "note": "примечание",
    "number": "номер", "on_date": "на дату", "organization": "организация", "organizations": "организации",
    "other_regions": "другие субъекты РФ", "outlets": "площадки", "participants": "участники",
    "people": "человек", "percent_of_target": "% от цели", "period": "период", "period_label": "период",
    "period_labels": "периоды", "periods": "периоды", "place": "место", "previous": "прошлый период",
    "previous_label": "прошлый период", "publications": "публикации", "pupils": "обучающиеся",
    "regional_organizations": "организации региона", "residents": "резиденты", "result": "результат",
    "rows": "строки", "series": "серия", "shortfall": "не хватает", "social_network_posts": "посты в соцсетях",
    "sources": "источники", "starts_on": "начало", "target": "цель", "teachers": "педагоги", "title": "название",
    "total": "итого", "unnamed": "без имени (нет согласия)", "with_residents": "с резидентами",
    "without_organization": "без организации", "without_residents": "без резидентов",
}  # fmt: skip


@dataclass(frozen=True)
class Difference:
    section: str
    row: str
    figure: str
    before: str
    after: str


def frozen_figures(report: Report) -> dict:
    data = report.to_dict()
    data.pop("generated_at", None)
    return data


def digest(figures: dict, narrative: dict) -> str:
    canonical = json.dumps({"figures": figures, "narrative": narrative}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def period_report(programme, year: int) -> PeriodReport:
    found, _ = PeriodReport.objects.get_or_create(programme=programme, period=year)
    return found


def saved_narrative(programme, year: int) -> dict:
    """The text as the coordinator saved it for this справка (none yet: {})."""
    found = PeriodReport.objects.filter(programme=programme, period=year).only("narrative").first()
    return found.narrative if found else {}


def file_name(programme, year: int, extension: str, number: int | None = None) -> str:
    """spravka-tomsk-mkr-2019.pdf for the current draft, spravka-tomsk-mkr-2019-v2.pdf for version 2."""
    label = programme.period(year).label.replace("/", "-")
    suffix = f"-v{number}" if number else ""
    return f"spravka-{programme.slug}-{label}{suffix}.{extension}"


def latest_version(programme, year: int) -> ReportVersion | None:
    return (
        ReportVersion.objects.filter(report__programme=programme, report__period=year)
        .defer("pdf", "xlsx", "figures", "narrative")
        .order_by("-number")
        .first()
    )


def approve(programme, year: int, user) -> ReportVersion:
    """Freeze the current справка as the next version (see the module's docstring)."""
    from .exporters import report_workbook
    from .pdf import render_report
    from .rendering import document_context

    with transaction.atomic():
        holder = period_report(programme, year)
        holder = PeriodReport.objects.select_for_update().get(pk=holder.pk)
        previous = holder.versions.order_by("-number").first()
        number = (previous.number if previous else 0) + 1
        report = build_report(programme, year)
        figures = jsonable(frozen_figures(report))
        narrative = {key: text for key, text in (holder.narrative or {}).items() if isinstance(text, str) and text}
        approved_at = timezone.now()
        stamp = Stamp(number=number, approved_at=approved_at, approved_by=person_name(user))
        version = ReportVersion(
            report=holder,
            number=number,
            approved_at=approved_at,
            approved_by=user,
            figures=figures,
            narrative=narrative,
            digest=digest(figures, narrative),
            changes=[list(d.__dict__.values()) for d in differences(previous.figures, figures, programme)]
            if previous
            else [],
            html=render_to_string(
                "reports/_document.html", document_context(report, holder=holder, narrative=narrative, stamp=stamp)
            ),
            pdf=render_report(report, holder=holder, narrative=narrative, stamp=stamp),
            xlsx=report_workbook(report, holder=holder, narrative=narrative, stamp=stamp),
        )
        version.save()
    return version


@dataclass(frozen=True)
class Stamp:
    """What an approved copy prints about its approval; a draft has none."""

    number: int
    approved_at: object
    approved_by: str


def stamp_of(version: ReportVersion) -> Stamp:
    return Stamp(version.number, version.approved_at, version.approver_name)


# Differences --------------------------------------------------------------------------------------


def differences(before: dict, after: dict, programme) -> list[Difference]:
    """What differs between two sets of figures, section by section in print order."""
    found = []
    keys = [key for key in programme.section_keys() if key not in NOT_FIGURES]
    keys += [key for key in {*before, *after} if key not in keys and key not in NOT_FIGURES]
    for key in keys:
        title = ReportSection(key).label if key in ReportSection.values else key
        old, new = _flatten(before.get(key)), _flatten(after.get(key))
        for path in [*old, *[p for p in new if p not in old]]:
            if old.get(path, _ABSENT) != new.get(path, _ABSENT):
                row, figure = path
                found.append(
                    Difference(
                        title,
                        row or "—",
                        figure,
                        _shown(old.get(path, _ABSENT), figure),
                        _shown(new.get(path, _ABSENT), figure),
                    )
                )
    return found


def narrative_differences(before: dict, after: dict, programme) -> list[tuple[str, str, str]]:
    """(block, before, after) for each block whose text differs."""
    return [
        (part.label, before.get(part.key, ""), after.get(part.key, ""))
        for part in prose.parts(programme)
        if (before.get(part.key) or "").strip() != (after.get(part.key) or "").strip()
    ]


class _Absent:
    def __repr__(self):
        return "absent"


_ABSENT = _Absent()


def _row_name(row: dict, index: int) -> str:
    for key in ROW_NAMES:
        value = row.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
            return str(value)
    return f"строка {index + 1}"


def _flatten(value, row: str = "", figure: str = "") -> dict[tuple[str, str], object]:
    """{(row, figure): value} of one section's JSON: lists of rows are keyed by each row's name."""
    flat: dict[tuple[str, str], object] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            label = FIELD_LABELS.get(key, key)
            flat.update(_flatten(item, row, f"{figure} · {label}" if figure else label))
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        for index, item in enumerate(value):
            name = _row_name(item, index)
            inner_row = f"{row} · {name}" if row else name
            flat.update(_flatten(item, inner_row, figure if row else ""))
    else:
        flat[(row, figure)] = value
    return flat


def _shown(value, figure: str = "") -> str:
    if value is _ABSENT:
        return "—"
    if value is None:
        return "нет данных"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int):
        return str(value) if "период" in figure else w.number(value)  # a year is never digit-grouped
    if isinstance(value, float):
        return w.number(value)
    if isinstance(value, list):
        return ", ".join(_shown(v, figure) for v in value) or "—"
    return str(value)


# Numbers typed in the text ------------------------------------------------------------------------


def earlier_reports(programme, year: int) -> list[Report]:
    """The справки of the two periods before: what drafts compare with and the text may quote."""
    from participants.models.fields import FIRST_PERIOD_YEAR

    return [build_report(programme, y) for y in (year - 1, year - 2) if y >= FIRST_PERIOD_YEAR]


def number_flags(report: Report, narrative: dict, earlier=None) -> list[tuple[str, str]]:
    """(block, message) for each number of the narrative that matches no figure of the справка
    (or of the two справки before it, which the text may compare with)."""
    from .numbers import message, report_figures, unmatched_numbers

    if earlier is None:
        earlier = earlier_reports(report.programme, report.period.year)
    figures = report_figures(report, earlier)
    flags = []
    texts = prose.blocks(report.programme, narrative)
    for part in prose.parts(report.programme):
        for mismatch in unmatched_numbers(texts.get(part.key, ""), figures):
            flags.append((part.label, message(mismatch)))
    return flags
