"""The demo data holds every count of both source documents' tables (checked from the database)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count, Min, Q, Sum

from events.models import Coverage, Edition, EventSeries, Opportunity, Participation, PartnerOrganisation, Publication
from participants.models import (
    Achievement,
    Category,
    Diagnostic,
    Membership,
    Municipality,
    Organisation,
    Participant,
    Programme,
    ProjectTeam,
)
from reports.demo.names import REAL_SURNAMES

pytestmark = pytest.mark.usefixtures("demo_data", "db")

END_OF_2019 = date(2019, 12, 31)

# Table 1 of the Tomsk справка: municipality -> (organisations with resident pupils, resident pupils).
TOMSK_TABLE_1 = {
    "Александровский район": (0, 0),
    "Асиновский район": (2, 5),
    "Бакчарский район": (1, 3),
    "Верхнекетский район": (1, 1),
    "Зырянский район": (1, 3),
    "Каргасокский район": (2, 2),
    "Кожевниковский район": (2, 31),
    "Колпашевский район": (1, 1),
    "Кривошеинский район": (1, 3),
    "Молчановский район": (0, 0),
    "Парабельский район": (0, 0),
    "Первомайский район": (4, 30),
    "Тегульдетский район": (0, 0),
    "Томский район": (9, 12),
    "Чаинский район": (0, 0),
    "Шегарский район": (2, 2),
    "г. Кедровый": (0, 0),
    "ЗАТО Северск": (15, 100),
    "г.о. Стрежевой": (3, 4),
    "г. Томск": (25, 115),
}


@pytest.fixture
def tomsk():
    return Programme.objects.get(slug="tomsk-mkr")


@pytest.fixture
def tula():
    return Programme.objects.get(slug="tula-kadry")


def active_at_end_of_2019(programme):
    return Membership.objects.filter(programme=programme).active_on(END_OF_2019)


def test_both_programmes_are_loaded_with_their_period_kinds(tomsk, tula):
    assert tomsk.period_kind == "calendar"
    assert tula.period_kind == "academic"
    assert tula.period(2019).label == "2019/2020"


def test_tomsk_residents_on_1_january_2020(tomsk):
    active = active_at_end_of_2019(tomsk)
    assert active.residents().count() == 463
    assert active.filter(category=Category.SCHOOL).count() == 312
    assert active.filter(category=Category.STUDENT).count() == 151
    assert active.filter(category=Category.POTENTIAL).count() == 77


def test_tomsk_new_residents_in_2019_are_124_first_inclusions(tomsk):
    first_inclusion = (
        Membership.objects.filter(programme=tomsk).residents().values("participant").annotate(first=Min("included_on"))
    )
    assert first_inclusion.filter(first__year=2019).count() == 124
    # Students who moved over from the pupils' category in 2019 are not new residents.
    moved = Membership.objects.filter(programme=tomsk, category=Category.STUDENT, included_on=date(2019, 9, 1))
    assert moved.count() == 25


def test_tomsk_table_1_by_municipality_with_zeros(tomsk):
    pupils = active_at_end_of_2019(tomsk).filter(category=Category.SCHOOL)
    municipalities = (
        Municipality.objects.filter(region=tomsk.region)
        .annotate(
            residents=Count(
                "organisations__participants", filter=Q(organisations__participants__memberships__in=pupils)
            ),
            schools=Count(
                "organisations",
                filter=Q(organisations__participants__memberships__in=pupils),
                distinct=True,
            ),
        )
        .order_by("sort_order")
    )
    table = {m.name: (m.schools, m.residents) for m in municipalities}
    assert list(table) == list(TOMSK_TABLE_1)
    assert table == TOMSK_TABLE_1
    assert sum(s for s, _ in table.values()) == 69
    assert sum(r for _, r in table.values()) == 312


def test_tomsk_regional_organisations_have_residents_and_lie_in_their_municipality(tomsk):
    regional = Organisation.objects.filter(region=tomsk.region, is_regional=True).select_related("municipality")
    assert {(o.name, o.municipality.name) for o in regional} == {
        ("ОГБОУ КШИ «Северский кадетский корпус»", "ЗАТО Северск"),
        ("ОГБОУ «Томский физико-технический лицей»", "г. Томск"),
    }
    pupils = active_at_end_of_2019(tomsk).filter(category=Category.SCHOOL)
    assert all(pupils.filter(participant__organisation=o).exists() for o in regional)


def test_tomsk_accredited_editions_coverage_counts_table_2(tomsk):
    editions = Edition.objects.filter(series__programme=tomsk, series__kind="accredited").annotate(
        own=Count("coverage", filter=Q(coverage__municipality__region=tomsk.region)),
        other=Count("coverage", filter=~Q(coverage__municipality__region=tomsk.region)),
    )
    counts = {(e.series.sort_order, e.period): (e.held, e.own, e.other) for e in editions.select_related("series")}
    assert counts == {
        (1, 2017): (True, 8, 1), (1, 2018): (False, 0, 0), (1, 2019): (True, 8, 0),
        (2, 2017): (True, 5, 1), (2, 2018): (True, 5, 0), (2, 2019): (True, 5, 0),
        (3, 2017): (True, 7, 0), (3, 2018): (True, 7, 0), (3, 2019): (True, 8, 0),
        (4, 2017): (True, 6, 0), (4, 2018): (True, 7, 0), (4, 2019): (True, 4, 0),
        (5, 2017): (True, 6, 0), (5, 2018): (True, 7, 0), (5, 2019): (True, 6, 0),
    }  # fmt: skip
    assembly_2018 = Edition.objects.get(
        series__programme=tomsk, series__sort_order=1, series__kind="accredited", period=2018
    )
    assert "январь 2019" in assembly_2018.note


def test_tomsk_municipalities_absent_from_all_accredited_events_2017_2019(tomsk):
    covered = Coverage.objects.filter(
        edition__series__programme=tomsk, edition__series__kind="accredited", edition__period__in=[2017, 2018, 2019]
    ).values("municipality")
    absent = Municipality.objects.filter(region=tomsk.region).exclude(pk__in=covered)
    assert set(absent.values_list("name", flat=True)) == {
        "Александровский район",
        "Молчановский район",
        "Тегульдетский район",
        "г. Кедровый",
    }
    assert (
        Coverage.objects.filter(
            edition__series__programme=tomsk, edition__period=2019, municipality__region=tomsk.region
        )
        .values("municipality")
        .distinct()
        .count()
        == 15
    )


def test_tomsk_accredited_headcounts_give_2584_and_the_documents_growth(tomsk):
    totals = {
        row["period"]: row["total"]
        for row in Edition.objects.filter(series__programme=tomsk, series__kind="accredited", held=True)
        .values("period")
        .annotate(total=Sum("headcount_pupils") + Sum("headcount_teachers") + Sum("headcount_experts"))
    }
    assert totals[2019] == 2584
    assert round((totals[2019] / totals[2018] - 1) * 100, 1) == 3.6
    assert round((totals[2019] / totals[2017] - 1) * 100, 1) == 10.2


def test_tomsk_satellite_events_table_3(tomsk):
    satellites = EventSeries.objects.filter(programme=tomsk, kind="satellite")
    assert satellites.count() == 11
    editions = Edition.objects.filter(series__in=satellites)
    assert {p: editions.filter(period=p).count() for p in (2018, 2019)} == {2018: 11, 2019: 11}
    totals = dict(editions.values_list("period").annotate(Sum("headcount_total")))
    assert totals == {2018: 2501, 2019: 2457}
    research = dict(
        editions.filter(series__direction="project_research").values_list("period").annotate(Sum("headcount_total"))
    )
    assert research == {2018: 1725, 2019: 1771}
    fair = satellites.get(name="Ярмарка идей («Исследовательский марафон»)")
    assert fair.prepares_for.name == "Открытая научно-практическая конференция «Исследовательский марафон»"


def test_tomsk_new_residents_have_their_winning_participation(tomsk):
    participations = Participation.objects.filter(edition__series__programme=tomsk, edition__period=2019)
    assert participations.filter(role__in=["winner", "prize_winner"]).count() == 124
    assert participations.filter(role="expert").count() == 11


def test_tomsk_opportunities_of_criterion_5(tomsk):
    opportunities = Opportunity.objects.filter(programme=tomsk, starts_on__year=2019)
    sirius = opportunities.filter(kind="profile_shift", place__contains="Сириус")
    assert sirius.values("participant").distinct().count() == 6
    shifts = opportunities.filter(kind="profile_shift", place__contains="региональный центр")
    assert shifts.values("participant").distinct().count() == 17
    assert opportunities.filter(kind="expert_work").values("participant").distinct().count() == 11
    assert opportunities.values("participant").distinct().count() == 34


def test_tomsk_partners_publications_achievements(tomsk):
    partners = PartnerOrganisation.objects.filter(programme=tomsk)
    assert partners.count() == 22
    assert partners.filter(since__year=2019).count() == 3
    publications = Publication.objects.filter(programme=tomsk, published_on__year=2019)
    assert publications.exclude(outlet_kind="social_network").count() == 21
    assert publications.exclude(outlet_kind="social_network").values("outlet").distinct().count() == 10
    assert publications.filter(outlet_kind="social_network").count() == 7
    achievements = Achievement.objects.filter(participant__memberships__programme=tomsk).distinct()
    assert achievements.count() == 12
    assert achievements.filter(participant__consent=False).values("participant").distinct().count() == 2


def test_tula_cohorts_by_academic_year(tula):
    memberships = Membership.objects.filter(programme=tula)
    for year, participants, organisations in ((2018, 41, 19), (2019, 52, 13)):
        period = tula.period(year)
        cohort = memberships.overlapping(period.start, period.end)
        assert cohort.count() == participants
        assert cohort.values("participant__organisation").distinct().count() == organisations


def test_tula_teams_table_1(tula):
    teams = ProjectTeam.objects.filter(programme=tula, period=2019).annotate(n=Count("memberships"))
    assert {t.name: t.n for t in teams} == {
        "«Прокачай себя»": 5,
        "«Промышленный бум»": 9,
        "«Образование без проблем»": 3,
        "«МедиАС»": 3,
        "«Настольная игра Тула+Я»": 8,
        "«Tula Travel»": 11,
        "«Правовая грамотность подростков»": 7,
        "«Выбираем будущее сами»": 6,
    }


def test_tula_organisations_table_2_and_diagnostics_table_3(tula):
    period = tula.period(2019)
    cohort = Membership.objects.filter(programme=tula).overlapping(period.start, period.end)
    by_organisation = dict(cohort.values_list("participant__organisation__name").annotate(Count("id")))
    assert by_organisation == {
        "МБОУ ЦО № 58 «Поколение будущего»": 11,
        "МБОУ «Гуманитарно-математический лицей»": 8,
        "МБОУ ЦО № 8": 8,
        "МБОУ-лицей № 2": 5,
        "МБОУ «ЦО – гимназия № 1»": 4,
        "МБОУ ЦО № 7": 3,
        "МБОУ ЦО № 53 им. Л.Н. Толстого": 3,
        "МБОУ «Центр образования № 20»": 2,
        "МБОУ ЦО № 28": 2,
        "МБОУ «ЦО № 34»": 2,
        "МБОУ ЦО № 39": 2,
        "МБОУ «ЦО – гимназия № 11 им. Александра и Олега Трояновских»": 1,
        "МБОУ ЦО № 15": 1,
    }
    diagnostics = Diagnostic.objects.filter(programme=tula, period=2019)
    both_stages = diagnostics.values("participant").annotate(stages=Count("stage", distinct=True)).filter(stages=2)
    assert both_stages.count() == 52
    assert not diagnostics.annotate(n=Count("scores")).exclude(n=6).exists()


def test_tula_activities_of_2019_2020(tula):
    editions = Edition.objects.filter(series__programme=tula, period=2019).order_by("starts_on")
    rows = [(e.starts_on, e.headcount_pupils, e.headcount_teachers) for e in editions]
    assert rows == [
        (date(2019, 8, 21), 48, None),
        (date(2019, 9, 1), 52, None),
        (date(2019, 9, 12), 7, None),
        (date(2019, 9, 25), 7, None),
        (date(2019, 11, 14), 41, None),
        (date(2019, 11, 19), 3, None),
        (date(2019, 12, 5), 2, None),
        (date(2019, 12, 13), 3, None),
        (date(2019, 12, 16), 3, None),
        (date(2020, 1, 20), 45, 18),
    ]


def test_demo_people_never_carry_the_real_childrens_surnames():
    surnames = {key.split()[0] for key in Participant.objects.values_list("name_key", flat=True)}
    assert surnames
    assert not surnames & REAL_SURNAMES


def test_loading_twice_changes_nothing(django_user_model):
    from django.apps import apps

    def snapshot():
        # Proxy models share their concrete model's table: count each table once.
        return {m._meta.label: m.objects.count() for m in apps.get_models() if not m._meta.proxy}

    before = snapshot()
    call_command("load_demo", verbosity=0)
    after = snapshot()
    assert after.pop("auth.User") == before.pop("auth.User") + 5  # the demo logins are created once
    # The command approves the demo Tomsk 2019 справка as version 1 (the fixture's load does not).
    assert after.pop("reports.ReportVersion") == before.pop("reports.ReportVersion") + 1
    for through in ("auth.User_groups", "participants.Organisation_staff", "participants.Programme_coordinators"):
        after.pop(through, None), before.pop(through, None)
    assert after == before
    once = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == once
    assert django_user_model.objects.filter(username="demo").count() == 1
