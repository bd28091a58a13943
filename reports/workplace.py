"""The coordinator's start page: for each programme they coordinate, its working period's criteria
against their targets, what the справка of that period still lacks, and the справки of every period.

Plain functions from (user, programme, period) to data; the admin index (talentbank/admin_site.py)
only renders them. The figures are the справка's own (reports.services.criteria.criteria), never
computed a second way. What counts as a lack is defined here once (`EDITION_LACKS`): the start
page counts with it and the edition list's filter «Что не заполнено» (events/admin.py) filters with
it, so the link from a lack shows exactly the records counted.
"""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from events.models import Coverage, Edition, Participation
from participants.access import access_for, scope
from participants.duplicates import probable_duplicates
from participants.models import Criterion, CriterionTarget, ImportUpload, Participant, Programme
from participants.periods import Period, period_of
from reports import wording
from reports.services import available_years
from reports.services.criteria import CriterionResult, criteria
from talentbank.admin_words import counted_name

# Editions of which the справка cannot say when (the planned editions «Новый период» opens have
# no dates yet), and held ones of which it cannot say where from or how many: Table 2 needs the
# municipalities, the participant figures need a headcount or named participation records.
EDITION_LACKS = {
    "no_dates": ("без дат проведения", Q(starts_on__isnull=True)),
    "no_municipalities": (
        "без муниципалитетов-участников",
        Q(held=True) & ~Q(Exists(Coverage.objects.filter(edition=OuterRef("pk")))),
    ),
    "no_headcount": (
        "без численности участников",
        Q(
            held=True,
            headcount_total__isnull=True,
            headcount_pupils__isnull=True,
            headcount_teachers__isnull=True,
            headcount_experts__isnull=True,
        )
        & ~Q(Exists(Participation.objects.filter(edition=OuterRef("pk")))),
    ),
}
EDITION_LACK_PARAMETER = "lacks"

# Probable duplicates are looked for among at most this many people on the start page (the search
# reads everyone's name key); beyond it the page links to the duplicates page without a count.
DUPLICATE_SCAN_LIMIT = 20_000
DUPLICATE_PAIRS_SHOWN = 100


@dataclass
class Lack:
    """One thing to fix: «3 выпуска мероприятий без муниципалитетов-участников», with where to fix it."""

    text: str
    url: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url): one per record, when few


@dataclass
class ProgrammeDesk:
    programme: Programme
    period: Period
    criteria: list[CriterionResult]  # as the справка computes them
    lacks: list[Lack]
    report_years: list[Period]  # every period with a справка, newest first
    next_year: int  # the period «Новый период» sets up by default


@dataclass
class Desk:
    programmes: list[ProgrammeDesk]
    lacks: list[Lack]  # the user's own: people without organisation, pending imports, duplicates


def _admin_url(name: str, *args, **query) -> str:
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{urlencode(query)}" if query else url


def working_period(programme: Programme, years: list[int], today: date | None = None) -> Period:
    """The period the coordinator is filling in: the newest one with events or targets that has begun,
    else the one today lies in (a period set up ahead does not move the start page before it begins)."""
    current = period_of(programme.period_kind, today or timezone.localdate())
    begun = [year for year in years if year <= current.year]
    return programme.period(max(begun)) if begun else current


def _latest_target_year(programme: Programme) -> int | None:
    targets = CriterionTarget.objects.filter(criterion__programme=programme)
    return targets.order_by("-period").values_list("period", flat=True).first()


def _year_after(working: Period, latest_target: int | None) -> int:
    """The period «Новый период» sets up: the one after the newest period with targets or, if later,
    after the working period."""
    return max(working.year, latest_target or working.year) + 1


def next_period_year(programme: Programme, today: date | None = None) -> int:
    working = working_period(programme, available_years(programme), today)
    return _year_after(working, _latest_target_year(programme))


def _programme_lacks(programme: Programme, period: Period) -> list[Lack]:
    lacks = []
    criteria_without_target = list(
        Criterion.objects.filter(programme=programme)
        .exclude(targets__period=period.year)
        .order_by("number")
        .only("pk", "number")
    )
    if criteria_without_target:
        n = len(criteria_without_target)
        lacks.append(
            Lack(
                text=f"Не задана цель на {period}: {wording.criteria(n)}",
                url=_admin_url("participants_criterion_changelist", programme__id__exact=programme.pk),
                links=[
                    (
                        f"критерий {c.number}",
                        _admin_url("participants_criteriontarget_add", criterion=c.pk, period=period.year),
                    )
                    for c in criteria_without_target
                ],
            )
        )
    editions = Edition.objects.filter(series__programme=programme, period=period.year)
    counts = editions.aggregate(**{key: Count("pk", filter=condition) for key, (_, condition) in EDITION_LACKS.items()})
    for key, (words, _) in EDITION_LACKS.items():
        n = counts[key]
        if n:
            lacks.append(
                Lack(
                    text=f"{wording.number(n)} {counted_name(Edition, n)} {words}",
                    url=_admin_url(
                        "events_edition_changelist",
                        series__programme__id__exact=programme.pk,
                        period=period.year,
                        **{EDITION_LACK_PARAMETER: key},
                    ),
                )
            )
    return lacks


def _pending_imports(user) -> Lack | None:
    since = timezone.now() - settings.IMPORT_UPLOAD_LIFETIME
    pending = list(
        scope(user, ImportUpload.objects.all())
        .filter(applied_at__isnull=True, uploaded_at__gte=since)
        .order_by("-uploaded_at")
        .only("pk", "filename", "uploaded_at")[:6]
    )
    if not pending:
        return None
    n = len(pending)
    more = "" if n <= 5 else " и более"
    return Lack(
        text=f"Не подтверждены загрузки из Excel: {wording.number(min(n, 5))}{more}",
        url=_admin_url("participants_importupload_changelist", applied_at__isnull="True"),
        links=[
            (upload.filename, reverse("admin:participants_participant_import_preview", args=[upload.pk]))
            for upload in pending[:5]
        ],
    )


def _duplicates(user) -> Lack | None:
    if not user.has_perm("participants.delete_participant"):
        return None  # the duplicates page merges, and merging deletes
    url = reverse("admin:participants_participant_duplicates")
    people = scope(user, Participant.objects.all())
    if people[: DUPLICATE_SCAN_LIMIT + 1].count() > DUPLICATE_SCAN_LIMIT:
        return Lack(text="Вероятные дубликаты участников: проверьте список", url=url)
    pairs = len(probable_duplicates(people, limit=DUPLICATE_PAIRS_SHOWN))
    if not pairs:
        return None
    more = " и более" if pairs >= DUPLICATE_PAIRS_SHOWN else ""
    pair_word = ("пара", "пары", "пар")[wording.plural_form(pairs)]
    return Lack(text=f"Вероятные дубликаты участников: {wording.number(pairs)}{more} {pair_word}", url=url)


def _user_lacks(user) -> list[Lack]:
    lacks = []
    without = scope(user, Participant.objects.filter(organisation__isnull=True)).count()
    if without:
        lacks.append(
            Lack(
                text=f"{wording.number(without)} {counted_name(Participant, without)} без образовательной организации",
                url=_admin_url("participants_participant_changelist", organisation__isnull="True"),
            )
        )
    for lack in (_pending_imports(user), _duplicates(user)):
        if lack is not None:
            lacks.append(lack)
    return lacks


def programme_desk(programme: Programme, today: date | None = None) -> ProgrammeDesk:
    years = available_years(programme)
    period = working_period(programme, years, today)
    return ProgrammeDesk(
        programme=programme,
        period=period,
        criteria=criteria(programme, period),
        lacks=_programme_lacks(programme, period),
        report_years=[programme.period(year) for year in years],
        next_year=_year_after(period, _latest_target_year(programme)),
    )


def desk(user, today: date | None = None) -> Desk | None:
    """The start page of a coordinator: their programmes (none of anyone else's); None for other users."""
    access = access_for(user)
    if not access.is_coordinator or not access.programme_ids:
        return None
    programmes = Programme.objects.filter(pk__in=access.programme_ids).select_related("region").order_by("name")
    return Desk(programmes=[programme_desk(p, today) for p in programmes], lacks=_user_lacks(user))
