"""A synthetic programme of any size, for benchmarks: `generate_synthetic(scale, seed)`.

Scale 1 is about Tomsk's size: 500 people, 20 municipalities, 60 organisations, eight accredited
and thirty satellite events a year drawing some 2 500 participants by headcount, and 2 000 named
participation records over ten years. Everything that counts people grows linearly with the
scale (scale 1000: 500 000 people, 2 000 000 participation records); the number of places and of
named events grows slowly, as in a real large region whose events get bigger rather than more
numerous. The same scale and seed always give the same records.

Rows are written in bulk with explicit primary keys: PostgreSQL's COPY, or executemany on other
databases. No audit-trail history is written for generated rows.
"""

import itertools
import math
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction

from events.models import (
    Coverage,
    Direction,
    Edition,
    EventSeries,
    Opportunity,
    OpportunityKind,
    OutletKind,
    Participation,
    PartnerKind,
    PartnerOrganisation,
    Publication,
    Role,
    SeriesKind,
)
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
    Instrument,
    Membership,
    Metric,
    Municipality,
    MunicipalityKind,
    Organisation,
    OrganisationKind,
    Participant,
    Programme,
    ProjectTeam,
    Region,
    Stage,
    TeamMember,
)
from participants.names import normalise_name
from participants.periods import PeriodKind
from reports import aggregates

from .names import PeopleFactory

PERIODS = 10
LAST_YEAR = 2025  # fixed, so that the same seed gives the same data whatever today's date
REGION_NAME = "Синтетическая область"
COMPETENCES = [
    "Коммуникация",
    "Командная работа",
    "Критическое мышление",
    "Креативность",
    "Самоорганизация",
    "Лидерство",
]


class SyntheticError(Exception):
    pass


def _zipf_weights(n: int, exponent: float = 1.0) -> list[float]:
    return [1 / (i + 1) ** exponent for i in range(n)]


def _log_scale(scale: int) -> float:
    return math.log10(max(scale, 1))


class Sizes:
    """How many of each thing a scale gives (see the module docstring)."""

    def __init__(self, scale: int):
        self.scale = scale
        self.people = 500 * scale
        self.municipalities = 20 + round(10 * _log_scale(scale))
        self.organisations = max(60, round(60 * scale**0.75))
        self.accredited_series = 8 + round(2 * _log_scale(scale))
        self.satellite_series = 30 + round(20 * _log_scale(scale))
        self.activity_series = 6
        self.participations = 2000 * scale
        self.teams_per_period = max(4, round(4 * scale**0.6))
        self.diagnosed_per_period = 20 * scale
        self.opportunities_per_period = 30 * scale
        self.new_partners_per_period = 3 + round(3 * _log_scale(scale))
        self.publications_per_period = round(40 * scale**0.5)
        self.achievements_per_period = 40 * scale


class _Table:
    """Rows of one model with explicit primary keys, written in bulk."""

    def __init__(self, model: type[models.Model], columns: list[str]):
        self.model = model
        self.columns = ["id", *columns]
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, *values) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        return pk

    def write(self) -> int:
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                for start in range(0, len(self.rows), 5000):
                    cursor.executemany(
                        f"INSERT INTO {table} ({names}) VALUES ({marks})", self.rows[start : start + 5000]
                    )
        self.written += len(self.rows)
        self.rows = []
        return self.written


class Generator:
    def __init__(self, scale: int, seed: int, slug: str, progress: Callable[[str], None]):
        if scale < 1:
            raise SyntheticError("Масштаб должен быть целым числом не меньше 1.")
        self.sizes = Sizes(scale)
        self.scale = scale
        self.rng = random.Random(seed)
        self.people_factory = PeopleFactory(seed)
        self.slug = slug
        self.progress = progress
        self.years = list(range(LAST_YEAR - PERIODS + 1, LAST_YEAR + 1))
        self.started = time.monotonic()

    def say(self, what: str, count: int | None = None):
        elapsed = time.monotonic() - self.started
        amount = f": {count:,}".replace(",", " ") if count is not None else ""
        self.progress(f"[{elapsed:6.1f} с] {what}{amount}")

    def write(self, label: str, table: _Table):
        self.say(label, table.write())

    # --- places -----------------------------------------------------------------------------

    def geography(self):
        sizes, rng = self.sizes, self.rng
        self.region = Region.objects.create(name=f"{REGION_NAME} ({self.slug})", code="99")
        self.municipality_ids = []
        for n in range(sizes.municipalities):
            kind = MunicipalityKind.URBAN_OKRUG if n < 4 else MunicipalityKind.DISTRICT
            name = f"Город № {n + 1}" if n < 4 else f"Район № {n - 3}"
            self.municipality_ids.append(
                Municipality.objects.create(region=self.region, name=name, kind=kind, sort_order=n + 1).pk
            )
        weights = _zipf_weights(sizes.municipalities, 1.1)
        organisations = _Table(
            Organisation, ["municipality_id", "region_id", "name", "short_name", "kind", "is_regional"]
        )
        kinds = [
            (OrganisationKind.SCHOOL, 0.85),
            (OrganisationKind.COLLEGE, 0.08),
            (OrganisationKind.UNIVERSITY, 0.04),
            (OrganisationKind.ADDITIONAL, 0.03),
        ]
        self.schools, self.colleges = [], []
        for n in range(sizes.organisations):
            municipality = rng.choices(self.municipality_ids, weights)[0]
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            label = {
                OrganisationKind.SCHOOL: "МАОУ СОШ",
                OrganisationKind.COLLEGE: "ОГБПОУ колледж",
                OrganisationKind.UNIVERSITY: "Университет",
                OrganisationKind.ADDITIONAL: "Центр дополнительного образования",
            }[kind]
            pk = organisations.add(municipality, self.region.pk, f"{label} № {n + 1}", "", kind, rng.random() < 0.01)
            (self.schools if kind == OrganisationKind.SCHOOL else self.colleges).append(pk)
        self.write("Образовательные организации", organisations)
        # Organisations are as skewed as municipalities: a few large schools, many small ones.
        # Cumulative, so that each draw is a bisection rather than a sum over 10 000 organisations.
        self.school_weights = list(itertools.accumulate(_zipf_weights(len(self.schools), 0.6)))
        self.college_weights = list(itertools.accumulate(_zipf_weights(len(self.colleges), 0.6)))

    def programme(self):
        sizes = self.sizes
        self.programme_obj = Programme.objects.create(
            region=self.region,
            name=f"Синтетическая программа (масштаб {self.scale})",
            short_name=f"Синтетика ×{self.scale}",
            slug=self.slug,
            operator="Региональный центр выявления и поддержки одарённых детей",
            period_kind=PeriodKind.CALENDAR,
        )
        targets = {
            1: ("Ежегодное пополнение банка", {Metric.NEW_RESIDENTS: 40 * self.scale}),
            2: ("Аккредитованные мероприятия", {Metric.ACCREDITED_EDITIONS: sizes.accredited_series - 1}),
            3: ("Новые партнёры", {Metric.NEW_PARTNERS: sizes.new_partners_per_period}),
            4: (
                "Мероприятия-спутники",
                {
                    Metric.SATELLITE_EDITIONS: sizes.satellite_series // 2,
                    Metric.SATELLITE_PARTICIPANTS: 1500 * self.scale,
                },
            ),
            5: ("Практики и стажировки", {Metric.RESIDENTS_WITH_OPPORTUNITIES: 20 * self.scale}),
            6: ("Публикации", {Metric.PUBLICATIONS: sizes.publications_per_period // 2}),
        }
        for number, (title, metrics) in targets.items():
            criterion = Criterion.objects.create(programme=self.programme_obj, number=number, title=title)
            CriterionTarget.objects.bulk_create(
                CriterionTarget(criterion=criterion, period=year, metric=metric, value=value)
                for year in self.years
                for metric, value in metrics.items()
            )

    # --- people -----------------------------------------------------------------------------

    def people(self):
        """People with their memberships: entry year spread over the ten periods, more recently."""
        rng, sizes = self.rng, self.sizes
        people = _Table(
            Participant,
            [
                "last_name",
                "first_name",
                "patronymic",
                "birth_date",
                "sex",
                "organisation_id",
                "grade",
                "course",
                "phone",
                "email",
                "consent",
                "consent_date",
                "consent_given_by",
                "consent_given_by_name",
                "name_key",
                "created_at",
                "updated_at",
            ],
        )
        memberships = _Table(
            Membership,
            ["participant_id", "programme_id", "category", "included_on", "basis", "left_on", "leaving_reason"],
        )
        programme_id = self.programme_obj.pk
        year_weights = [1 + i / 3 for i in range(PERIODS)]
        now = f"{LAST_YEAR + 1}-01-15 10:00:00+00"
        self.active_by_year: dict[int, list[int]] = {y: [] for y in self.years}
        self.residents_by_year: dict[int, list[int]] = {y: [] for y in self.years}
        categories = [Category.SCHOOL, Category.POTENTIAL, Category.PARTICIPANT]
        for _ in range(sizes.people):
            entry_year = rng.choices(self.years, year_weights)[0]
            age_at_entry = rng.randint(11, 17)
            born = (date(entry_year - age_at_entry, 1, 1), date(entry_year - age_at_entry, 12, 31))
            person = self.people_factory.person(born)
            age_now = LAST_YEAR - person["birth_date"].year
            if age_now >= 18:
                organisation = rng.choices(self.colleges, cum_weights=self.college_weights)[0]
                grade, course = None, min(age_now - 17, 6)
            else:
                organisation = rng.choices(self.schools, cum_weights=self.school_weights)[0]
                grade, course = min(max(age_now - 6, 1), 11), None
            included_on = date(entry_year, 1, 1) + timedelta(days=rng.randint(0, 364))
            consent = rng.random() < 0.92
            adult = entry_year - person["birth_date"].year >= 18
            pk = people.add(
                person["last_name"],
                person["first_name"],
                person["patronymic"],
                person["birth_date"],
                person["sex"],
                organisation,
                grade,
                course,
                f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
                if rng.random() < 0.6
                else "",
                "",
                consent,
                included_on if consent else None,
                (ConsentGiver.SELF if adult else ConsentGiver.PARENT) if consent else "",
                "",
                _name_key(person),
                now,
                now,
            )
            category = rng.choices(categories, [0.6, 0.25, 0.15])[0]
            left_on = None
            if rng.random() < 0.3:
                left_on = included_on + timedelta(days=rng.randint(200, 365 * 4))
                if left_on.year > LAST_YEAR:
                    left_on = None
            turns_adult = person["birth_date"].year + 18
            if category == Category.SCHOOL and left_on is None and entry_year < turns_adult <= LAST_YEAR:
                # Finished school and stayed as a student: one membership closed, another opened.
                moved_on = date(turns_adult, 9, 1)
                memberships.add(pk, programme_id, category, included_on, "", moved_on, "окончил школу")
                memberships.add(pk, programme_id, Category.STUDENT, moved_on, "", None, "")
            else:
                reason = "выбыл по собственному желанию" if left_on else ""
                memberships.add(pk, programme_id, category, included_on, "", left_on, reason)
            last = left_on.year if left_on else LAST_YEAR
            for year in range(entry_year, last + 1):
                self.active_by_year[year].append(pk)
                if category == Category.SCHOOL:
                    self.residents_by_year[year].append(pk)
            if len(people.rows) >= 50_000:
                self.write("Участники, записано", people)
        self.write("Участники", people)
        self.write("Членство в программе", memberships)

    # --- events -----------------------------------------------------------------------------

    def events(self):
        rng, sizes = self.rng, self.sizes
        programme = self.programme_obj
        series = _Table(
            EventSeries,
            [
                "programme_id",
                "name",
                "short_name",
                "kind",
                "direction",
                "organiser",
                "accredited_from",
                "accredited_until",
                "prepares_for_id",
                "sort_order",
            ],
        )
        editions = _Table(
            Edition,
            [
                "series_id",
                "period",
                "title",
                "starts_on",
                "ends_on",
                "venue",
                "held",
                "note",
                "headcount_pupils",
                "headcount_teachers",
                "headcount_experts",
                "headcount_total",
            ],
        )
        coverage = _Table(Coverage, ["edition_id", "municipality_id"])
        directions = [d.value for d in Direction if d != Direction.OTHER]
        municipality_weights = _zipf_weights(len(self.municipality_ids), 0.5)
        self.accredited_editions: dict[int, list[int]] = {y: [] for y in self.years}
        for n in range(sizes.accredited_series):
            pk = series.add(
                programme.pk,
                f"Аккредитованное мероприятие № {n + 1}",
                "",
                SeriesKind.ACCREDITED,
                directions[n % len(directions)],
                programme.operator,
                date(self.years[0], 1, 1),
                None,
                None,
                n + 1,
            )
            for year in self.years:
                held = rng.random() > 0.03
                starts_on = date(year, rng.randint(1, 12), rng.randint(1, 28))
                # Half the accredited events report headcounts; the others are counted by named records.
                by_headcount = n % 2 == 0
                pupils = round(35 * self.scale * rng.uniform(0.5, 1.5)) if by_headcount and held else None
                edition = editions.add(
                    pk,
                    year,
                    "",
                    starts_on,
                    starts_on + timedelta(days=rng.randint(0, 3)),
                    "",
                    held,
                    "" if held else "перенесено на следующий год",
                    pupils,
                    round(pupils * 0.1) if pupils else None,
                    round(pupils * 0.03) if pupils else None,
                    None,
                )
                if held:
                    self.accredited_editions[year].append(edition)
                    reach = rng.randint(3, max(3, round(len(self.municipality_ids) * 0.7)))
                    for municipality in _weighted_sample(rng, self.municipality_ids, municipality_weights, reach):
                        coverage.add(edition, municipality)
        for n in range(sizes.satellite_series):
            pk = series.add(
                programme.pk,
                f"Мероприятие-спутник № {n + 1}",
                "",
                SeriesKind.SATELLITE,
                rng.choice(directions),
                "",
                None,
                None,
                None,
                n + 1,
            )
            first_year = rng.choice(self.years[:5])
            for year in self.years:
                if year < first_year or rng.random() < 0.1:
                    continue
                starts_on = date(year, rng.randint(1, 12), rng.randint(1, 28))
                editions.add(
                    pk,
                    year,
                    "",
                    starts_on,
                    starts_on,
                    "",
                    True,
                    "",
                    None,
                    None,
                    None,
                    round(85 * self.scale * rng.uniform(0.3, 1.7)),
                )
        for n in range(sizes.activity_series):
            pk = series.add(
                programme.pk,
                f"Занятие программы № {n + 1}",
                "",
                SeriesKind.ACTIVITY,
                Direction.OTHER,
                "",
                None,
                None,
                None,
                n + 1,
            )
            for year in self.years:
                starts_on = date(year, 2 * n + 1, rng.randint(1, 28))
                pupils = round(30 * self.scale * rng.uniform(0.5, 1.5))
                editions.add(pk, year, "", starts_on, starts_on, "", True, "", pupils, max(1, pupils // 15), None, None)
        self.write("Мероприятия", series)
        self.write("Выпуски мероприятий", editions)
        self.write("Муниципалитеты-участники выпусков", coverage)

    def participations(self):
        """Named records, most of them at accredited events, spread over the ten periods."""
        rng, sizes = self.rng, self.sizes
        table = _Table(Participation, ["edition_id", "participant_id", "role", "result"])
        roles = [Role.PARTICIPANT, Role.WINNER, Role.PRIZE_WINNER, Role.EXPERT]
        results = {Role.WINNER: "1 место", Role.PRIZE_WINNER: "2 место"}
        per_year = sizes.participations // PERIODS
        for year in self.years:
            editions = self.accredited_editions[year]
            pool = self.active_by_year[year]
            if not editions or not pool:
                continue
            shares = _split(per_year, len(editions))
            for edition, share in zip(editions, shares, strict=True):
                for person in rng.sample(pool, min(share, len(pool))):
                    role = rng.choices(roles, [0.85, 0.05, 0.07, 0.03])[0]
                    table.add(edition, person, role, results.get(role, ""))
            if len(table.rows) >= 200_000:
                self.write("Участие в мероприятиях, записано", table)
        self.write("Участие в мероприятиях", table)

    # --- cohorts: teams and diagnostics -----------------------------------------------------

    def teams(self):
        rng, sizes = self.rng, self.sizes
        teams = _Table(ProjectTeam, ["programme_id", "period", "name", "mentor_name", "mentor_position", "description"])
        members = _Table(TeamMember, ["team_id", "participant_id", "is_leader"])
        for year in self.years:
            pool = self.residents_by_year[year]
            for n in range(sizes.teams_per_period):
                mentor = self.people_factory.adult_name()
                team = teams.add(self.programme_obj.pk, year, f"Команда {year}-{n + 1}", mentor, "педагог", "")
                chosen = rng.sample(pool, min(rng.randint(3, 8), len(pool)))
                for position, person in enumerate(chosen):
                    members.add(team, person, position == 0)
        self.write("Проектные команды", teams)
        self.write("Участники команд", members)

    def diagnostics(self):
        rng, sizes = self.rng, self.sizes
        instrument = Instrument.objects.create(name=f"Диагностика навыков ({self.slug})")
        competences = [
            Competence.objects.create(instrument=instrument, name=name, sort_order=n).pk
            for n, name in enumerate(COMPETENCES)
        ]
        diagnostics = _Table(
            Diagnostic, ["participant_id", "programme_id", "period", "instrument_id", "stage", "taken_on"]
        )
        scores = _Table(DiagnosticScore, ["diagnostic_id", "competence_id", "score"])
        for year in self.years:
            pool = self.active_by_year[year]
            for person in rng.sample(pool, min(sizes.diagnosed_per_period, len(pool))):
                base = rng.uniform(30, 70)
                stages = [(Stage.ENTRY, date(year, 2, 1), 0.0)]
                if rng.random() < 0.85:
                    stages.append((Stage.FINAL, date(year, 11, 1), rng.uniform(0, 12)))
                for stage, taken_on, growth in stages:
                    diagnostic = diagnostics.add(person, self.programme_obj.pk, year, instrument.pk, stage, taken_on)
                    for competence in competences:
                        score = min(100.0, max(0.0, base + growth + rng.uniform(-8, 8)))
                        scores.add(diagnostic, competence, round(score, 2))
            if len(scores.rows) >= 500_000:
                self.write("Диагностики, записано", diagnostics)
                self.write("Баллы, записано", scores)
        self.write("Диагностики", diagnostics)
        self.write("Баллы по компетенциям", scores)

    # --- partners, opportunities, publications, achievements ----------------------------------

    def the_rest(self):
        rng, sizes = self.rng, self.sizes
        programme = self.programme_obj
        partners = _Table(PartnerOrganisation, ["programme_id", "name", "kind", "since", "until", "note"])
        partner_ids = []
        for year in self.years:
            for n in range(sizes.new_partners_per_period):
                since = date(year, rng.randint(1, 12), rng.randint(1, 28))
                until = since + timedelta(days=rng.randint(365, 365 * 5)) if rng.random() < 0.2 else None
                partner_ids.append(
                    partners.add(
                        programme.pk, f"Партнёр {year}-{n + 1}", rng.choice(list(PartnerKind)), since, until, ""
                    )
                )
        self.write("Организации-партнёры", partners)
        opportunities = _Table(
            Opportunity,
            ["programme_id", "participant_id", "kind", "place", "partner_id", "edition_id", "starts_on", "ends_on"],
        )
        kinds = [k.value for k in OpportunityKind if k != OpportunityKind.EXPERT_WORK]
        for year in self.years:
            pool = self.residents_by_year[year]
            for person in rng.sample(pool, min(sizes.opportunities_per_period, len(pool))):
                starts_on = date(year, rng.randint(1, 12), rng.randint(1, 20))
                opportunities.add(
                    programme.pk,
                    person,
                    rng.choice(kinds),
                    "Профильная площадка",
                    rng.choice(partner_ids),
                    None,
                    starts_on,
                    starts_on + timedelta(days=rng.randint(5, 30)),
                )
        self.write("Практики, стажировки, смены", opportunities)
        publications = _Table(
            Publication, ["programme_id", "title", "url", "outlet", "outlet_kind", "published_on", "edition_id"]
        )
        outlets = list(OutletKind)
        for year in self.years:
            for n in range(sizes.publications_per_period):
                kind = rng.choice(outlets)
                publications.add(
                    programme.pk,
                    f"Публикация {year}-{n + 1}",
                    "",
                    f"{kind.label} № {rng.randint(1, 30)}",
                    kind.value,
                    date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    None,
                )
        self.write("Публикации", publications)
        achievements = _Table(
            Achievement,
            ["participant_id", "event_name", "level", "result", "place", "achieved_on", "location", "description"],
        )
        levels = [level.value for level in AchievementLevel]
        level_weights = [0.01, 0.09, 0.2, 0.4, 0.3]
        results = [r.value for r in AchievementResult]
        for year in self.years:
            pool = self.active_by_year[year]
            for person in rng.sample(pool, min(sizes.achievements_per_period, len(pool))):
                result = rng.choice(results)
                achievements.add(
                    person,
                    f"Олимпиада № {rng.randint(1, 200)}",
                    rng.choices(levels, level_weights)[0],
                    result,
                    rng.randint(1, 3) if result in ("winner", "prize_winner") else None,
                    date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    "",
                    "",
                )
        self.write("Личные достижения", achievements)

    def run(self) -> Programme:
        if Programme.objects.filter(slug=self.slug).exists():
            raise SyntheticError(f"Программа «{self.slug}» уже есть: укажите другой код (--slug).")
        sizes = self.sizes
        self.say(
            f"Масштаб {self.scale}: около {sizes.people:,} человек и {sizes.participations:,} записей об участии".replace(
                ",", " "
            )
        )
        with transaction.atomic():
            _skip_foreign_key_checks()
            self.geography()
            self.programme()
            self.people()
            self.events()
            self.participations()
            self.teams()
            self.diagnostics()
            self.the_rest()
            _reset_sequences()
        # Written with the triggers off (session_replication_role): the summaries are counted in one
        # pass, once the tables have statistics — without them the planner took the diagnostics'
        # pass for a few rows (6 minutes at scale 100 instead of seconds), and ANALYZE inside the
        # writing transaction did not help.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.say("Сбор статистики (VACUUM ANALYZE)")
            with connection.cursor() as cursor:
                # As autovacuum would leave a settled database: statistics, and the visibility map
                # that lets index-only scans skip the tables.
                for model in SYNTHETIC_MODELS:
                    cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.say("Сводки для справки")
        with transaction.atomic():
            aggregates.recount_programme(self.programme_obj.pk)
            aggregates.recount_programme_diagnostics(self.programme_obj.pk)
        self.say("Готово")
        return self.programme_obj


def _name_key(person: dict) -> str:
    return normalise_name(person["last_name"], person["first_name"], person["patronymic"])


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, heavier ones likelier (Efraimidis–Spirakis keys)."""
    keyed = sorted(zip(items, weights, strict=True), key=lambda pair: rng.random() ** (1 / pair[1]), reverse=True)
    return [item for item, _ in keyed[:k]]


SYNTHETIC_MODELS = [
    Organisation,
    Participant,
    Membership,
    EventSeries,
    Edition,
    Coverage,
    Participation,
    ProjectTeam,
    TeamMember,
    Diagnostic,
    DiagnosticScore,
    PartnerOrganisation,
    Opportunity,
    Publication,
    Achievement,
]


def _skip_foreign_key_checks():
    """Generated rows reference only rows generated before them, so PostgreSQL's per-row foreign
    key triggers (deferred to the commit, minutes at scale 1000) can be skipped when the database
    user may do so (a superuser, as on the benchmark server); otherwise they run as usual."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def _reset_sequences():
    statements = connection.ops.sequence_reset_sql(no_style(), SYNTHETIC_MODELS)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def generate_synthetic(
    scale: int, seed: int = 1, slug: str = "synthetic", progress: Callable[[str], None] = lambda _: None
) -> Programme:
    return Generator(scale, seed, slug, progress).run()
