"""Missing is not zero: where nothing of a kind was recorded for the period, the справка says «нет
данных» (page, PDF, workbook) and the criterion is neither met nor missed; a criterion without a
target says «цель не задана» (with a link to set it for those who may); an empty table is left out
with one line saying what was not recorded."""

import io
import re

import openpyxl
import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from events.models import Edition, OutletKind, Publication, SeriesKind
from participants.models import Criterion, CriterionTarget, Metric, Programme
from reports.exporters import report_workbook
from reports.pdf import render_report
from reports.rendering import document_context
from reports.services import build_report
from reports.services import criteria as c

pytestmark = pytest.mark.usefixtures("demo_data", "db")

NBSP = "\u00a0"


def text_of(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html).replace(NBSP, " "))


def report(slug: str = "tomsk-mkr", year: int = 2019):
    return build_report(Programme.objects.get(slug=slug), year)


def workbook(slug: str = "tomsk-mkr", year: int = 2019):
    return openpyxl.load_workbook(io.BytesIO(report_workbook(report(slug, year))))


def criterion(result, number: int):
    return next(r for r in result.sections["criteria"] if r.number == number)


def sheet_text(ws) -> list[str]:
    return [cell.value for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]


@pytest.fixture
def tomsk():
    return Programme.objects.get(slug="tomsk-mkr")


@pytest.fixture
def no_publications(tomsk):
    Publication.objects.filter(programme=tomsk).delete()


def test_no_publication_recorded_is_no_data_and_criterion_6_is_not_assessed(no_publications, login):
    result = report()
    assert result.sections["publications"].media is None
    sixth = criterion(result, 6)
    assert (sixth.status, sixth.met, sixth.actual) == (c.NO_DATA, None, None)
    assert sixth.indicators[0].shortfall is None
    conclusions = " ".join(result.sections["conclusions"]).replace(NBSP, " ")
    assert (
        "Критерий 6 «Наличие публикаций в СМИ, на сайтах организаций-партнёров о совместной деятельности» не оценён: нет данных"
        in conclusions
    )
    assert "Выполнено критериев: 4 из 5. Не выполнен критерий 5. По критерию 6 нет данных." in conclusions

    page = text_of(login("koordinator-tomsk").get("/reports/tomsk-mkr/2019/").content.decode())
    row = re.search(r"6 Наличие публикаций.*?(?= Процент выполнения)", page).group(0)
    assert "нет данных" in row and "не выполнен" not in row and "выполнен" not in row.replace("нет данных", "")
    assert "За 2019 год публикаций не зарегистрировано." in page


def test_no_publication_recorded_in_the_workbook_is_the_text_not_0(no_publications):
    wb = workbook()
    row = next(r for r in wb["Критерии"].iter_rows() if r[0].value == 6)
    assert [cell.value for cell in row[4:6]] == ["нет данных", "нет данных"]
    assert "За 2019 год публикаций не зарегистрировано." in sheet_text(wb["Публикации"])
    assert "Нет данных (не оценены): 6." in sheet_text(wb["Критерии"])


def test_a_recorded_zero_is_a_zero_and_misses_the_target(tomsk):
    """Only social network posts: media publications were recorded as none, criterion 6 is missed."""
    Publication.objects.filter(programme=tomsk).exclude(outlet_kind=OutletKind.SOCIAL_NETWORK).delete()
    result = report()
    assert result.sections["publications"].media == 0
    sixth = criterion(result, 6)
    assert (sixth.status, sixth.met, sixth.actual, sixth.indicators[0].shortfall) == (c.MISSED, False, 0, 5)


def test_no_satellite_edition_in_the_period_is_no_data(tomsk):
    Edition.objects.filter(series__programme=tomsk, series__kind=SeriesKind.SATELLITE, period=2019).delete()
    result = report()
    satellites = result.sections["satellite_events"]
    assert (satellites.held, satellites.total.current, satellites.total.previous) == (None, None, 2501)
    fourth = criterion(result, 4)
    assert fourth.status == c.NO_DATA
    assert [i.met for i in fourth.indicators] == [None, None]
    assert "Мероприятия-спутники за 2019 год: нет данных." in result.sections["conclusions"]
    html = text_of(render_to_string("reports/report_pdf.html", document_context(result)))
    assert "Мероприятий-спутников, проведённых в 2019 году: нет данных" in html
    qualifier = workbook()["Мероприятия-спутники"]["A3"].value
    assert qualifier == "Проведено мероприятий-спутников за 2019 год: нет данных"


def test_a_period_with_nothing_recorded_has_no_data_not_zeros(tomsk):
    criterion_1 = Criterion.objects.get(programme=tomsk, number=1)
    CriterionTarget.objects.create(criterion=criterion_1, period=2020, metric=Metric.NEW_RESIDENTS, value=75)
    result = report(year=2020)
    assert result.sections["residents"].new_residents is None
    assert result.sections["accredited_participants"].periods[-1].participants is None
    assert result.sections["accredited_participants"].periods[-1].editions is None
    assert result.sections["opportunities"].residents is None
    first = criterion(result, 1)
    assert (first.status, first.met, first.actual) == (c.NO_DATA, None, None)
    assert "не выполнен" not in " ".join(result.sections["conclusions"])


# «цель не задана»


@pytest.fixture
def criterion_3_without_target(tomsk):
    third = Criterion.objects.get(programme=tomsk, number=3)
    CriterionTarget.objects.filter(criterion=third, period=2019).delete()
    return third


def test_a_criterion_without_target_links_coordinators_to_the_prefilled_admin_form(criterion_3_without_target, login):
    client = login("koordinator-tomsk")
    html = client.get("/reports/tomsk-mkr/2019/").content.decode()
    link = f"/admin/participants/criteriontarget/add/?criterion={criterion_3_without_target.pk}&amp;period=2019"
    assert f'<a href="{link}">задать цель на 2019 год</a>' in html
    assert "цель не задана" in html

    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200
    page = form.content.decode()
    assert re.search(r'<input[^>]*name="period"[^>]*value="2019"', page)
    assert re.search(rf'<option value="{criterion_3_without_target.pk}" selected>', page)


def test_an_official_sees_the_missing_target_without_a_link(criterion_3_without_target, login):
    html = login("vlast").get("/reports/tomsk-mkr/2019/").content.decode()
    assert "цель не задана" in html
    assert "criteriontarget/add" not in html


def test_the_pdf_and_the_workbook_say_the_target_is_not_set(criterion_3_without_target):
    result = report()
    assert criterion(result, 3).status == c.NO_TARGET
    html = render_to_string("reports/report_pdf.html", document_context(result, raster_charts=True))
    assert "цель не задана" in html and "criteriontarget/add" not in html
    row = next(r for r in workbook()["Критерии"].iter_rows() if r[0].value == 3)
    assert row[2].value == "цель не задана"
    assert "Цель на 2019 год не задана для критерия 3." in result.sections["conclusions"]


# Empty tables


def test_an_empty_table_is_left_out_with_one_line_and_the_tables_keep_their_numbers(login):
    page = text_of(login("koordinator-tula").get("/reports/tula-kadry/2018/").content.decode())
    assert "За 2018/2019 учебный год проектных команд не зарегистрировано." in page
    assert "Проектные команды по количеству участников" not in page
    assert "Таблица 1. Рейтинг образовательных организаций" in page
    assert "За 2018/2019 учебный год участников, прошедших входную и итоговую диагностику, не зарегистрировано." in page
    assert "Итого 0" not in page
    assert "в 2017/2018 учебном году — нет данных" in page


def test_an_empty_table_in_the_workbook_is_one_line():
    wb = workbook("tula-kadry", 2018)
    lines = sheet_text(wb["Проектные команды"])
    assert "За 2018/2019 учебный год проектных команд не зарегистрировано." in lines
    assert "Команда" not in lines and "нет данных" not in lines
    cohort = wb["Участники и организации"]
    assert [cell.value for cell in next(r for r in cohort.iter_rows() if r[0].value == "2017/2018 учебный год")][
        1:3
    ] == [
        "нет данных",
        "нет данных",
    ]


def test_an_empty_table_in_the_pdf_is_one_line():
    pdf = render_report(report("tula-kadry", 2018))
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "проектных команд не зарегистрировано" in text.replace(NBSP, " ")
