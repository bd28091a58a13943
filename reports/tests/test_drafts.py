"""Drafts of the справка's commentary (reports/drafts.py): they say what a reader should notice, and
every number they print is a figure of the справка (reports/numbers.py)."""

import re

import pytest

from participants.models import Programme, ReportSection
from participants.periods import PeriodKind
from reports import numbers as nb
from reports.drafts import CLOSING, section_drafts
from reports.sections import SECTIONS
from reports.services import build_report

pytestmark = pytest.mark.usefixtures("demo_data", "db")

NBSP = "\u00a0"
YEARS = (2017, 2018, 2019, 2020)


@pytest.fixture(scope="module")
def reports(demo_data, django_db_blocker):
    """The demo справки of both programmes for 2015-2020, built once for the module."""
    with django_db_blocker.unblock():
        built = {}
        for slug in ("tomsk-mkr", "tula-kadry"):
            programme = Programme.objects.get(slug=slug)
            for year in range(YEARS[0] - 2, YEARS[-1] + 1):
                report = build_report(programme, year)
                report.to_dict()  # loads the programme's region while the database is open
                built[slug, year] = report
        return built


def earlier_of(reports, slug, year):
    return [reports[slug, year - 1], reports[slug, year - 2]]


def drafts_of(reports, slug, year, with_earlier=True):
    earlier = earlier_of(reports, slug, year) if with_earlier else []
    return {key: text.replace(NBSP, " ") for key, text in section_drafts(reports[slug, year], earlier).items()}


@pytest.fixture
def tomsk(reports):
    return drafts_of(reports, "tomsk-mkr", 2019)


@pytest.fixture
def tomsk_alone(reports):
    return drafts_of(reports, "tomsk-mkr", 2019, with_earlier=False)


@pytest.fixture
def tula(reports):
    return drafts_of(reports, "tula-kadry", 2019)


# Tomsk 2019 -------------------------------------------------------------------------------------


def test_tomsk_leaders_are_named_with_their_share(tomsk_alone):
    text = tomsk_alone["residents_by_municipality"]
    assert "дают г. Томск и ЗАТО Северск: 215 резидентов из 312 (68,9 %), организаций — 40 из 69." in text
    assert "Кожевниковский район — 31 (9,9 %, организаций: 2)" in text
    assert "г. Томск и ЗАТО Северск дают 68,9 % резидентов-школьников" in tomsk_alone["conclusions"]


def test_tomsk_missed_criterion_is_named_with_how_much_is_missing(tomsk_alone, tomsk):
    text = tomsk_alone["criteria"]
    assert text.startswith("Критериев выполнено: 5 из 6.")
    assert "критерий 5 «Наличие Резидентов" in text
    assert "34 при цели 50, выполнено на 68,0 %, не хватает 16" in text
    assert "не выполнен критерий 5" in tomsk_alone["problems"]
    assert "выполнить критерий 5" in tomsk_alone["tasks"] and "не менее 50 (в 2019 году — 34)" in tomsk_alone["tasks"]
    assert "договориться с организациями-партнёрами о практиках и стажировках" in tomsk_alone["recommendations"]
    # With the two earlier справки: for how long. The demo records no opportunities and no
    # publications before 2019: criteria 5 and 6 have no data there, which is no miss (no streak).
    assert "не хватает 16\n" in tomsk["criteria"] + "\n" and "подряд" not in tomsk["criteria"].split("\n\n")[2]
    assert "Выполнены критерии 2 и 3, не выполненные в 2018 году." in tomsk["criteria"]


def test_tomsk_targets_exceeded_many_times_over_or_met_without_a_margin_are_pointed_out(tomsk_alone):
    text = tomsk_alone["criteria"]
    assert "критерий 6: 21 при цели 5 (420,0 % от цели)" in text
    assert "критерий 4, участники мероприятий-спутников: 2 457 при цели 650 (378,0 % от цели)" in text
    assert "критерий 2: 5 при цели 5 (100,0 % от цели)" in text
    assert "пересмотреть целевые значения: критерии 4 и 6 перевыполнены в разы" in tomsk_alone["recommendations"]


NEVER_COVERED = "Александровский район, Молчановский район, Тегульдетский район, г. Кедровый"


def test_tomsk_municipalities_absent_for_three_periods_get_targeted_work_with_their_schools(tomsk_alone, tomsk):
    coverage = tomsk_alone["territorial_coverage"]
    assert (
        "Ни в одном аккредитованном мероприятии в 2017–2019 годах не участвовали 4 муниципалитета из 20: "
        f"{NEVER_COVERED}. С общеобразовательными организациями этих муниципалитетов нужна адресная работа"
    ) in coverage
    assert (
        f"организовать адресную работу со школами муниципалитетов без участников в 2017–2019 годах ({NEVER_COVERED})"
        in (tomsk_alone["recommendations"])
    )
    assert f"вовлечь в аккредитованные мероприятия школы муниципалитетов: {NEVER_COVERED}" in tomsk_alone["tasks"]
    # Table 1 without residents, read against Table 2 and against the earlier справки.
    by_municipality = tomsk["residents_by_municipality"]
    assert (
        "Без резидентов — 6 муниципалитетов из 20, все — третий год подряд: Александровский район, "
        "Молчановский район, Парабельский район, Тегульдетский район, Чаинский район, г. Кедровый."
    ) in by_municipality
    assert (
        "Парабельский район и Чаинский район в аккредитованных мероприятиях в 2019 году участвовали" in by_municipality
    )
    assert "Появились резиденты (их не было в 2018 году): Верхнекетский район, Зырянский район." in by_municipality


def test_tomsk_changes_against_one_and_two_periods_before_have_direction_and_size(tomsk_alone, tomsk):
    accredited = tomsk_alone["accredited_participants"]
    assert (
        "2 584 человека — больше, чем в 2018 году (2 494; +90, +3,6 %), и больше, чем в 2017 году "
        "(2 345; +239, +10,2 %)."
    ) in accredited
    assert "Рост второй год подряд, но медленнее: в 2018 году прибавилось 149 (+6,4 %), в 2019 году — 90 (+3,6 %)." in (
        accredited
    )
    assert "516,8 против 623,5. Рост общего числа даёт число мероприятий, а не их наполняемость." in accredited
    satellites = tomsk_alone["satellite_events"]
    assert "2 457: почти столько же, сколько в 2018 году (2 501; −44, −1,8 %)" in satellites
    assert "«предпринимательство» (−86, −15,4 %)" in satellites
    # Sections without earlier periods of their own compare with the earlier справки.
    assert (
        "463 резидента — больше, чем в 2018 году (360; +103, +28,6 %), и больше, чем в 2017 году (257; +206, +80,2 %)"
        in (tomsk["residents"])
    )
    assert "приток новых резидентов сокращается второй год подряд" in tomsk["residents"]
    assert "360" not in tomsk_alone["residents"]


def test_tomsk_drafts_interpret_the_tables_instead_of_reading_them_out(reports, tomsk_alone):
    report = reports["tomsk-mkr", 2019]
    satellites = report.sections["satellite_events"]
    named = [row.name for row in satellites.rows if row.name in tomsk_alone["satellite_events"]]
    assert 0 < len(named) < len(satellites.rows) / 2
    table = report.sections["residents_by_municipality"]
    read_out = [
        r for r in table.rows if f"{r.municipality} — {r.residents}" in tomsk_alone["residents_by_municipality"]
    ]
    assert len(read_out) <= 2  # only those worth a word, not the 20 rows
    for sentence in report.sections["conclusions"]:
        assert all(sentence.replace(NBSP, " ") not in text for text in tomsk_alone.values())


def test_tomsk_drafts_do_not_repeat_the_slips_of_the_hand_made_document(tomsk, tomsk_alone):
    for drafts in (tomsk, tomsk_alone):
        text = "\n".join(drafts.values())
        assert "2 439" not in text and "2439" not in text
        assert "39,5" not in text
        assert "2,5 %" not in text and "+2,7 %" in text


# Tula 2019/2020 ---------------------------------------------------------------------------------


def test_tula_leaders_are_named_with_their_share(tula):
    assert (
        "Больше половины участников — 27 из 52 (51,9 %) — дают МБОУ ЦО № 58 «Поколение будущего», "
        "МБОУ «Гуманитарно-математический лицей» и МБОУ ЦО № 8."
    ) in tula["organizations_ranking"]
    assert "самая большая — «Tula Travel» (11, 21,2 % участников)" in tula["teams"]


def test_tula_change_against_the_year_before_and_who_did_not_come_back(tula, reports):
    assert (
        "По сравнению с 2018/2019 учебным годом участников больше: 52 против 41 (+11, +26,8 %), организаций "
        "меньше: 13 против 19 (−6, −31,6 %)."
    ) in tula["cohort"]
    assert "в среднем на организацию 4,0 участника против 2,2" in tula["cohort"]
    assert "участвует меньше образовательных организаций: 13 против 19 в 2018/2019 учебном году" in tula["problems"]
    ranking = tula["organizations_ranking"]
    assert "не продолжили участие: МБОУ ЦО № 10, МБОУ ЦО № 21" in ranking
    assert "впервые участвуют: МБОУ ЦО № 8, МБОУ ЦО № 28, МБОУ ЦО № 15." in ranking
    assert "предложить вернуться: МБОУ ЦО № 10" in tula["recommendations"]
    assert "не продолжили" not in drafts_of(reports, "tula-kadry", 2019, with_earlier=False)["organizations_ranking"]


def test_tula_diagnostics_growth_and_activities_say_what_stands_out(tula):
    assert "прошли 52 участника из 52 (100,0 %) — все участники программы" in tula["diagnostics_by_organization"]
    growth = tula["diagnostic_growth"]
    assert "от +8,5 до +10,2 балла, в среднем +9,2" in growth
    assert "«Критическое мышление»: с 49,1 до 59,3 (+10,2)" in growth
    assert "«Креативность» (+8,5), самая высокая на входе (52,0)" in growth
    activities = tula["activities"]
    assert "Слёт участников Проекта — 48 (92,3 %)" in activities
    assert "Педагоги учтены только на одном мероприятии: Вебинар «Лайфхак wow-выступления!» (18)." in activities
    assert "После 20 января 2020 г. мероприятий не записано, хотя период длится до 31 августа 2020 г." in activities


# Every draft --------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_earlier", [True, False])
@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("slug", ["tomsk-mkr", "tula-kadry"])
def test_every_number_in_every_draft_is_a_figure_of_the_report(reports, slug, year, with_earlier):
    report = reports[slug, year]
    earlier = earlier_of(reports, slug, year) if with_earlier else []
    figures = nb.report_figures(report, earlier)
    drafts = section_drafts(report, earlier)
    assert drafts
    for key, text in drafts.items():
        assert nb.unmatched_numbers(text, figures) == [], (key, text)
        # The small-enumeration rule hides none of a draft's numbers.
        assert not [n.text for n in nb.read_numbers(text) if n.ignored == "малое число"], (key, text)


def test_every_section_kind_has_a_draft():
    drafted = {key for key, section in SECTIONS.items() if section.draft is not None}
    assert drafted | {ReportSection.CONCLUSIONS} == set(ReportSection)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("slug", ["tomsk-mkr", "tula-kadry"])
def test_drafts_are_keyed_by_section_and_written_in_the_block_format(reports, slug, year):
    report = reports[slug, year]
    drafts = section_drafts(report, earlier_of(reports, slug, year))
    assert set(drafts) <= set(report.programme.section_keys()) | set(CLOSING)
    for text in drafts.values():
        assert text == text.strip() and "\n\n\n" not in text
        assert not re.search(r"<[a-z/]", text)  # no HTML
        for block in text.split("\n\n"):
            lines = block.split("\n")
            assert len(lines) == 1 or all(line.startswith("- ") for line in lines), block
            assert all(line == line.rstrip() and not line.startswith(" ") for line in lines)


def test_sections_without_data_say_so_without_figures(reports):
    drafts = drafts_of(reports, "tula-kadry", 2018)
    assert drafts["teams"] == "Проектные команды в 2018/2019 учебном году не записаны."
    assert (
        drafts["diagnostic_growth"] == "Результаты входной и итоговой диагностики в 2018/2019 учебном году не записаны."
    )
    for key in ("teams", "diagnostics_by_organization", "diagnostic_growth"):
        assert all(n.ignored for n in nb.read_numbers(drafts[key]))
    assert drafts["cohort"] == "В 2018/2019 учебном году — первый набор: участников 41, образовательных организаций 19."


@pytest.mark.parametrize("slug", ["tomsk-mkr", "tula-kadry"])
def test_a_period_without_data_gets_a_note_and_no_figures(reports, slug):
    report = reports[slug, 2020]
    assert not report.has_data
    drafts = section_drafts(report, earlier_of(reports, slug, 2020))
    assert list(drafts) == ["conclusions"]
    assert "данных периода нет" in drafts["conclusions"]
    assert all(n.ignored for n in nb.read_numbers(drafts["conclusions"]))


def test_an_empty_programme_does_not_crash_and_invents_nothing(reports):
    region = reports["tomsk-mkr", 2019].programme.region
    programme = Programme.objects.create(
        region=region, name="Программа без данных", slug="empty-programme", period_kind=PeriodKind.ACADEMIC
    )
    report = build_report(programme, 2019)
    assert not report.has_data
    assert list(section_drafts(report)) == ["conclusions"]
    report.has_data = True  # every section draft runs on its empty table
    drafts = section_drafts(report, [build_report(programme, 2018), build_report(programme, 2017)])
    assert set(drafts) >= set(programme.section_keys()) - {"criteria", "conclusions"}
    for key, text in drafts.items():
        assert "не записан" in text or "нет ни в одном" in text, (key, text)
        assert [n.text for n in nb.read_numbers(text) if not n.ignored] == [], (key, text)


def test_earlier_reports_of_another_programme_or_of_later_periods_are_not_compared(reports):
    report = reports["tomsk-mkr", 2019]
    assert section_drafts(report, [reports["tula-kadry", 2018], reports["tomsk-mkr", 2020]]) == section_drafts(report)
    assert section_drafts(report, earlier_of(reports, "tomsk-mkr", 2019)[::-1]) == section_drafts(
        report, earlier_of(reports, "tomsk-mkr", 2019)
    )
