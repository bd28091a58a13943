"""A coordinator merges a pupil entered twice, choosing which school stays, then undoes the merge
from the journal of merges; screenshots of both pages at 1 366 px and 390 px in artefacts/browser/."""

from events.models import Edition, Participation
from participants.models import MergeRecord, Organisation, Participant

from .test_journeys import log_in, screenshot, text_of


def test_a_coordinator_merges_two_records_choosing_the_school_and_undoes_it(page):
    kept = (
        Participant.objects.filter(memberships__programme__slug="tomsk-mkr", participations__isnull=False)
        .select_related("organisation")
        .distinct()
        .first()
    )
    other_school = Organisation.objects.filter(region=kept.organisation.region).exclude(pk=kept.organisation_id).first()
    twin = Participant.objects.create(
        last_name=kept.last_name,
        first_name=kept.first_name + "а",
        patronymic=kept.patronymic,
        birth_date=kept.birth_date,
        sex=kept.sex,
        organisation=other_school,
        phone="+7 913 555-00-11",
    )
    kept_rows = Participation.objects.filter(participant=kept).count()
    edition = Edition.objects.filter(series__programme__slug="tomsk-mkr").exclude(participations__participant=kept)
    Participation.objects.create(participant=twin, edition=edition.first(), role="winner")

    log_in(page, "koordinator-tomsk")
    page.goto("/admin/participants/participant/duplicates/")
    page.locator("#duplicates tr", has_text=twin.full_name).get_by_role("link", name="Сравнить и объединить").click()
    page.wait_for_load_state()

    text = text_of(page, "#content")
    assert kept.organisation.name in text and other_school.name in text
    assert "Переносится на запись" in text
    page.set_viewport_size({"width": 1366, "height": 768})
    screenshot(page, "merge-compare-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "merge-compare-390")
    page.set_viewport_size({"width": 1366, "height": 768})

    kept_pk, removed_pk = kept.pk, twin.pk  # the page keeps the older record unless told otherwise
    removed_school = other_school
    page.check('input[name="field_organisation"][value="removed"]')
    page.fill("#id_reason", "одна ученица, внесена дважды")
    page.get_by_role("button", name="Объединить записи").click()
    page.wait_for_load_state()

    assert "Записи объединены" in text_of(page)
    assert Participant.objects.get(pk=kept_pk).organisation == removed_school
    assert not Participant.objects.filter(pk=removed_pk).exists()

    # The journal of merges, from the admin's menu: the record, with its undo.
    page.goto("/admin/")
    page.get_by_role("link", name="Объединения участников").first.click()
    page.locator("#result_list tbody th a").first.click()
    page.wait_for_load_state()
    page.fill("#id_reason", "это разные люди")
    page.evaluate("window.scrollTo(0, 0)")  # the admin's sidebar sticks where the page was scrolled
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "merge-record-390")
    page.set_viewport_size({"width": 1366, "height": 768})
    screenshot(page, "merge-record-1366")
    page.get_by_role("button", name="Отменить объединение").click()
    page.wait_for_load_state()

    assert "Объединение отменено" in text_of(page)
    assert Participant.objects.get(pk=removed_pk).organisation == removed_school
    assert Participant.objects.get(pk=kept_pk).organisation != removed_school
    assert Participation.objects.filter(participant_id=kept.pk).count() == kept_rows
    assert Participation.objects.filter(participant_id=twin.pk).count() == 1
    assert MergeRecord.objects.get().undo_reason == "это разные люди"
