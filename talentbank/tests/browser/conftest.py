"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

The server runs in a thread with its own database connection, so the demo data must be
committed: these tests use `transactional_db` (the database is emptied after each test) and load
the demo programmes per test.
"""

import os
from contextlib import contextmanager

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The machine has no network: without these chromium stalls on background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium не найден ({CHROMIUM}): установите пакет chromium (apt-get install chromium) "
            "или запустите make test, который ставит его сам.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread; Django would otherwise
    # refuse the tests' own ORM calls (SynchronousOnlyOperation). Only while the browser runs.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def demo(transactional_db):
    """Both demo programmes and the demo logins, committed for the server thread."""
    from participants.roles import sync_role_groups
    from reports.demo.loader import ensure_demo_accounts, ensure_demo_devices, load_demo

    # The role groups come from a data migration, which the flush after each transactional test
    # removes; recreate them (idempotent).
    sync_role_groups()
    load_demo()
    ensure_demo_accounts()
    ensure_demo_devices()  # as load_demo does for `make run`: the superuser and coordinators type a code


@contextmanager
def _browser_page(browser, live_server, **options):
    """A fresh context (no cookies) and page; fails the test if a page's script broke or the
    content security policy refused something (seen as console errors)."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, locale="ru-RU", **options)
    context.set_default_timeout(TIMEOUT_MS)
    problems = []
    context.on("weberror", lambda error: problems.append(f"{error.page.url if error.page else ''}: {error.error}"))

    def on_console(message):
        # A 403 or 404 page is expected in these journeys; chromium logs each as a failed load.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", on_console)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert not problems, "errors in the browser console:\n" + "\n".join(problems)


@pytest.fixture
def page(browser, live_server, demo):
    with _browser_page(browser, live_server, viewport={"width": 1280, "height": 900}) as page:
        yield page


@pytest.fixture
def phone(browser, live_server, demo):
    with _browser_page(
        browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ) as page:
        yield page
