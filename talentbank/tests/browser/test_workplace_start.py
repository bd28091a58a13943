"""A coordinator's morning in a real browser: log in, land on the start page, open the current
справка in one click, then set up the next period by copying the targets (one of them changed).
Screenshots at 1 366 px and 390 px in artefacts/browser/."""

from participants.models import CriterionTarget, Metric

from .test_journeys import log_in, screenshot, text_of

START = "/admin/"


def test_coordinator_lands_on_the_start_page_and_sets_up_a_new_period(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "koordinator-tomsk")
    assert page.url.endswith(START), page.url
    desk = " ".join(text_of(page, "#workplace").split())
    assert "Молодёжный кадровый ресурс Томской области — 2019 год" in desk
    assert "124 75 165,3 %" in desk and "34 50 68,0 %" in desk
    assert "выпусков мероприятий без муниципалитетов-участников" in desk
    assert page.locator("#workplace progress").count() == 7
    screenshot(page, "workplace-start-1366")

    # The current справка: one click.
    page.get_by_role("link", name="Справка за 2019 год").click()
    page.wait_for_load_state()
    assert page.url.endswith("/reports/tomsk-mkr/2019/"), page.url
    assert "Критерии эффективности" in text_of(page)

    # A new period: the targets of 2019 copied, one changed before saving.
    page.goto(START)
    page.get_by_role("link", name="Новый период: 2020").click()
    page.wait_for_load_state()
    assert "Новый период: 2020 год" in text_of(page, "#content")
    row = page.locator(".new-period-targets tbody tr", has_text="новые резиденты за период")
    assert row.locator("input[type=number]").input_value() == "75"
    row.locator("input[type=number]").fill("90")
    screenshot(page, "workplace-new-period-1366")
    page.get_by_role("button", name="Создать").click()
    page.wait_for_load_state()
    assert "Целевые значения критериев: 7" in text_of(page, "ul.messagelist")
    assert "Уже задано на 2020 год" in text_of(page, "#content")
    targets = CriterionTarget.objects.filter(criterion__programme__slug="tomsk-mkr", period=2020)
    assert targets.count() == 7 and targets.get(metric=Metric.NEW_RESIDENTS).value == 90

    # The start page on a phone: the next period offered is now 2021.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(START)
    assert "Новый период: 2021" in text_of(page, "#workplace")
    screenshot(page, "workplace-start-390")
