"""Numbers typed into the справка's prose are checked against its tables (reports/numbers.py)."""

from decimal import Decimal

import pytest

from participants.models import Programme
from reports import numbers as nb
from reports.services import build_report

NBSP = "\u00a0"
NNBSP = "\u202f"


def number(value) -> nb.Figure:
    return nb.Figure.of(Decimal(str(value)))


def percent(value) -> nb.Figure:
    return nb.Figure.of(Decimal(str(value)), nb.PERCENT)


def checked(text: str) -> list[tuple[str, nb.Figure]]:
    return [(n.text, n.figure) for n in nb.read_numbers(text) if not n.ignored]


# Reading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("приняли участие 2439 обучающихся", [("2439", number(2439))]),
        ("приняли участие 2 439 обучающихся", [("2 439", number(2439))]),
        (f"приняли участие 2{NBSP}439 обучающихся", [(f"2{NBSP}439", number(2439))]),
        (f"приняли участие 2{NNBSP}439 обучающихся", [(f"2{NNBSP}439", number(2439))]),
        ("всего 1 234 567", [("1 234 567", number(1234567))]),
        ("рост на 3,6 %", [("3,6 %", percent("3.6"))]),
        (f"рост на 3,6{NBSP}%", [(f"3,6{NBSP}%", percent("3.6"))]),
        ("доля 69%", [("69%", percent(69))]),
        ("на 3,6 процента", [("3,6 процента", percent("3.6"))]),
        ("перевыполнение +65,3 %", [("+65,3 %", percent("65.3"))]),
        ("снижение −12 %", [("−12 %", percent(12))]),
        ("снижение -1,8 %", [("-1,8 %", percent("1.8"))]),
        ("разница (−44)", [("−44", number(44))]),
        ("средний балл 57,1", [("57,1", number("57.1"))]),
        ("в 8 сменах 2019 года", [("8", number(8))]),  # not «8 201» and a 9
        ("(в 2018 г. - 2501 участников)", [("2501", number(2501))]),  # a dash after a word is no minus
        ("МБОУ №№ 7, 10, 11: 15 участников", [("15", number(15))]),
    ],
)
def test_numbers_are_read_the_russian_way(text, expected):
    assert checked(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("в 2019 году", "год"),
        ("в 2019 г.", "год"),
        ("в 2017–2019 гг.", "годы"),
        ("в 2018-2019 учебном году", "годы"),
        ("в 2019/2020 учебном году", "годы"),
        ("в 2019/20 учебном году", "годы"),
        ("вебинар 20.01.2020", "дата"),
        ("20 января 2020 г.", "дата"),
        ("с 23-25 января", "дата"),
        ("с 1 по 3 февраля", "дата"),
        ("начало в 10:30", "время"),
        ("см. Таблица 1", "ссылка"),
        ("в таблице 3", "ссылка"),
        ("Рисунок 2", "ссылка"),
        ("критерий 3", "ссылка"),
        ("Критерии 3, 5 и 6", "ссылка"),
        ("МБОУ ЦО № 58", "ссылка"),
        ("МБОУ №№ 7, 10, 11", "ссылка"),
        ("пункт 4", "ссылка"),
        ("обучающихся 9-11 классов", "класс"),
        ("ученик 11 класса", "класс"),
        ("2-й этап", "порядковое"),
        ("COVID-19", "название"),
        ("«Сезон проектов_1819»", "название"),
        ("http://rcro.tomsk.ru/tag/2019/", "адрес"),
        ("в 2 этапа", "малое число"),
        ("за 3 дня", "малое число"),
        ("занял 1 место", "малое число"),
    ],
)
def test_years_dates_references_and_small_enumerations_are_not_figures(text, reason):
    read = nb.read_numbers(text)
    assert read, text
    assert {n.ignored for n in read} == {reason}


@pytest.mark.parametrize(
    "text", ["команды (3)", "Бакчарский район — 3", "из 3", "критериев выполнено: 2 из 6", "2 и 4"]
)
def test_a_small_digit_that_is_not_followed_by_a_word_is_checked(text):
    assert [n for n in nb.read_numbers(text) if n.figure.value in (2, 3) and not n.ignored]


def test_numbers_written_in_words_are_not_read():
    assert nb.read_numbers("шесть муниципалитетов, три года подряд, один-два резидента") == []


# Checking ---------------------------------------------------------------------------------------

FIGURES = {number(2457), number(2501), number(2584), percent("2.7"), percent("3.6"), percent("65.3"), percent("68.9")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The Tomsk document's own slip: its Table 3 sums to 2 457.
        ("В общей сложности в мероприятиях-спутниках приняли участие 2439 обучающихся", [("2439", number(2457))]),
        ("приняли участие 2 439 обучающихся", [("2 439", number(2457))]),
        ("приняли участие 2 457 обучающихся (в 2018 г. — 2 501)", []),
        ("увеличилось на 2,5% (с 1725 человек)", [("2,5%", percent("2.7")), ("1725", None)]),
        ("перевыполнение по критерию на 39,5%", [("39,5%", None)]),
        ("г. Томск и ЗАТО Северск — 69 % резидентов", []),  # 68,9 % typed without its decimal
        ("г. Томск и ЗАТО Северск — 68,9 %", []),
        ("г. Томск и ЗАТО Северск — 69,0 %", [("69,0 %", percent("68.9"))]),  # typed decimals must agree
        ("снижение на 3,6 %, или −3,6 %", []),  # the sign is not part of the figure
        ("2584 участника", []),  # a count typed without its thousands space
        ("участников: 12", [("12", None)]),
        ("участников: 3,6", [("3,6", None)]),  # a percentage of the tables is no count
        ("ровно 2 500", [("2 500", number(2501))]),
    ],
)
def test_unmatched_numbers_name_the_nearest_figure_of_the_same_kind(text, expected):
    found = nb.unmatched_numbers(text, FIGURES)
    assert [(m.typed, m.nearest) for m in found] == expected
    for mismatch in found:
        assert text[mismatch.start : mismatch.end].strip() == mismatch.typed


def test_messages_say_what_is_typed_and_what_the_tables_hold():
    slip, missing = nb.unmatched_numbers("приняли участие 2 439 обучающихся, перевыполнение на 39,5%", FIGURES)
    assert nb.message(slip) == f"в тексте 2 439, в таблицах 2{NBSP}457"
    assert nb.message(missing) == "в тексте 39,5% — такого числа нет в таблицах справки"
    (percentage,) = nb.unmatched_numbers("рост на 2,5 %", FIGURES)
    assert nb.message(percentage) == f"в тексте 2,5 %, в таблицах 2,7{NBSP}%"


def test_near_is_within_five_percent_and_for_percentages_one_point():
    assert nb.nearest_figure(number(2340), {number(2457)}) == number(2457)  # 4,8 % off
    assert nb.nearest_figure(number(2330), {number(2457)}) is None  # 5,2 % off
    assert nb.nearest_figure(percent("1.9"), {percent("2.7")}) == percent("2.7")  # 0,8 point
    assert nb.nearest_figure(percent("1.6"), {percent("2.7")}) is None  # 1,1 point
    assert nb.nearest_figure(number(3), {percent(3)}) is None


@pytest.mark.parametrize(
    ("values", "leaders"),
    [
        ([115, 100, 31, 30, 12], [115, 100]),  # Tomsk, Table 1: two reach half
        ([11, 8, 8, 5, 4, 3, 3, 2, 2, 2, 2, 1, 1], [11, 8, 8]),  # Tula, Table 2: the tie of 8 is not split
        ([7, 4, 3, 3] + [2] * 9 + [1] * 6, [7, 4, 3, 3]),  # no cut within five rows reaches half
        ([5, 5, 5, 5, 5, 5, 5], []),  # a tie longer than the limit
        ([0, 0], []),
    ],
)
def test_leaders_reach_half_of_the_total_without_splitting_a_tie(values, leaders):
    rows = [{"value": v} for v in values]
    assert [r["value"] for r in nb.leaders(rows, lambda r: r["value"], sum(values))] == leaders


# Against the demo справки -----------------------------------------------------------------------


@pytest.fixture
def tomsk(demo_data, db):
    return build_report(Programme.objects.get(slug="tomsk-mkr"), 2019)


@pytest.fixture
def tula(demo_data, db):
    return build_report(Programme.objects.get(slug="tula-kadry"), 2019)


def test_tomsk_figures_hold_the_tables_and_what_a_reader_computes_from_them(tomsk):
    figures = nb.report_figures(tomsk)
    assert {number(2457), number(2501), number(2584), number(312), number(69), number(463), number(124)} <= figures
    assert {percent("3.6"), percent("10.2"), percent("165.3"), percent("65.3"), percent("2.7")} <= figures
    assert number(215) in figures and percent("68.9") in figures  # г. Томск and ЗАТО Северск together
    assert number(6) in figures and number(4) in figures  # municipalities without residents, never covered
    assert number(16) in figures  # criterion 5 falls short by 16
    assert number(90) in figures and number(239) in figures  # accredited participants against 2018 and 2017
    assert number(Decimal("516.8")) in figures  # participants per accredited event in 2019
    assert number(2439) not in figures and percent("39.5") not in figures and percent("2.5") not in figures


def test_tula_figures_hold_the_tables_and_what_a_reader_computes_from_them(tula):
    figures = nb.report_figures(tula)
    assert {number(52), number(41), number(13), number(19), number(11), number(6)} <= figures
    assert {percent("26.8"), percent("31.6"), percent("51.9"), percent("100.0")} <= figures
    assert number(27) in figures  # the three leading organisations
    assert number(Decimal("9.2")) in figures  # the average growth over the competences
    assert number(Decimal("6.5")) in figures  # members per team


def test_figures_of_earlier_periods_count_only_when_they_are_passed(tomsk):
    programme = tomsk.programme
    earlier = [build_report(programme, 2018), build_report(programme, 2017)]
    alone, compared = nb.report_figures(tomsk), nb.report_figures(tomsk, earlier)
    assert alone <= compared
    assert number(360) not in alone  # residents at the end of 2018
    assert {number(360), number(103), percent("28.6"), number(257), number(206), percent("80.2")} <= compared


def test_the_tomsk_documents_own_prose_is_checked_against_the_computed_tables(tomsk):
    figures = nb.report_figures(tomsk)
    right = (
        "Всего, в 2020 году в аккредитованных мероприятиях приняли участие 2584 обучающихся, педагогов и экспертов "
        "(увеличение на 3,6% по сравнению с 2018 г., увеличение на 10,2% по сравнению с 2017 г.) из образовательных "
        "организаций 15 муниципальных образований Томской области."
    )
    assert nb.unmatched_numbers(right, figures) == []
    slip = (
        "В общей сложности в мероприятиях-спутниках приняли участие 2439 обучающихся, педагогов и экспертов "
        "(в 2018 г. - 2501 участников)."
    )
    (mismatch,) = nb.unmatched_numbers(slip, figures)
    assert nb.message(mismatch) == f"в тексте 2439, в таблицах 2{NBSP}457"
    overfulfilment = "число Резидентов пополнено на 124 человека (перевыполнение по критерию на 39,5%)."
    assert [m.typed for m in nb.unmatched_numbers(overfulfilment, figures)] == ["39,5%"]
    growth = "увеличилось на 2,5% (с 1725 человек в 2018 г. до 1771 человека в 2019 г.)"
    assert [m.typed for m in nb.unmatched_numbers(growth, figures)] == ["2,5%"]
