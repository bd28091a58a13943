"""The справка as people get it: the HTML page, the PDF and the JSON, with their figures."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from participants.models import Programme
from reports.services import build_report
from reports.trends import trends

pytestmark = pytest.mark.usefixtures("demo_data")
NBSP = "\u00a0"


def page_text(response) -> str:
    """The page as a reader sees it: charts (vector paths full of coordinates) left out."""
    html = re.sub(r"<svg.*?</svg>", "<svg/>", response.content.decode(), flags=re.DOTALL)
    return html.replace(NBSP, " ")


@pytest.mark.parametrize(
    "url",
    [
        "/reports/",
        "/reports/tomsk-mkr/2019/",
        "/reports/tomsk-mkr/2019/pdf/",
        "/reports/tomsk-mkr/2019/xlsx/",
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_index_lists_programmes_with_their_periods(coordinator_client):
    page = page_text(coordinator_client.get("/reports/"))
    assert "Молодёжный кадровый ресурс Томской области" in page
    assert "Кадры будущего для регионов" in page
    assert 'href="/reports/tomsk-mkr/2019/"' in page
    assert ">2019/2020</a>" in page
    assert 'href="/reports/tula-kadry/2019/pdf/"' in page


def test_tomsk_report_page_shows_the_tables_and_corrected_figures(coordinator_client):
    response = coordinator_client.get("/reports/tomsk-mkr/2019/")
    assert response.status_code == 200
    page = page_text(response)
    for expected in [
        "Аналитическая справка",
        "Таблица 1. Образовательные организации и обучающиеся-резиденты по муниципалитетам",
        "Таблица 2. Территориальный охват аккредитованных мероприятий, 2017–2019",
        "Таблица 3. Мероприятия-спутники",
        "165,3 %",
        "+65,3 %",
        "2 584 человека",
        "+3,6 % к 2018 году, +10,2 % к 2017 году",
        "+2,7 %",
        "2 457",
        "не принимали участие представители муниципалитетов (4)",
        "не указывается (нет согласия)",
    ]:
        assert expected in page, expected
    assert "<svg" in page
    assert "39,5" not in page and "2 439" not in page and "+2,5 %" not in page


def test_tula_report_page(coordinator_client):
    page = page_text(coordinator_client.get("/reports/tula-kadry/2019/"))
    for expected in [
        "за 2019/2020 учебный год",
        "Таблица 1. Проектные команды по количеству участников",
        "Таблица 2. Рейтинг образовательных организаций",
        "Таблица 3. Участники, прошедшие входную и итоговую диагностику",
        "52 участника",
        "«Tula Travel»",
        "Вебинар «Лайфхак wow-выступления!»",
    ]:
        assert expected in page, expected


def test_unknown_programme_or_period_is_a_russian_404(coordinator_client):
    for url in ("/reports/no-such-programme/2019/", "/reports/tomsk-mkr/1900/", "/reports/tomsk-mkr/1900/pdf/"):
        response = coordinator_client.get(url)
        assert response.status_code == 404
        assert "Страница не найдена" in response.content.decode()


def test_a_period_without_data_renders_zeros_and_says_so(coordinator_client):
    response = coordinator_client.get("/reports/tomsk-mkr/2031/")
    assert response.status_code == 200
    page = page_text(response)
    assert "За 2031 год в банке нет данных" in page
    assert "Итого" in page


def test_pdf_download_has_the_figures_page_numbers_and_an_embedded_cyrillic_font(coordinator_client):
    response = coordinator_client.get("/reports/tomsk-mkr/2019/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="spravka-tomsk-mkr-2019.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")
    for expected in ["АНАЛИТИЧЕСКАЯ СПРАВКА", "Таблица 1", "Итого", "312", "165,3 %", "2 584", "+2,7 %", "г. Кедровый"]:
        assert expected in text, expected
    assert f"Страница 1 из {len(reader.pages)}" in text
    assert len(reader.pages) >= 3
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        if "/BaseFont" in font.get_object()
        for font in [font.get_object()]
    }
    assert any("DejaVu" in name for name in fonts), fonts


def test_tula_pdf_has_its_tables(coordinator_client):
    response = coordinator_client.get("/reports/tula-kadry/2019/pdf/")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace(NBSP, " ")
    assert response["Content-Disposition"] == 'attachment; filename="spravka-tula-kadry-2019-2020.pdf"'
    for expected in ["Проектные команды", "«Tula Travel»", "МБОУ ЦО № 58 «Поколение будущего»", "Итого"]:
        assert expected in text, expected


def test_json_has_the_keys_other_systems_rely_on(coordinator_client):
    data = coordinator_client.get("/api/v1/reports/tomsk-mkr/2019/").json()
    first = data["criteria"][0]
    assert {k: first[k] for k in ("number", "target", "actual", "met", "percent_of_target")} == {
        "number": 1,
        "target": 75,
        "actual": 124,
        "met": True,
        "percent_of_target": 165.3,
    }
    table1 = data["residents_by_municipality"]
    assert table1["total"] == {"organizations": 69, "residents": 312}
    assert table1["rows"][0] == {"municipality": "Александровский район", "organizations": 0, "residents": 0}
    assert len(table1["without_residents"]) == 6
    coverage = data["territorial_coverage"]
    assert coverage["periods"] == [2017, 2018, 2019]
    assembly = coverage["series"][0]["periods"]
    assert assembly["2018"]["held"] is False
    assert set(assembly["2017"]) >= {"held", "municipalities", "count", "other_regions"}
    assert coverage["not_covered"] == [
        "Александровский район",
        "Молчановский район",
        "Тегульдетский район",
        "г. Кедровый",
    ]
    satellites = data["satellite_events"]
    assert satellites["total"]["previous"] == 2501 and satellites["total"]["current"] == 2457
    assert set(satellites["rows"][0]) >= {"name", "direction", "previous", "current"}

    tula = coordinator_client.get("/api/v1/reports/tula-kadry/2019/").json()
    assert (tula["participants"], tula["organizations"]) == (52, 13)
    assert tula["teams"]["rows"][0] == {
        "name": "«Прокачай себя»",
        "members": 5,
        "mentor": tula["teams"]["rows"][0]["mentor"],
    }
    assert tula["organizations_ranking"]["rows"][2] == {"place": 2, "organization": "МБОУ ЦО № 8", "participants": 8}
    assert tula["diagnostics_by_organization"]["participants"] == 52


def _count_queries(slug):
    programme = Programme.objects.get(slug=slug)
    with CaptureQueriesContext(connection) as queries:
        build_report(programme, 2019)
    return len(queries)


def test_report_query_count_is_the_same_for_ten_times_the_data(db):
    from reports.tests.scaling import multiply_demo_data

    before = {slug: _count_queries(slug) for slug in ("tomsk-mkr", "tula-kadry")}
    multiply_demo_data(times=10)
    after = {slug: _count_queries(slug) for slug in ("tomsk-mkr", "tula-kadry")}
    assert after == before
    # and the figures did grow: the report did not stop reading the new rows
    assert build_report(Programme.objects.get(slug="tomsk-mkr"), 2019).sections["residents"].residents == 463 * 10


# Trends over years (reports.trends): each programme's key figures per period, read from that period's
# справка, scoped like the справки (officials and superusers all programmes, coordinators their own).
TOMSK_TRENDS = "/reports/tomsk-mkr/trends/"
TULA_TRENDS = "/reports/tula-kadry/trends/"


def trends_text(response) -> str:
    """The page's words without its markup or charts."""
    return re.sub(r"<[^>]+>", " ", page_text(response))


def trend_cells(response, label: str) -> list[str]:
    """The cells of the table row headed `label`, as shown."""
    html = response.content.decode().replace("\u00a0", " ")
    row = re.search(rf"<tr>\s*<td>{re.escape(label)}</td>(.*?)</tr>", html, flags=re.DOTALL)
    assert row, f"no row «{label}»"
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), flags=re.DOTALL)]


def test_tomsk_trends_are_the_figures_of_each_years_spravka(db):
    programme = Programme.objects.get(slug="tomsk-mkr")
    result = trends(programme)
    assert result.period_labels == ["2017", "2018", "2019"]
    rows = {row.figure.key: row.values for row in result.rows}
    assert set(rows) == {"residents", "new_residents", "accredited", "satellite", "criteria"}
    for i, year in ((0, 2017), (2, 2019)):
        report = build_report(programme, year)
        assert rows["residents"][i] == report.sections["residents"].residents
        assert rows["new_residents"][i] == report.sections["residents"].new_residents
        assert rows["accredited"][i] == report.sections["accredited_participants"].participants
        assert rows["satellite"][i] == report.sections["satellite_events"].total.current
        evaluated = [c for c in report.sections["criteria"] if c.met is not None]
        assert rows["criteria"][i] == (sum(c.met for c in evaluated), len(evaluated))
    # The demo's figures, as the справка of 2019 prints them; no satellite event was recorded for 2017.
    assert rows["residents"][2] == 463 and rows["accredited"][2] == 2584 and rows["criteria"][2] == (5, 6)
    assert rows["satellite"][0] is None


def test_coordinator_reads_their_programmes_trends_as_a_table_and_a_chart(login):
    response = login("koordinator-tomsk").get(TOMSK_TRENDS)
    assert response.status_code == 200
    assert trend_cells(response, "Участники аккредитованных мероприятий") == ["2 345", "2 494", "2 584"]
    assert trend_cells(response, "Участники мероприятий-спутников")[0] == "нет данных"
    assert trend_cells(response, "Выполнено критериев") == ["2 из 3", "2 из 4", "5 из 6"]
    assert trend_cells(response, "Резиденты на начало периода")[2] == "463"
    assert "<svg" in response.content.decode()
    # each period links to its справка; years are not digit-grouped
    assert 'href="/reports/tomsk-mkr/2019/"' in response.content.decode()
    assert "2 019" not in trends_text(response)


def test_tula_trends_show_the_cohort_not_tomsks_residents(login):
    response = login("koordinator-tula").get(TULA_TRENDS)
    assert response.status_code == 200
    assert trend_cells(response, "Участники программы") == ["41", "52"]
    assert "Резиденты" not in trends_text(response)


@pytest.mark.parametrize(
    ("username", "url", "status"),
    [
        ("demo", TOMSK_TRENDS, 200),
        ("demo", TULA_TRENDS, 200),
        ("vlast", TOMSK_TRENDS, 200),  # officials read every programme's справки, so its trends
        ("vlast", TULA_TRENDS, 200),
        ("koordinator-tula", TOMSK_TRENDS, 404),  # another region's programme is as absent as an unknown one
        ("koordinator-tomsk", TULA_TRENDS, 404),
        ("shkola-29", TOMSK_TRENDS, 404),  # school staff read no справки
        ("koordinator-tomsk", "/reports/no-such-programme/trends/", 404),
    ],
)
def test_trends_are_scoped_like_the_spravki(login, username, url, status):
    response = login(username).get(url)
    assert response.status_code == status
    if status == 404:
        assert "463" not in trends_text(response) and "2 584" not in trends_text(response)


def test_anonymous_visitor_cannot_open_trends(client, db):
    response = client.get(TOMSK_TRENDS)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_official_sees_aggregate_figures_only(login):
    body = trends_text(login("vlast").get(TOMSK_TRENDS))
    assert "463" in body
    assert not re.search(r"\d{2}\.\d{2}\.\d{4}", body)  # no birth dates, no names of people


def test_index_and_spravka_link_to_the_trends(login):
    client = login("koordinator-tomsk")
    assert f'href="{TOMSK_TRENDS}"' in client.get("/reports/").content.decode()
    assert f'href="{TOMSK_TRENDS}"' in client.get("/reports/tomsk-mkr/2019/").content.decode()
    assert TULA_TRENDS not in client.get("/reports/").content.decode()


def test_trends_queries_are_a_fixed_number_per_period(login, django_assert_max_num_queries):
    client = login("koordinator-tomsk")
    client.get(TOMSK_TRENDS)  # the chart is drawn once and cached by its data
    # 3 periods × (residents 3, accredited 2, satellite 1, criteria 6–8) + the periods, session, user
    # and scope: a number per period, whatever the number of people and events (51 on the demo).
    with django_assert_max_num_queries(52):
        client.get(TOMSK_TRENDS)
