"""One FilterSet per model of the bank, used by the API (and available to list pages)."""

import django_filters as filters

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

DATE = ["exact", "gte", "lte"]


class ParticipantFilterSet(filters.FilterSet):
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


class MembershipFilterSet(filters.FilterSet):
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
