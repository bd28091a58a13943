from datetime import date

import pytest
from django.db import IntegrityError, transaction

from events.models import Edition, EventSeries, PartnerOrganisation, SeriesKind
from participants.tests.factories import ProgrammeFactory


@pytest.fixture
def series(db):
    return EventSeries.objects.create(
        programme=ProgrammeFactory(), name="Исследовательский марафон", kind=SeriesKind.ACCREDITED
    )


def edition_form(series, **overrides):
    data = {
        "series": series.pk,
        "title": "",
        "period": "",
        "starts_on": "2019-04-25",
        "ends_on": "2019-04-26",
        "venue": "",
        "held": "on",
        "note": "",
        "headcount_pupils": "",
        "headcount_teachers": "",
        "headcount_experts": "",
        "headcount_total": "",
        "coverage-TOTAL_FORMS": "0",
        "coverage-INITIAL_FORMS": "0",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
        "_save": "Сохранить",
    }
    data.update(overrides)
    return data


def test_edition_period_comes_from_its_start_date(coordinator_client, series):
    response = coordinator_client.post("/admin/events/edition/add/", edition_form(series))
    assert response.status_code == 302
    assert Edition.objects.get().period == 2019


def test_edition_ending_before_it_starts_is_refused(coordinator_client, series):
    response = coordinator_client.post("/admin/events/edition/add/", edition_form(series, ends_on="2019-04-20"))
    assert "Дата окончания 20.04.2019 раньше даты начала 25.04.2019." in response.content.decode()
    assert not Edition.objects.exists()


def test_edition_not_held_needs_a_note(coordinator_client, series):
    data = edition_form(series, period="2018", starts_on="", ends_on="")
    del data["held"]
    response = coordinator_client.post("/admin/events/edition/add/", data)
    assert "Мероприятие не состоялось: укажите в примечании почему и куда перенесено." in response.content.decode()
    assert not Edition.objects.exists()


def test_headcount_total_below_its_parts_is_refused(coordinator_client, series):
    response = coordinator_client.post(
        "/admin/events/edition/add/",
        edition_form(series, headcount_pupils="100", headcount_teachers="20", headcount_total="90"),
    )
    assert "Всего участников (90) меньше суммы обучающихся, педагогов и экспертов (120)." in response.content.decode()


def test_only_a_satellite_prepares_for_an_accredited_event(coordinator_client, series):
    response = coordinator_client.post(
        "/admin/events/eventseries/add/",
        {
            "programme": series.programme.pk,
            "name": "Другое аккредитованное",
            "kind": "accredited",
            "direction": "other",
            "prepares_for": series.pk,
            "sort_order": "0",
            "_save": "1",
        },
    )
    assert "Подготовительным к аккредитованному может быть только мероприятие-спутник." in response.content.decode()


def test_database_refuses_dates_out_of_order(series):
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.create(series=series, period=2019, starts_on=date(2019, 4, 25), ends_on=date(2019, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerOrganisation.objects.create(
            programme=series.programme, name="ТГУ", kind="university", since=date(2019, 1, 1), until=date(2018, 1, 1)
        )


def test_database_refuses_an_edition_not_held_without_a_note(series):
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.create(series=series, period=2018, held=False)
