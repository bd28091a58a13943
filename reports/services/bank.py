"""Sections about the bank's people: residents, their municipalities, opportunities, partners,
publications and achievements. Each function takes a programme and a period and returns data."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, Min, OuterRef, Q

from events.models import Opportunity, OpportunityKind, OutletKind, PartnerOrganisation, Publication
from participants.models import (
    RESIDENT_CATEGORIES,
    Achievement,
    AchievementLevel,
    Category,
    Membership,
    Municipality,
    Organisation,
    Programme,
)
from participants.names import natural_key
from participants.periods import Period


def _memberships(programme: Programme):
    return Membership.objects.filter(programme=programme)


def residents_in_period(programme: Programme, period: Period):
    """Ids of people who were residents (pupil or student) at any time in the period."""
    return _memberships(programme).residents().overlapping(period.start, period.end).values("participant_id").distinct()


def new_resident_count(programme: Programme, period: Period) -> int:
    """People whose first resident membership of the programme began in the period (a change of
    category from pupil to student is not a new resident)."""
    return (
        _memberships(programme)
        .residents()
        .values("participant")
        .annotate(first_included=Min("included_on"))
        .filter(first_included__gte=period.start, first_included__lte=period.end)
        .count()
    )


@dataclass
class CategoryCount:
    category: str
    label: str
    count: int


@dataclass
class ResidentsSummary:
    on_date: date
    residents: int
    by_category: list[CategoryCount]
    new_residents: int


def residents_summary(programme: Programme, period: Period) -> ResidentsSummary:
    counts = dict(
        _memberships(programme)
        .active_on(period.end)
        .values_list("category")
        .annotate(n=Count("participant", distinct=True))
    )
    by_category = [CategoryCount(c.value, c.label, counts.get(c.value, 0)) for c in Category if counts.get(c.value)]
    return ResidentsSummary(
        on_date=period.end,
        residents=sum(counts.get(c, 0) for c in RESIDENT_CATEGORIES),
        by_category=by_category,
        new_residents=new_resident_count(programme, period),
    )


@dataclass
class MunicipalityRow:
    municipality: str
    organizations: int
    residents: int


@dataclass
class Totals:
    organizations: int
    residents: int


@dataclass
class ResidentsByMunicipality:
    on_date: date
    rows: list[MunicipalityRow]
    total: Totals
    with_residents: list[str]
    without_residents: list[str]
    regional_organizations: list[str]
    other_regions: list[MunicipalityRow] = field(default_factory=list)
    without_organization: int = 0


def residents_by_municipality(programme: Programme, period: Period) -> ResidentsByMunicipality:
    """Table 1: resident pupils at the period's end and their organisations, for every municipality
    of the region in report order, zeros included; other regions' pupils apart."""
    pupils = _memberships(programme).filter(category=Category.SCHOOL).active_on(period.end)
    counts = {
        row["participant__organisation__municipality"]: row
        for row in pupils.values("participant__organisation__municipality").annotate(
            residents=Count("participant", distinct=True),
            organizations=Count("participant__organisation", distinct=True),
        )
    }
    municipalities = Municipality.objects.filter(Q(region=programme.region_id) | Q(pk__in=[k for k in counts if k]))
    rows, other_regions = [], []
    for municipality in municipalities.order_by("sort_order", "name"):
        found = counts.get(municipality.pk, {})
        row = MunicipalityRow(municipality.name, found.get("organizations", 0), found.get("residents", 0))
        (rows if municipality.region_id == programme.region_id else other_regions).append(row)
    regional = sorted(
        Organisation.objects.filter(is_regional=True, pk__in=pupils.values("participant__organisation")).select_related(
            "municipality"
        ),
        key=lambda o: (o.municipality.sort_order, natural_key(o.name)),
    )
    shown = rows + other_regions
    without_organization = counts.get(None, {}).get("residents", 0)
    return ResidentsByMunicipality(
        on_date=period.end,
        rows=rows,
        total=Totals(
            organizations=sum(r.organizations for r in shown),
            residents=sum(r.residents for r in shown) + without_organization,
        ),
        with_residents=[r.municipality for r in rows if r.residents],
        without_residents=[r.municipality for r in rows if not r.residents],
        regional_organizations=[o.name for o in regional],
        other_regions=other_regions,
        without_organization=without_organization,
    )


@dataclass
class OpportunityKindCount:
    kind: str
    label: str
    residents: int


@dataclass
class Opportunities:
    residents: int
    by_kind: list[OpportunityKindCount]


def opportunities(programme: Programme, period: Period) -> Opportunities:
    """Criterion 5: distinct residents with a practice, internship, profile shift or expert work in the period."""
    in_period = Opportunity.objects.filter(
        programme=programme, starts_on__lte=period.end, participant__in=residents_in_period(programme, period)
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
    by_kind = dict(in_period.values_list("kind").annotate(n=Count("participant", distinct=True)))
    return Opportunities(
        residents=in_period.values("participant").distinct().count(),
        by_kind=[OpportunityKindCount(k.value, k.label, by_kind.get(k.value, 0)) for k in OpportunityKind],
    )


@dataclass
class Partners:
    active: int
    new: int
    new_names: list[str]


def partners(programme: Programme, period: Period) -> Partners:
    """Partner organisations at the period's end, and those whose partnership began in it."""
    rows = list(
        PartnerOrganisation.objects.filter(programme=programme, since__lte=period.end)
        .filter(Q(until__isnull=True) | Q(until__gte=period.end))
        .values_list("name", "since")
    )
    new = sorted(name for name, since in rows if since >= period.start)
    return Partners(active=len(rows), new=len(new), new_names=new)


@dataclass
class OutletCount:
    kind: str
    label: str
    publications: int
    outlets: int


@dataclass
class Publications:
    media: int  # sites of founders and partners, news agencies: what criterion 6 counts
    by_outlet: list[OutletCount]
    social_network_posts: int


def publications(programme: Programme, period: Period) -> Publications:
    rows = {
        row["outlet_kind"]: row
        for row in Publication.objects.filter(programme=programme, published_on__range=(period.start, period.end))
        .values("outlet_kind")
        .annotate(publications=Count("pk"), outlets=Count("outlet", distinct=True))
    }
    by_outlet = [
        OutletCount(k.value, k.label, rows[k.value]["publications"], rows[k.value]["outlets"])
        for k in OutletKind
        if k.value in rows
    ]
    social = rows.get(OutletKind.SOCIAL_NETWORK.value, {}).get("publications", 0)
    return Publications(
        media=sum(o.publications for o in by_outlet) - social, by_outlet=by_outlet, social_network_posts=social
    )


@dataclass
class AchievementRow:
    name: str | None  # None: the person has not consented to be named
    organization: str
    municipality: str
    event: str
    level: str
    result: str
    place: int | None
    achieved_on: date


@dataclass
class Achievements:
    rows: list[AchievementRow]
    people: int
    unnamed: int


LEVEL_ORDER = {level.value: n for n, level in enumerate(AchievementLevel)}


def achievements(programme: Programme, period: Period) -> Achievements:
    """Personal results of the programme's members in the period; named only with consent."""
    members = _memberships(programme).overlapping(period.start, period.end).filter(participant=OuterRef("participant"))
    found = (
        Achievement.objects.filter(achieved_on__range=(period.start, period.end))
        .filter(Exists(members))
        .select_related("participant__organisation__municipality")
        .order_by("achieved_on", "pk")
    )
    rows, people, unnamed = [], set(), set()
    for a in sorted(found, key=lambda a: (LEVEL_ORDER[a.level], a.achieved_on)):
        person = a.participant
        organisation = person.organisation
        people.add(person.pk)
        if not person.consent:
            unnamed.add(person.pk)
        rows.append(
            AchievementRow(
                name=person.full_name if person.consent else None,
                organization=organisation.name if organisation else "",
                municipality=organisation.municipality.name if organisation else "",
                event=a.event_name,
                level=a.get_level_display(),
                result=a.get_result_display(),
                place=a.place,
                achieved_on=a.achieved_on,
            )
        )
    return Achievements(rows=rows, people=len(people), unnamed=len(unnamed))
