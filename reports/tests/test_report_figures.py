"""Every table of both source documents, computed from the demo records, and none of the
mistakes the hand-made documents contain (seed-figures.yaml: known_errors)."""

from decimal import Decimal

import pytest
from django.db import connection

from participants.models import Programme
from reports import aggregates
from reports.services import build_report

pytestmark = pytest.mark.usefixtures("demo_data", "db")

TABLE_1 = [
    ("Александровский район", 0, 0),
    ("Асиновский район", 2, 5),
    ("Бакчарский район", 1, 3),
    ("Верхнекетский район", 1, 1),
    ("Зырянский район", 1, 3),
    ("Каргасокский район", 2, 2),
    ("Кожевниковский район", 2, 31),
    ("Колпашевский район", 1, 1),
    ("Кривошеинский район", 1, 3),
    ("Молчановский район", 0, 0),
    ("Парабельский район", 0, 0),
    ("Первомайский район", 4, 30),
    ("Тегульдетский район", 0, 0),
    ("Томский район", 9, 12),
    ("Чаинский район", 0, 0),
    ("Шегарский район", 2, 2),
    ("г. Кедровый", 0, 0),
    ("ЗАТО Северск", 15, 100),
    ("г.о. Стрежевой", 3, 4),
    ("г. Томск", 25, 115),
]

TABLE_3 = [
    ("Научно-практическая конференция «Человек. Земля. Вселенная»", 442, 472),
    ("Открытая научно-практическая конференция обучающихся 7-11 классов «Исследовательский дебют»", 150, 150),
    ("Ярмарка идей («Исследовательский марафон»)", 320, 300),
    ("Фестиваль идей («Новое поколение: кадровый резерв XXI века»)", 400, 500),
    ("Открытый молодежный форум «Глобальные проблемы современности глазами молодежи»", 100, 60),
    ("Открытая творческая конференция школьников «Новый интеллект»", 33, 39),
    ("Открытая конференция проектных и исследовательских работ обучающихся «Юный исследователь»", 225, 200),
    ("Областная олимпиада школьников по педагогике", 128, 124),
    ("Открытая компетентностная олимпиада по основам Конституции Российской Федерации", 91, 91),
    ("Региональный этап Всероссийского конкурса юношеских исследовательских работ имени В.И. Вернадского", 55, 50),
    ("Предпринимательские школы, предпринимательские форумы для молодёжи", 557, 471),
]


@pytest.fixture
def tomsk():
    return build_report(Programme.objects.get(slug="tomsk-mkr"), 2019)


@pytest.fixture
def tula():
    return build_report(Programme.objects.get(slug="tula-kadry"), 2019)


def criterion(report, number):
    return next(c for c in report.sections["criteria"] if c.number == number)


# Tomsk -----------------------------------------------------------------------------------------


def test_criterion_1_new_residents_124_of_75_is_165_3_percent_of_target(tomsk):
    first = criterion(tomsk, 1)
    assert (first.target, first.actual, first.met) == (75, 124, True)
    assert first.percent_of_target == Decimal("165.3")
    assert first.indicators[0].excess_percent == Decimal("65.3")


def test_known_error_criterion_1_overfulfilment_is_not_39_5_percent(tomsk):
    first = criterion(tomsk, 1)
    assert first.indicators[0].excess_percent != Decimal("39.5")
    assert "39,5" not in " ".join(tomsk.sections["conclusions"])
    assert (
        "124 при целевом значении не менее 75 (165,3\u00a0% от цели, +65,3\u00a0%)" in tomsk.sections["conclusions"][0]
    )


def test_criterion_4_has_two_targets_events_and_participants(tomsk):
    fourth = criterion(tomsk, 4)
    assert [(i.metric, i.target, i.actual, i.met) for i in fourth.indicators] == [
        ("satellite_editions", 10, 11, True),
        ("satellite_participants", 650, 2457, True),
    ]


def test_known_error_satellite_participants_are_2457_not_2439(tomsk):
    assert tomsk.sections["satellite_events"].total.current == 2457
    assert criterion(tomsk, 4).indicators[1].actual == 2457
    assert "2 439" not in " ".join(tomsk.sections["conclusions"]).replace("\u00a0", " ")


def test_criteria_2_3_5_6_computed_from_records(tomsk):
    assert (criterion(tomsk, 2).actual, criterion(tomsk, 2).met) == (5, True)
    assert (criterion(tomsk, 3).actual, criterion(tomsk, 3).met) == (3, True)
    fifth = criterion(tomsk, 5)
    assert (fifth.actual, fifth.met, fifth.indicators[0].shortfall) == (34, False, 16)
    assert (criterion(tomsk, 6).actual, criterion(tomsk, 6).met) == (21, True)


def test_residents_on_1_january_2020(tomsk):
    summary = tomsk.sections["residents"]
    assert summary.residents == 463
    assert {c.category: c.count for c in summary.by_category} == {
        "school": 312,
        "student": 151,
        "potential": 77,
        "partner": 30,
    }
    assert summary.new_residents == 124


def test_table_1_residents_by_municipality_in_order_with_zeros_and_totals(tomsk):
    table = tomsk.sections["residents_by_municipality"]
    assert [(r.municipality, r.organizations, r.residents) for r in table.rows] == TABLE_1
    assert (table.total.organizations, table.total.residents) == (69, 312)
    assert table.without_residents == [
        "Александровский район",
        "Молчановский район",
        "Парабельский район",
        "Тегульдетский район",
        "Чаинский район",
        "г. Кедровый",
    ]
    assert table.regional_organizations == [
        "ОГБОУ КШИ «Северский кадетский корпус»",
        "ОГБОУ «Томский физико-технический лицей»",
    ]


def test_known_error_teguldet_and_chainsky_are_not_among_the_14_with_residents(tomsk):
    with_residents = tomsk.sections["residents_by_municipality"].with_residents
    assert len(with_residents) == 14
    assert "Тегульдетский район" not in with_residents
    assert "Чаинский район" not in with_residents


def test_accredited_participants_2584_and_growth_against_one_and_two_periods_before(tomsk):
    figures = tomsk.sections["accredited_participants"]
    assert [(p.label, p.participants, p.editions) for p in figures.periods] == [
        ("2017", 2345, 5),
        ("2018", 2494, 4),
        ("2019", 2584, 5),
    ]
    assert figures.change_vs_previous == Decimal("3.6")
    assert figures.change_vs_two_before == Decimal("10.2")
    assert len(figures.municipalities) == 15


def test_known_error_2584_is_the_2019_figure_not_2020(tomsk):
    sentence = next(s for s in tomsk.sections["conclusions"] if "аккредитованных мероприятиях 2019 года" in s)
    assert "2\u00a0584 человека" in sentence
    assert "2020" not in sentence


def test_table_2_territorial_coverage_three_periods(tomsk):
    coverage = tomsk.sections["territorial_coverage"]
    assert coverage.periods == [2017, 2018, 2019]
    counts = [[s.periods[str(y)].count for y in coverage.periods] for s in coverage.series]
    assert counts == [[8, 0, 8], [5, 5, 5], [7, 7, 8], [6, 7, 4], [6, 7, 6]]
    assembly = coverage.series[0].periods
    assert assembly["2018"].held is False
    assert "январь 2019" in assembly["2018"].note
    assert assembly["2017"].other_regions == ["г. Кемерово (Кемеровская область — Кузбасс)"]
    assert coverage.not_covered == ["Александровский район", "Молчановский район", "Тегульдетский район", "г. Кедровый"]


def test_known_error_2017_forum_row_counts_5_municipalities_not_3(tomsk):
    forum_2017 = tomsk.sections["territorial_coverage"].series[1].periods["2017"]
    assert forum_2017.municipalities == [
        "Асиновский район",
        "Бакчарский район",
        "Томский район",
        "ЗАТО Северск",
        "г. Томск",
    ]
    assert forum_2017.count == 5
    assert forum_2017.other_regions == ["г. Бердск (Новосибирская область)"]


def test_table_3_satellite_events_this_period_and_the_last(tomsk):
    satellites = tomsk.sections["satellite_events"]
    assert [(r.name, r.previous, r.current) for r in satellites.rows] == TABLE_3
    assert (satellites.total.previous, satellites.total.current) == (2501, 2457)
    assert satellites.held == 11


def test_known_error_project_research_growth_is_2_7_percent_not_2_5(tomsk):
    research = next(d for d in tomsk.sections["satellite_events"].by_direction if d.direction == "project_research")
    assert (research.previous, research.current) == (1725, 1771)
    assert research.change_percent == Decimal("2.7")


def test_opportunities_partners_publications(tomsk):
    opportunities = tomsk.sections["opportunities"]
    assert opportunities.residents == 34
    assert {k.kind: k.residents for k in opportunities.by_kind} == {
        "practice": 0,
        "internship": 1,
        "profile_shift": 23,
        "expert_work": 11,
    }
    partners = tomsk.sections["partners"]
    assert (partners.active, partners.new) == (22, 3)
    publications = tomsk.sections["publications"]
    assert (publications.media, publications.social_network_posts) == (21, 7)


def test_achievements_named_only_with_consent(tomsk):
    achievements = tomsk.sections["achievements"]
    assert len(achievements.rows) == 12
    assert achievements.unnamed == 2
    unnamed = [row for row in achievements.rows if row.name is None]
    assert len(unnamed) == 2
    assert {row.organization for row in unnamed} == {"МАОУ гимназия № 2 г. Асино", "МАОУ «Кожевниковская СОШ № 2»"}


def test_conclusions_name_targets_missed_and_municipalities_to_work_with(tomsk):
    text = " ".join(tomsk.sections["conclusions"])
    assert "Критерий 5" in text and "не выполнен" in text and "не хватает 16" in text
    assert "Выполнено критериев: 5 из 6." in text
    assert (
        "Ни резидентов, ни участников аккредитованных мероприятий за три года: "
        "Александровский район, Молчановский район, Тегульдетский район, г. Кедровый"
    ) in text


# Tula ------------------------------------------------------------------------------------------


def test_tula_participants_and_organisations_this_year_and_the_last(tula):
    cohort = tula.sections["cohort"]
    assert (cohort.current.label, cohort.participants, cohort.organizations) == ("2019/2020", 52, 13)
    assert (cohort.previous.label, cohort.previous.participants, cohort.previous.organizations) == ("2018/2019", 41, 19)
    assert tula.to_dict()["participants"] == 52
    assert tula.to_dict()["organizations"] == 13


def test_tula_table_1_teams(tula):
    assert [(t.name, t.members) for t in tula.sections["teams"].rows] == [
        ("«Прокачай себя»", 5),
        ("«Промышленный бум»", 9),
        ("«Образование без проблем»", 3),
        ("«МедиАС»", 3),
        ("«Настольная игра Тула+Я»", 8),
        ("«Tula Travel»", 11),
        ("«Правовая грамотность подростков»", 7),
        ("«Выбираем будущее сами»", 6),
    ]
    assert tula.sections["teams"].members == 52


def test_tula_table_2_ranking_equal_counts_share_a_place(tula):
    assert [(r.place, r.organization, r.participants) for r in tula.sections["organizations_ranking"].rows] == [
        (1, "МБОУ ЦО № 58 «Поколение будущего»", 11),
        (2, "МБОУ «Гуманитарно-математический лицей»", 8),
        (2, "МБОУ ЦО № 8", 8),
        (4, "МБОУ-лицей № 2", 5),
        (5, "МБОУ «ЦО – гимназия № 1»", 4),
        (6, "МБОУ ЦО № 7", 3),
        (6, "МБОУ ЦО № 53 им. Л.Н. Толстого", 3),
        (8, "МБОУ «Центр образования № 20»", 2),
        (8, "МБОУ ЦО № 28", 2),
        (8, "МБОУ «ЦО № 34»", 2),
        (8, "МБОУ ЦО № 39", 2),
        (12, "МБОУ «ЦО – гимназия № 11 им. Александра и Олега Трояновских»", 1),
        (12, "МБОУ ЦО № 15", 1),
    ]


def test_tula_table_3_diagnostics_by_organisation(tula):
    table = tula.sections["diagnostics_by_organization"]
    assert {r.organization: r.participants for r in table.rows} == {
        r.organization: r.participants for r in tula.sections["organizations_ranking"].rows
    }
    assert table.participants == 52


def test_tula_activities_in_date_order_with_pupils_and_teachers(tula):
    rows = [(a.title, a.pupils, a.teachers) for a in tula.sections["activities"].rows]
    assert rows[0] == ("Слёт участников Проекта", 48, None)
    assert rows[-1] == ("Вебинар «Лайфхак wow-выступления!»", 45, 18)
    assert [a.pupils for a in tula.sections["activities"].rows] == [48, 52, 7, 7, 41, 3, 2, 3, 3, 45]


def test_tula_diagnostic_growth_is_final_minus_entry_per_competence(tula):
    growth = tula.sections["diagnostic_growth"]
    assert growth.participants == 52
    assert len(growth.rows) == 6
    for row in growth.rows:
        assert row.growth == row.final - row.entry
        assert row.growth > 0


def test_sections_follow_each_programmes_configuration(tomsk, tula):
    assert "teams" not in tomsk.sections and "criteria" in tomsk.sections
    assert "criteria" not in tula.sections and "teams" in tula.sections


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the summaries are PostgreSQL's")
def test_the_demo_spravki_read_the_same_figures_from_the_summaries():
    """Every figure of every period, read from reports.aggregates and from the raw records."""
    from reports.services import available_years
    from reports.tests.test_aggregates import assert_same_as_raw

    for slug in ("tomsk-mkr", "tula-kadry"):
        programme = Programme.objects.get(slug=slug)
        years = available_years(programme)
        assert years
        assert_same_as_raw(programme, [min(years) - 1, *years, max(years) + 1])
    differences = aggregates.rebuild()
    assert differences == [], "\n".join(map(str, differences))
