"""Loads the two seed programmes, tomsk-mkr and tula-kadry, from the data files beside this module.

Every count of the source documents' tables holds on the loaded data; the people are synthetic.
A programme already in the database is left as it is, so loading twice changes nothing.
"""

import base64
import random
from datetime import date, timedelta
from pathlib import Path

import yaml
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from events.models import (
    Coverage,
    Direction,
    Edition,
    EventSeries,
    Opportunity,
    OpportunityKind,
    OutletKind,
    Participation,
    PartnerOrganisation,
    Publication,
    Role,
    SeriesKind,
)
from participants import roles
from participants.models import (
    Achievement,
    Category,
    Competence,
    ConsentGiver,
    Criterion,
    CriterionTarget,
    Diagnostic,
    DiagnosticScore,
    Instrument,
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    Participant,
    Programme,
    ProjectTeam,
    Region,
    Stage,
    TeamMember,
)

from .names import PeopleFactory

DATA_DIR = Path(__file__).resolve().parent
DEMO = "Демонстрационные данные"  # the change reason in the audit trail


def read_data(name: str) -> dict:
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def skewed_split(total: int, parts: int) -> list[int]:
    """Split total into parts, every part at least one, earlier parts larger (as real schools are)."""
    if parts == 0:
        if total:
            raise ValueError(f"{total} cannot be split into no parts")
        return []
    if total < parts:
        raise ValueError(f"{total} cannot give at least one to each of {parts} parts")
    weights = [1 / (i + 1) for i in range(parts)]
    rest = total - parts
    raw = [rest * w / sum(weights) for w in weights]
    shares = [int(r) for r in raw]
    by_remainder = sorted(range(parts), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in by_remainder[: rest - sum(shares)]:
        shares[i] += 1
    return [1 + s for s in shares]


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


class DemoLoader:
    """Shared steps: geography, organisations, people with consent."""

    data_file: str
    seed: int  # each programme its own, so that the two never generate the same person

    def __init__(self):
        self.data = read_data(self.data_file)
        self.rng = random.Random(self.seed)
        self.people = PeopleFactory(self.seed)

    def region(self, spec: dict) -> Region:
        region, _ = Region.objects.get_or_create(name=spec["name"], defaults={"code": spec.get("code", "")})
        return region

    def municipality(self, region: Region, name: str, kind: str, order: int = 0) -> Municipality:
        municipality, _ = Municipality.objects.get_or_create(
            region=region, name=name, defaults={"kind": kind, "sort_order": order}
        )
        return municipality

    def organisation(
        self, municipality: Municipality, name: str, kind=OrganisationKind.SCHOOL, **extra
    ) -> Organisation:
        organisation, _ = Organisation.objects.get_or_create(
            region=municipality.region, name=name, defaults={"municipality": municipality, "kind": kind, **extra}
        )
        return organisation

    def pupil(self, organisation: Organisation, grade: int, school_year: int, consented_on: date) -> Participant:
        """A pupil in the given grade in the school year starting in school_year."""
        born = (date(school_year - 7 - grade + 1, 9, 1), date(school_year - 6 - grade + 1, 8, 31))
        return self.person(organisation, born, consented_on, grade=grade)

    def person(self, organisation, born: tuple[date, date], consented_on: date, **fields) -> Participant:
        person = Participant(organisation=organisation, **self.people.person(born), **fields)
        if self.rng.random() < 0.92:
            person.consent = True
            person.consent_date = consented_on
            adult = consented_on.year - person.birth_date.year >= 18
            person.consent_given_by = ConsentGiver.SELF if adult else ConsentGiver.PARENT
        if self.rng.random() < 0.6:
            digits = [
                self.rng.randint(10, 99),
                self.rng.randint(100, 999),
                self.rng.randint(10, 99),
                self.rng.randint(10, 99),
            ]
            person.phone = "+7 9{} {}-{}-{}".format(*digits)
        person.tidy_names()
        return person


class TomskLoader(DemoLoader):
    data_file = "tomsk.yaml"
    seed = 70
    report_year = 2019

    def load(self) -> Programme:
        data = self.data
        self.region_obj = self.region(data["region"])
        self.load_geography()
        programme = self.programme = Programme.objects.create(region=self.region_obj, **data["programme"])
        self.load_criteria()
        self.partners = {
            name: PartnerOrganisation.objects.create(programme=programme, name=name, kind=kind, since=since)
            for name, kind, since in data["partners"]
        }
        self.load_accredited()
        self.load_satellites()
        self.load_people()
        self.load_opportunities()
        self.load_achievements()
        self.load_publications()
        return programme

    def load_geography(self):
        self.municipalities: dict[str, Municipality] = {}
        self.schools: dict[str, Organisation] = {}
        self.resident_schools: list[tuple[Organisation, int]] = []  # (school, resident pupils)
        for spec in self.data["other_regions"]:
            region = self.region(spec)
            for name, kind in spec["municipalities"]:
                self.municipalities[name] = self.municipality(region, name, kind)
        universities = self.data["universities"]
        self.universities: list[tuple[Organisation, int]] = []
        for order, spec in enumerate(self.data["municipalities"], start=1):
            municipality = self.municipality(self.region_obj, spec["name"], spec["kind"], order)
            self.municipalities[spec["name"]] = municipality
            schools = []
            for school in spec["schools"]:
                school = school if isinstance(school, dict) else {"name": school}
                organisation = self.organisation(
                    municipality, school["name"], is_regional=school.get("regional", False)
                )
                self.schools[school["name"]] = organisation
                schools.append(organisation)
            with_residents = schools[: spec["organisations"]]
            self.resident_schools += zip(
                with_residents, skewed_split(spec["residents"], len(with_residents)), strict=True
            )
            for short_name in spec.get("universities", []):
                full_name, students = universities[short_name]
                university = self.organisation(
                    municipality, full_name, OrganisationKind.UNIVERSITY, short_name=short_name
                )
                self.universities.append((university, students))
            for name in spec.get("additional", []):
                self.organisation(municipality, name, OrganisationKind.ADDITIONAL)

    def load_criteria(self):
        targets = []
        for spec in self.data["criteria"]:
            criterion = Criterion.objects.create(
                programme=self.programme, number=spec["number"], title=spec["title"], description=spec["description"]
            )
            for period in self.data["criteria_periods"]:
                for metric, value in spec["targets"].items():
                    targets.append(CriterionTarget(criterion=criterion, period=period, metric=metric, value=value))
        CriterionTarget.objects.bulk_create(targets)

    def load_accredited(self):
        self.editions_by_year: dict[int, list[Edition]] = {}
        self.accredited: dict[str, EventSeries] = {}
        coverage = []
        for order, spec in enumerate(self.data["accredited"], start=1):
            series = EventSeries.objects.create(
                programme=self.programme,
                name=spec["name"],
                kind=SeriesKind.ACCREDITED,
                direction=spec["direction"],
                accredited_from=spec["accredited_from"],
                organiser=self.programme.operator,
                sort_order=order,
            )
            self.accredited[spec["name"]] = series
            for year, edition_spec in spec["editions"].items():
                held = edition_spec.get("held", True)
                starts_on, ends_on = edition_spec.get("dates", (None, None))
                pupils, teachers, experts = edition_spec.get("headcount", (None, None, None))
                edition = Edition.objects.create(
                    series=series,
                    period=year,
                    title=edition_spec.get("title", ""),
                    starts_on=starts_on,
                    ends_on=ends_on,
                    held=held,
                    note=edition_spec.get("note", ""),
                    headcount_pupils=pupils,
                    headcount_teachers=teachers,
                    headcount_experts=experts,
                )
                edition.covered_names = set(edition_spec.get("municipalities", []))
                coverage += [
                    Coverage(edition=edition, municipality=self.municipalities[n]) for n in edition.covered_names
                ]
                if held:
                    self.editions_by_year.setdefault(year, []).append(edition)
        Coverage.objects.bulk_create(coverage)

    def load_satellites(self):
        prepares_for = self.data["satellite_prepares_for"]
        editions = []
        for order, (name, direction, count_2018, count_2019, month) in enumerate(self.data["satellites"], start=1):
            series = EventSeries.objects.create(
                programme=self.programme,
                name=name,
                kind=SeriesKind.SATELLITE,
                direction=direction,
                organiser=self.programme.operator,
                prepares_for=self.accredited.get(prepares_for.get(name)),
                sort_order=order,
            )
            for year, count in ((2018, count_2018), (2019, count_2019)):
                day = date(year, month, 10 + order)
                if direction == Direction.ENTREPRENEURSHIP:  # a season of schools, not one day
                    starts_on, ends_on = date(year, 2, 1), date(year, 11, 30)
                else:
                    starts_on, ends_on = day, day
                editions.append(
                    Edition(series=series, period=year, starts_on=starts_on, ends_on=ends_on, headcount_total=count)
                )
        Edition.objects.bulk_create(editions)

    # People -----------------------------------------------------------------------------------

    def load_people(self):
        spec = self.data["membership"]
        rng = self.rng
        memberships: list[Membership] = []
        participations: list[Participation] = []
        programme = self.programme

        # Resident pupils, active on 31.12.2019: Table 1.
        pupils = []
        for school, count in self.resident_schools:
            for _ in range(count):
                grade = rng.choice([7, 8, 9, 9, 10, 10, 10, 11, 11, 11])
                pupils.append(self.pupil(school, grade, self.report_year, date(2019, 1, 15)))
        assert len(pupils) == spec["school_residents"]
        self.school_residents = pupils
        students = []
        for university, count in self.universities:
            for _ in range(count):
                course = rng.choice([1, 1, 2, 2, 3, 4])
                born = (date(2001 - course, 9, 1), date(2002 - course, 8, 31))
                students.append(self.person(university, born, date(2018, 9, 10), course=course))
        assert len(students) == spec["student_residents"]
        self.student_residents = students
        all_schools = list(self.schools.values())
        potential = [
            self.pupil(all_schools[i % len(all_schools)], rng.choice([8, 9, 10]), self.report_year, date(2019, 9, 2))
            for i in range(spec["potential_residents"])
        ]
        partners = [
            self.person(None, (date(1995, 1, 1), date(1998, 12, 31)), date(2015, 9, 1)) for _ in range(spec["partners"])
        ]
        former = [
            self.person(None, (date(1999, 1, 1), date(2001, 6, 30)), date(2016, 9, 1))
            for _ in range(spec["left_without_category"])
        ]
        bulk_create_with_history(
            pupils + students + potential + partners + former, Participant, default_change_reason=DEMO
        )

        # 124 new residents: winners and prize-winners of 2019 accredited events their municipality took part in.
        editions_2019 = self.editions_by_year[self.report_year]
        order = list(range(len(pupils)))
        rng.shuffle(order)
        new_ids, older_ids = [], []
        for i in order:
            municipality = pupils[i].organisation.municipality.name
            covered = any(municipality in e.covered_names for e in editions_2019)
            if covered and len(new_ids) < spec["new_residents_2019"]:
                new_ids.append(i)
            else:
                older_ids.append(i)
        assert len(new_ids) == spec["new_residents_2019"]
        for n, i in enumerate(new_ids):
            person = pupils[i]
            municipality = person.organisation.municipality.name
            edition = rng.choice([e for e in editions_2019 if municipality in e.covered_names])
            role = Role.WINNER if n % 3 == 0 else Role.PRIZE_WINNER
            title = edition.title or edition.series.name
            memberships.append(
                Membership(
                    participant=person,
                    programme=programme,
                    category=Category.SCHOOL,
                    included_on=edition.ends_on,
                    basis=f"{Role(role).label.capitalize()}: {title}",
                )
            )
            participations.append(Participation(edition=edition, participant=person, role=role))
        # The other 188 joined in 2017 and 2018 (individual participation records are kept from 2019).
        years = [y for y, n in spec["school_residents_by_inclusion_year"].items() for _ in range(n)]
        assert len(years) == len(older_ids)
        for i, year in zip(older_ids, years, strict=True):
            edition = rng.choice(self.editions_by_year[year])
            memberships.append(
                Membership(
                    participant=pupils[i],
                    programme=programme,
                    category=Category.SCHOOL,
                    included_on=edition.ends_on,
                    basis=f"Победитель или призёр: {edition.title or edition.series.name}",
                )
            )

        # Resident students: some moved over from the pupils' category, the rest were students when included.
        transfers = [y for y, n in spec["students_transferred_from_school"].items() for _ in range(n)]
        for n, person in enumerate(students):
            if n < len(transfers):
                moved_on = date(transfers[n], 9, 1)
                memberships += [
                    Membership(
                        participant=person,
                        programme=programme,
                        category=Category.SCHOOL,
                        included_on=random_day(rng, date(moved_on.year - 3, 3, 1), date(moved_on.year - 2, 4, 30)),
                        basis="Победитель или призёр аккредитованного мероприятия",
                        left_on=moved_on,
                        leaving_reason="Окончание школы, перевод в категорию «резидент-студент»",
                    ),
                    Membership(
                        participant=person,
                        programme=programme,
                        category=Category.STUDENT,
                        included_on=moved_on,
                        basis="Поступление в вуз Томской области",
                    ),
                ]
            else:
                memberships.append(
                    Membership(
                        participant=person,
                        programme=programme,
                        category=Category.STUDENT,
                        included_on=random_day(rng, date(2016, 9, 1), date(2018, 11, 30)),
                        basis="Победитель или призёр аккредитованного мероприятия (студенческая секция)",
                    )
                )
        for n, person in enumerate(potential):
            memberships.append(
                Membership(
                    participant=person,
                    programme=programme,
                    category=Category.POTENTIAL,
                    included_on=random_day(rng, date(2019, 9, 2), date(2019, 12, 20)),
                    basis=(
                        "Участник регионального этапа конкурса «Большие вызовы» (аккредитация в 2020 г.)"
                        if n % 2
                        else "Участник смен Томского регионального центра выявления и поддержки одарённых детей"
                    ),
                )
            )
        for person in partners:
            left_on = random_day(rng, date(2017, 7, 1), date(2019, 7, 1))
            memberships += [
                Membership(
                    participant=person,
                    programme=programme,
                    category=Category.STUDENT,
                    included_on=random_day(rng, date(2013, 9, 1), date(2015, 12, 1)),
                    basis="Победитель или призёр аккредитованного мероприятия",
                    left_on=left_on,
                    leaving_reason="Окончание вуза",
                ),
                Membership(
                    participant=person,
                    programme=programme,
                    category=Category.PARTNER,
                    included_on=left_on,
                    basis="Выпускник, продолжает участие в мероприятиях МКР",
                ),
            ]
        for person in former:
            included_on = random_day(rng, date(2015, 3, 1), date(2017, 4, 30))
            memberships.append(
                Membership(
                    participant=person,
                    programme=programme,
                    category=Category.SCHOOL,
                    included_on=included_on,
                    basis="Победитель или призёр аккредитованного мероприятия",
                    left_on=random_day(rng, date(2017, 6, 1), date(2019, 6, 30)),
                    leaving_reason="Окончание школы, не продолжил участие в банке",
                )
            )
        bulk_create_with_history(memberships, Membership, default_change_reason=DEMO)
        Participation.objects.bulk_create(participations)

    def load_opportunities(self):
        spec = self.data["opportunities"]
        programme, rng = self.programme, self.rng
        opportunities, participations = [], []
        # Experts: resident students at 2019 accredited events.
        editions_2019 = self.editions_by_year[self.report_year]
        for n, person in enumerate(self.student_residents[: spec["experts"]]):
            edition = editions_2019[n % len(editions_2019)]
            participations.append(Participation(edition=edition, participant=person, role=Role.EXPERT))
            opportunities.append(
                Opportunity(
                    programme=programme,
                    participant=person,
                    kind=OpportunityKind.EXPERT_WORK,
                    place=edition.title or edition.series.name,
                    edition=edition,
                    starts_on=edition.starts_on,
                    ends_on=edition.ends_on,
                )
            )
        senior = [p for p in self.school_residents if p.grade >= 9]
        self.sirius_alumnus = self.resident_at("МАОУ гимназия № 29 г. Томска", key="nti")
        others = [p for p in senior if p is not self.sirius_alumnus]
        sirius = [self.sirius_alumnus, *others[: spec["sirius"]["count"] - 1]]
        for n, person in enumerate(sirius):
            starts_on = date(2019, 1 + 2 * n, 1)
            opportunities.append(
                Opportunity(
                    programme=programme,
                    participant=person,
                    kind=OpportunityKind.PROFILE_SHIFT,
                    place=spec["sirius"]["place"],
                    partner=self.partners[spec["sirius"]["partner"]],
                    starts_on=starts_on,
                    ends_on=starts_on + timedelta(days=23),
                )
            )
        shifts = spec["regional_shifts"]
        others = [p for p in senior if p not in sirius]
        rng.shuffle(others)
        for n, person in enumerate(others[: shifts["count"]]):
            shift = n % shifts["shifts"]
            starts_on = date(2019, 2 + shift, 4)
            opportunities.append(
                Opportunity(
                    programme=programme,
                    participant=person,
                    kind=OpportunityKind.PROFILE_SHIFT,
                    place=f"{shifts['place']}, смена № {shift + 1}",
                    partner=self.partners[shifts["partner"]],
                    starts_on=starts_on,
                    ends_on=starts_on + timedelta(days=6),
                )
            )
        internship = spec["internship"]
        opportunities.append(
            Opportunity(
                programme=programme,
                participant=self.sirius_alumnus,
                kind=OpportunityKind.INTERNSHIP,
                place=internship["place"],
                starts_on=internship["dates"][0],
                ends_on=internship["dates"][1],
            )
        )
        Opportunity.objects.bulk_create(opportunities)
        Participation.objects.bulk_create(participations)

    def resident_at(self, school_name: str, key: str | None = None) -> Participant:
        """A resident pupil of the school, the same one for the same key, another one otherwise."""
        if not hasattr(self, "_picked"):
            self._picked: dict[str, Participant] = {}
        if key and key in self._picked:
            return self._picked[key]
        taken = set(map(id, self._picked.values()))
        school = self.schools[school_name]
        person = next(p for p in self.school_residents if p.organisation == school and id(p) not in taken)
        self._picked[key or f"{school_name}#{len(self._picked)}"] = person
        return person

    def load_achievements(self):
        achievements = []
        for spec in self.data["achievements"]:
            person = self.resident_at(spec["school"], spec.get("person"))
            if spec.get("consent", True) is False and person.consent:
                person.consent, person.consent_date, person.consent_given_by = False, None, ""
                person.save(update_fields=["consent", "consent_date", "consent_given_by"])
            elif spec.get("consent", True) and not person.consent:
                person.consent, person.consent_date, person.consent_given_by = (
                    True,
                    date(2019, 1, 15),
                    ConsentGiver.PARENT,
                )
                person.save(update_fields=["consent", "consent_date", "consent_given_by"])
            achievements.append(
                Achievement(
                    participant=person,
                    event_name=spec["event"],
                    level=spec["level"],
                    result=spec["result"],
                    place=spec.get("place"),
                    achieved_on=spec["date"],
                    location=spec.get("location", ""),
                )
            )
        Achievement.objects.bulk_create(achievements)

    def load_publications(self):
        spec = self.data["publications"]
        editions = self.editions_by_year[self.report_year]
        publications = []
        n = 0
        for outlet, kind, count in spec["sites"]:
            for _ in range(count):
                edition = editions[n % len(editions)]
                day = edition.ends_on + timedelta(days=1 + n % 5)
                publications.append(
                    Publication(
                        programme=self.programme,
                        title=f"Подведены итоги: {edition.title or edition.series.name}",
                        outlet=outlet,
                        outlet_kind=kind,
                        published_on=min(day, date(2019, 12, 30)),
                        edition=edition,
                    )
                )
                n += 1
        stories = spec["success_stories"]
        for i in range(stories["count"]):
            publications.append(
                Publication(
                    programme=self.programme,
                    title=f"#ИсторииУспехаМКР: история резидента № {i + 1}",
                    url="https://vk.com/mkr_tomsk",
                    outlet=stories["outlet"],
                    outlet_kind=OutletKind.SOCIAL_NETWORK,
                    published_on=date(2019, 2 + i, 15),
                )
            )
        Publication.objects.bulk_create(publications)


class TulaLoader(DemoLoader):
    data_file = "tula.yaml"
    seed = 71

    def load(self) -> Programme:
        data = self.data
        region = self.region(data["region"])
        name, kind = data["municipality"]
        city = self.municipality(region, name, kind, 1)
        self.organisations = {n: self.organisation(city, n) for n in data["organisations"]}
        self.programme = Programme.objects.create(region=region, **data["programme"])
        self.load_cohorts()
        self.load_teams()
        self.load_diagnostics()
        self.load_activities()
        return self.programme

    def load_cohorts(self):
        rng = self.rng
        memberships = []
        spec = self.data["cohort_2018"]
        cohort_2018 = []
        names = spec["organisations"]
        for name, count in zip(names, skewed_split(spec["participants"], len(names)), strict=True):
            cohort_2018 += [
                self.pupil(self.organisations[name], rng.choice([9, 10, 11]), 2018, date(2018, 8, 15))
                for _ in range(count)
            ]
        spec_2019 = self.data["cohort_2019"]
        self.cohort = [
            self.pupil(self.organisations[name], rng.choice([8, 9, 10, 10, 11]), 2019, date(2019, 8, 15))
            for name, count in spec_2019["organisations"]
            for _ in range(count)
        ]
        bulk_create_with_history(cohort_2018 + self.cohort, Participant, default_change_reason=DEMO)
        memberships += [
            Membership(
                participant=person,
                programme=self.programme,
                category=Category.PARTICIPANT,
                included_on=spec["included_on"],
                basis="Предварительный отбор, слёт участников 20-22.08.2018",
                left_on=spec["left_on"],
                leaving_reason="Завершение учебного года в Инициативе",
            )
            for person in cohort_2018
        ]
        memberships += [
            Membership(
                participant=person,
                programme=self.programme,
                category=Category.PARTICIPANT,
                included_on=spec_2019["included_on"],
                basis="Предварительный отбор, слёт участников 21-23.08.2019",
            )
            for person in self.cohort
        ]
        bulk_create_with_history(memberships, Membership, default_change_reason=DEMO)

    def load_teams(self):
        members = list(self.cohort)
        self.rng.shuffle(members)
        rows = []
        start = 0
        for name, size in self.data["cohort_2019"]["teams"]:
            team = ProjectTeam.objects.create(
                programme=self.programme,
                period=2019,
                name=name,
                mentor_name=self.people.adult_name(),
                mentor_position="Педагог-наставник",
            )
            rows += [
                TeamMember(team=team, participant=person, is_leader=(n == 0))
                for n, person in enumerate(members[start : start + size])
            ]
            start += size
        assert start == len(members)
        TeamMember.objects.bulk_create(rows)

    def load_diagnostics(self):
        spec = self.data["diagnostics"]
        rng = self.rng
        instrument, _ = Instrument.objects.get_or_create(
            name=spec["instrument"], defaults={"description": spec["description"]}
        )
        competences = [
            Competence.objects.get_or_create(instrument=instrument, name=name, defaults={"sort_order": n})[0]
            for n, name in enumerate(spec["competences"], start=1)
        ]
        first, last = spec["entry_between"]
        diagnostics, entry_scores = [], {}
        for person in self.cohort:
            entry = Diagnostic(
                participant=person,
                programme=self.programme,
                period=2019,
                instrument=instrument,
                stage=Stage.ENTRY,
                taken_on=random_day(rng, first, last),
            )
            final = Diagnostic(
                participant=person,
                programme=self.programme,
                period=2019,
                instrument=instrument,
                stage=Stage.FINAL,
                taken_on=spec["final_on"],
            )
            diagnostics += [entry, final]
            entry_scores[person.pk] = [round(rng.uniform(30, 70), 1) for _ in competences]
        Diagnostic.objects.bulk_create(diagnostics)
        scores = []
        for diagnostic in diagnostics:
            base = entry_scores[diagnostic.participant.pk]
            for competence, value in zip(competences, base, strict=True):
                if diagnostic.stage == Stage.FINAL:
                    value = min(100.0, round(value + rng.uniform(0, 18), 1))
                scores.append(DiagnosticScore(diagnostic=diagnostic, competence=competence, score=value))
        DiagnosticScore.objects.bulk_create(scores)

    def load_activities(self):
        series_by_name: dict[str, EventSeries] = {}
        for order, row in enumerate(self.data["activities"], start=1):
            starts_on, ends_on, title, pupils, teachers = row[:5]
            period = row[5] if len(row) > 5 else 2019
            series = series_by_name.get(title)
            if series is None:
                series = series_by_name[title] = EventSeries.objects.create(
                    programme=self.programme,
                    name=title,
                    kind=SeriesKind.ACTIVITY,
                    direction=Direction.OTHER,
                    sort_order=order,
                )
            Edition.objects.create(
                series=series,
                period=period,
                starts_on=starts_on,
                ends_on=ends_on,
                headcount_pupils=pupils,
                headcount_teachers=teachers,
            )


DEMO_PROGRAMMES = {"tomsk-mkr": TomskLoader, "tula-kadry": TulaLoader}


def load_demo() -> dict[str, bool]:
    """Load every demo programme missing from the database, each in one transaction.

    Returns slug -> True if it was loaded now, False if it was already there.
    """
    loaded = {}
    for slug, loader in DEMO_PROGRAMMES.items():
        if Programme.objects.filter(slug=slug).exists():
            loaded[slug] = False
            continue
        with transaction.atomic():
            programme = loader().load()
            load_narrative(programme)
        loaded[slug] = True
    return loaded


def load_narrative(programme: Programme) -> None:
    """The demo справки's text (narrative.yaml: the source documents' prose, summarised)."""
    from reports.models import PeriodReport

    for year, blocks in (read_data("narrative.yaml").get(programme.slug) or {}).items():
        PeriodReport.objects.update_or_create(
            programme=programme, period=int(year), defaults={"narrative": {k: v.strip() for k, v in blocks.items()}}
        )


# The demo справка approved as version 1 by its coordinator, as an official would find it.
APPROVED_DEMO_REPORTS = [("tomsk-mkr", 2019, "koordinator-tomsk")]


def approve_demo_reports() -> list[str]:
    """Approve the demo справки that have no version yet; returns what was approved."""
    from django.contrib.auth import get_user_model

    from reports import versions
    from reports.models import ReportVersion

    approved = []
    for slug, year, username in APPROVED_DEMO_REPORTS:
        programme = Programme.objects.filter(slug=slug).first()
        user = get_user_model().objects.filter(username=username).first()
        if programme is None or user is None:
            continue
        if ReportVersion.objects.filter(report__programme=programme, report__period=year).exists():
            continue
        version = versions.approve(programme, year, user)
        approved.append(f"{slug}/{year}: версия {version.number}")
    return approved


DEMO_PASSWORD = "demo"
# (username, first name, last name, role group or None for a superuser, what they reach)
DEMO_ACCOUNTS = [
    ("demo", "Демо", "Администратор", None, {}),
    ("koordinator-tomsk", "Ольга", "Координатор", roles.COORDINATOR, {"programme": "tomsk-mkr"}),
    ("koordinator-tula", "Ирина", "Координатор", roles.COORDINATOR, {"programme": "tula-kadry"}),
    ("shkola-29", "Анна", "Учитель", roles.SCHOOL_STAFF, {"organisation": "МАОУ гимназия № 29 г. Томска"}),
    ("vlast", "Сергей", "Чиновник", roles.OFFICIAL, {}),
]


# The demo accounts that must confirm their login with a one-time code (superuser, coordinators) get an
# authenticator app with this key: base32 as an app asks for it, hex as django-otp keeps it. It is public
# (README), so such a device protects nothing: load_demo sets it up only with DEBUG on, never in production.
DEMO_OTP_SECRET = "ORQWYZLOORRGC3TLFVSGK3LPFUZGMYJB"
DEMO_OTP_KEY = base64.b32decode(DEMO_OTP_SECRET).hex()
DEMO_OTP_DEVICE = "Демо-приложение"


def ensure_demo_devices() -> list[str]:
    """A confirmed TOTP device with DEMO_OTP_SECRET for each demo account that must use a second factor
    (accounts.second_factor) and has no app device yet; running it again changes nothing. Returns their
    usernames. Demo data only: load_demo calls it only with DEBUG on."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.second_factor import REQUIRED, second_factor

    names = []
    for user in get_user_model().objects.filter(username__in=[account[0] for account in DEMO_ACCOUNTS]):
        if second_factor(user) != REQUIRED:
            continue
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name=DEMO_OTP_DEVICE, key=DEMO_OTP_KEY, confirmed=True)
        names.append(user.username)
    return sorted(names, key=[account[0] for account in DEMO_ACCOUNTS].index)


def ensure_demo_accounts() -> list[tuple[str, str]]:
    """Demo logins for each role (password «demo»); existing accounts are left as they are.
    Returns (username, role) pairs."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    # The role groups come from a data migration; a database emptied since (flush) lacks them.
    roles.sync_role_groups()
    created = []
    for username, first_name, last_name, role, reach in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first_name, last_name=last_name)
            user.is_superuser = role is None
            user.is_staff = role in (None, roles.COORDINATOR, roles.SCHOOL_STAFF)
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
            if "programme" in reach:
                programme = Programme.objects.filter(slug=reach["programme"]).first()
                if programme:
                    programme.coordinators.add(user)
            if "organisation" in reach:
                organisation = Organisation.objects.filter(name=reach["organisation"]).first()
                if organisation:
                    organisation.staff.add(user)
        created.append((username, role or "суперпользователь"))
    return created
