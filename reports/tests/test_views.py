"""The справка as people get it: the HTML page, the PDF and the JSON, with their figures."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from participants.models import Programme
from reports.services import build_report

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
