"""The screens coordinators and officials have: a 1 366 × 768 laptop and a 390 px phone.

One journey: the Tomsk coordinator, on a laptop in another time zone than the server's, opens
every change list of their admin menu (each shows its columns without sideways scrolling and no
button covers the title) and a date field (no time-zone warning); an official on a phone reads
the справка (wide tables scroll inside a frame with the first column pinned and a shadow as the
cue, the page never scrolls sideways) and the programme's trends. Screenshots in artefacts/browser/.
"""

from talentbank.tests.browser.conftest import _browser_page
from talentbank.tests.browser.test_journeys import TOMSK_2019, log_in, screenshot, text_of

LAPTOP = {"width": 1366, "height": 768}
# The server runs in Asia/Tomsk (UTC+7); the coordinator's laptop three hours ahead of it.
ELSEWHERE = "Asia/Vladivostok"

MEASURE_LIST = """() => {
    const page = document.documentElement;
    const box = el => el && el.getBoundingClientRect();
    const table = document.querySelector('#result_list');
    const frame = table && table.closest('.results');
    const title = box(document.querySelector('#content h1'));
    const tools = box(document.querySelector('#content .object-tools'));
    const overlap = !!(title && tools && tools.height && title.width) && !(
        tools.right <= title.left || tools.left >= title.right ||
        tools.bottom <= title.top || tools.top >= title.bottom);
    return {
        pageScroll: page.scrollWidth - page.clientWidth,
        tableScroll: table ? table.scrollWidth - frame.clientWidth : 0,
        columns: table ? table.querySelectorAll('thead th').length : 0,
        overlap,
    };
}"""


def admin_lists(page) -> list[str]:
    """The change lists of the user's admin menu (the admin index), in menu order."""
    page.goto("/admin/")
    return page.eval_on_selector_all("#content-main th[scope=row] a", "links => links.map(a => a.getAttribute('href'))")


PHONE_TABLES = """() => [...document.querySelectorAll('table.data')].map(table => {
    const first = table.querySelector('tbody tr:not(.group) > :first-child');
    const before = first.getBoundingClientRect().left;
    table.scrollLeft = 150;
    const after = first.getBoundingClientRect().left;
    const scrolled = table.scrollLeft;
    table.scrollLeft = 0;
    const cells = [...table.querySelectorAll('td, th')].filter(c => c.innerText.trim());
    return {
        id: (table.closest('[id]') || {}).id,
        wide: table.scrollWidth > table.clientWidth + 1,
        scrolled, pinned: Math.abs(after - before) < 1,
        cue: getComputedStyle(table).backgroundImage.includes('gradient'),
        right: table.getBoundingClientRect().right,
        fontPx: Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize))),
    };
})"""


def assert_phone_page_fits(phone, name: str) -> list[dict]:
    """No sideways scroll of the page; every wide table scrolls in its frame with its first column
    pinned and a shadow as the cue."""
    page_width, viewport = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert viewport == 390
    assert page_width <= viewport, f"{name}: the page scrolls sideways, {page_width} px on a {viewport} px screen"
    tables = phone.evaluate(PHONE_TABLES)
    for table in tables:
        assert table["right"] <= viewport and table["fontPx"] >= 12, table
        if table["wide"]:
            assert table["scrolled"] > 0 and table["pinned"] and table["cue"], table
    screenshot(phone, name)
    return tables


def test_coordinator_laptop_lists_fit_and_phone_tables_scroll_inside_frames(browser, live_server, demo):
    with _browser_page(browser, live_server, viewport=LAPTOP, timezone_id=ELSEWHERE) as page:
        log_in(page, "koordinator-tomsk")
        lists = admin_lists(page)
        assert "/admin/participants/participant/" in lists and "/admin/events/edition/" in lists
        problems = {}
        for url in lists:
            page.goto(url)
            found = page.evaluate(MEASURE_LIST)
            if found["pageScroll"] > 0 or found["tableScroll"] > 0 or found["overlap"]:
                problems[url] = found
        assert not problems, f"lists that do not fit 1366 px or whose buttons cover the title: {problems}"
        page.goto("/admin/participants/participant/")
        assert page.evaluate(MEASURE_LIST)["columns"] == 8  # the checkbox and all seven columns
        screenshot(page, "laptop-participants")

        # A date field: the browser is three hours ahead of the server, so Django's script adds its
        # warning; the bank's stylesheet keeps it out of sight.
        page.goto("/admin/participants/participant/add/")
        offsets = page.evaluate("[new Date().getTimezoneOffset() * -60, Number(document.body.dataset.adminUtcOffset)]")
        assert offsets[0] != offsets[1], offsets
        assert page.locator(".timezonewarning").count() >= 1
        assert not page.get_by_text("Ваше время").first.is_visible()
        assert "Ваше время" not in page.inner_text("#content")
        screenshot(page, "laptop-date-field")

    with _browser_page(
        browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ) as phone:
        log_in(phone, "vlast")
        phone.goto(TOMSK_2019)
        tables = assert_phone_page_fits(phone, "phone-spravka-tables")
        assert any(t["wide"] and t["id"] == "territorial_coverage" for t in tables), tables
        phone.get_by_role("link", name="Показатели по годам").click()
        phone.wait_for_load_state()
        assert phone.url.endswith("/reports/tomsk-mkr/trends/")
        assert "Участники аккредитованных мероприятий" in text_of(phone, "article.report")
        assert "2 584" in text_of(phone, "article.report")
        assert_phone_page_fits(phone, "phone-trends")
