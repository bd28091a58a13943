"""Bad parameters are 400, never 500 (talentbank/parameters.py): integers beyond 64 bits in any
filter, NUL characters in searches and autocompletes, deeply nested JSON bodies. Every list endpoint
of the API and every filter of its filterset is enumerated from the code (talentbank.api.router),
so a new one is covered without editing this test; values are tried as a coordinator of the demo
bank, a fixed set of bad ones everywhere and random ones by hypothesis."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from participants.filtersets import ScopedFilterBackend
from reports.demo.loader import ensure_demo_accounts
from talentbank.api import router
from talentbank.parameters import MAX_JSON_DEPTH, NUL_REFUSED, OUT_OF_RANGE, TOO_DEEP

pytestmark = pytest.mark.usefixtures("demo_data")

COORDINATOR = "koordinator-tomsk"
ALWAYS = ["search", "ordering", "page", "page_size"]  # every list takes these besides its filters


def list_endpoints() -> dict[str, tuple[list[str], set[str]]]:
    """prefix → (every query parameter of its list, those that take a number or a record's id)."""
    found = {}
    for prefix, viewset, _ in router.registry:
        if not hasattr(viewset, "list"):
            continue
        filterset = ScopedFilterBackend().get_filterset_class(viewset(), viewset.queryset)
        filters = dict(filterset.base_filters) if filterset is not None else {}
        numeric = {
            name
            for name, declared in filters.items()
            if type(declared).__name__ in ("NumberFilter", "ModelChoiceFilter", "ModelMultipleChoiceFilter")
        }
        found[prefix] = ([*filters, *ALWAYS], numeric)
    return found


ENDPOINTS = list_endpoints()
PARAMETERS = [(prefix, name) for prefix, (names, _) in ENDPOINTS.items() for name in names]

HUGE = ["99999999999999999999", "-99999999999999999999", str(2**63), str(-(2**63) - 1), "9" * 5000, "1e400"]
ODD = ["٣" * 25, "\u202e\ufeff𝟘", "NaN", "-0", "1_000", " 7 "]  # Arabic-Indic digits are digits to int()
NULS = ["\x00", "a\x00b"]


@pytest.fixture
def coordinator_client(db, client):
    ensure_demo_accounts()
    client.raise_request_exception = False
    client.force_login(get_user_model().objects.get(username=COORDINATOR))
    return client


def get(client, prefix: str, params: dict):
    return client.get(f"/api/v1/{prefix}/", {"page_size": 1, **params})


def test_every_list_endpoint_and_filter_is_enumerated():
    assert len(ENDPOINTS) == len(router.registry) >= 20
    names, numeric = ENDPOINTS["participants"]
    assert {"q", "organisation", "region", "birth_date__gte", "search"} <= set(names)
    assert {"organisation", "region", "grade"} <= numeric
    assert "edition__series" in ENDPOINTS["participations"][1]


@pytest.mark.parametrize("prefix", list(ENDPOINTS))
def test_no_bad_value_of_any_filter_is_a_server_error(coordinator_client, prefix):
    """Numbers too big for 64 bits are a 400 naming the filter; NUL anywhere is a 400 before any view;
    anything else given to any parameter is answered (200, or 400/404 for a value the filter refuses)."""
    names, numeric = ENDPOINTS[prefix]
    for name in names:
        for value in HUGE if name in numeric else [HUGE[0], ODD[0]]:
            response = get(coordinator_client, prefix, {name: value})
            assert response.status_code < 500, (name, value[:40], response.content[:300])
            if name in numeric:
                assert response.status_code == 400, (name, value[:40])
                assert name in response.json(), (name, response.json())
        for value in NULS:
            response = get(coordinator_client, prefix, {name: value})
            assert response.status_code == 400, name
            assert response.json() == {"detail": NUL_REFUSED}


def test_a_number_beyond_64_bits_names_its_filter(coordinator_client):
    response = get(coordinator_client, "participants", {"region": str(2**64)})
    assert response.status_code == 400
    assert response.json() == {"region": [OUT_OF_RANGE]}
    assert get(coordinator_client, "participants", {"region": str(2**63 - 1)}).status_code == 200  # the largest fits


@hypothesis_settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parameter=st.sampled_from(PARAMETERS),
    value=st.one_of(
        st.integers().map(str),
        st.integers(min_value=2**63).map(str),
        st.integers(max_value=-(2**63) - 1).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=40),  # any character but lone surrogates
        st.sampled_from(HUGE + ODD + NULS),
    ),
    extra=st.dictionaries(
        st.sampled_from(ALWAYS), st.text(max_size=10).filter(lambda t: "\ud800" not in t), max_size=2
    ),
)
def test_random_values_of_random_filters_are_never_a_server_error(coordinator_client, parameter, value, extra):
    prefix, name = parameter
    response = get(coordinator_client, prefix, {**{k: v for k, v in extra.items() if k != name}, name: value})
    assert response.status_code < 500, (prefix, name, value[:60], response.content[:300])
    if "\x00" in value or any("\x00" in v for v in extra.values()):
        assert response.status_code == 400


# The admin: changelist search, filters, autocomplete ------------------------------------------------


def admin_lists() -> list[str]:
    return [f"{m._meta.app_label}/{m._meta.model_name}" for m, ma in admin.site._registry.items() if ma.search_fields]


def autocompletes() -> list[tuple[str, str, str]]:
    """(app, model, field) of every relation whose target's admin has a search box."""
    found = set()
    for model in admin.site._registry:
        for f in model._meta.get_fields():
            if f.is_relation and f.concrete and (f.many_to_one or f.many_to_many):
                target = admin.site._registry.get(f.related_model)
                if target is not None and target.search_fields:
                    found.add((model._meta.app_label, model._meta.model_name, f.name))
    return sorted(found)


def test_admin_search_and_autocomplete_refuse_nul(coordinator_client):
    assert admin_lists() and autocompletes()
    for path in admin_lists():
        for term in NULS:
            response = coordinator_client.get(f"/admin/{path}/", {"q": term})
            assert response.status_code == 400, path
            assert NUL_REFUSED in response.content.decode()
        odd = coordinator_client.get(f"/admin/{path}/", {"q": ODD[1] + HUGE[0]})
        assert odd.status_code < 500, path
    for app, model, field in autocompletes():
        query = {"app_label": app, "model_name": model, "field_name": field}
        for term in NULS:
            response = coordinator_client.get("/admin/autocomplete/", {**query, "term": term})
            assert response.status_code == 400, (app, model, field)
        odd = coordinator_client.get("/admin/autocomplete/", {**query, "term": ODD[0]})
        assert odd.status_code < 500, (app, model, field)


def test_admin_list_filters_with_huge_ids_are_not_a_server_error(coordinator_client):
    for value in HUGE[:4]:
        for path, parameter in [
            ("participants/participant", "organisation__id__exact"),
            ("participants/membership", "programme__id__exact"),
            ("participants/participant", "p"),
            ("events/edition", "period"),
        ]:
            response = coordinator_client.get(f"/admin/{path}/", {parameter: value})
            assert response.status_code < 500, (path, parameter, value)


# Deep JSON ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"last_name":' * 10_000 + '"x"' + "}" * 10_000,  # deeper than Python's parser goes
        "[" * 10_000 + "]" * 10_000,
        '{"last_name":' * (MAX_JSON_DEPTH + 1) + '"x"' + "}" * (MAX_JSON_DEPTH + 1),
    ],
    ids=["objects-10000", "lists-10000", "just-too-deep"],
)
def test_deeply_nested_json_is_a_400_in_russian(coordinator_client, body):
    response = coordinator_client.post("/api/v1/participants/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"detail": TOO_DEEP}


def test_json_nested_within_the_limit_is_read(coordinator_client):
    body = json.dumps({"last_name": [[[["Иванов"]]]]})
    response = coordinator_client.post("/api/v1/participants/", body, content_type="application/json")
    assert response.status_code == 400  # read, and refused field by field
    assert "last_name" in response.json()
