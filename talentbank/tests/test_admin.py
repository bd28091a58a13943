"""Every admin page a coordinator uses renders in Russian, and list pages do not query per row."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import capfirst

from participants.models import ImportUpload, MergeRecord
from talentbank.admin_words import words_for

pytestmark = pytest.mark.usefixtures("demo_data")

MODEL_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in {"participants", "events"}
    ),
    key=lambda pair: pair[0]._meta.label,
)
IDS = [model._meta.label for model, _ in MODEL_ADMINS]
# Uploads appear only when someone imports a workbook, merge records when someone merges two people
# (their page: participants/tests/test_merge_pages.py).
EMPTY_IN_DEMO = {ImportUpload, MergeRecord}


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_model_is_registered():
    from django.apps import apps

    for app in ("participants", "events"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert model in admin.site._registry, f"{model._meta.label} is not in the admin"


def test_admin_index_is_russian(coordinator_client):
    page = coordinator_client.get("/admin/").content.decode()
    assert "Банк талантов" in page
    assert "Участники" in page
    assert "Выпуски мероприятий" in page


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=IDS)
def test_changelist_renders_with_its_russian_heading(coordinator_client, model, model_admin):
    response = coordinator_client.get(changelist_url(model))
    assert response.status_code == 200
    page = response.content.decode()
    action = "изменения" if model_admin.has_change_permission(response.wsgi_request) else "просмотра"
    assert f"Выберите {words_for(model).accusative} для {action}" in page
    assert capfirst(model._meta.verbose_name_plural) in page


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=IDS)
def test_change_and_add_pages_render(coordinator_client, model, model_admin):
    obj = model.objects.order_by("pk").first()
    if model in EMPTY_IN_DEMO:
        pytest.skip(f"the demo data has no {model._meta.verbose_name}")
    assert obj is not None, f"the demo data has no {model._meta.verbose_name}"
    meta = model._meta
    change = coordinator_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert "Сохранить" in change.content.decode()
    add = coordinator_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    assert add.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=IDS)
def test_changelist_query_count_does_not_grow_with_rows(coordinator_client, monkeypatch, model, model_admin):
    counts = {}
    for per_page in (5, 50):
        monkeypatch.setattr(model_admin, "list_per_page", per_page)
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(changelist_url(model))
        assert response.status_code == 200
        counts[per_page] = len(queries)
    assert counts[5] == counts[50], f"{model._meta.label}: {counts}"


def test_participant_history_renders(coordinator_client):
    from participants.models import Participant

    person = Participant.objects.first()
    response = coordinator_client.get(reverse("admin:participants_participant_history", args=[person.pk]))
    assert response.status_code == 200


def test_participant_search_ignores_case_and_yo(coordinator_client, django_db_blocker):
    from participants.models import Participant

    person = Participant.objects.filter(name_key__contains="е").exclude(last_name__contains="ё").first()
    word = person.last_name.upper().replace("Е", "Ё", 1)
    page = coordinator_client.get(changelist_url(Participant), {"q": word}).content.decode()
    assert person.last_name in page


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/admin/participants/participant/", {"organisation__municipality__id__exact": "1"}),
        ("/admin/participants/membership/", {"category__exact": "school", "programme__id__exact": "1"}),
        ("/admin/events/edition/", {"period": "2019", "series__kind__exact": "accredited"}),
        ("/admin/events/participation/", {"q": "Форум"}),
    ],
)
def test_filters_and_search_render(coordinator_client, url, params):
    assert coordinator_client.get(url, params).status_code == 200
