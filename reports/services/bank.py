"""Sections about the bank's people: residents, their municipalities, opportunities, partners,
publications and achievements. Each function takes a programme and a period and returns data."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q

from events.models import Opportunity, OpportunityKind, OutletKind, PartnerOrganisation, Publication
from participants.models import (
    RESIDENT_CATEGORIES,
    Achievement,
    AchievementLevel,
    AchievementResult,
    Category,
    Membership,
    Municipality,
    Organisation,
    Participant,
    Programme,
)
from participants.names import full_name, natural_key
from participants.periods import Period
from reports import aggregates


def _memberships(programme: Programme):
    # No default ordering: ordering by programme and participant would join both tables into
    # every aggregate below for nothing.
    return Membership.objects.filter(programme=programme).order_by()


def resident_in_period(programme: Programme, period: Period) -> Exists:
    """Whether the outer row's participant was a resident (pupil or student) at any time in the
    period: a semi-join, which PostgreSQL stops at the first membership found (at scale 1000 a
    third of the time of `participant IN (distinct residents)`)."""
    residents = _memberships(programme).residents().overlapping(period.start, period.end)
    return Exists(residents.filter(participant=OuterRef("participant")))


def new_resident_count(programme: Programme, period: Period) -> int:
    """People whose first resident membership of the programme began in the period (a change of
    category from pupil to student is not a new resident): included in the period, and never a
    resident before it. Reads the period's memberships only, not the programme's whole history."""
    if aggregates.in_use():
        return aggregates.total(programme.pk, period, aggregates.NEW)
    residents = _memberships(programme).residents()
    before = residents.filter(participant=OuterRef("participant"), included_on__lt=period.start)
    return (
        residents.filter(included_on__range=(period.start, period.end))
        .filter(~Exists(before))
        .values("participant")
        .distinct()
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
    residents: int | None  # None: nobody of the programme, of any category, in the bank on the date
    by_category: list[CategoryCount]  # every category with someone in it, residents or not
    new_residents: int | None  # None: nobody was included in (or left) the programme in the period

    @property
    def resident_categories(self) -> list[CategoryCount]:
        """The parts of `residents`: pupils and students."""
        return [c for c in self.by_category if c.category in RESIDENT_CATEGORIES]

    @property
    def other_categories(self) -> list[CategoryCount]:
        """Potential residents, partners…: in the bank, but not residents and not part of `residents`."""
        return [c for c in self.by_category if c.category not in RESIDENT_CATEGORIES]


def _people_by_category(programme: Programme, period: Period) -> dict[str, int]:
    """{category: distinct people} in force at the period's end."""
    if aggregates.in_use():
        counts = {}
        for (category, _), n in aggregates.in_force(programme.pk, period, aggregates.END).items():
            counts[category] = counts.get(category, 0) + n
        return counts
    return dict(
        _memberships(programme)
        .active_on(period.end)
        .values_list("category")
        .annotate(n=Count("participant", distinct=True))
    )


def residents_summary(programme: Programme, period: Period) -> ResidentsSummary:
    counts = _people_by_category(programme, period)
    by_category = [CategoryCount(c.value, c.label, counts.get(c.value, 0)) for c in Category if counts.get(c.value)]
    # A period in which nobody joined or left has no record of its own: «нет данных», not 0 new.
    changed = (
        _memberships(programme)
        .filter(Q(included_on__range=(period.start, period.end)) | Q(left_on__range=(period.start, period.end)))
        .exists()
    )
    return ResidentsSummary(
        on_date=period.end,
        residents=sum(counts.get(c, 0) for c in RESIDENT_CATEGORIES) if counts else None,
        by_category=by_category,
        new_residents=new_resident_count(programme, period) if changed else None,
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
    if aggregates.in_use():
        counts, organisations = _pupils_by_municipality(programme, period)
    else:
        counts = {
            row["participant__organisation__municipality"]: row
            for row in pupils.values("participant__organisation__municipality").annotate(
                residents=Count("participant", distinct=True),
                organizations=Count("participant__organisation", distinct=True),
            )
        }
        organisations = pupils.values("participant__organisation")
    municipalities = Municipality.objects.filter(Q(region=programme.region_id) | Q(pk__in=[k for k in counts if k]))
    rows, other_regions = [], []
    for municipality in municipalities.order_by("sort_order", "name"):
        found = counts.get(municipality.pk, {})
        row = MunicipalityRow(municipality.name, found.get("organizations", 0), found.get("residents", 0))
        (rows if municipality.region_id == programme.region_id else other_regions).append(row)
    regional = Organisation.objects.filter(is_regional=True).select_related("municipality")
    if isinstance(organisations, list):  # thousands of ids: the few regional ones picked here
        found = set(organisations)
        regional = [o for o in regional if o.pk in found]
    else:
        regional = regional.filter(pk__in=organisations)
    regional = sorted(regional, key=lambda o: (o.municipality.sort_order, natural_key(o.name)))
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


def _pupils_by_municipality(programme: Programme, period: Period) -> tuple[dict, list[int]]:
    """From the summaries: {municipality id or None: {residents, organizations}} of the pupils in
    force at the period's end, and the ids of their organisations."""
    in_force = aggregates.in_force(programme.pk, period, aggregates.END)
    people = aggregates.by_organisation(in_force, {Category.SCHOOL})
    organisations = [pk for pk in people if pk is not None]
    counts = {}
    if None in people:  # pupils without an organisation
        counts[None] = {"residents": people[None], "organizations": 0}
    municipalities = dict(Organisation.objects.order_by().values_list("pk", "municipality_id"))
    for pk in organisations:
        municipality = municipalities[pk]
        found = counts.setdefault(municipality, {"residents": 0, "organizations": 0})
        found["residents"] += people[pk]
        found["organizations"] += 1
    return counts, organisations


@dataclass
class OpportunityKindCount:
    kind: str
    label: str
    residents: int


@dataclass
class Opportunities:
    residents: int | None  # None: no practice, internship, shift or expert work recorded for the period
    by_kind: list[OpportunityKindCount]  # empty when nothing was recorded


def opportunities(programme: Programme, period: Period) -> Opportunities:
    """Criterion 5: distinct residents with a practice, internship, profile shift or expert work in the period."""
    overlapping = Opportunity.objects.filter(programme=programme, starts_on__lte=period.end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=period.start)
    )
    if not overlapping.exists():
        return Opportunities(residents=None, by_kind=[])
    # One read of the (kind, resident) pairs gives both counts: two COUNT(DISTINCT) queries each
    # checked every opportunity's resident again (2 × 0,4 s at scale 1000).
    pairs = overlapping.filter(resident_in_period(programme, period)).values_list("kind", "participant").distinct()
    residents, by_kind = set(), defaultdict(int)
    for kind, person in pairs.order_by():
        residents.add(person)
        by_kind[kind] += 1
    return Opportunities(
        residents=len(residents),
        by_kind=[OpportunityKindCount(k.value, k.label, by_kind.get(k.value, 0)) for k in OpportunityKind],
    )


@dataclass
class Partners:
    active: int | None  # None (and new None): no partnership recorded up to the period's end
    new: int | None
    new_names: list[str]


def partners(programme: Programme, period: Period) -> Partners:
    """Partner organisations at the period's end, and those whose partnership began in it."""
    recorded = list(
        PartnerOrganisation.objects.filter(programme=programme, since__lte=period.end).values_list(
            "name", "since", "until"
        )
    )
    if not recorded:
        return Partners(active=None, new=None, new_names=[])
    rows = [(name, since) for name, since, until in recorded if until is None or until >= period.end]
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
    media: int | None  # sites of founders and partners, news agencies: what criterion 6 counts;
    # None: no publication of any kind recorded for the period (social network posts alone make it 0)
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
    media = sum(o.publications for o in by_outlet) - social if rows else None
    return Publications(media=media, by_outlet=by_outlet, social_network_posts=social)


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


class LongList(list):
    """The rows of a long list (a row per person) whose length and first rows are read up front
    and the rest only when asked for. The page and the PDF show `len()` and the first rows
    (`rows[:PRINTED_ROWS]`); the workbook, the JSON, the drafts and the number check iterate,
    compare or index further, which reads every row once (`load()`, the full list in the same
    order). A list in every other respect: what it holds then is what `load()` returned."""

    def __init__(self, rows=(), *, length: int | None = None, load=None):
        super().__init__(rows)
        self._length = list.__len__(self) if length is None else length
        self._load = load

    def _all(self) -> "LongList":
        if self._load is not None:
            load, self._load = self._load, None
            list.__init__(self, load())
        return self

    def __len__(self):
        return self._length if self._load is not None else list.__len__(self)

    def __getitem__(self, index):
        if self._load is not None:
            head = list.__len__(self)
            if isinstance(index, slice) and index.start in (None, 0) and index.step in (None, 1):
                if index.stop is not None and 0 <= index.stop <= head:
                    return list.__getitem__(self, index)
            elif isinstance(index, int) and 0 <= index < head:
                return list.__getitem__(self, index)
        return list.__getitem__(self._all(), index)

    def __iter__(self):
        return list.__iter__(self._all())

    def __reversed__(self):
        return list.__reversed__(self._all())

    def __contains__(self, item):
        return list.__contains__(self._all(), item)

    def __eq__(self, other):
        if isinstance(other, LongList):
            other._all()
        return list.__eq__(self._all(), other)

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __repr__(self):
        return list.__repr__(self._all())

    def __reduce_ex__(self, protocol):
        return (list, (list(self),))

    def index(self, *args):
        return list.index(self._all(), *args)

    def count(self, item):
        return list.count(self._all(), item)

    def copy(self):
        return list(self)


@dataclass
class Achievements:
    rows: list[AchievementRow]  # a LongList when computed by `achievements`
    people: int
    unnamed: int


LEVEL_ORDER = {level.value: n for n, level in enumerate(AchievementLevel)}

_ACHIEVEMENT_VALUES = (
    "participant__last_name",
    "participant__first_name",
    "participant__patronymic",
    "participant__consent",
    "participant__organisation__name",
    "participant__organisation__municipality__name",
    "event_name",
    "level",
    "result",
    "place",
    "achieved_on",
)


def _achievements_of_period(programme: Programme, period: Period):
    members = _memberships(programme).overlapping(period.start, period.end).filter(participant=OuterRef("participant"))
    return Achievement.objects.filter(achieved_on__range=(period.start, period.end)).filter(Exists(members))


def _achievement_key(level: str, day: date, pk: int) -> tuple:
    """The order of the list: by level (international first), then date, then as recorded."""
    return LEVEL_ORDER[level], day, pk


def _achievement_rows(found) -> list[AchievementRow]:
    """AchievementRow of (pk, *_ACHIEVEMENT_VALUES) values, in the order of the list."""
    levels = dict(AchievementLevel.choices)
    results = dict(AchievementResult.choices)
    return [
        AchievementRow(
            name=full_name(last, first, patronymic) if consent else None,
            organization=organisation or "",
            municipality=municipality or "",
            event=event,
            level=levels[level],
            result=results[result],
            place=place,
            achieved_on=day,
        )
        for _, last, first, patronymic, consent, organisation, municipality, event, level, result, place, day in sorted(
            found, key=lambda row: _achievement_key(row[8], row[11], row[0])
        )
    ]


def achievements(programme: Programme, period: Period) -> Achievements:
    """Personal results of the programme's members in the period; named only with consent.
    A national bank has tens of thousands of them a year (38 000 at scale 1000), and the page and
    the PDF print the first rows: the counts and those rows are read here from one narrow query
    (an index-only scan), every row with its names only when a channel reads them all."""
    from reports.rendering import PRINTED_ROWS

    found = _achievements_of_period(programme, period)
    unnamed = Q(participant__in=Participant.objects.filter(consent=False).values("pk"))
    keys = list(
        found.annotate(unnamed=ExpressionWrapper(unnamed, output_field=BooleanField()))
        .order_by()
        .values_list("pk", "participant_id", "level", "achieved_on", "unnamed")
    )
    first = sorted(keys, key=lambda row: _achievement_key(row[2], row[3], row[0]))[:PRINTED_ROWS]
    head = _achievement_rows(
        Achievement.objects.filter(pk__in=[row[0] for row in first]).order_by().values_list("pk", *_ACHIEVEMENT_VALUES)
    )

    def every_row() -> list[AchievementRow]:
        return _achievement_rows(found.order_by().values_list("pk", *_ACHIEVEMENT_VALUES))

    rows = LongList(head, length=len(keys), load=None if len(first) == len(keys) else every_row)
    return Achievements(
        rows=rows,
        people=len({row[1] for row in keys}),
        unnamed=len({row[1] for row in keys if row[4]}),
    )
