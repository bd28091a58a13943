"""The справка as a document: its text, approval, frozen versions, differences, and who sees which."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from participants.models import Membership, Programme
from reports import versions
from reports.models import PeriodReport, ReportVersion

pytestmark = pytest.mark.usefixtures("demo_data")
NBSP = "\u00a0"
BASE = "/reports/tomsk-mkr/2019/"


def text_of(response) -> str:
    html = re.sub(r"<svg.*?</svg>", "<svg/>", response.content.decode(), flags=re.DOTALL)
    return html.replace(NBSP, " ")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace(NBSP, " ")


@pytest.fixture
def tomsk(db):
    return Programme.objects.get(slug="tomsk-mkr")


@pytest.fixture
def written(tomsk):
    holder = versions.period_report(tomsk, 2019)
    holder.narrative = {
        "introduction": "Программа ведёт банк одарённой молодёжи.\n\nЦели:\n- найти\n- поддержать",
        "residents_by_municipality": 'Лидирует областной центр <script>alert(1)</script> и =HYPERLINK("x").',
        "problems": "Мало заявок из сёл.",
        "tasks": "- Расширить охват\n- Провести школы",
        "recommendations": "Руководителям школ: назначить ответственных.",
    }
    holder.save()
    return holder


def test_the_text_prints_in_its_place_in_html_pdf_and_excel_escaped(login, written):
    client = login("koordinator-tomsk")
    page = text_of(client.get(BASE))
    introduction = page.index("Программа ведёт банк одарённой молодёжи.")
    commentary = page.index("Лидирует областной центр")
    assert page.index("Таблица 1") < commentary < page.index("Проблемы") < page.index("Задачи на следующий период")
    assert introduction < page.index("Таблица 1")
    assert "<li>найти</li>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "Черновик" in page

    pdf = pdf_text(client.get(BASE + "pdf/").content)
    assert "Мало заявок из сёл." in pdf and "Руководителям школ" in pdf
    assert "ЧЕРНОВИК" in pdf

    workbook = load_workbook(io.BytesIO(client.get(BASE + "xlsx/").content))
    sheet = workbook["Текст"]
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "– Расширить охват" in cells
    formula = next(c for c in cells if "HYPERLINK" in str(c))
    assert formula.startswith("Лидирует")  # text, never a formula
    title = workbook["Справка"]
    status = next(row[1].value for row in title.iter_rows() if row[0].value == "Статус")
    assert status.startswith("Черновик")


def test_the_introduction_falls_back_to_the_programme_description(login, tomsk):
    PeriodReport.objects.filter(programme=tomsk).update(narrative={})
    tomsk.description = "Описание программы: цели, оператор, пользователи."
    tomsk.save()
    page = text_of(login("koordinator-tomsk").get(BASE))
    assert "Описание программы: цели, оператор, пользователи." in page


def test_approve_change_a_record_see_the_difference_and_approve_version_two(login, written, tomsk, users):
    client = login("koordinator-tomsk")
    confirm = client.get(BASE + "approve/")
    assert confirm.status_code == 200
    assert "как версию 1" in text_of(confirm)
    response = client.post(BASE + "approve/")
    assert response.status_code == 302
    first = ReportVersion.objects.get(report=written)
    assert first.number == 1 and first.approved_by == users["koordinator-tomsk"]
    assert len(first.digest) == 64 and first.changes == []
    assert bytes(first.pdf).startswith(b"%PDF") and bytes(first.xlsx).startswith(b"PK")
    assert "Черновик" not in first.html and "версия 1" in first.html
    assert "Лидирует областной центр" in first.html

    page = text_of(client.get(BASE))
    assert "Данные не изменились" in page

    # A correction after approval: a resident pupil included in 2019 turns out to be a mistake.
    Membership.objects.filter(programme=tomsk, included_on__year=2019, category="school").first().delete()
    page = text_of(client.get(BASE))
    assert "Отличия от утверждённой версии 1" in page
    listed = page.split("Отличия от утверждённой версии 1")[1].split("Утверждённые версии")[0]
    assert "Резиденты банка" in listed and ">463<" in listed and ">462<" in listed

    client.post(BASE + "approve/")
    second = ReportVersion.objects.get(report=written, number=2)
    assert second.changes, "version 2 records what changed since version 1"
    assert first.digest != second.digest

    compare = text_of(client.get(BASE + "compare/?a=1&b=2"))
    assert "версия 1 и версия 2" in compare
    assert "Резиденты банка" in compare

    # The official reads version 2 and can open version 1; both files come from storage.
    official = login("vlast")
    page = text_of(official.get(BASE))
    assert "Версия 2" in page and "Черновик: справка не утверждена" not in page
    old = official.get(BASE + "v1/pdf/")
    assert old.status_code == 200 and old.content == bytes(first.pdf)
    assert official.get(BASE + "pdf/").content == bytes(second.pdf)
    assert official.get(BASE + "xlsx/").content == bytes(second.xlsx)


def test_an_approved_file_is_served_without_computing_the_report(login, written, tomsk, users, monkeypatch):
    versions.approve(tomsk, 2019, users["koordinator-tomsk"])
    official = login("vlast")
    official.get(BASE + "pdf/")  # session and permissions warm

    def no_computation(*args, **kwargs):
        raise AssertionError("an approved справка is not computed again")

    monkeypatch.setattr("reports.views.build_report", no_computation)
    with CaptureQueriesContext(connection) as queries:
        pdf = official.get(BASE + "pdf/")
        page = official.get(BASE)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert page.status_code == 200
    assert len(queries) <= 30, [q["sql"] for q in queries]


def test_an_official_sees_a_draft_marked_on_every_page_where_nothing_is_approved(login):
    official = login("vlast")
    page = text_of(official.get(BASE))
    assert "Черновик: справка не утверждена" in page
    reader = PdfReader(io.BytesIO(official.get(BASE + "pdf/").content))
    assert all("ЧЕРНОВИК" in page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("username", ["vlast", "koordinator-tula", "shkola-29"])
def test_only_the_programmes_coordinators_approve_and_edit(login, username, written):
    client = login(username)
    assert client.post(BASE + "approve/").status_code == 404
    assert client.get(BASE + "approve/").status_code == 404
    assert not ReportVersion.objects.exists()
    edit = client.get("/admin/reports/periodreport/edit/tomsk-mkr/2019/")
    assert edit.status_code in (302, 403, 404)
    assert client.get(f"/admin/reports/periodreport/{written.pk}/change/").status_code in (302, 403, 404)


def test_a_coordinator_writes_the_text_in_the_admin_and_accepts_a_draft(login, tomsk):
    client = login("koordinator-tomsk")
    # A year no period can have is refused as the справка's own page refuses it, and makes nothing.
    assert client.get("/admin/reports/periodreport/edit/tomsk-mkr/1999/").status_code == 404
    assert not PeriodReport.objects.filter(period=1999).exists()
    edit = client.get("/admin/reports/periodreport/edit/tomsk-mkr/2019/")
    assert edit.status_code == 302
    holder = PeriodReport.objects.get(programme=tomsk, period=2019)
    url = f"/admin/reports/periodreport/{holder.pk}/change/"
    form = client.get(url)
    page = form.content.decode()
    assert "Введение" in page and "Комментарий к разделу" in page and "Рекомендации" in page
    assert "Черновик по данным справки" in page
    drafts = form.context["adminform"].form.drafts
    assert drafts, "the figures give at least one draft"
    key = next(iter(drafts))
    data = {f"part__{p}": "" for p in ("introduction", "problems", "tasks", "recommendations")}
    data["part__problems"] = "Охват сёл недостаточен."
    data[f"accept__{key}"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    holder.refresh_from_db()
    assert holder.narrative["problems"] == "Охват сёл недостаточен."
    assert holder.narrative[key] == drafts[key]
    assert holder.history.count() >= 2


def test_a_number_in_the_text_that_matches_no_figure_is_flagged(login, written, tomsk):
    written.narrative = {**written.narrative, "problems": "В банке 987 654 резидента."}
    written.save()
    page = text_of(login("koordinator-tomsk").get(BASE + "approve/"))
    assert "987 654" in page.split("Числа в тексте, которых нет в таблицах справки")[1]


@pytest.mark.parametrize("slug, year", [("tomsk-mkr", 2019), ("tula-kadry", 2019)])
def test_the_demo_справка_prints_every_block_of_its_text_in_order(login, slug, year):
    """Each prose part of the source document has its counterpart, in the source's order."""
    from reports import narrative as prose

    programme = Programme.objects.get(slug=slug)
    blocks = prose.blocks(programme, PeriodReport.objects.get(programme=programme, period=year).narrative)
    assert {"introduction", "conclusions"} <= set(blocks)
    pdf = " ".join(pdf_text(login("demo").get(f"/reports/{slug}/{year}/pdf/").content).split())
    positions = []
    for part in prose.parts(programme):
        if part.key in blocks:
            first_words = " ".join(prose.to_lines(blocks[part.key])[0].split()[:5])
            assert first_words in pdf, (part.key, first_words)
            positions.append(pdf.index(first_words))
    assert positions == sorted(positions)


@pytest.mark.parametrize("slug, year", [("tomsk-mkr", 2019), ("tula-kadry", 2019)])
def test_the_frame_issuer_title_signer_and_demo_mark_on_every_page(login, slug, year):
    programme = Programme.objects.get(slug=slug)
    programme.signer_name = "И. И. Иванова"
    programme.save()
    reader = PdfReader(io.BytesIO(login("demo").get(f"/reports/{slug}/{year}/pdf/").content))
    pages = [" ".join(page.extract_text().replace(NBSP, " ").split()) for page in reader.pages]
    assert all("Демонстрационные данные" in page for page in pages)
    first = pages[0]
    if slug == "tomsk-mkr":
        assert "об итогах реализации регионального проекта «Молодёжный кадровый ресурс Томской области»" in first
    else:
        assert "об итогах реализации инициативы «Кадры будущего для регионов»" in first
        assert first.index("Региональный модельный центр") < first.index("АНАЛИТИЧЕСКАЯ СПРАВКА")
    assert "И. И. Иванова" in pages[-1]
    # No page holds only the signature: the last page also carries the end of the text before it.
    signature_at = pages[-1].index("Все показатели вычислены автоматически")
    assert len(pages[-1][:signature_at].strip()) > 200, pages[-1][:300]
    assert "Таблица 1" in " ".join(pages) and ("Рисунок 1" in " ".join(pages))


def test_the_period_overrides_the_programmes_frame(login, tomsk):
    holder = versions.period_report(tomsk, 2019)
    holder.signer_position = "Заместитель директора"
    holder.executor = "Петрова А. С., +7 3822 11-22-33"
    holder.save()
    page = text_of(login("koordinator-tomsk").get(BASE))
    assert "Заместитель директора" in page and "Исполнитель: Петрова А. С., +7 3822 11-22-33" in page
    assert "Директор ОГБУ" not in page.split("signature")[-1]
