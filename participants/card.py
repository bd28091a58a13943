"""The pupil card: everything the bank holds on one person that the user may see, gathered once.

    card = person_card(user, participant_id)   # Http404 when the person is out of the user's sight

Every part is read through participants.access.scope, so a coordinator sees the memberships,
events and teams of their own programmes only, and school staff the parts their role may read. A
part whose model the user may not view at all is left out; a part with no records says so. Each
record carries the address of its admin change page when the user may change it. The number of
queries does not depend on how many records the person has (one per part).

A part is a table of text cells (PARTS: title, columns, how a record reads), so the admin page and
the PDF print every part with one template loop; diagnostics, a table per instrument with the
growth between the stages, are their own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse

from events.models import Opportunity, Participation
from participants.access import scope
from participants.admin_scope import NOT_FOUND
from participants.formats import short_date
from participants.models import Achievement, Diagnostic, DiagnosticScore, Membership, Participant, Stage, TeamMember
from reports.services.cohort import CompetenceGrowth


@dataclass
class Column:
    title: str
    nowrap: bool = False  # dates and periods keep to one line


@dataclass
class Row:
    cells: list[str]
    edit_url: str | None = None  # None: the user may not change the record
    columns: list[Column] = field(default_factory=list)

    @property
    def labelled(self) -> list[tuple[Column, str]]:
        """Each cell with its column (the phone layout writes the column's title before the value)."""
        return list(zip(self.columns, self.cells, strict=True))


@dataclass
class Part:
    key: str  # the section's id on the page: card-memberships
    title: str
    columns: list[Column]
    rows: list[Row]


@dataclass
class TakenStage:
    """One stage of a diagnostic as taken: its date and where to edit it."""

    taken_on: str
    edit_url: str | None


@dataclass
class DiagnosticGrowth:
    """One instrument taken in one programme and period: entry and final score per competence."""

    title: str  # «Скиллфолио — МКР, 2019»
    entry: TakenStage | None
    final: TakenStage | None
    rows: list[CompetenceGrowth] = field(default_factory=list)

    @property
    def stages(self) -> list[tuple[str, "TakenStage | None"]]:
        return [("входная", self.entry), ("итоговая", self.final)]


@dataclass
class Card:
    person: Participant
    edit_url: str | None
    parts: list[Part]
    diagnostics: list[DiagnosticGrowth] | None  # None: the user may not see diagnostics

    @property
    def filename(self) -> str:
        """kartochka-123.pdf: the record's number, never the name (a file name travels in logs and mail)."""
        return f"kartochka-{self.person.pk}.pdf"


def _period(programme, year: int | None) -> str:
    """A period as its programme names it: 2019, or 2019/2020 for an academic year."""
    return programme.period(year).label if year is not None else "—"


def _span(start, end) -> str:
    if start is None:
        return "—"
    return short_date(start) if end is None or end == start else f"{short_date(start)} – {short_date(end)}"


@dataclass
class PartSpec:
    key: str
    title: str
    records: Callable[[Participant], QuerySet]
    columns: list[Column]
    cells: Callable[[Model], list[str]]
    edited: Callable[[Model], Model] = lambda record: record  # the record whose change page edits this one


PARTS = [
    PartSpec(
        "memberships",
        "Членство в программах",
        lambda person: (
            Membership.objects.filter(participant=person).select_related("programme").order_by("-included_on", "pk")
        ),
        [Column("Программа"), Column("Категория"), Column("Включён", True), Column("Основание"), Column("Выбыл")],
        lambda m: [
            m.programme.name,
            m.get_category_display(),
            short_date(m.included_on),
            m.basis or "—",
            f"{short_date(m.left_on)}: {m.leaving_reason}" if m.left_on and m.leaving_reason else short_date(m.left_on),
        ],
    ),
    PartSpec(
        "participations",
        "Участие в мероприятиях",
        lambda person: (
            Participation.objects.filter(participant=person)
            .select_related("edition__series__programme")
            .order_by("-edition__period", "-edition__starts_on", "pk")
        ),
        [Column("Период", True), Column("Мероприятие"), Column("Даты", True), Column("Роль"), Column("Результат")],
        lambda p: [
            _period(p.edition.series.programme, p.edition.period),
            p.edition.title or p.edition.series.name,
            _span(p.edition.starts_on, p.edition.ends_on),
            p.get_role_display(),
            p.result or "—",
        ],
    ),
    PartSpec(
        "achievements",
        "Достижения",
        lambda person: Achievement.objects.filter(participant=person).order_by("-achieved_on", "pk"),
        [Column("Дата", True), Column("Мероприятие"), Column("Уровень"), Column("Результат")],
        lambda a: [
            short_date(a.achieved_on),
            a.event_name,
            a.get_level_display(),
            f"{a.get_result_display()}, {a.place} место" if a.place else a.get_result_display(),
        ],
    ),
    PartSpec(
        "opportunities",
        "Практики, стажировки, смены",
        lambda person: (
            Opportunity.objects.filter(participant=person)
            .select_related("programme", "partner")
            .order_by("-starts_on", "pk")
        ),
        [Column("Вид"), Column("Где"), Column("Сроки", True), Column("Программа")],
        lambda o: [
            o.get_kind_display(),
            f"{o.place} ({o.partner})" if o.partner else o.place,
            _span(o.starts_on, o.ends_on),
            str(o.programme),
        ],
    ),
    PartSpec(
        "teams",
        "Проектные команды",
        lambda person: (
            TeamMember.objects.filter(participant=person)
            .select_related("team__programme")
            .order_by("-team__period", "pk")
        ),
        [Column("Период", True), Column("Команда"), Column("Наставник"), Column("Программа")],
        lambda m: [
            _period(m.team.programme, m.team.period),
            f"{m.team.name} (лидер)" if m.is_leader else m.team.name,
            m.team.mentor_name or "—",
            str(m.team.programme),
        ],
        edited=lambda member: member.team,  # members are edited on the team's page
    ),
]


class _Permissions:
    """What the user may do with each kind of record, and the admin address to do it."""

    def __init__(self, user):
        self.user = user

    def may_view(self, model) -> bool:
        opts = model._meta
        return self.user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or self.may_change(model)

    def may_change(self, model) -> bool:
        opts = model._meta
        return self.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def edit_url(self, record: Model) -> str | None:
        if not self.may_change(type(record)):
            return None
        opts = record._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def person_card(user, participant_id) -> Card:
    """The card of one person as `user` may see it; Http404 (the same as for a record that does not
    exist) when the person is out of the user's scope."""
    permissions = _Permissions(user)
    person = (
        scope(user, Participant.objects.select_related("organisation__municipality")).filter(pk=participant_id).first()
    )
    if person is None or not permissions.may_view(Participant):
        raise Http404(NOT_FOUND)
    parts = [
        Part(
            key=f"card-{spec.key}",
            title=spec.title,
            columns=spec.columns,
            rows=[
                Row(spec.cells(record), permissions.edit_url(spec.edited(record)), spec.columns)
                for record in scope(user, spec.records(person))
            ],
        )
        for spec in PARTS
        if permissions.may_view(spec.records(person).model)
    ]
    return Card(
        person=person,
        edit_url=permissions.edit_url(person),
        parts=parts,
        diagnostics=_diagnostics(permissions, person),
    )


def _diagnostics(permissions: _Permissions, person: Participant) -> list[DiagnosticGrowth] | None:
    """Per programme, period and instrument: each competence's entry and final score and the change
    between them (None where one of the two stages is missing)."""
    if not permissions.may_view(Diagnostic):
        return None
    user = permissions.user
    # Scores in the competences' order, prefetched: one query for all the person's diagnostics.
    scores = scope(user, DiagnosticScore.objects.select_related("competence")).order_by(
        "competence__sort_order", "competence__name"
    )
    diagnostics = (
        scope(user, Diagnostic.objects.filter(participant=person))
        .select_related("programme", "instrument")
        .prefetch_related(Prefetch("scores", queryset=scores))
        .order_by("-period", "programme__name", "instrument__name", "stage")
    )
    groups: dict[tuple, DiagnosticGrowth] = {}
    by_competence: dict[tuple, dict[str, dict[str, Decimal]]] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.programme_id, diagnostic.period, diagnostic.instrument_id)
        if key not in groups:
            title = (
                f"{diagnostic.instrument} — {diagnostic.programme}, {_period(diagnostic.programme, diagnostic.period)}"
            )
            groups[key] = DiagnosticGrowth(title=title, entry=None, final=None)
            by_competence[key] = {}
        taken = TakenStage(short_date(diagnostic.taken_on), permissions.edit_url(diagnostic))
        if diagnostic.stage == Stage.ENTRY:
            groups[key].entry = taken
        else:
            groups[key].final = taken
        for score in diagnostic.scores.all():
            by_competence[key].setdefault(score.competence.name, {})[diagnostic.stage] = score.score
    for key, group in groups.items():
        for competence, stages in by_competence[key].items():
            entry, final = stages.get(Stage.ENTRY), stages.get(Stage.FINAL)
            growth = None if entry is None or final is None else final - entry
            group.rows.append(CompetenceGrowth(competence, entry, final, growth))
    return list(groups.values())
