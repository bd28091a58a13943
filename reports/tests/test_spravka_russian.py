"""The demo справки read as Russian: the slips a reader found are gone from the page, the PDF and
the workbook, and no year is printed digit-grouped («2 017»)."""

import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from participants.models import Diagnostic, Instrument, Membership, Programme, Stage
from reports.exporters import report_workbook
from reports.pdf import render_report
from reports.services import build_report

pytestmark = pytest.mark.usefixtures("demo_data", "db")

NBSP = "\u00a0"
# A year written with a thousands separator: «2 017», «2\xa0019», «2\u202f020».
GROUPED_YEAR = re.compile(r"(?<![\d\s\u00a0\u202f])2[ \u00a0\u202f]0[0-3]\d(?!\d)")


def page_text(response) -> str:
    html = re.sub(r"<svg.*?</svg>", "<svg/>", response.content.decode(), flags=re.DOTALL)
    html = re.sub(r'<img class="chart-image"[^>]*>', "", html)
    return re.sub(r"<[^>]+>", " ", html).replace(NBSP, " ")


def spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(NBSP, " "))


def report(slug: str, year: int = 2019):
    return build_report(Programme.objects.get(slug=slug), year)


def pdf_text(slug: str, year: int = 2019) -> str:
    reader = PdfReader(io.BytesIO(render_report(report(slug, year))))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def coordinator_page(login):
    def page(slug: str, year: int = 2019) -> str:
        username = "koordinator-tomsk" if slug == "tomsk-mkr" else "koordinator-tula"
        response = login(username).get(f"/reports/{slug}/{year}/")
        assert response.status_code == 200
        return page_text(response)

    return page


@pytest.mark.parametrize(("slug", "year"), [("tomsk-mkr", 2019), ("tula-kadry", 2019), ("tula-kadry", 2018)])
def test_no_year_is_digit_grouped_on_the_page(coordinator_page, slug, year):
    text = coordinator_page(slug, year)
    assert GROUPED_YEAR.findall(text) == []
    assert str(year) in text


@pytest.mark.parametrize("slug", ["tomsk-mkr", "tula-kadry"])
def test_no_year_is_digit_grouped_in_the_pdf(slug):
    text = pdf_text(slug)
    assert GROUPED_YEAR.findall(text) == []
    assert "2019" in text


@pytest.mark.parametrize("slug", ["tomsk-mkr", "tula-kadry"])
def test_no_year_is_digit_grouped_in_the_workbook(slug):
    wb = openpyxl.load_workbook(io.BytesIO(report_workbook(report(slug))))
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not GROUPED_YEAR.search(cell.value), (ws.title, cell.coordinate, cell.value)
                elif isinstance(cell.value, int) and 2000 <= cell.value <= 2100:
                    assert "," not in cell.number_format, (ws.title, cell.coordinate)


def test_the_admin_lists_periods_as_years(login):
    client = login("demo")
    for url in ("/admin/participants/criteriontarget/", "/admin/events/edition/", "/admin/participants/projectteam/"):
        text = page_text(client.get(url))
        assert "2019" in text, url
        assert GROUPED_YEAR.findall(text) == [], url


# The slips a reader noticed


def test_regression_u_52_uchastnikov_not_uchastnika(coordinator_page):
    text = coordinator_page("tula-kadry")
    assert "у 52 участников, прошедших входную и итоговую диагностику" in text
    assert "у 52 участника" not in text


def test_regression_0_iz_41_uchastnika_not_uchastnikov(tula_2018_with_entry_diagnostics):
    conclusions = " ".join(report("tula-kadry", 2018).sections["conclusions"]).replace(NBSP, " ")
    assert "Входную и итоговую диагностику прошли 0 из 41 участника." in conclusions
    assert "из 41 участников" not in conclusions


def test_regression_52_iz_52_uchastnikov():
    conclusions = " ".join(report("tula-kadry").sections["conclusions"]).replace(NBSP, " ")
    assert "Входную и итоговую диагностику прошли 52 из 52 участников." in conclusions


@pytest.fixture
def tula_2018_with_entry_diagnostics():
    """The 2018/2019 cohort with one entry diagnostic recorded and nobody through the final one: a
    recorded zero, not missing data."""
    programme = Programme.objects.get(slug="tula-kadry")
    member = Membership.objects.filter(programme=programme).order_by("included_on", "pk").first()
    Diagnostic.objects.create(
        participant=member.participant,
        programme=programme,
        period=2018,
        instrument=Instrument.objects.first(),
        stage=Stage.ENTRY,
    )


def test_regression_categories_are_not_parts_of_the_residents_total(coordinator_page):
    text = spaced(coordinator_page("tomsk-mkr"))
    assert (
        "в банке 463 резидента: 312 резидентов-школьников и 151 резидент-студент. "
        "Кроме резидентов, в банке 77 потенциальных резидентов и 30 партнёров; в число резидентов они не входят."
    ) in text
    assert "потенциальный резидент — 77" not in text
    assert "партнёр — 30" not in text


def test_regression_the_workbook_keeps_non_residents_out_of_the_residents_total():
    wb = openpyxl.load_workbook(io.BytesIO(report_workbook(report("tomsk-mkr"))))
    labels = [row[0].value for row in wb["Резиденты"].iter_rows()]
    total = labels.index("Резидентов всего (школьники и студенты)")
    apart = labels.index("Кроме того, в банке (не резиденты)")
    assert labels.index("Резидент-школьник") < total < apart < labels.index("Потенциальный резидент")
    assert labels.index("Партнёр") > apart


def test_regression_growth_in_points_agrees():
    conclusions = " ".join(report("tula-kadry").sections["conclusions"]).replace(NBSP, " ")
    assert re.search(r"Наибольший средний прирост — «[^»]+» \(\+\d+,\d балла\)", conclusions)
    assert "+-" not in conclusions


def test_organisations_in_the_prepositional(coordinator_page):
    assert "Резиденты-школьники обучаются в 69 организациях муниципалитетов (14)" in coordinator_page("tomsk-mkr")


def test_achievements_counted_people_in_the_genitive(coordinator_page):
    assert "Личных достижений участников программы: 12, у 10 человек." in coordinator_page("tomsk-mkr")


def test_the_pdf_reads_the_same_corrected_russian():
    text = spaced(pdf_text("tula-kadry"))
    assert "у 52 участников" in text
    assert "в программе 52 участника из 13 образовательных организаций" in text
    assert "41 участник из 19 образовательных организаций" in text
