"""A coordinator opens a pupil's card from the admin and prints it (issue 15, the pupil card).

Screenshots of the card at 1 366 px and on a 390 px phone are saved in artefacts/browser/.
"""

import io

from pypdf import PdfReader

from participants.models import Participant
from talentbank.tests.browser.test_journeys import ARTEFACTS, download, log_in, pdf_text, screenshot, text_of

PUPIL = ("Суханова", "Дарья")  # demo: gymnasium № 29, Tomsk, with achievements and opportunities


def test_coordinator_opens_a_pupil_card_from_the_admin_and_prints_it(page, phone):
    person = Participant.objects.get(last_name=PUPIL[0], first_name=PUPIL[1])
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "koordinator-tomsk")
    page.goto(f"/admin/participants/participant/{person.pk}/change/")
    page.locator(".object-tools a", has_text="Карточка").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/participants/participant/{person.pk}/card/")
    card = text_of(page, "article.card")
    assert person.full_name in card and "МАОУ гимназия № 29 г. Томска" in card
    for section in ("Членство в программах", "Достижения", "Практики, стажировки, смены", "Проектные команды"):
        assert section in card, section
    # Every part links to its record's admin page; the one-page layout fits the coordinator's screen.
    assert page.locator("article.card a", has_text="изменить").count() >= 3
    width, viewport = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"the card scrolls sideways: {width} px on a {viewport} px screen"
    screenshot(page, "card-1366")

    filename, content = download(page, page.get_by_role("link", name="Печать (PDF)"))
    assert filename == f"kartochka-{person.pk}.pdf"
    assert person.full_name in pdf_text(content)
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    (ARTEFACTS / "card.pdf").write_bytes(content)

    # The same session on the phone: a second login would need the next one-time code (a code is
    # accepted once), half a minute later.
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"/admin/participants/participant/{person.pk}/card/")
    assert person.full_name in text_of(phone, "article.card")
    width, viewport = phone.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert viewport == 390 and width <= viewport, f"the card scrolls sideways: {width} px on a {viewport} px phone"
    # Each part fits the phone's width (records as blocks, not a table to scroll), in legible type.
    parts = phone.evaluate(
        """() => [...document.querySelectorAll('.card-part')].map(part => ({
            part: part.id, wide: part.scrollWidth > part.clientWidth,
            fontPx: Math.min(...[...part.querySelectorAll('td')].map(c => parseFloat(getComputedStyle(c).fontSize))),
        }))"""
    )
    assert parts and not [p for p in parts if p["wide"]], parts
    assert all(p["fontPx"] >= 12 for p in parts if p["fontPx"] != float("inf")), parts
    screenshot(phone, "card-390")
