"""Who sees what, as a matrix of roles × channels (issue 12).

One small bank (`world`, built once per module) where every record has a unique, searchable text
(«ТайновАодин», «ШколаТайнаБ1», «ПрограммаТайнаГамма», …) and a rule saying which roles may see it.
The rule is written here again, from README «Who sees what» and participants/access.py's docstring,
not by calling access.py: this file is the oracle the code is checked against.

    region А: schools А1, А2; programme «Альфа» (coordinator coord_a) and «Гамма» (another
              coordinator of the same region); region Б: schools Б1, Б2; programme «Бета» (coord_b)

Every test takes a role and a channel, fetches what that role gets through the channel and
asserts that nothing the role may not see is in the answer: the text of the record (a person's
last name, a school's name, …), its admin URL (/admin/<app>/<model>/<pk>/) or API URL, its id in
the JSON. Out-of-scope records opened by address must answer exactly as a record that does not
exist.

To add a channel: write `test_<channel>(role, …)`, fetch the page as `login(role)`, and call
`assert_no_leak(world, role, text)` (or `world.forbidden_markers(role)` for a file's cells). New
admin models, admin autocomplete fields and API routes are picked up by themselves (they are
enumerated from admin.site and the API router).

A case that fails today because of a real leak is listed in LEAKS below and marked
xfail(strict=True): fixing the leak makes the test pass, and strict turns that into a failure
that asks for the entry to be removed.
"""

import io
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

import audit
from accounts.models import ManagedUser
from accounts.tokens import issue_token
from events import importing as results_importing
from events.models import (
    Coverage,
    Edition,
    EventSeries,
    Opportunity,
    OpportunityKind,
    Participation,
    PartnerKind,
    PartnerOrganisation,
    Publication,
    SeriesKind,
)
from participants import importing
from participants.models import (
    Achievement,
    AchievementLevel,
    AchievementResult,
    Category,
    Competence,
    ConsentGiver,
    Criterion,
    CriterionTarget,
    Diagnostic,
    DiagnosticScore,
    ImportKind,
    ImportUpload,
    Instrument,
    Membership,
    Metric,
    Municipality,
    Participant,
    ProjectTeam,
    Stage,
    TeamMember,
)
from participants.roles import COORDINATOR, OFFICIAL, SCHOOL_STAFF
from participants.tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    RegionFactory,
)
from talentbank.api import router
from talentbank.testing import pass_second_factor

# The bank ---------------------------------------------------------------------------------------

REGIONS = {"А": "ОбластьТайнаА", "Б": "ОбластьТайнаБ"}
SCHOOLS = {"А1": "А", "А2": "А", "Б1": "Б", "Б2": "Б"}  # school → region
# programme key → (region, period year, slug); each programme's records use its own year, so that a
# period listed in a filter tells whose records are behind it.
PROGRAMMES = {
    "Альфа": ("А", 2019, "tajna-alfa"),
    "Бета": ("Б", 2017, "tajna-beta"),
    "Гамма": ("А", 2021, "tajna-gamma"),
}
# last-name suffix → (school, programmes, consent)
PEOPLE = {
    "Аодин": ("А1", {"Альфа"}, True),
    "Адва": ("А2", {"Альфа"}, False),
    "Бодин": ("Б1", {"Бета"}, True),
    "Бдва": ("Б2", {"Бета"}, True),
    "Аничей": ("А1", set(), True),  # region А, in no programme: coord_a's to enrol
    "Бничей": ("Б1", set(), True),
    "Ачужой": ("А2", {"Гамма"}, True),  # region А, but another coordinator's programme
    "Адвое": ("А1", {"Альфа", "Гамма"}, True),  # in both programmes of region А
    "ДубльА": ("А1", {"Альфа"}, True),  # ДубльА and ДубльБ: probable duplicates of each other
    "ДубльБ": ("Б1", {"Бета"}, True),
}
TWINS_BIRTH_DATE = date(2006, 6, 6)

ROLES = ["superuser", "coord_a", "coord_b", "staff_a1", "staff_b1", "official", "anonymous"]
# The superuser may see every record: checking their answers for leaks would check nothing, so the
# leak tests run for the other roles and the superuser serves as the positive control (the last tests).
LEAK_ROLES = ROLES[1:]
ADMIN_ROLES = ["coord_a", "coord_b", "staff_a1", "staff_b1"]
BANK_RUNNERS = ["superuser", "coord_a", "coord_b"]
# Page by page over every record costs about 50 ms a request here. By default the record-by-record
# tests run for the roles whose region has every kind of case (coord_a, staff_a1; coord_b and staff_b1
# are their mirror images), and the roles turned away before any lookup (official, anonymous) are
# checked on one record per model. SCOPE_MATRIX=full runs every role on every record (about 5 minutes).
FULL = os.environ.get("SCOPE_MATRIX") == "full"
RECORD_ROLES = ADMIN_ROLES if FULL else ["coord_a", "staff_a1"]
TURNED_AWAY = () if FULL else ("official", "anonymous")


@dataclass(frozen=True)
class Reach:
    """What a role reaches, in the fixture's keys (README «Who sees what»)."""

    everything: bool = False
    programmes: frozenset = frozenset()  # coordinated programmes
    schools: frozenset = frozenset()  # a school-staff member's organisations

    @property
    def coordinator_regions(self):
        return {PROGRAMMES[g][0] for g in self.programmes}

    @property
    def staff_regions(self):
        return {SCHOOLS[s] for s in self.schools}

    @property
    def anything(self):
        return self.everything or bool(self.programmes or self.schools)

    # The rules, one per kind of record.
    def person(self, school, programmes):
        return (
            self.everything
            or bool(programmes & self.programmes)
            or (SCHOOLS[school] in self.coordinator_regions and not programmes)
            or school in self.schools
        )

    def region(self, region):
        return self.everything or region in self.coordinator_regions | self.staff_regions

    def school(self, school):  # the organisation and its municipality
        return self.everything or SCHOOLS[school] in self.coordinator_regions or school in self.schools

    def programme(self, g):
        return self.everything or g in self.programmes or PROGRAMMES[g][0] in self.staff_regions

    def programme_record(self, g):  # criteria, teams, events, partners, …
        return self.everything or g in self.programmes

    def person_programme_record(self, school, g):  # memberships, diagnostics and their scores
        return self.everything or g in self.programmes or school in self.schools


REACH = {
    "superuser": Reach(everything=True),
    "coord_a": Reach(programmes=frozenset({"Альфа"})),
    "coord_b": Reach(programmes=frozenset({"Бета"})),
    "staff_a1": Reach(schools=frozenset({"А1"})),
    "staff_b1": Reach(schools=frozenset({"Б1"})),
    "official": Reach(),
    "anonymous": Reach(),
}

ACCOUNTS = {  # key → (username, role group, programme coordinated or school worked for)
    "superuser": ("uchet-super", None, None),
    "coord_a": ("uchet-koord-alfa", COORDINATOR, "Альфа"),
    "coord_b": ("uchet-koord-beta", COORDINATOR, "Бета"),
    "coord_g": ("uchet-koord-gamma", COORDINATOR, "Гамма"),
    "staff_a1": ("uchet-shkola-a1", SCHOOL_STAFF, "А1"),
    "staff_a2": ("uchet-shkola-a2", SCHOOL_STAFF, "А2"),
    "staff_b1": ("uchet-shkola-b1", SCHOOL_STAFF, "Б1"),
    "staff_b2": ("uchet-shkola-b2", SCHOOL_STAFF, "Б2"),
    "official": ("uchet-vlast", OFFICIAL, None),
}


def manageable_accounts(role, *, include_self):
    """accounts.rules: a superuser every account, a coordinator their region's school staff."""
    if role == "superuser":
        return set(ACCOUNTS)
    own = {role} if include_self and role in ACCOUNTS and ACCOUNTS[role][1] else set()
    if role.startswith("coord_"):
        regions = REACH[role].coordinator_regions
        own |= {k for k, (_, group, school) in ACCOUNTS.items() if group == SCHOOL_STAFF and SCHOOLS[school] in regions}
    return own


def resettable_accounts(role):
    """accounts.passwords: the managed accounts, never oneself nor a superuser."""
    return manageable_accounts(role, include_self=False) - {role, "superuser"}


@dataclass
class Thing:
    """One record of the fixture: its text on a page (if it has one of its own) and who may see it."""

    obj: models.Model
    marker: str | None
    visible: callable  # role → bool

    @property
    def model(self):
        return type(self.obj)

    @property
    def admin_path(self):
        opts = self.model._meta
        return f"/admin/{opts.app_label}/{opts.model_name}/{quote(str(self.obj.pk))}/"


@dataclass
class World:
    users: dict = field(default_factory=dict)
    things: list = field(default_factory=list)
    people: dict = field(default_factory=dict)  # suffix → Participant
    schools: dict = field(default_factory=dict)  # key → Organisation
    programmes: dict = field(default_factory=dict)  # key → Programme
    editions: dict = field(default_factory=dict)  # programme key → Edition

    def add(self, obj, marker, visible):
        self.things.append(Thing(obj, marker, visible))
        return obj

    def hidden(self, role, model=None):
        return [t for t in self.things if not t.visible(role) and (model is None or t.model is model)]

    def shown(self, role, model=None):
        return [t for t in self.things if t.visible(role) and (model is None or t.model is model)]

    def forbidden_markers(self, role):
        return {t.marker for t in self.hidden(role) if t.marker}

    def forbidden_paths(self, role):
        return {t.admin_path for t in self.hidden(role)}

    def forbidden_periods(self, role):
        """Years that only out-of-scope records carry."""
        periods = [(t, t.obj.period) for t in self.things if isinstance(getattr(t.obj, "period", None), int)]
        allowed = {year for t, year in periods if t.visible(role)}
        return {year for _, year in periods} - allowed

    def forbidden_accounts(self, role, *, include_self=True):
        allowed = manageable_accounts(role, include_self=include_self) | ({role} if role in ACCOUNTS else set())
        return {ACCOUNTS[k][0] for k in ACCOUNTS if k not in allowed}


def build_world() -> World:
    world = World()
    User = get_user_model()
    for key, (username, group, _) in ACCOUNTS.items():
        user = User.objects.create_user(username, f"{username}@example.org", "secret-pass-123")
        user.is_superuser = key == "superuser"
        user.is_staff = group != OFFICIAL
        user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        world.users[key] = user

    regions = {}
    for key, name in REGIONS.items():
        regions[key] = world.add(RegionFactory(name=name), name, lambda r, k=key: REACH[r].region(k))
    for key, region in SCHOOLS.items():
        municipality = world.add(
            MunicipalityFactory(region=regions[region], name=f"РайонТайна{key}"),
            f"РайонТайна{key}",
            lambda r, k=key: REACH[r].school(k),
        )
        school = world.add(
            OrganisationFactory(municipality=municipality, name=f"ШколаТайна{key}"),
            f"ШколаТайна{key}",
            lambda r, k=key: REACH[r].school(k),
        )
        world.schools[key] = school
    for account, (_, group, reach) in ACCOUNTS.items():
        if group == SCHOOL_STAFF:
            world.schools[reach].staff.add(world.users[account])

    shared = (lambda r: REACH[r].anything,)
    instrument = world.add(Instrument.objects.create(name="Skillfolio-тайна"), None, *shared)
    competence = world.add(Competence.objects.create(instrument=instrument, name="Мышление"), None, *shared)

    for g, (region, year, slug) in PROGRAMMES.items():
        programme = world.add(
            ProgrammeFactory(region=regions[region], name=f"ПрограммаТайна{g}", slug=slug),
            f"ПрограммаТайна{g}",
            lambda r, g=g: REACH[r].programme(g),
        )
        world.programmes[g] = programme
        coordinator = next(k for k, (_, grp, reach) in ACCOUNTS.items() if grp == COORDINATOR and reach == g)
        programme.coordinators.add(world.users[coordinator])
        own = lambda r, g=g: REACH[r].programme_record(g)  # noqa: E731
        criterion = world.add(
            Criterion.objects.create(programme=programme, number=1, title=f"КритерийТайна{g}"),
            f"КритерийТайна{g}",
            own,
        )
        world.add(
            CriterionTarget.objects.create(criterion=criterion, period=year, metric=Metric.NEW_RESIDENTS, value=5),
            None,
            own,
        )
        series = world.add(
            EventSeries.objects.create(programme=programme, name=f"СерияТайна{g}", kind=SeriesKind.ACCREDITED),
            f"СерияТайна{g}",
            own,
        )
        edition = world.add(
            Edition.objects.create(series=series, period=year, title=f"ВыпускТайна{g}", starts_on=date(year, 10, 1)),
            f"ВыпускТайна{g}",
            own,
        )
        world.editions[g] = edition
        municipality = next(t.obj for t in world.things if t.marker == f"РайонТайна{region}2")
        world.add(Coverage.objects.create(edition=edition, municipality=municipality), None, own)
        world.add(
            ProjectTeam.objects.create(programme=programme, period=year, name=f"КомандаТайна{g}"),
            f"КомандаТайна{g}",
            own,
        )
        partner = world.add(
            PartnerOrganisation.objects.create(
                programme=programme, name=f"ПартнёрТайна{g}", kind=PartnerKind.UNIVERSITY, since=date(year, 1, 1)
            ),
            f"ПартнёрТайна{g}",
            own,
        )
        world.add(
            Publication.objects.create(
                programme=programme,
                title=f"ПубликацияТайна{g}",
                url="https://example.org/",
                outlet="Газета",
                published_on=date(year, 11, 1),
            ),
            f"ПубликацияТайна{g}",
            own,
        )
        programme._partner = partner

    for n, (suffix, (school, programmes, consent)) in enumerate(PEOPLE.items(), start=1):
        person = ParticipantFactory(
            last_name=f"Тайнов{suffix}",
            first_name="Секрет",
            patronymic="Тестович",
            birth_date=TWINS_BIRTH_DATE if suffix.startswith("Дубль") else date(2005, 1, n),
            organisation=world.schools[school],
            phone=f"+7 900 555-0{n}-7{n}",
            email=f"tainov-{n}@example.org",
            consent=consent,
            consent_date=date(2019, 1, 10) if consent else None,
            consent_given_by=ConsentGiver.PARENT if consent else "",
            consent_given_by_name=f"РодительТайна{suffix}" if consent else "",
        )
        world.people[suffix] = person
        sees = lambda r, s=school, p=frozenset(programmes): REACH[r].person(s, p)  # noqa: E731
        world.add(person, person.last_name, sees)
        world.add(
            Achievement.objects.create(
                participant=person,
                event_name=f"ОлимпиадаТайна{suffix}",
                level=AchievementLevel.REGIONAL,
                result=AchievementResult.WINNER,
                achieved_on=date(2019, 3, 1),
            ),
            f"ОлимпиадаТайна{suffix}",
            sees,
        )
        for g in sorted(programmes):
            year = PROGRAMMES[g][1]
            programme = world.programmes[g]
            own = lambda r, g=g: REACH[r].programme_record(g)  # noqa: E731
            theirs = lambda r, s=school, g=g: REACH[r].person_programme_record(s, g)  # noqa: E731
            world.add(
                Membership.objects.create(
                    participant=person, programme=programme, category=Category.SCHOOL, included_on=date(year, 2, 1)
                ),
                None,
                theirs,
            )
            world.add(Participation.objects.create(edition=world.editions[g], participant=person), None, own)
            diagnostic = world.add(
                Diagnostic.objects.create(
                    participant=person, programme=programme, period=year, instrument=instrument, stage=Stage.ENTRY
                ),
                None,
                theirs,
            )
            world.add(
                DiagnosticScore.objects.create(diagnostic=diagnostic, competence=competence, score=Decimal("3.5")),
                None,
                theirs,
            )
            team = programme.teams.get()
            world.add(TeamMember.objects.create(team=team, participant=person), None, own)
            world.add(
                Opportunity.objects.create(
                    programme=programme,
                    participant=person,
                    kind=OpportunityKind.INTERNSHIP,
                    place=f"СменаТайна{suffix}{g}",
                    partner=programme._partner,
                    starts_on=date(year, 7, 1),
                ),
                f"СменаТайна{suffix}{g}",
                own,
            )

    # Account records: the password page lists accounts, tokens and audit events belong to them.
    for key, user in world.users.items():
        world.add(ManagedUser.objects.get(pk=user.pk), None, lambda r, k=key: k in resettable_accounts(r))
        token, _key = issue_token(user, label=f"ТокенТайна-{user.username}")  # the key is never shown again
        world.add(
            token,
            f"ТокенТайна-{user.username}",
            lambda r, k=key: k in manageable_accounts(r, include_self=True),
        )
        world.add(
            audit.record(None, audit.LOGIN, f"СобытиеТайна-{user.username}", user=user),
            f"СобытиеТайна-{user.username}",
            lambda r, k=key: k in manageable_accounts(r, include_self=True) and r in BANK_RUNNERS,
        )
    for key in ("coord_a", "staff_b1"):
        world.add(
            ImportUpload.objects.create(
                kind=ImportKind.PARTICIPANTS,
                user=world.users[key],
                filename=f"ЗагрузкаТайна-{key}.xlsx",
                content=b"",
                target={},
            ),
            f"ЗагрузкаТайна-{key}.xlsx",
            lambda r, k=key: r in (k, "superuser"),
        )

    markers = [t.marker for t in world.things if t.marker]
    assert len(markers) == len(set(markers))
    clashes = [(a, b) for a in markers for b in markers if a != b and a in b]
    assert not clashes, f"a marker inside another would make the search ambiguous: {clashes}"
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    """One signed-in client per role for the whole module (a login costs a session, an audit event
    and the lockout bookkeeping: per test it would double the module's time)."""
    signed_in = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            signed_in[role] = Client()
            if role != "anonymous":
                signed_in[role].force_login(world.users[role])
                pass_second_factor(signed_in[role], world.users[role])  # module-wide: the autouse fixture is per test
    return signed_in


@pytest.fixture
def login(clients, db):
    return clients.__getitem__


# Reading answers --------------------------------------------------------------------------------


def text_of(response) -> str:
    """The answer as text; JSON re-dumped without \\u escapes (the admin's autocomplete escapes)."""
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        return "\n".join(workbook_texts(response.content))
    return response.content.decode("utf-8", errors="replace")


def workbook_texts(content: bytes) -> list[str]:
    """Every cell, sheet title and data-validation formula of an .xlsx file."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        texts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            texts.extend(str(value) for value in row if value is not None)
        for validation in sheet.data_validations.dataValidation:
            texts.extend(str(f) for f in (validation.formula1, validation.formula2) if f)
    for name in getattr(book.defined_names, "values", lambda: [])():
        texts.append(str(name.attr_text))
    return texts


def found_markers(text: str, markers) -> list[str]:
    return sorted(m for m in markers if m in text)


# Where an edition's coverage is chosen, municipalities of every region are offered on purpose: the
# справка lists participants from other regions, and municipalities are reference data, not personal
# (access.coverage_municipalities).
COVERAGE_CHOICES = {"events.coverage.municipality", "editions"}


def assert_no_leak(world, role, text, *, paths=True, context="", reference_ok=False):
    hidden = [t for t in world.hidden(role) if not (reference_ok and t.model is Municipality)]
    leaked = found_markers(text, {t.marker for t in hidden if t.marker})
    if paths:
        leaked += found_markers(text, {t.admin_path for t in hidden})
    assert not leaked, f"{role} {context}: out-of-scope records in the answer: {leaked}"


# Leaks known today (strict xfail) -------------------------------------------------------------------


# Leaks found by this test and not yet fixed: (test, role, key) -> what leaks. Each is an xfail(strict),
# so a fix makes its test fail until the entry is removed. All the leaks it found are fixed.
LEAKS: dict[tuple, str] = {}


def cases(test: str, roles, keys=None):
    """pytest params for (role[, key]), with the known leaks of `test` marked xfail(strict)."""
    params = []
    for role in roles:
        for key in keys if keys is not None else [None]:
            reason = LEAKS.get((test, role, key))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            values = (role,) if keys is None else (role, key)
            ident = role if keys is None else f"{role}-{key}"
            params.append(pytest.param(*values, marks=marks, id=ident))
    return params


# Channels enumerated from the code ---------------------------------------------------------------

MODEL_ADMINS = {f"{m._meta.app_label}.{m._meta.model_name}": ma for m, ma in admin.site._registry.items()}
BANK_APPS = {"participants", "events"}
API_ROUTES = {prefix: viewset.queryset.model for prefix, viewset, _ in router.registry}
API_PREFIX = {model: prefix for prefix, model in API_ROUTES.items()}


def relation_fields():
    """Every forward foreign key and many-to-many of every admin model (and of the admin's inlines)
    whose target has an admin with a search box: each is an autocomplete endpoint."""
    found = set()
    for model_admin in MODEL_ADMINS.values():
        models_ = [model_admin.model] + [inline.model for inline in model_admin.inlines]
        for model in models_:
            if model not in admin.site._registry:
                continue
            for f in model._meta.get_fields():
                if not (f.is_relation and f.concrete and (f.many_to_one or f.many_to_many)):
                    continue
                target = admin.site._registry.get(f.related_model)
                if target is not None and target.search_fields:
                    found.add(f"{model._meta.app_label}.{model._meta.model_name}.{f.name}")
    return sorted(found)


AUTOCOMPLETE = relation_fields()

# Admin: changelists, search, add pages, filter sidebars ------------------------------------------------


def assert_no_account_leak(world, role, text, context):
    leaked = found_markers(text, world.forbidden_accounts(role))
    assert not leaked, f"{role} {context}: accounts outside the role's reach: {leaked}"


ACCOUNT_ADMINS = {"accounts.apitoken", "accounts.manageduser", "audit.auditevent", "auth.user", "auth.group"}


@pytest.mark.parametrize(("role", "label"), cases("changelist", LEAK_ROLES, sorted(MODEL_ADMINS)))
def test_changelist_search_and_filter_sidebar(world, login, role, label):
    """A model's list searched for every record of the fixture (all its texts share «Тайн»), and
    the list's filter sidebar: no organisation, programme, person or period out of scope."""
    app, model = label.split(".")
    url = reverse(f"admin:{app}_{model}_changelist")
    response = login(role).get(url, {"q": "Тайн"})
    assert response.status_code in (200, 302, 403), (url, response.status_code)
    text = text_of(response)
    assert_no_leak(world, role, text, context=url)
    if label in ACCOUNT_ADMINS:
        assert_no_account_leak(world, role, text, url)
    if response.status_code != 200:
        return
    changelist = response.context["cl"]
    listed = {
        spec.title: [str(choice["display"]) for choice in spec.choices(changelist)] for spec in changelist.filter_specs
    }
    text = "\n".join(f"{title}: {choice}" for title, choices in listed.items() for choice in choices)
    assert_no_leak(world, role, text, context=f"filters of {label}")
    periods = {str(y) for y in world.forbidden_periods(role)}
    leaked = {title: sorted(periods & set(choices)) for title, choices in listed.items() if periods & set(choices)}
    assert not leaked, f"{role}: filters of {label} list periods of records out of scope: {leaked}"
    if label in ACCOUNT_ADMINS:
        assert_no_account_leak(world, role, text, f"filters of {label}")


@pytest.mark.parametrize(("role", "label"), cases("add_page", ["coord_a", "staff_a1"], sorted(MODEL_ADMINS)))
def test_add_page_choices(world, login, role, label):
    app, model = label.split(".")
    response = login(role).get(reverse(f"admin:{app}_{model}_add"))
    assert response.status_code in (200, 302, 403)
    assert_no_leak(world, role, text_of(response), context=f"add {label}")


# Admin: pages of one record --------------------------------------------------------------------------


def missing_pk(model):
    pk = model._meta.pk
    if isinstance(pk, models.UUIDField):
        return str(uuid.uuid4())
    if isinstance(pk, models.CharField):
        return "0" * 40
    return "999999999"


def object_urls(model, pk):
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    urls = {view: reverse(f"{base}_{view}", args=[quote(str(pk))]) for view in ("change", "history", "delete")}
    if model is ManagedUser:
        urls["password"] = reverse("admin:accounts_manageduser_password", args=[pk])
    if model is Participant:  # the pupil card (participants.card) and its PDF
        urls["card"] = reverse("admin:participants_participant_card", args=[pk])
        urls["card_pdf"] = reverse("admin:participants_participant_card_pdf", args=[pk])
    return urls


ADMIN_THING_MODELS = sorted(
    {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry if m._meta.app_label != "axes"}
    - {"auth.user", "auth.group"}
)


def things_of(world, label):
    return [t for t in world.things if f"{t.model._meta.app_label}.{t.model._meta.model_name}" == label]


@pytest.mark.parametrize(
    ("role", "label"), cases("out_of_scope_pages", [*RECORD_ROLES, "official", "anonymous"], ADMIN_THING_MODELS)
)
def test_out_of_scope_record_pages_answer_as_if_missing(world, login, role, label):
    """Change, history, delete (and password) pages of a record the role may not see: the same
    answer as for an id that does not exist (a 404 for the bank's models), and no names."""
    client = login(role)
    hidden = [t for t in things_of(world, label) if not t.visible(role)]
    if not hidden:
        pytest.skip("the role sees every record of this model")
    model = hidden[0].model
    missing_urls = object_urls(model, missing_pk(model))
    missing = {view: client.get(url) for view, url in missing_urls.items()}
    for n, thing in enumerate(hidden[:1] if role in TURNED_AWAY else hidden):
        # Every hidden record by its change page; the other pages (same lookup) by the first one.
        for view, url in object_urls(model, thing.obj.pk).items():
            if n and view != "change":
                continue
            response = client.get(url)
            expected = missing[view]
            answer = (response.status_code, (response.get("Location") or "").replace(url, missing_urls[view]))
            if not (response.status_code == 403 and model._meta.app_label not in BANK_APPS):
                # (a 403 of a page the role may not open at all, e.g. school staff and the audit log)
                assert answer == (expected.status_code, expected.get("Location") or ""), (
                    f"{role} {view} of hidden {thing.admin_path}: {answer}, a missing id gives {expected.status_code}"
                )
            if model._meta.app_label in BANK_APPS and role in ADMIN_ROLES:
                assert response.status_code in (403, 404), (url, response.status_code)
            assert_no_leak(world, role, text_of(response), context=url)


@pytest.mark.parametrize(("role", "label"), cases("in_scope_pages", RECORD_ROLES, ADMIN_THING_MODELS))
def test_in_scope_record_pages_show_nothing_else(world, login, role, label):
    """Change and history pages of records the role may see: inlines, choices and links hold
    nothing out of scope."""
    client = login(role)
    for n, thing in enumerate(t for t in things_of(world, label) if t.visible(role)):
        urls = object_urls(thing.model, thing.obj.pk)
        views = ("change", "history") if n == 0 else ("change",)
        for view in (*views, "card") if "card" in urls else views:  # a card gathers every part of a person
            response = client.get(urls[view])
            assert response.status_code in (200, 302, 403), (urls[view], response.status_code)
            assert_no_leak(world, role, text_of(response), context=urls[view])


@pytest.mark.parametrize(("role", "label"), cases("delete_page", RECORD_ROLES, ADMIN_THING_MODELS))
def test_delete_confirmation_names_only_what_the_role_may_see(world, login, role, label):
    """Deleting a record the role may see lists what would go with it (cascade) or stop it
    (protected): that list must not name records out of the role's scope."""
    client = login(role)
    for thing in [t for t in things_of(world, label) if t.visible(role)]:
        url = object_urls(thing.model, thing.obj.pk)["delete"]
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        assert_no_leak(world, role, text_of(response), context=url)


# Admin: autocomplete -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "field_path"), cases("autocomplete", LEAK_ROLES, AUTOCOMPLETE))
def test_autocomplete(world, login, role, field_path):
    client = login(role)
    app, model, field_name = field_path.split(".")
    for term in ("Тайн", "") if FULL else ("Тайн",):  # every record of the fixture matches «Тайн»
        response = client.get(
            "/admin/autocomplete/", {"app_label": app, "model_name": model, "field_name": field_name, "term": term}
        )
        assert response.status_code in (200, 302, 403), (field_path, response.status_code)
        text = text_of(response)
        reference_ok = field_path in COVERAGE_CHOICES
        assert_no_leak(world, role, text, context=f"autocomplete {field_path} term={term!r}", reference_ok=reference_ok)
        if response.status_code == 200:
            related = apps.get_model(app, model)._meta.get_field(field_name).related_model
            ids = {str(item["id"]) for item in response.json()["results"]}
            hidden_ids = set() if reference_ok else {str(t.obj.pk) for t in world.hidden(role, related)}
            assert not ids & hidden_ids, f"{role}: autocomplete {field_path} offers hidden ids {ids & hidden_ids}"
            if related is get_user_model():
                assert_no_account_leak(world, role, text, f"autocomplete {field_path}")


# Admin: duplicates, imports, bank export -------------------------------------------------------------------


DUPLICATES_URL = "/admin/participants/participant/duplicates/"


@pytest.mark.parametrize("role", cases("duplicates", ROLES))
def test_duplicates_page(world, login, role):
    response = login(role).get(DUPLICATES_URL)
    assert response.status_code in (200, 302, 403)
    text = text_of(response)
    assert_no_leak(world, role, text, context="duplicates")
    if role == "superuser":  # the page does list people: the pair across regions is found
        assert "ТайновДубльА" in text and "ТайновДубльБ" in text


@pytest.mark.parametrize("role", cases("import_template", LEAK_ROLES))
def test_import_templates(world, login, role):
    client = login(role)
    for name in ("admin:participants_participant_import_template", "admin:participants_participant_results_template"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 302, 403)
        if response.status_code == 200:
            assert_no_leak(world, role, "\n".join(workbook_texts(response.content)), context=name)


def workbook(rows, columns) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "ученики.xlsx"
    return data


# Who is uploaded as whom: (role, suffix of the out-of-scope person, school written in the row)
IMPORT_CASES = [
    ("coord_a", "Ачужой", "А2"),  # same region, another coordinator's programme, a school coord_a loads into
    ("coord_a", "Бодин", "А1"),  # another region
    ("coord_b", "Аодин", "Б1"),
    ("staff_a1", "Адва", "А1"),  # another school of the same region
    ("staff_b1", "Бдва", "Б1"),
]


def private_values(person):
    """What the bank knows of a person beyond the ФИО and birth date an uploader types."""
    return {person.phone, person.email, person.consent_given_by_name, f"participant/{person.pk}/"} - {""}


def import_cases():
    params = []
    for role, suffix, school in IMPORT_CASES:
        for kind in ("participants", "results") if REACH[role].programmes else ("participants",):
            reason = LEAKS.get(("import_preview", role, f"{kind}-{suffix}"))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(role, suffix, school, kind, marks=marks, id=f"{role}-{kind}-{suffix}"))
    return params


@pytest.mark.parametrize(("role", "suffix", "school", "kind"), import_cases())
def test_import_preview_of_an_out_of_scope_person(world, login, role, suffix, school, kind):
    """An upload naming (ФИО and birth date) a person the role may not see, in a school the role
    may load into or not: the preview shows what was uploaded, never what the bank holds about
    that person (their phone, e-mail, parent, record)."""
    client = login(role)
    person = world.people[suffix]
    programme = next(g for g in PROGRAMMES if REACH[role].programme(g))
    row = {
        "Фамилия": person.last_name,
        "Имя": person.first_name,
        "Отчество": person.patronymic,
        "Дата рождения": person.birth_date.strftime("%d.%m.%Y"),
        "Пол": "М",
        "Образовательная организация": f"ШколаТайна{school}",
        "Класс/курс": 10,
        "Телефон": "+7 999 000-00-00",
        "Согласие на обработку ПДн": "да",
        "Дата согласия": "01.09.2019",
        "Роль": "участник",
    }
    if kind == "participants":
        url, target = "participant/import/", {"programme": world.programmes[programme].pk}
        columns = importing.PARTICIPANT_COLUMNS
    else:
        url, target = "participant/import/results/", {"edition": world.editions[programme].pk}
        columns = results_importing.RESULT_COLUMNS
    response = client.post(f"/admin/participants/{url}", {**target, "file": workbook([row], columns)}, follow=True)
    assert response.status_code == 200
    text = text_of(response)
    assert "Проверка файла" in text, "the upload did not reach the preview"
    shown = found_markers(text, private_values(person) | (world.forbidden_markers(role) - {person.last_name}))
    assert not shown, f"{role}: the {kind} preview shows what the bank holds about {person.last_name}: {shown}"


EXPORT_URL = "/admin/participants/participant/export/"


@pytest.mark.parametrize("role", cases("bank_export", LEAK_ROLES))
def test_bank_export(world, login, role):
    response = login(role).get(EXPORT_URL)
    if role not in BANK_RUNNERS:
        assert response.status_code in (302, 403)
        return
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(content))
    hidden_people = {t.obj.pk for t in world.hidden(role, Participant)}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        text = "\n".join(str(v) for row in rows for v in row if v is not None)
        assert_no_leak(world, role, text, paths=False, context=f"export sheet {sheet.title}")
        assert_no_account_leak(world, role, text, f"export sheet {sheet.title}")
        if not rows:
            continue
        header = [str(h) for h in rows[0]]
        person_columns = [n for n, h in enumerate(header) if h in ("participant", "participant_id")]
        if sheet.title in ("Participant", "HistoricalParticipant"):
            person_columns.append(header.index("id"))
        leaked = {row[n] for row in rows[1:] for n in person_columns} & hidden_people
        assert not leaked, f"{role}: export sheet {sheet.title} holds hidden people {leaked}"


# REST API ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "prefix"), cases("api_list", LEAK_ROLES, sorted(API_ROUTES)))
def test_api_list_json(world, login, role, prefix):
    client = login(role)
    model = API_ROUTES[prefix]
    hidden_people = {t.obj.pk for t in world.hidden(role, Participant)}
    hidden_own = {t.obj.pk for t in world.hidden(role, model)}
    for params in [{}] + ([{"q": "Тайн"}] if model is Participant else []):
        response = client.get(f"/api/v1/{prefix}/", {"page_size": 500, **params}, HTTP_ACCEPT="application/json")
        assert response.status_code in (200, 401, 403), (prefix, response.status_code)
        assert_no_leak(world, role, text_of(response), context=f"/api/v1/{prefix}/ {params}")
        if response.status_code == 200:
            rows = response.json()["results"]
            assert not {r["id"] for r in rows} & hidden_own, f"{role}: {prefix} lists hidden ids"
            assert not {r.get("participant") for r in rows} & hidden_people, f"{role}: {prefix} names hidden people"


def assert_no_api_leak(world, role, prefix, response, url):
    model = API_ROUTES[prefix]
    assert response.status_code in (200, 401, 403), (url, response.status_code)
    text = text_of(response)
    assert_no_leak(world, role, text, context=url, reference_ok=prefix in COVERAGE_CHOICES)
    links = found_markers(text, {f"/api/v1/{prefix}/{t.obj.pk}/" for t in world.hidden(role, model)})
    assert not links, f"{role}: {url} links to hidden records {links}"


@pytest.mark.parametrize(("role", "prefix"), cases("api_html", ADMIN_ROLES, sorted(API_ROUTES)))
def test_api_browsable_list(world, login, role, prefix):
    """The browsable API's list page: rows, the filter form's choices, the POST form's choices."""
    url = f"/api/v1/{prefix}/?format=api"
    assert_no_api_leak(world, role, prefix, login(role).get(url), url)


@pytest.mark.parametrize(("role", "prefix"), cases("api_html_detail", ["coord_a", "staff_a1"], sorted(API_ROUTES)))
def test_api_browsable_detail(world, login, role, prefix):
    """The browsable API's page of one visible record, with its PUT form's choices."""
    shown = world.shown(role, API_ROUTES[prefix])
    if not shown:
        pytest.skip("the role sees no record of this model")
    url = f"/api/v1/{prefix}/{shown[0].obj.pk}/?format=api"
    assert_no_api_leak(world, role, prefix, login(role).get(url), url)


@pytest.mark.parametrize(("role", "prefix"), cases("api_detail", LEAK_ROLES, sorted(API_ROUTES)))
def test_api_detail_of_out_of_scope_records(world, login, role, prefix):
    client = login(role)
    model = API_ROUTES[prefix]
    missing = client.get(f"/api/v1/{prefix}/999999999/", HTTP_ACCEPT="application/json")
    hidden = world.hidden(role, model)
    for thing in hidden[:1] if role in TURNED_AWAY else hidden:
        response = client.get(f"/api/v1/{prefix}/{thing.obj.pk}/", HTTP_ACCEPT="application/json")
        assert response.status_code == missing.status_code, (prefix, thing.obj.pk, response.status_code)
        if role in ("superuser", "coord_a", "coord_b") or response.status_code == 200:
            assert response.status_code == 404
        assert_no_leak(world, role, text_of(response), context=f"/api/v1/{prefix}/{thing.obj.pk}/")


# Справки --------------------------------------------------------------------------------------------------


def report_may_open(role, g):
    return role in ("superuser", "official") or g in REACH[role].programmes


def report_forbidden(world, g):
    """In a справка of programme g: no one outside g, no one without consent, nothing of other programmes."""
    markers = {f"Тайнов{s}" for s, (_, progs, consent) in PEOPLE.items() if g not in progs or not consent}
    for other in PROGRAMMES:
        if other != g:
            markers |= {f"{kind}{other}" for kind in ("ПрограммаТайна", "СерияТайна", "ВыпускТайна", "КомандаТайна")}
            markers |= {f"{kind}{other}" for kind in ("КритерийТайна", "ПартнёрТайна", "ПубликацияТайна")}
    return markers


@pytest.mark.parametrize(("role", "g"), cases("report", ROLES, sorted(PROGRAMMES)))
def test_report_page_json_and_xlsx(world, login, role, g):
    client = login(role)
    _, year, slug = PROGRAMMES[g]
    forbidden = report_forbidden(world, g)
    for url in (f"/reports/{slug}/{year}/", f"/reports/{slug}/{year}/xlsx/", f"/api/v1/reports/{slug}/{year}/"):
        response = client.get(url, HTTP_ACCEPT="application/json")
        if role == "anonymous":
            assert response.status_code in (302, 401), url
            continue
        if not report_may_open(role, g):
            assert response.status_code == 404, (url, response.status_code)
            continue
        assert response.status_code == 200, (url, response.status_code)
        leaked = found_markers(text_of(response), forbidden)
        assert not leaked, f"{role}: справка {url} names {leaked}"
    index = client.get("/reports/")
    if role != "anonymous":
        text = text_of(index)
        assert (f"ПрограммаТайна{g}" in text) == report_may_open(role, g), f"{role}: /reports/ and programme {g}"


@pytest.mark.parametrize("role", cases("report_pdf", ["official", "coord_b"]))
def test_report_pdf(world, login, role):
    from pypdf import PdfReader

    client = login(role)
    _, year, slug = PROGRAMMES["Альфа"]
    response = client.get(f"/reports/{slug}/{year}/pdf/")
    if not report_may_open(role, "Альфа"):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    leaked = found_markers(text.replace("\n", ""), report_forbidden(world, "Альфа"))
    assert not leaked, f"{role}: PDF names {leaked}"


# Pages that are not about one model ------------------------------------------------------------------------

MISC_URLS = [
    "/",
    "/admin/",
    "/api/v1/",  # /reports/: test_report_page_json_and_xlsx
    "/api/v1/?format=api",
    "/accounts/password/change/",
]


@pytest.mark.parametrize("role", cases("misc", LEAK_ROLES))
def test_other_pages(world, login, role):
    client = login(role)
    for url in MISC_URLS:
        response = client.get(url)
        assert response.status_code in (200, 302, 401, 403), (url, response.status_code)
        assert_no_leak(world, role, text_of(response), context=url)


# The oracle itself: the checks above would pass on empty pages, so the superuser and each role must
# find their own records where the channels show them.


@pytest.mark.parametrize("role", ["superuser", "coord_a", "coord_b", "staff_a1", "staff_b1"])
def test_each_role_sees_its_own_people(world, login, role):
    client = login(role)
    mine = {t.marker for t in world.shown(role, Participant)}
    assert mine
    page = text_of(client.get("/admin/participants/participant/", {"q": "Тайн"}))
    assert set(found_markers(page, mine)) == mine
    api = client.get("/api/v1/participants/", {"page_size": 500}).json()
    assert {r["last_name"] for r in api["results"]} == mine
