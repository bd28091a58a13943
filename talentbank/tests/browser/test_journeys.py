"""Journeys through a real browser: a coordinator, school staff, an official, and a phone.

Each logs in through the login form with a demo account and does what that person does; the
superuser and the coordinators then type the one-time code their authenticator app would show
(computed from their demo device's key). The end state of each journey is saved as a full-page
screenshot in artefacts/browser/.
"""

import io
import re
from pathlib import Path

import openpyxl
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from audit.models import AuditEvent
from participants.models import Participant

PASSWORD = "demo"
TOMSK_2019 = "/reports/tomsk-mkr/2019/"
SCHOOL = "МАОУ гимназия № 29 г. Томска"
# A справка in PDF takes seconds to render, more on a busy machine.
DOWNLOAD_TIMEOUT_MS = 90_000
ARTEFACTS = Path(__file__).resolve().parents[3] / "artefacts" / "browser"


def normalise(text: str) -> str:
    """Text as compared in tests: no-break and thin spaces as spaces, runs of space collapsed."""
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


CODE_PAGE = "/accounts/otp/verify/"


def app_code(username: str) -> str:
    """What the user's authenticator app shows now: TOTP from their confirmed device's key."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def log_in_with_password(page, username: str, url: str = "/accounts/login/"):
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not log in: {page.inner_text('body')}"


def log_in(page, username: str):
    """Through the real login form, as a person does, and the one-time code when asked for it."""
    log_in_with_password(page, username)
    if CODE_PAGE in page.url:
        page.fill("#id_code", app_code(username))
        page.get_by_role("button", name="Подтвердить").click()
        page.wait_for_load_state()
    assert "/accounts/" not in page.url, f"{username} could not log in: {page.inner_text('body')}"


def screenshot(page, name: str):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def text_of(page, selector: str = "body") -> str:
    return normalise(page.inner_text(selector))


def download(page, link) -> tuple[str, bytes]:
    """Click a download link; the file's suggested name and its bytes."""
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as info:
        link.click(timeout=DOWNLOAD_TIMEOUT_MS)
    done = info.value
    with open(done.path(), "rb") as handle:
        return done.suggested_filename, handle.read()


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-"), content[:40]
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(p.extract_text() for p in pages).split())


def pick(page, select_id: str, search: str, option: str):
    """Choose in a Django admin autocomplete (select2) widget: open it, type, click the option."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.locator(".select2-container--open .select2-results__option", has_text=option).first.click()
    assert option in page.inner_text(f"#select2-{select_id}-container")


def accredited_figures(page) -> tuple[str, str]:
    """From the справка page: (participants of accredited events in 2019, editions held in 2019)."""
    row = page.locator("#accredited_participants table tbody tr", has_text="2019")
    cells = row.locator("td").all_inner_texts()
    return normalise(cells[2]), normalise(cells[1])


def test_coordinator_adds_an_accredited_edition_and_finds_it_in_the_spravka(page):
    log_in(page, "koordinator-tomsk")
    page.goto("/admin/events/edition/")
    page.click(".object-tools a.addlink")
    pick(page, "id_series", "гражданин России", "Областной этап Всероссийской акции «Я – гражданин России»")
    page.fill("#id_title", "Осенняя сессия областного этапа акции «Я – гражданин России»")
    page.fill("#id_period", "2019")
    page.fill("#id_starts_on", "17.10.2019")
    page.fill("#id_ends_on", "18.10.2019")
    page.fill("#id_venue", "г. Томск")
    page.fill("#id_headcount_pupils", "100")
    page.fill("#id_headcount_teachers", "10")
    page.fill("#id_headcount_experts", "7")
    for index, municipality in enumerate(["Александровский район", "Колпашевский район"]):
        page.click("#coverage-group .add-row a")
        pick(page, f"id_coverage-{index}-municipality", municipality.split()[0], municipality)
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert "/admin/events/edition/" in page.url and "/add/" not in page.url, text_of(page, "#content")
    assert "Осенняя сессия" in text_of(page, "ul.messagelist")

    page.goto("/reports/")
    page.locator("section.programme-card", has_text="Молодёжный кадровый ресурс").get_by_role(
        "link", name="2019", exact=True
    ).click()
    page.wait_for_load_state()
    assert page.url.endswith(TOMSK_2019)
    # The demo data's 2019 has 2 584 participants in 5 accredited editions (reports/tests check
    # it); the new edition adds 117 (100 pupils, 10 teachers, 7 experts) and one edition.
    assert accredited_figures(page) == ("2 701", "6")
    year_2019 = page.locator("#territorial_coverage tbody").filter(
        has=page.locator("tr.group th", has_text=re.compile(r"^2019 год$"))
    )
    coverage = year_2019.locator("tr", has_text="«Я – гражданин России»")
    assert "Александровский район" in coverage.inner_text() and "Колпашевский район" in coverage.inner_text()
    assert normalise(coverage.locator("td").last.inner_text()) == "10"  # 8 municipalities before, 2 added
    # Александровский район took part in nothing before: no longer listed as never covered.
    assert "Молчановский район" in text_of(page, "#territorial_coverage p:last-of-type")
    assert "Александровский район" not in text_of(page, "#territorial_coverage p:last-of-type")

    name, content = download(page, page.get_by_role("link", name="Скачать PDF"))
    assert name == "spravka-tomsk-mkr-2019.pdf"
    text = pdf_text(content)
    assert "принял участие 2 701 человек" in text, text[:2000]  # 2 701: «принял», as after 1
    # The computed sentence has the new figure; the coordinator's text still quotes the old one,
    # which the approval page flags as matching no figure.
    assert text.count("2 584") == text.count("В них приняли участие 2 584")
    screenshot(page, "coordinator")


def test_coordinator_logs_in_with_a_code(page):
    """The admin's login page, the password, then the code page: nothing else opens until the code is
    right; a wrong code is refused and logged; the header links to the code settings."""
    log_in_with_password(page, "koordinator-tomsk", "/admin/login/?next=/admin/")
    assert CODE_PAGE in page.url
    shown = text_of(page)
    assert "Подтверждение входа" in shown and "шестизначный код" in shown
    screenshot(page, "code-page")
    for url in ["/admin/participants/participant/", TOMSK_2019]:
        page.goto(url)
        assert CODE_PAGE in page.url, url
    response = page.goto("/api/v1/participants/")
    assert response.status == 403
    assert "Вход не подтверждён одноразовым кодом" in response.json()["detail"]

    page.goto("/admin/")
    right = app_code("koordinator-tomsk")
    page.fill("#id_code", f"{(int(right) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_load_state()
    assert "Неверный код" in text_of(page)
    assert AuditEvent.objects.filter(username="koordinator-tomsk", action="otp_failed").count() == 1
    # django-otp makes the next try wait a second after a wrong code
    page.wait_for_timeout(1_500)
    page.fill("#id_code", app_code("koordinator-tomsk"))
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/"), page.url
    assert "Региональный банк одарённых" in text_of(page)
    page.locator("#user-tools").get_by_role("link", name="Вход с кодом").click()
    page.wait_for_load_state()
    assert "Осталось резервных кодов: 0." in text_of(page)
    page.get_by_role("button", name="Создать новые резервные коды").click()
    page.wait_for_load_state()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "coordinator-code")


def participant_workbook(template: bytes, rows: list[dict]) -> bytes:
    """A workbook laid out as the downloaded template: its sheet, its header row, rows under it."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(column) for column in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pupil(last_name: str, **changes) -> dict:
    return {
        "Фамилия": last_name,
        "Имя": "Варвара",
        "Отчество": "Игоревна",
        "Дата рождения": "14.03.2008",
        "Пол": "Ж",
        "Образовательная организация": SCHOOL,
        "Класс/курс": 10,
        "Согласие на обработку ПДн": "да",
        "Дата согласия": "02.09.2019",
        **changes,
    }


def upload_workbook(page, content: bytes, filename: str):
    page.select_option("#id_programme", label="МКР")
    page.set_input_files(
        "#id_file",
        files=[{"name": filename, "mimeType": "application/octet-stream", "buffer": content}],
    )
    page.click("input[type=submit][value='Проверить файл']")
    page.wait_for_load_state()


def test_school_staff_import_pupils_from_the_template_and_cannot_open_another_schools_pupil(page):
    log_in(page, "shkola-29")
    page.goto("/admin/participants/participant/")
    page.get_by_role("link", name="Загрузить из Excel").click()
    name, template = download(page, page.get_by_role("link", name="Скачать шаблон"))
    assert name.endswith(".xlsx")
    good, bad_date, bad_grade = "Ясногорская", "Верхоглядова", "Облепихина"

    bad = participant_workbook(
        template,
        [pupil(good), pupil(bad_date, **{"Дата рождения": "31.02.2008"}), pupil(bad_grade, **{"Класс/курс": 14})],
    )
    upload_workbook(page, bad, "ученики.xlsx")
    assert "Ошибок в файле: 2. Ничего не сохранено." in text_of(page, "#content")
    errors = [normalise(t).split("\t") for t in page.locator("#import-errors tbody tr").all_inner_texts()]
    assert [(row[0], row[1]) for row in errors] == [("3", "Дата рождения"), ("4", "Класс/курс")], errors
    screenshot(page, "school-errors")

    page.get_by_role("link", name="Загрузить исправленный файл").click()
    fixed = participant_workbook(
        template,
        [pupil(good), pupil(bad_date, **{"Дата рождения": "28.02.2008"}), pupil(bad_grade, **{"Класс/курс": 11})],
    )
    upload_workbook(page, fixed, "ученики-исправлено.xlsx")
    assert "Будет создано: 3, обновлено: 0, без изменений: 0." in text_of(page, "#content")
    page.click("input[type=submit][value='Сохранить']")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/participants/participant/")
    assert "создано 3, обновлено 0, без изменений 0" in text_of(page, "ul.messagelist")
    page.fill("#searchbar", "Игоревна")
    page.press("#searchbar", "Enter")
    page.wait_for_load_state()
    listed = text_of(page, "#result_list")
    for surname in (good, bad_date, bad_grade):
        assert surname in listed
    screenshot(page, "school")

    other = Participant.objects.exclude(organisation__name=SCHOOL).order_by("pk").first()
    response = page.goto(f"/admin/participants/participant/{other.pk}/change/")
    assert response.status == 404
    refused = text_of(page)
    assert "Запись не найдена или у вас нет к ней доступа." in refused
    assert other.last_name not in refused
    screenshot(page, "school-refused")


def find_row(sheet, first: str) -> list:
    """The first row of a sheet whose first cell is `first`, as values."""
    for row in sheet.iter_rows(values_only=True):
        if row and row[0] == first:
            return list(row)
    raise AssertionError(f"no row «{first}» on sheet {sheet.title}")


def test_official_downloads_the_spravka_and_reaches_no_personal_data(page):
    log_in(page, "vlast")
    assert page.url.endswith("/reports/")
    card = page.locator("section.programme-card", has_text="Молодёжный кадровый ресурс").locator("li", has_text="2019")

    name, content = download(page, card.get_by_role("link", name="PDF"))
    assert name == "spravka-tomsk-mkr-2019.pdf"
    text = pdf_text(content)
    for figure in ["приняли участие 2 584 ", "165,3 %", "Итого 69 312"]:
        assert figure in text, figure

    name, content = download(page, card.get_by_role("link", name="Excel"))
    assert name == "spravka-tomsk-mkr-2019.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(content))
    # Numbers as numbers, percentages as fractions in percent cells.
    assert find_row(book["Резиденты по муниципалитетам"], "Итого") == ["Итого", 69, 312]
    assert find_row(book["Аккредитованные мероприятия"], "2019 год") == ["2019 год", 2584, 5]
    assert find_row(book["Аккредитованные мероприятия"], "2019 к 2018") == ["2019 к 2018", 0.036, None]

    pupil = Participant.objects.order_by("pk").first()
    for url in ["/api/v1/participants/", f"/api/v1/participants/{pupil.pk}/"]:
        response = page.goto(url)
        assert response.status == 403, (url, response.status)
        assert pupil.last_name not in page.content()
    for url in [
        f"/admin/participants/participant/{pupil.pk}/change/",
        "/admin/participants/participant/import/",
        "/admin/participants/participant/import/template/",
        "/admin/participants/participant/import/results/",
        "/admin/participants/participant/",
    ]:
        page.goto(url)
        assert "/admin/login/" in page.url, url
        shown = text_of(page)
        assert "недостаточно прав для просмотра данной страницы" in shown, (url, shown)
        assert pupil.last_name not in shown
        assert page.locator("#result_list").count() == 0
    screenshot(page, "official")


def test_spravka_on_a_phone_has_no_page_wide_horizontal_scroll_and_readable_tables(phone):
    log_in(phone, "vlast")
    phone.goto(TOMSK_2019)
    page_width, viewport = phone.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert viewport == 390
    assert page_width <= viewport, f"the page scrolls sideways: {page_width} px wide on a {viewport} px screen"
    # A wide table may scroll inside its own section, never the page; its text stays legible and
    # its columns wide enough for a word.
    tables = phone.evaluate(
        """() => [...document.querySelectorAll('article.report table.data')].map(table => {
            const box = table.closest('.report-section');
            const frame = box.getBoundingClientRect();
            const cells = [...table.querySelectorAll('td, th')].filter(c => c.innerText.trim());
            return {
                section: box.id,
                fontPx: Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize))),
                narrowestPx: Math.min(...cells.map(c => c.getBoundingClientRect().width)),
                sectionLeft: frame.left, sectionRight: frame.right,
                fits: table.getBoundingClientRect().width <= box.clientWidth,
                scrolls: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
            };
        })"""
    )
    assert {t["section"] for t in tables} >= {"criteria", "residents_by_municipality", "territorial_coverage"}
    for table in tables:
        assert table["fontPx"] >= 12, table
        assert table["narrowestPx"] >= 28, table
        assert 0 <= table["sectionLeft"] and table["sectionRight"] <= viewport, table
        assert table["fits"] or table["scrolls"], table
    screenshot(phone, "phone")


def test_coordinator_writes_approves_twice_and_an_official_downloads_both_versions(page, phone):
    """The справка as a signed document: the coordinator takes a draft into the text, approves,
    a record changes, the page lists the difference, version 2 is approved; an official (on a
    phone) reads version 2 and downloads both versions."""
    from participants.models import Membership

    log_in(page, "koordinator-tomsk")
    page.goto(TOMSK_2019)
    page.get_by_role("link", name="Редактировать текст").click()
    page.wait_for_load_state()
    assert "/admin/reports/periodreport/" in page.url
    page.fill("#id_part__problems", "Приток новых резидентов сокращается.")
    page.locator("input[name^=accept__]").first.check()
    page.get_by_role("button", name="Сохранить", exact=True).click()
    page.wait_for_load_state()
    assert "успешно" in text_of(page, "ul.messagelist")

    page.goto(TOMSK_2019)
    assert "Приток новых резидентов сокращается." in text_of(page, "article.report")
    page.get_by_role("link", name="Утвердить…").first.click()
    page.get_by_role("button", name="Утвердить версию 1").click()
    page.wait_for_load_state()
    assert "Справка утверждена: версия 1" in text_of(page)

    # A correction after approval: one of 2019's resident pupils was included by mistake.
    Membership.objects.filter(programme__slug="tomsk-mkr", included_on__year=2019, category="school").first().delete()
    page.goto(TOMSK_2019)
    changes = text_of(page, "section.changes-since")
    assert "Отличия от утверждённой версии 1" in changes and "463" in changes and "462" in changes
    page.get_by_role("link", name="Утвердить…").first.click()
    page.get_by_role("button", name="Утвердить версию 2").click()
    page.wait_for_load_state()
    assert "Справка утверждена: версия 2" in text_of(page)
    screenshot(page, "coordinator-approved")

    log_in(phone, "vlast")
    phone.goto(TOMSK_2019)
    assert "версия 2" in text_of(phone, "article.report")
    assert "Черновик" not in text_of(phone, "article.report")
    name, content = download(phone, phone.get_by_role("link", name="Скачать PDF"))
    assert name == "spravka-tomsk-mkr-2019-v2.pdf"
    assert "версия 2" in pdf_text(content) and "462 резидента" in pdf_text(content)
    versions = phone.locator("section.version-list li", has_text="Версия 1")
    name, content = download(phone, versions.get_by_role("link", name="PDF"))
    assert name == "spravka-tomsk-mkr-2019-v1.pdf"
    assert "версия 1" in pdf_text(content) and "463 резидента" in pdf_text(content)
    screenshot(phone, "official-versions")
