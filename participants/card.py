"""The pupil card: everything the bank holds on one person that the user may see, gathered once.

    card = person_card(user, participant_id)   # Http404 when the person is out of the user's sight

Every part is read through participants.access.scope, so a coordinator sees the memberships,
events and teams of their own programmes only and school staff the parts their role may read; a
part whose model the user may not view at all is None (not shown), an empty list is «нет записей».
Each record carries the address of its admin change page when the user may change it. The number of
queries does not depend on how many records the person has (one per part).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Model, Prefetch
from django.http import Http404
from django.urls import reverse

from events.models import Opportunity, Participation
from participants.access import scope
from participants.admin_scope import NOT_FOUND
from participants.models import Achievement, Diagnostic, DiagnosticScore, Membership, Participant, Stage, TeamMember
from reports.services.cohort import CompetenceGrowth


@dataclass
class Entry:
    """One record of a part and where to edit it (None: the user may not change it)."""

    record: Model
    edit_url: str | None = None
    period: str = ""  # the record's period as its programme names it (2019, 2019/2020)


@dataclass
class DiagnosticGrowth:
    """One instrument taken in one programme and period: entry and final score per competence."""

    programme: str
    period: str
    instrument: str
    entry: Entry | None
    final: Entry | None
    rows: list[CompetenceGrowth] = field(default_factory=list)


@dataclass
class Card:
    person: Participant
    edit_url: str | None
    memberships: list[Entry] | None
    participations: list[Entry] | None
    achievements: list[Entry] | None
    diagnostics: list[DiagnosticGrowth] | None
    opportunities: list[Entry] | None
    teams: list[Entry] | None

    @property
    def filename(self) -> str:
        """kartochka-123.pdf: the record's number, never the name (a file name travels in logs and mail)."""
        return f"kartochka-{self.person.pk}.pdf"


class _Links:
    """Admin change addresses for the models the user may change (one permission look-up per request)."""

    def __init__(self, user):
        self.user = user

    def may_view(self, model) -> bool:
        opts = model._meta
        return self.user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or self.may_change(model)

    def may_change(self, model) -> bool:
        opts = model._meta
        return self.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def url(self, record: Model, target: Model | None = None) -> str | None:
        """The change page of `target` (default: the record itself), if the user may change it."""
        target = record if target is None else target
        opts = target._meta
        if not self.may_change(type(target)):
            return None
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])

    def entries(self, queryset, target=None, period=None) -> list[Entry] | None:
        """The user's rows of queryset; target(row): the record edited instead of the row; period(row):
        (programme, year) of the row."""
        if not self.may_view(queryset.model):
            return None
        return [
            Entry(row, self.url(row, target(row) if target else None), _period_label(*period(row)) if period else "")
            for row in scope(self.user, queryset)
        ]


def _period_label(programme, year: int | None) -> str:
    return programme.period(year).label if year is not None else "—"


def person_card(user, participant_id) -> Card:
    """The card of one person as `user` may see it; Http404 (the same as for a record that does not
    exist) when the person is out of the user's scope."""
    links = _Links(user)
    person = (
        scope(user, Participant.objects.select_related("organisation__municipality")).filter(pk=participant_id).first()
    )
    if person is None or not links.may_view(Participant):
        raise Http404(NOT_FOUND)
    mine = {"participant": person}
    return Card(
        person=person,
        edit_url=links.url(person),
        memberships=links.entries(
            Membership.objects.filter(**mine).select_related("programme").order_by("-included_on", "pk")
        ),
        participations=links.entries(
            Participation.objects.filter(**mine)
            .select_related("edition__series__programme")
            .order_by("-edition__period", "-edition__starts_on", "pk"),
            period=lambda p: (p.edition.series.programme, p.edition.period),
        ),
        achievements=links.entries(Achievement.objects.filter(**mine).order_by("-achieved_on", "pk")),
        diagnostics=_diagnostics(links, person),
        opportunities=links.entries(
            Opportunity.objects.filter(**mine).select_related("programme", "partner").order_by("-starts_on", "pk")
        ),
        teams=links.entries(
            TeamMember.objects.filter(**mine).select_related("team__programme").order_by("-team__period", "pk"),
            target=lambda member: member.team,  # members are edited on the team's page
            period=lambda member: (member.team.programme, member.team.period),
        ),
    )


def _diagnostics(links: _Links, person: Participant) -> list[DiagnosticGrowth] | None:
    """Per programme, period and instrument: each competence's entry and final score and the change
    between them (None where one of the two stages is missing)."""
    if not links.may_view(Diagnostic):
        return None
    scores = scope(links.user, DiagnosticScore.objects.select_related("competence")).order_by(
        "competence__sort_order", "competence__name"
    )
    diagnostics = scope(links.user, Diagnostic.objects.filter(participant=person)).select_related(
        "programme", "instrument"
    )
    diagnostics = diagnostics.prefetch_related(Prefetch("scores", queryset=scores)).order_by(
        "-period", "programme__name", "instrument__name", "stage"
    )
    groups: dict[tuple, DiagnosticGrowth] = {}
    stage_scores: dict[tuple, dict[str, dict[str, Decimal]]] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.programme_id, diagnostic.period, diagnostic.instrument_id)
        group = groups.get(key)
        if group is None:
            group = groups[key] = DiagnosticGrowth(
                programme=str(diagnostic.programme),
                period=_period_label(diagnostic.programme, diagnostic.period),
                instrument=str(diagnostic.instrument),
                entry=None,
                final=None,
            )
            stage_scores[key] = {}
        entry = Entry(diagnostic, links.url(diagnostic))
        if diagnostic.stage == Stage.ENTRY:
            group.entry = entry
        else:
            group.final = entry
        for score in diagnostic.scores.all():
            stage_scores[key].setdefault(score.competence.name, {})[diagnostic.stage] = score.score
    for key, group in groups.items():
        for competence, by_stage in stage_scores[key].items():
            entry, final = by_stage.get(Stage.ENTRY), by_stage.get(Stage.FINAL)
            growth = None if entry is None or final is None else final - entry
            group.rows.append(CompetenceGrowth(competence, entry, final, growth))
    return list(groups.values())
