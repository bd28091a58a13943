"""Sections about events: accredited events' participants and territorial coverage, satellite
events, and a cohort's activities. Participant figures follow EditionQuerySet.with_participant_count."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from events.models import Coverage, Direction, Edition, HeadcountSource, SeriesKind
from participants.models import Municipality, Programme
from participants.periods import Period
from reports.figures import percent_change


def _editions(programme: Programme, kind: str, years: list[int], *, counted: bool = True):
    editions = Edition.objects.filter(series__programme=programme, series__kind=kind, period__in=years)
    if counted:
        editions = editions.with_participant_count()
    return editions.select_related("series").order_by("series__sort_order", "series__name", "period", "starts_on", "pk")


def _known_count(edition) -> int | None:
    """An edition's participants, or None when nobody counted them: no headcount stated and no
    participation record (an edition that was not held has none, and counts 0)."""
    if not edition.held:
        return 0
    if edition.participant_source == HeadcountSource.HEADCOUNT or edition.participant_count:
        return edition.participant_count
    return None


def _sum_known(values) -> int | None:
    """The sum of the figures that are known; None when none is."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None


@dataclass
class PeriodParticipants:
    period: int
    label: str
    participants: int | None  # None: no edition recorded for the period, or none counted
    editions: int | None  # held; None: no edition (held or not) recorded for the period


@dataclass
class AccreditedParticipants:
    periods: list[PeriodParticipants]  # two periods before, the one before, this one
    participants: int
    change_vs_previous: Decimal | None
    change_vs_two_before: Decimal | None
    municipalities: list[str]  # of the region, that took part in the period
    sources: list[str]  # how the figures were obtained


def accredited_participants(programme: Programme, period: Period) -> AccreditedParticipants:
    years = [period.year - 2, period.year - 1, period.year]
    recorded = list(_editions(programme, SeriesKind.ACCREDITED, years))
    editions = [e for e in recorded if e.held]
    recorded_years = {e.period for e in recorded}
    totals = {
        y: _sum_known(_known_count(e) for e in recorded if e.period == y) if y in recorded_years else None
        for y in years
    }
    counts = {y: sum(1 for e in editions if e.period == y) if y in recorded_years else None for y in years}
    covered = (
        Coverage.objects.filter(
            edition__in=[e.pk for e in editions if e.period == period.year],
            municipality__region=programme.region_id,
        )
        .values_list("municipality__name", flat=True)
        .order_by("municipality__sort_order", "municipality__name")
        .distinct()
    )
    sources = sorted({HeadcountSource(e.participant_source).label for e in editions if e.period == period.year})
    return AccreditedParticipants(
        periods=[PeriodParticipants(y, period.shifted(y - period.year).label, totals[y], counts[y]) for y in years],
        participants=totals[period.year],
        change_vs_previous=percent_change(totals[period.year], totals[period.year - 1]),
        change_vs_two_before=percent_change(totals[period.year], totals[period.year - 2]),
        municipalities=list(dict.fromkeys(covered)),
        sources=sources,
    )


@dataclass
class CoverageCell:
    held: bool | None  # None: no edition recorded for the period
    note: str
    municipalities: list[str]
    count: int
    other_regions: list[str]


@dataclass
class CoverageSeries:
    name: str
    periods: dict[str, CoverageCell]


@dataclass
class TerritorialCoverage:
    periods: list[int]
    period_labels: list[str]
    series: list[CoverageSeries]
    not_covered: list[str]
    municipalities: list[str] = field(default_factory=list)  # the region's, in report order (matrix rows)


def territorial_coverage(programme: Programme, period: Period) -> TerritorialCoverage:
    """Table 2: for each accredited series and each of the last three periods, whether it was held
    and which municipalities took part (the count is computed, never typed); and the region's
    municipalities absent from all of them."""
    years = [period.year - 2, period.year - 1, period.year]
    editions = list(_editions(programme, SeriesKind.ACCREDITED, years, counted=False))
    coverage = defaultdict(list)
    for edition_id, name, region_id, region_name in (
        Coverage.objects.filter(edition__in=[e.pk for e in editions])
        .order_by("municipality__sort_order", "municipality__name")
        .values_list("edition_id", "municipality__name", "municipality__region_id", "municipality__region__name")
    ):
        coverage[edition_id].append((name, region_id, region_name))
    series: dict[int, CoverageSeries] = {}
    covered: set[str] = set()
    for edition in editions:
        entry = series.setdefault(edition.series_id, CoverageSeries(edition.series.name, {}))
        cell = entry.periods.setdefault(str(edition.period), CoverageCell(False, "", [], 0, []))
        cell.held = cell.held or edition.held
        cell.note = "; ".join(n for n in (cell.note, edition.note) if n)
        for name, region_id, region_name in coverage[edition.pk] if edition.held else []:
            if region_id == programme.region_id:
                if name not in cell.municipalities:
                    cell.municipalities.append(name)
                covered.add(name)
            else:
                other = f"{name} ({region_name})"
                if other not in cell.other_regions:
                    cell.other_regions.append(other)
        cell.count = len(cell.municipalities)
    for entry in series.values():
        for year in years:
            entry.periods.setdefault(str(year), CoverageCell(None, "", [], 0, []))
        entry.periods = {str(y): entry.periods[str(y)] for y in years}
    region_municipalities = list(
        Municipality.objects.filter(region=programme.region_id)
        .order_by("sort_order", "name")
        .values_list("name", flat=True)
    )
    return TerritorialCoverage(
        periods=years,
        period_labels=[period.shifted(y - period.year).label for y in years],
        series=list(series.values()),
        not_covered=[m for m in region_municipalities if m not in covered],
        municipalities=region_municipalities,
    )


@dataclass
class SatelliteRow:
    name: str
    direction: str
    direction_label: str
    previous: int | None
    current: int | None
    change: int | None
    change_percent: Decimal | None


@dataclass
class DirectionSubtotal:
    direction: str
    label: str
    previous: int | None
    current: int | None
    change_percent: Decimal | None

    @property
    def change(self) -> int | None:
        return None if self.previous is None or self.current is None else self.current - self.previous


@dataclass
class PeriodTotals:
    previous: int | None  # None: no satellite edition counted in that period
    current: int | None
    change_percent: Decimal | None

    @property
    def change(self) -> int | None:
        return None if self.previous is None or self.current is None else self.current - self.previous


@dataclass
class SatelliteEvents:
    period_label: str
    previous_label: str
    rows: list[SatelliteRow]
    total: PeriodTotals
    by_direction: list[DirectionSubtotal]
    held: int | None  # satellite editions held in the period; None: none (held or not) recorded for it
    sources: list[str]


def satellite_events(programme: Programme, period: Period) -> SatelliteEvents:
    """Table 3: each satellite event's participants this period against the last, totals and
    subtotals by direction (all changes computed against the earlier figure)."""
    years = [period.year - 1, period.year]
    recorded = list(_editions(programme, SeriesKind.SATELLITE, years))
    editions = [e for e in recorded if e.held]
    by_series: dict[int, dict] = {}
    for edition in editions:
        entry = by_series.setdefault(
            edition.series_id, {"series": edition.series, period.year - 1: [], period.year: []}
        )
        entry[edition.period].append(_known_count(edition))
    for entry in by_series.values():
        for year in years:
            entry[year] = _sum_known(entry[year])
    rows = []
    for entry in by_series.values():
        previous, current = entry[period.year - 1], entry[period.year]
        rows.append(
            SatelliteRow(
                name=entry["series"].name,
                direction=entry["series"].direction,
                direction_label=Direction(entry["series"].direction).label,
                previous=previous,
                current=current,
                change=None if previous is None or current is None else current - previous,
                change_percent=percent_change(current, previous),
            )
        )
    directions = []
    for direction in Direction:
        chosen = [r for r in rows if r.direction == direction.value]
        if chosen:
            previous = _sum_known(r.previous for r in chosen)
            current = _sum_known(r.current for r in chosen)
            directions.append(
                DirectionSubtotal(
                    direction.value, direction.label, previous, current, percent_change(current, previous)
                )
            )
    previous = _sum_known(r.previous for r in rows)
    current = _sum_known(r.current for r in rows)
    return SatelliteEvents(
        period_label=period.label,
        previous_label=period.shifted(-1).label,
        rows=rows,
        total=PeriodTotals(previous, current, percent_change(current, previous)),
        by_direction=directions,
        held=sum(1 for e in editions if e.period == period.year)
        if any(e.period == period.year for e in recorded)
        else None,
        sources=sorted({HeadcountSource(e.participant_source).label for e in editions}),
    )


@dataclass
class ActivityRow:
    starts_on: date | None
    ends_on: date | None
    title: str
    pupils: int | None
    teachers: int | None
    held: bool


@dataclass
class Activities:
    rows: list[ActivityRow]


def activities(programme: Programme, period: Period) -> Activities:
    """The cohort's activities of the period in date order, with pupils and teachers counted."""
    editions = (
        Edition.objects.filter(series__programme=programme, series__kind=SeriesKind.ACTIVITY, period=period.year)
        .with_participant_count()
        .select_related("series")
        .order_by("starts_on", "pk")
    )
    return Activities(
        rows=[
            ActivityRow(
                starts_on=e.starts_on,
                ends_on=e.ends_on,
                title=e.title or e.series.name,
                pupils=e.headcount_pupils if e.participant_source == HeadcountSource.HEADCOUNT else e.participant_count,
                teachers=e.headcount_teachers,
                held=e.held,
            )
            for e in editions
        ]
    )
