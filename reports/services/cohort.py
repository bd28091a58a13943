"""Sections of an initiative with yearly cohorts (Tula style): participants and organisations,
project teams, organisations ranked, diagnostics passed and the growth they show."""

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db.models import Avg, Count, Q

from participants.models import (
    Diagnostic,
    DiagnosticScore,
    Membership,
    Organisation,
    Participant,
    Programme,
    ProjectTeam,
    Stage,
)
from participants.names import natural_key
from participants.periods import Period
from reports import aggregates
from reports.figures import average

# The sort keys of organisation names, kept between справки: the ranking and table 3 sort up to
# 10 670 names at scale 1000 (0,15-0,25 s of natural_key each time). A key depends on the name alone.
_name_key = lru_cache(maxsize=50_000)(natural_key)


@dataclass
class PeriodCohort:
    period: int
    label: str
    participants: int | None  # None (and organizations None): nobody's membership was in force
    organizations: int | None


@dataclass
class Cohort:
    participants: int | None
    organizations: int | None
    current: PeriodCohort
    previous: PeriodCohort


def cohort(programme: Programme, period: Period) -> Cohort:
    """Participants (anyone with a membership in force during the period) and their organisations,
    for the period and the one before, in one query."""
    previous = period.shifted(-1)

    def in_force(p: Period) -> Q:
        return Q(included_on__lte=p.end) & (Q(left_on__isnull=True) | Q(left_on__gt=p.start))

    if aggregates.in_use():
        figures = _cohort_figures(programme, period, previous)
    else:
        figures = (
            Membership.objects.filter(programme=programme)
            .order_by()
            .aggregate(
                participants=Count("participant", distinct=True, filter=in_force(period)),
                organizations=Count("participant__organisation", distinct=True, filter=in_force(period)),
                previous_participants=Count("participant", distinct=True, filter=in_force(previous)),
                previous_organizations=Count("participant__organisation", distinct=True, filter=in_force(previous)),
            )
        )

    def period_cohort(p: Period, participants: int, organizations: int) -> PeriodCohort:
        # No membership in force is no cohort recorded for the period, not a cohort of nobody.
        if not participants:
            return PeriodCohort(p.year, p.label, None, None)
        return PeriodCohort(p.year, p.label, participants, organizations)

    current = period_cohort(period, figures["participants"], figures["organizations"])
    before = period_cohort(previous, figures["previous_participants"], figures["previous_organizations"])
    return Cohort(current.participants, current.organizations, current, before)


def _cohort_figures(programme: Programme, period: Period, previous: Period) -> dict[str, int]:
    """The figures of `cohort` from the summaries."""
    figures = {}
    for prefix, p in (("", period), ("previous_", previous)):
        people = aggregates.by_organisation(aggregates.in_force(programme.pk, p, aggregates.DURING))
        figures[f"{prefix}participants"] = sum(people.values())
        figures[f"{prefix}organizations"] = sum(1 for pk in people if pk is not None)
    return figures


def _people_by_organisation_name(programme: Programme, period: Period):
    """[(organisation name or None, distinct people)] in force at some time in the period."""
    if not aggregates.in_use():
        members = Membership.objects.filter(programme=programme).order_by().overlapping(period.start, period.end)
        return members.values_list("participant__organisation__name").annotate(n=Count("participant", distinct=True))
    return _by_name(aggregates.by_organisation(aggregates.in_force(programme.pk, period, aggregates.DURING)))


def _by_name(people: dict[int | None, int]) -> list[tuple[str | None, int]]:
    """[(organisation name or None, people)] of {organisation id or None: people}, organisations
    of the same name together (as GROUP BY name would)."""
    # Every organisation: one plain read is cheaper than a list of thousands of ids.
    names = dict(Organisation.objects.order_by().values_list("pk", "name"))
    counts = {}
    for pk, n in people.items():
        name = names.get(pk) if pk else None
        counts[name] = counts.get(name, 0) + n
    return list(counts.items())


@dataclass
class TeamRow:
    name: str
    members: int
    mentor: str


@dataclass
class Teams:
    rows: list[TeamRow]
    members: int


def teams(programme: Programme, period: Period) -> Teams:
    """Table 1: project teams of the period by members, in the order they were registered."""
    rows = [
        TeamRow(t.name, t.member_count, t.mentor_name)
        for t in ProjectTeam.objects.filter(programme=programme, period=period.year)
        .annotate(member_count=Count("memberships"))
        .order_by("pk")
    ]
    return Teams(rows=rows, members=sum(r.members for r in rows))


@dataclass
class RankingRow:
    place: int
    organization: str
    participants: int


@dataclass
class OrganizationsRanking:
    rows: list[RankingRow]
    participants: int


def organizations_ranking(programme: Programme, period: Period) -> OrganizationsRanking:
    """Table 2: organisations by their participants in the period; equal counts share a place
    (1, 2, 2, 4), and are listed by name."""
    counts = _people_by_organisation_name(programme, period)
    ordered = sorted(
        ((name or "организация не указана", n) for name, n in counts),
        key=lambda row: (-row[1], _name_key(row[0])),
    )
    rows, place = [], 0
    for position, (name, n) in enumerate(ordered, start=1):
        if not rows or rows[-1].participants != n:
            place = position
        rows.append(RankingRow(place, name, n))
    return OrganizationsRanking(rows=rows, participants=sum(r.participants for r in rows))


def _diagnosed(programme: Programme, period: Period):
    """People who passed both the entry and the final diagnostics of the period."""
    return (
        Diagnostic.objects.filter(programme=programme, period=period.year)
        .values("participant")
        .annotate(stages=Count("stage", distinct=True))
        .filter(stages=len(Stage))
        .values("participant")
    )


@dataclass
class DiagnosticsRow:
    organization: str
    participants: int


@dataclass
class DiagnosticsByOrganization:
    rows: list[DiagnosticsRow]
    participants: int | None  # None: no diagnostic (entry or final) recorded for the period


def diagnostics_by_organization(programme: Programme, period: Period) -> DiagnosticsByOrganization:
    """Table 3: participants who passed the entry and final diagnostics, by organisation."""
    # The first stage from the (programme, period, stage) index: a bare EXISTS made PostgreSQL scan
    # the table from its start (the period's rows are together at its end), 130 ms at scale 1000.
    recorded = Diagnostic.objects.filter(programme=programme, period=period.year).order_by("stage")
    if recorded.values_list("stage", flat=True).first() is None:
        return DiagnosticsByOrganization(rows=[], participants=None)
    # By organisation id, named afterwards: joining the organisations to 17 000 people and grouping
    # by name took half of the query at scale 1000.
    people = Participant.objects.filter(pk__in=_diagnosed(programme, period)).values_list("organisation").order_by()
    counts = _by_name(dict(people.annotate(n=Count("pk"))))
    rows = sorted(
        (DiagnosticsRow(name or "организация не указана", n) for name, n in counts),
        key=lambda r: _name_key(r.organization),
    )
    return DiagnosticsByOrganization(rows=rows, participants=sum(r.participants for r in rows))


@dataclass
class CompetenceGrowth:
    competence: str
    entry: Decimal | None
    final: Decimal | None
    growth: Decimal | None


@dataclass
class DiagnosticGrowth:
    instrument: str
    participants: int
    rows: list[CompetenceGrowth]


def diagnostic_growth(programme: Programme, period: Period) -> DiagnosticGrowth:
    """Average entry and final score per competence over those who passed both, and the growth
    (from the summaries where there are, as the same sums and counts)."""
    rows, instruments, people = [], [], 0
    for instrument, competence, entry, final, n in _growth_figures(programme, period):
        entry, final = average(entry), average(final)
        # From the rounded averages, so that the printed growth is the printed final minus the printed entry.
        growth = None if entry is None or final is None else final - entry
        rows.append(CompetenceGrowth(competence, entry, final, growth))
        instruments.append(instrument)
        people = max(people, n)
    return DiagnosticGrowth(instrument=", ".join(dict.fromkeys(instruments)), participants=people, rows=rows)


def _growth_figures(programme: Programme, period: Period):
    """[(instrument, competence, entry average, final average, people)] of those who passed both
    stages, by instrument and competence."""
    if aggregates.in_use():
        return aggregates.diagnostic_growth(programme.pk, period.year)
    diagnosed = _diagnosed(programme, period)
    return (
        DiagnosticScore.objects.filter(
            diagnostic__programme=programme, diagnostic__period=period.year, diagnostic__participant__in=diagnosed
        )
        .values("competence__instrument__name", "competence__name", "competence__sort_order")
        .annotate(
            entry=Avg("score", filter=Q(diagnostic__stage=Stage.ENTRY)),
            final=Avg("score", filter=Q(diagnostic__stage=Stage.FINAL)),
            people=Count("diagnostic__participant", distinct=True),
        )
        .order_by("competence__instrument__name", "competence__sort_order", "competence__name")
        .values_list("competence__instrument__name", "competence__name", "entry", "final", "people")
    )
