"""One FilterSet per model of the bank, used by the API (and available to list pages)."""

import django_filters as filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.settings import api_settings

from participants.access import is_scoped_model, scope
from participants.models import (
    Achievement,
    Criterion,
    CriterionTarget,
    Diagnostic,
    Membership,
    Municipality,
    Organisation,
    Participant,
    Programme,
    ProjectTeam,
    TeamMember,
)
from participants.search import search_people
from talentbank.parameters import within_64_bits

DATE = ["exact", "gte", "lte"]


class ScopedFilterSet(filters.FilterSet):
    """Every choice list of the filters (organisations, programmes, people… in the browsable API's
    filter form, and the ids a filter accepts) is built per request from the user's scope. A number
    a filter takes must fit in 64 bits (talentbank.parameters.within_64_bits): a bigger one is a
    400 naming the filter."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        for declared in self.filters.values():
            if isinstance(declared, filters.NumberFilter):
                declared.extra["validators"] = [*declared.extra.get("validators", ()), within_64_bits]
                declared.__dict__.pop("_field", None)
            model = getattr(getattr(declared, "queryset", None), "model", None)  # a callable scopes itself
            if model is not None and is_scoped_model(model):
                everything = model._default_manager.all()
                declared.queryset = scope(user, everything) if user is not None else everything.none()
                declared.__dict__.pop("_field", None)  # a form field built before would keep the old list


class ScopedFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend whose generated filtersets (from `filterset_fields`) are scoped too.

    A request that names no filter (only a page, a page size, a search, an ordering or a format) is
    not filtered: building the filterset and validating its empty form would change nothing, and
    cost a list page more than reading its rows."""

    filterset_base = ScopedFilterSet

    def filter_queryset(self, request, queryset, view):
        if set(request.query_params) <= not_filter_parameters(view):
            return queryset
        return super().filter_queryset(request, queryset, view)


def not_filter_parameters(view) -> set[str]:
    """The query parameters of a list that are read by others than its filterset."""
    paginator = getattr(view, "paginator", None)
    return {
        getattr(paginator, "page_query_param", None),
        getattr(paginator, "page_size_query_param", None),
        api_settings.SEARCH_PARAM,
        api_settings.ORDERING_PARAM,
        api_settings.URL_FORMAT_OVERRIDE,
    } - {None}


class ParticipantFilterSet(ScopedFilterSet):
    q = filters.CharFilter(method="search", label="ФИО, дата рождения или организация")
    region = filters.NumberFilter(field_name="organisation__region", label="субъект РФ")
    municipality = filters.NumberFilter(field_name="organisation__municipality", label="муниципалитет")
    programme = filters.NumberFilter(field_name="memberships__programme", distinct=True, label="программа")
    category = filters.CharFilter(field_name="memberships__category", distinct=True, label="категория")

    class Meta:
        model = Participant
        fields = {
            "organisation": ["exact"],
            "sex": ["exact"],
            "consent": ["exact"],
            "grade": ["exact"],
            "birth_date": DATE,
        }

    def search(self, queryset, name, value):
        return search_people(queryset, value)


class MembershipFilterSet(ScopedFilterSet):
    organisation = filters.NumberFilter(field_name="participant__organisation", label="организация")
    municipality = filters.NumberFilter(field_name="participant__organisation__municipality", label="муниципалитет")
    active_on = filters.DateFilter(method="filter_active_on", label="действует на дату")

    class Meta:
        model = Membership
        fields = {
            "programme": ["exact"],
            "participant": ["exact"],
            "category": ["exact"],
            "included_on": DATE,
            "left_on": DATE,
        }

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


FILTER_FIELDS = {
    Municipality: {"region": ["exact"], "kind": ["exact"]},
    Organisation: {"region": ["exact"], "municipality": ["exact"], "kind": ["exact"], "is_regional": ["exact"]},
    Programme: {"region": ["exact"], "period_kind": ["exact"], "slug": ["exact"]},
    Criterion: {"programme": ["exact"]},
    CriterionTarget: {
        "criterion": ["exact"],
        "criterion__programme": ["exact"],
        "period": ["exact"],
        "metric": ["exact"],
    },
    ProjectTeam: {"programme": ["exact"], "period": ["exact"]},
    TeamMember: {"team": ["exact"], "participant": ["exact"], "team__programme": ["exact"]},
    Diagnostic: {
        "programme": ["exact"],
        "period": ["exact"],
        "stage": ["exact"],
        "participant": ["exact"],
        "participant__organisation": ["exact"],
    },
    Achievement: {
        "participant": ["exact"],
        "participant__organisation": ["exact"],
        "level": ["exact"],
        "result": ["exact"],
        "achieved_on": DATE,
    },
}
