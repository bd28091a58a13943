"""The workbook of the справка: real figures of both demo programmes in real cells."""

import io
import re
from datetime import date, datetime

import openpyxl
import pytest

from participants.models import Programme
from reports.exporters import report_workbook
from reports.services import build_report

pytestmark = pytest.mark.usefixtures("demo_data", "db")

LOOKS_LIKE_A_NUMBER = re.compile(r"[+−-]?[\d\s\u00a0]+([.,]\d+)?\s*%?")


def workbook(slug: str, year: int = 2019) -> openpyxl.Workbook:
    data = report_workbook(build_report(Programme.objects.get(slug=slug), year))
    assert data[:2] == b"PK"  # a zip, as every .xlsx
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def tomsk(demo_data, django_db_blocker):
    with django_db_blocker.unblock():
        return workbook("tomsk-mkr")


@pytest.fixture(scope="module")
def tula(demo_data, django_db_blocker):
    with django_db_blocker.unblock():
        return workbook("tula-kadry")


def rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows()]


def find_row(ws, first_value, column: int = 1) -> list:
    """The cells of the (first) row whose cell in `column` holds `first_value`."""
    for row in ws.iter_rows():
        if row[column - 1].value == first_value:
            return list(row)
    raise AssertionError(f"no row «{first_value}» on sheet «{ws.title}»")


def find_rows(ws, value, column: int = 1) -> list[list]:
    return [list(row) for row in ws.iter_rows() if row[column - 1].value == value]


def header_row(ws, first_title: str) -> int:
    return find_row(ws, first_title)[0].row


def values(cells) -> list:
    return [c.value for c in cells]


def all_cells(wb):
    for ws in wb:
        for row in ws.iter_rows():
            yield from row


# Sheets


def test_tomsk_sheets_follow_the_configured_sections(tomsk):
    assert tomsk.sheetnames == [
        "Справка",
        "Текст",
        "Критерии",
        "Резиденты",
        "Резиденты по муниципалитетам",
        "Аккредитованные мероприятия",
        "Территориальный охват",
        "Мероприятия-спутники",
        "Практики и стажировки",
        "Партнёры",
        "Публикации",
        "Личные достижения",
    ]


def test_tula_sheets_follow_the_configured_sections(tula):
    assert tula.sheetnames == [
        "Справка",
        "Текст",
        "Участники и организации",
        "Проектные команды",
        "Рейтинг организаций",
        "Прохождение диагностики",
        "Мероприятия участников",
        "Прирост компетенций",
    ]


@pytest.mark.parametrize("name", ["tomsk", "tula"])
def test_sheet_names_are_unique_and_fit_excel(name, request):
    wb = request.getfixturevalue(name)
    assert all(len(title) <= 31 for title in wb.sheetnames)
    assert len({t.casefold() for t in wb.sheetnames}) == len(wb.sheetnames)


@pytest.mark.parametrize("name", ["tomsk", "tula"])
def test_no_number_is_stored_as_text(name, request):
    wb = request.getfixturevalue(name)
    texts = [c.value for c in all_cells(wb) if isinstance(c.value, str)]
    assert texts
    assert [t for t in texts if LOOKS_LIKE_A_NUMBER.fullmatch(t.strip())] == []


@pytest.mark.parametrize("name", ["tomsk", "tula"])
def test_tables_have_styled_headers_frozen_below_them(name, request):
    wb = request.getfixturevalue(name)
    for ws in wb.worksheets[2:]:  # after «Справка» and «Текст»: the tables
        assert ws.freeze_panes, ws.title
        header = ws[ws.freeze_panes].row - 1
        cells = [c for c in ws[header] if c.value is not None]
        assert cells, ws.title
        assert all(c.font.bold and c.fill.fgColor.rgb.endswith("DCE6F1") for c in cells), ws.title
        assert all(c.alignment.wrap_text and c.border.bottom.style == "thin" for c in cells), ws.title
        widths = [ws.column_dimensions[c.column_letter].width for c in cells]
        assert all(6 <= w <= 60 for w in widths), (ws.title, widths)


# The first sheet


def test_tomsk_title_sheet(tomsk):
    ws = tomsk["Справка"]
    assert values(find_row(ws, "Программа"))[:2] == ["Программа", "Молодёжный кадровый ресурс Томской области"]
    assert find_row(ws, "Субъект РФ")[1].value == "Томская область"
    assert find_row(ws, "Оператор")[1].value == "ОГБУ «Региональный центр развития образования»"
    assert find_row(ws, "Отчётный период")[1].value == "2019 год"
    start = find_row(ws, "Начало периода")[1]
    assert start.value == datetime(2019, 1, 1)
    assert start.number_format == "DD.MM.YYYY"
    assert isinstance(find_row(ws, "Дата формирования")[1].value, datetime)
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(t.startswith("Нет данных") for t in texts)
    assert "Выводы" in texts
    assert any("Выполнено критериев: 5 из 6" in t for t in texts)
    link = find_row(ws, "Мероприятия-спутники")[1]
    assert link.hyperlink.location == "'Мероприятия-спутники'!A1"


def test_tula_title_sheet_names_the_academic_year(tula):
    ws = tula["Справка"]
    assert find_row(ws, "Отчётный период")[1].value == "2019/2020 учебный год"
    assert find_row(ws, "Начало периода")[1].value == datetime(2019, 9, 1)
    assert find_row(ws, "Окончание периода")[1].value == datetime(2020, 8, 31)


def test_a_period_without_data_says_so():
    ws = workbook("tomsk-mkr", 2000)["Справка"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Нет данных за отчётный период") for t in texts)


# Tomsk


def test_tomsk_criterion_1(tomsk):
    ws = tomsk["Критерии"]
    _, title, label, target, actual, met, share, excess = find_row(ws, 1)[:8]
    assert label.value == "Новые резиденты за период"
    assert title.value == "Ежегодное пополнение регионального банка данных"
    assert (target.value, actual.value, met.value) == (75, 124, "да")
    assert share.value == pytest.approx(1.653)
    assert "%" in share.number_format
    assert excess.value == pytest.approx(0.653)
    assert "%" in excess.number_format
    assert isinstance(actual.value, int) and isinstance(share.value, float)


def test_tomsk_criterion_4_has_a_row_per_indicator_and_5_is_not_met(tomsk):
    ws = tomsk["Критерии"]
    criterion_4 = find_rows(ws, 4)
    assert [(r[3].value, r[4].value) for r in criterion_4] == [(10, 11), (650, 2457)]
    criterion_5 = find_row(ws, 5)
    assert (criterion_5[4].value, criterion_5[5].value) == (34, "нет")
    assert criterion_5[6].value == pytest.approx(0.68)
    assert criterion_5[7].value == pytest.approx(-0.32)


def test_tomsk_table_1_by_municipality(tomsk):
    ws = tomsk["Резиденты по муниципалитетам"]
    header = header_row(ws, "Муниципалитет")
    assert values(ws[header])[:3] == ["Муниципалитет", "Организаций с резидентами", "Резидентов"]
    assert values(ws[header + 1])[:3] == ["Александровский район", 0, 0]
    assert values(find_row(ws, "Молчановский район"))[:3] == ["Молчановский район", 0, 0]
    assert values(find_row(ws, "ЗАТО Северск"))[:3] == ["ЗАТО Северск", 15, 100]
    assert values(ws[header + 20])[:3] == ["г. Томск", 25, 115]
    total = find_row(ws, "Итого")
    assert values(total)[:3] == ["Итого", 69, 312]
    assert total[0].row == header + 21
    assert total[1].font.bold
    assert all(isinstance(v, int) for v in values(total)[1:3])


def test_tomsk_residents_summary(tomsk):
    ws = tomsk["Резиденты"]
    assert find_row(ws, "Резидент-школьник")[1].value == 312
    assert find_row(ws, "Резидентов всего (школьники и студенты)")[1].value == 463
    assert find_row(ws, "Новых резидентов за 2019 год")[1].value == 124


def test_tomsk_accredited_participants(tomsk):
    ws = tomsk["Аккредитованные мероприятия"]
    assert values(find_row(ws, "2019 год"))[:3] == ["2019 год", 2584, 5]
    change = find_row(ws, "2019 к 2018")[1]
    assert change.value == pytest.approx(0.036)
    assert "%" in change.number_format


def test_tomsk_coverage_counts_the_2017_forum_from_its_municipalities(tomsk):
    ws = tomsk["Территориальный охват"]
    forum = [r for r in rows(ws) if str(r[0].value).startswith("Открытый областной молодёжный форум")]
    assert [r[1].value for r in forum] == ["2017 год", "2018 год", "2019 год"]
    held, count, municipalities, other_regions = forum[0][2:6]
    assert held.value == "да"
    assert count.value == 5  # the hand-made document said 3
    assert isinstance(count.value, int)
    assert municipalities.value == "Асиновский район, Бакчарский район, Томский район, ЗАТО Северск, г. Томск"
    assert other_regions.value == "г. Бердск (Новосибирская область)"


def test_tomsk_coverage_assembly_was_not_held_in_2018(tomsk):
    ws = tomsk["Территориальный охват"]
    assembly = [r for r in rows(ws) if r[0].value == "Сибирская молодёжная Ассамблея «Профессии будущего»"]
    row_2018 = next(r for r in assembly if r[1].value == "2018 год")
    assert row_2018[2].value == "нет"
    assert row_2018[3].value == 0
    assert row_2018[6].value.startswith("Ассамблея не проводилась")


def test_tomsk_coverage_lists_municipalities_not_covered(tomsk):
    ws = tomsk["Территориальный охват"]
    header = header_row(ws, "Муниципалитеты без участников аккредитованных мероприятий, 2017–2019")
    listed = [ws.cell(header + n, 1).value for n in range(1, 5)]
    assert listed == ["Александровский район", "Молчановский район", "Тегульдетский район", "г. Кедровый"]
    assert ws.cell(header + 5, 1).value is None


def test_tomsk_satellite_events_totals_and_subtotals(tomsk):
    ws = tomsk["Мероприятия-спутники"]
    header = header_row(ws, "Мероприятие")
    assert values(ws[header])[2:4] == ["Участников, 2018", "Участников, 2019"]
    total = find_row(ws, "Итого")
    assert values(total)[2:5] == [2501, 2457, -44]
    assert total[5].value == pytest.approx(-0.018)
    project = find_row(ws, "Проектная и исследовательская деятельность")
    assert values(project)[1:4] == [1725, 1771, 46]
    assert project[4].value == pytest.approx(0.027)  # against 1725, not 1771 (the document said 2.5 %)
    assert project[4].value != pytest.approx(0.025)
    assert "%" in project[4].number_format
    debut = find_row(ws, "Открытая научно-практическая конференция обучающихся 7-11 классов «Исследовательский дебют»")
    assert values(debut)[2:5] == [150, 150, 0]


def test_tomsk_opportunities_partners_publications(tomsk):
    assert find_row(tomsk["Практики и стажировки"], "Итого резидентов (каждый учтён один раз)")[1].value == 34
    assert find_row(tomsk["Практики и стажировки"], "Практика")[1].value == 0
    assert find_row(tomsk["Партнёры"], "Организаций-партнёров на 31.12.2019")[1].value == 22
    assert find_row(tomsk["Публикации"], "В СМИ и на сайтах (без социальных сетей)")[1].value == 21


def test_tomsk_achievements_hide_names_without_consent(tomsk):
    ws = tomsk["Личные достижения"]
    unnamed = find_rows(ws, "не указывается (нет согласия)", column=2)
    assert len(unnamed) == 2
    first = find_row(ws, 1)
    assert first[1].value == "Егоров Павел Олегович"
    assert first[7].value == 3
    assert first[8].value == datetime(2019, 1, 25)
    assert first[8].number_format == "DD.MM.YYYY"


# Tula


def test_tula_cohort(tula):
    ws = tula["Участники и организации"]
    assert values(find_row(ws, "2019/2020 учебный год"))[:3] == ["2019/2020 учебный год", 52, 13]
    assert values(find_row(ws, "2018/2019 учебный год"))[:3] == ["2018/2019 учебный год", 41, 19]


def test_tula_teams_total(tula):
    ws = tula["Проектные команды"]
    assert values(find_row(ws, "«Tula Travel»"))[:3] == ["«Tula Travel»", 11, "Пономарёва Алёна Юрьевна"]
    assert find_row(ws, "Итого")[1].value == 52


def test_tula_ranking_shares_places(tula):
    ws = tula["Рейтинг организаций"]
    header = header_row(ws, "Место")
    ranked = [values(ws[header + n])[:3] for n in range(1, 5)]
    assert ranked == [
        [1, "МБОУ ЦО № 58 «Поколение будущего»", 11],
        [2, "МБОУ «Гуманитарно-математический лицей»", 8],
        [2, "МБОУ ЦО № 8", 8],
        [4, "МБОУ-лицей № 2", 5],
    ]
    assert find_row(ws, "Итого", column=2)[2].value == 52


def test_tula_diagnostics_total(tula):
    ws = tula["Прохождение диагностики"]
    assert find_row(ws, "МБОУ ЦО № 58 «Поколение будущего»")[1].value == 11
    assert find_row(ws, "Итого")[1].value == 52


def test_tula_activities_webinar(tula):
    ws = tula["Мероприятия участников"]
    webinar = find_row(ws, "Вебинар «Лайфхак wow-выступления!»", column=3)
    starts, ends, _title, pupils, teachers = webinar[:5]
    assert (pupils.value, teachers.value) == (45, 18)
    assert starts.value == ends.value == datetime(2020, 1, 20)
    assert starts.value.date() == date(2020, 1, 20)
    assert starts.number_format == "DD.MM.YYYY"


def test_tula_diagnostic_growth(tula):
    ws = tula["Прирост компетенций"]
    entry, final, growth = find_row(ws, "Критическое мышление")[1:4]
    assert (entry.value, final.value) == (pytest.approx(49.1), pytest.approx(59.3))
    assert growth.value == pytest.approx(10.2)
    assert all(isinstance(c.value, int | float) for c in (entry, final, growth))
