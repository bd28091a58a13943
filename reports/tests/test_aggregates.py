"""The summaries of memberships in force (reports/aggregates.py): the справка reads the same figures
from them as from the raw records, whatever writes the records, and the rebuild finds no drift."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from participants import importing
from participants.merging import merge_participants
from participants.models import (
    Category,
    Competence,
    Diagnostic,
    DiagnosticScore,
    Instrument,
    Membership,
    Participant,
    Programme,
    Stage,
)
from participants.periods import PeriodKind
from participants.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
)
from participants.tests.test_importers import xlsx
from reports import aggregates
from reports.demo.synthetic import generate_synthetic
from reports.services import available_years, build_report
from reports.services.bank import residents_by_municipality, residents_summary
from reports.services.cohort import cohort, diagnostic_growth, organizations_ranking

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the summaries are PostgreSQL's")


def report_figures(programme: Programme, year: int) -> dict:
    data = build_report(programme, year).to_dict()
    data.pop("generated_at")
    return data


def assert_same_as_raw(programme: Programme, years):
    for year in years:
        from_summaries = report_figures(programme, year)
        with aggregates.raw_records():
            from_records = report_figures(programme, year)
        assert from_summaries == from_records, (programme.slug, year)


@pytest.mark.django_db
def test_a_synthetic_bank_written_with_copy_has_its_summaries_right():
    programme = generate_synthetic(1, seed=3, slug="synthetic-agg")
    assert aggregates.rebuild() == []
    assert aggregates.rebuild_diagnostics() == []
    assert_same_as_raw(programme, available_years(programme))


@pytest.mark.django_db
def test_the_rebuild_command_reports_a_drift_and_repairs_it(capsys):
    membership = MembershipFactory(included_on=date(2023, 5, 1))
    call_command("rebuild_aggregates")
    assert "расхождений нет" in capsys.readouterr().out
    with connection.cursor() as cursor:  # a change behind the triggers' back
        cursor.execute("SET LOCAL session_replication_role = replica")
        Membership.objects.filter(pk=membership.pk).update(included_on=date(2024, 5, 1))
        cursor.execute("SET LOCAL session_replication_role = origin")
    with pytest.raises(CommandError, match="Найдено расхождений: 7"):
        call_command("rebuild_aggregates")
    assert "2023" in capsys.readouterr().out
    call_command("rebuild_aggregates")
    assert "расхождений нет" in capsys.readouterr().out


@pytest.mark.django_db
def test_people_written_after_their_memberships_or_deleted_before_them_keep_the_summaries_right():
    """Foreign keys are checked at commit: a restore may write memberships before their person, and
    raw SQL may delete a person before their memberships."""
    school = OrganisationFactory()
    programme = ProgrammeFactory()
    person = ParticipantFactory(organisation=school)
    later = person.pk + 1000
    Membership.objects.create(
        participant_id=later, programme=programme, category="school", included_on=date(2023, 2, 1)
    )
    ParticipantFactory(pk=later, organisation=school)
    assert aggregates.in_force(programme.pk, programme.period(2023), aggregates.END) == {("school", school.pk): 1}
    MembershipFactory(participant=person, programme=programme, included_on=date(2022, 5, 1))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM participants_participant WHERE id = %s", [person.pk])
        cursor.execute("DELETE FROM participants_membership WHERE participant_id = %s", [person.pk])
    assert aggregates.rebuild() == []


@pytest.mark.django_db
def test_truncating_the_memberships_empties_the_summaries():
    """Django's flush between transactional tests truncates the tables; TRUNCATE fires no row triggers."""
    membership = MembershipFactory(included_on=date(2023, 5, 1))
    period = membership.programme.period(2023)
    assert aggregates.in_force(membership.programme_id, period, aggregates.END)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE participants_membership CASCADE")
    assert aggregates.in_force(membership.programme_id, period, aggregates.END) == {}
    assert aggregates.rebuild() == []


# Random histories ------------------------------------------------------------------------------

DAYS = st.dates(date(2019, 1, 1), date(2024, 12, 31))
CATEGORIES = st.sampled_from([c.value for c in Category])


@st.composite
def spans(draw):
    included = draw(DAYS)
    left = draw(st.one_of(st.none(), st.integers(0, 900).map(lambda d: included + timedelta(days=d))))
    return included, left


operation = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 5), st.integers(0, 1), CATEGORIES, spans()),
    st.tuples(st.just("bulk_create"), st.integers(0, 5), st.integers(0, 1), CATEGORIES, spans()),
    st.tuples(st.just("edit"), st.integers(0, 30), CATEGORIES, spans()),
    st.tuples(st.just("update_dates"), st.integers(0, 1), st.integers(-400, 400)),
    st.tuples(st.just("move_person"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("move_people"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("merge"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("delete_person"), st.integers(0, 5)),
    st.tuples(st.just("import"), st.integers(0, 1), st.integers(0, 5), st.integers(0, 3), DAYS),
    st.tuples(st.just("period_kind"), st.integers(0, 1)),
)


@pytest.fixture
def world(db):
    municipality = MunicipalityFactory()
    organisations = [OrganisationFactory(municipality=municipality)] + [OrganisationFactory() for _ in range(2)]
    return {
        "programmes": [
            ProgrammeFactory(period_kind=PeriodKind.CALENDAR),
            ProgrammeFactory(period_kind=PeriodKind.ACADEMIC),
        ],
        "organisations": [*organisations, None],
    }


def merge(people, numbers):
    """Merge two of the people (by their numbers), unless they are one."""
    if len(people) < 2:
        return
    keep, duplicate = (people[n % len(people)] for n in numbers)
    if keep.pk != duplicate.pk:
        try:
            merge_participants(keep, duplicate)
        except ValidationError:
            pass  # a pair the merge refuses (different birth dates) changes nothing


def apply(op, programmes, organisations):
    kind, *args = op
    people = list(Participant.objects.order_by("pk"))
    memberships = list(Membership.objects.order_by("pk"))
    if kind in ("create", "bulk_create"):
        person, programme, category, (included, left) = args
        fields = {"programme": programmes[programme], "category": category, "included_on": included, "left_on": left}
        if person < len(people):
            fields["participant"] = people[person]
        else:
            fields["participant"] = ParticipantFactory(organisation=organisations[person % len(organisations)])
        if kind == "create":
            MembershipFactory(**fields)
        else:
            Membership.objects.bulk_create([Membership(**fields), Membership(**{**fields, "category": "school"})])
    elif kind == "edit" and memberships:
        number, category, (included, left) = args
        membership = memberships[number % len(memberships)]
        membership.category, membership.included_on, membership.left_on = category, included, left
        membership.save()
    elif kind == "update_dates":
        programme, days = args
        for membership in Membership.objects.filter(programme=programmes[programme], left_on__isnull=False):
            moved = membership.left_on + timedelta(days=days)
            Membership.objects.filter(pk=membership.pk).update(left_on=max(moved, membership.included_on))
    elif kind == "move_person" and people:
        person, organisation = args
        person = people[person % len(people)]
        person.organisation = organisations[organisation]
        person.save()
    elif kind == "move_people":
        before, after = args
        Participant.objects.filter(organisation=organisations[before]).update(organisation=organisations[after])
    elif kind == "merge":
        merge(people, args)
    elif kind == "delete" and memberships:
        memberships[args[0] % len(memberships)].delete()
    elif kind == "delete_person" and people:
        people[args[0] % len(people)].delete()
    elif kind == "import":
        programme, person, organisation, included = args
        school = organisations[organisation] or organisations[0]
        known = people[person % len(people)] if people and person < len(people) else None
        row = {
            "Фамилия": known.last_name if known else f"Новикова{person}",
            "Имя": known.first_name if known else "Анна",
            "Отчество": known.patronymic if known else "",
            "Дата рождения": (known.birth_date if known else date(2005, 3, 14)).strftime("%d.%m.%Y"),
            "Пол": "Ж",
            "Образовательная организация": school.name,
            "Категория": "Резидент-школьник",
            "Дата включения": included.strftime("%d.%m.%Y"),
        }
        importing.import_participants(
            xlsx([row]),
            programme=programmes[programme],
            organisations=[o for o in organisations if o],
            can_set_membership=True,
            commit=True,
        )
    elif kind == "period_kind":
        programme = programmes[args[0]]
        other = PeriodKind.ACADEMIC if programme.period_kind == PeriodKind.CALENDAR else PeriodKind.CALENDAR
        Programme.objects.filter(pk=programme.pk).update(period_kind=other)
        programme.refresh_from_db()


SECTIONS = (residents_summary, residents_by_municipality, cohort, organizations_ranking)


def figures(programme: Programme) -> list:
    return [section(programme, programme.period(year)) for year in range(2018, 2027) for section in SECTIONS]


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=12))
def test_the_summaries_never_drift_from_the_records(world, operations):
    with transaction.atomic():
        programmes, organisations = world["programmes"], world["organisations"]
        for op in operations:
            try:  # a write the database refuses (one open membership per programme…) leaves nothing
                with transaction.atomic():
                    apply(op, programmes, organisations)
            except (IntegrityError, ValidationError):
                pass
        for programme in programmes:
            programme.refresh_from_db()
            from_summaries = figures(programme)
            with aggregates.raw_records():
                assert from_summaries == figures(programme), operations
        assert aggregates.rebuild() == []
        transaction.set_rollback(True)


# Random diagnostics ------------------------------------------------------------------------------

STAGES = st.sampled_from([s.value for s in Stage])
SCORES = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10000).map(lambda n: n / 100)), max_size=3)
PERIODS = st.integers(2022, 2023)

diagnostic_operation = st.one_of(
    st.tuples(st.just("diagnostic"), st.integers(0, 4), st.integers(0, 1), PERIODS, STAGES, st.integers(0, 1), SCORES),
    st.tuples(st.just("bulk_diagnostics"), st.integers(0, 4), st.integers(0, 1), PERIODS, st.integers(0, 1), SCORES),
    st.tuples(st.just("score"), st.integers(0, 20), st.integers(0, 3), st.integers(0, 10000)),
    st.tuples(st.just("rescore_all"), st.integers(0, 1), st.integers(0, 100)),
    st.tuples(st.just("restage"), st.integers(0, 20)),
    st.tuples(st.just("move_period"), st.integers(0, 20), PERIODS),
    st.tuples(st.just("reassign"), st.integers(0, 20), st.integers(0, 4)),
    st.tuples(st.just("delete_score"), st.integers(0, 40)),
    st.tuples(st.just("delete_diagnostic"), st.integers(0, 20)),
    st.tuples(st.just("raw_delete_diagnostic"), st.integers(0, 20)),
    st.tuples(st.just("merge"), st.integers(0, 4), st.integers(0, 4)),
    st.tuples(st.just("delete_person"), st.integers(0, 4)),
)


@pytest.fixture
def diagnostic_world(db):
    instruments = [Instrument.objects.create(name=f"Инструмент {n}") for n in range(2)]
    return {
        "programmes": [ProgrammeFactory(), ProgrammeFactory()],
        "competences": [
            [Competence.objects.create(instrument=i, name=f"Компетенция {n}", sort_order=n) for n in range(4)]
            for i in instruments
        ],
        "instruments": instruments,
        "people": [ParticipantFactory() for _ in range(5)],
    }


def _scores(diagnostic, competences, scores):
    by_competence = {competences[c].pk: score for c, score in scores}  # one score per competence
    return [DiagnosticScore(diagnostic=diagnostic, competence_id=c, score=s) for c, s in by_competence.items()]


def apply_diagnostic(op, world):
    kind, *args = op
    people = list(Participant.objects.order_by("pk"))
    diagnostics = list(Diagnostic.objects.order_by("pk"))
    scores = list(DiagnosticScore.objects.order_by("pk"))
    programmes, instruments, competences = world["programmes"], world["instruments"], world["competences"]
    if kind == "diagnostic" and people:
        person, programme, period, stage, instrument, marks = args
        diagnostic = Diagnostic.objects.create(
            participant=people[person % len(people)],
            programme=programmes[programme],
            period=period,
            instrument=instruments[instrument],
            stage=stage,
        )
        for score in _scores(diagnostic, competences[instrument], marks):
            score.save()
    elif kind == "bulk_diagnostics" and people:
        person, programme, period, instrument, marks = args
        made = Diagnostic.objects.bulk_create(
            [
                Diagnostic(
                    participant=people[person % len(people)],
                    programme=programmes[programme],
                    period=period,
                    instrument=instruments[instrument],
                    stage=stage,
                )
                for stage in Stage
            ]
        )
        DiagnosticScore.objects.bulk_create([s for d in made for s in _scores(d, competences[instrument], marks)])
    elif kind == "score" and diagnostics:
        number, competence, score = args
        diagnostic = diagnostics[number % len(diagnostics)]
        DiagnosticScore.objects.update_or_create(
            diagnostic=diagnostic,
            competence=competences[instruments.index(diagnostic.instrument)][competence],
            defaults={"score": score / 100},
        )
    elif kind == "rescore_all":
        programme, score = args
        DiagnosticScore.objects.filter(diagnostic__programme=programmes[programme]).update(score=score)
    elif kind == "restage" and diagnostics:
        diagnostic = diagnostics[args[0] % len(diagnostics)]
        other = Stage.FINAL if diagnostic.stage == Stage.ENTRY else Stage.ENTRY
        Diagnostic.objects.filter(pk=diagnostic.pk).update(stage=other)
    elif kind == "move_period" and diagnostics:
        number, period = args
        Diagnostic.objects.filter(pk=diagnostics[number % len(diagnostics)].pk).update(period=period)
    elif kind == "reassign" and diagnostics and people:
        number, person = args
        diagnostic = diagnostics[number % len(diagnostics)]
        diagnostic.participant = people[person % len(people)]
        diagnostic.save()
    elif kind == "delete_score" and scores:
        scores[args[0] % len(scores)].delete()
    elif kind == "delete_diagnostic" and diagnostics:
        diagnostics[args[0] % len(diagnostics)].delete()
    elif kind == "raw_delete_diagnostic" and diagnostics:  # before its scores: foreign keys are checked at commit
        pk = diagnostics[args[0] % len(diagnostics)].pk
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM participants_diagnostic WHERE id = %s", [pk])
            cursor.execute("DELETE FROM participants_diagnosticscore WHERE diagnostic_id = %s", [pk])
    elif kind == "merge":
        merge(people, args)
    elif kind == "delete_person" and people:
        people[args[0] % len(people)].delete()


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(diagnostic_operation, min_size=1, max_size=12))
# Both stages written in one statement for a person who already had a scored diagnostic: the
# statement named the person twice, and their scores were counted twice.
@example(
    operations=[
        ("bulk_diagnostics", 0, 0, 2022, 0, [(0, 62.3)]),
        ("delete_diagnostic", 0),
        ("bulk_diagnostics", 0, 0, 2022, 1, [(0, 0.0)]),
    ]
)
def test_the_diagnostic_summaries_never_drift_from_the_records(diagnostic_world, operations):
    with transaction.atomic():
        for op in operations:
            try:  # a write the database refuses (a second entry diagnostic…) leaves nothing
                with transaction.atomic():
                    apply_diagnostic(op, diagnostic_world)
            except (IntegrityError, ValidationError):
                pass
        for programme in diagnostic_world["programmes"]:
            periods = [programme.period(year) for year in (2022, 2023)]
            from_summaries = [diagnostic_growth(programme, period) for period in periods]
            with aggregates.raw_records():
                assert from_summaries == [diagnostic_growth(programme, period) for period in periods], operations
        assert aggregates.rebuild_diagnostics() == []
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_truncating_the_diagnostics_empties_their_summaries(diagnostic_world):
    programme, instrument = diagnostic_world["programmes"][0], diagnostic_world["instruments"][0]
    person = diagnostic_world["people"][0]
    for stage in Stage:
        diagnostic = Diagnostic.objects.create(
            participant=person, programme=programme, period=2023, instrument=instrument, stage=stage
        )
        DiagnosticScore.objects.create(
            diagnostic=diagnostic, competence=diagnostic_world["competences"][0][0], score=50
        )
    assert aggregates.diagnostic_growth(programme.pk, 2023)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE participants_diagnosticscore")
    assert aggregates.diagnostic_growth(programme.pk, 2023) == []
    assert aggregates.rebuild_diagnostics() == []
