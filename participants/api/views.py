from rest_framework import filters

from participants import filtersets
from participants.api import serializers as s
from participants.api.base import ScopedViewSet
from participants.models import (
    Achievement,
    Competence,
    Criterion,
    CriterionTarget,
    Diagnostic,
    Instrument,
    Membership,
    Municipality,
    Organisation,
    Participant,
    Programme,
    ProjectTeam,
    Region,
    TeamMember,
)


def viewset(
    model, serializer, *, filterset=None, search=(), ordering=("id",), queryset=None, filter_fields=None, kept=()
):
    """A scoped endpoint for one model: filters from participants/filtersets.py, search, ordering."""
    attrs = {
        "queryset": queryset if queryset is not None else model.objects.all(),
        "serializer_class": serializer,
        "search_fields": list(search),
        "ordering_fields": "__all__",
        "ordering": list(ordering),
        "kept_relations": tuple(kept),
        "filter_backends": [
            filtersets.ScopedFilterBackend,
            filters.SearchFilter,
            filters.OrderingFilter,
        ],
    }
    if filterset is not None:
        attrs["filterset_class"] = filterset
    else:
        attrs["filterset_fields"] = (filter_fields or filtersets.FILTER_FIELDS).get(model, [])
    return type(f"{model.__name__}ViewSet", (ScopedViewSet,), attrs)


RegionViewSet = viewset(Region, s.RegionSerializer, search=["name"], ordering=["name"])
MunicipalityViewSet = viewset(
    Municipality, s.MunicipalitySerializer, search=["name"], ordering=["region", "sort_order", "name"]
)
OrganisationViewSet = viewset(Organisation, s.OrganisationSerializer, search=["name", "short_name"], ordering=["name"])
ProgrammeViewSet = viewset(Programme, s.ProgrammeSerializer, search=["name", "slug"], ordering=["name"])
CriterionViewSet = viewset(Criterion, s.CriterionSerializer, ordering=["programme", "number"])
CriterionTargetViewSet = viewset(CriterionTarget, s.CriterionTargetSerializer, ordering=["criterion", "period"])
ParticipantViewSet = viewset(
    Participant,
    s.ParticipantSerializer,
    filterset=filtersets.ParticipantFilterSet,
    ordering=["last_name", "first_name", "id"],
)
MembershipViewSet = viewset(
    Membership, s.MembershipSerializer, filterset=filtersets.MembershipFilterSet, ordering=["id"]
)
ProjectTeamViewSet = viewset(
    ProjectTeam, s.ProjectTeamSerializer, search=["name", "mentor_name"], ordering=["programme", "period", "name"]
)
TeamMemberViewSet = viewset(TeamMember, s.TeamMemberSerializer)
InstrumentViewSet = viewset(Instrument, s.InstrumentSerializer, search=["name"], ordering=["name"])
CompetenceViewSet = viewset(Competence, s.CompetenceSerializer, ordering=["instrument", "sort_order"])
# Scores are read with their diagnostic: one extra query per page, not per row.
DiagnosticViewSet = viewset(Diagnostic, s.DiagnosticSerializer, queryset=Diagnostic.objects.prefetch_related("scores"))
AchievementViewSet = viewset(
    Achievement, s.AchievementSerializer, search=["event_name"], ordering=["-achieved_on", "id"]
)

ROUTES = [
    ("regions", RegionViewSet),
    ("municipalities", MunicipalityViewSet),
    ("organisations", OrganisationViewSet),
    ("programmes", ProgrammeViewSet),
    ("criteria", CriterionViewSet),
    ("criterion-targets", CriterionTargetViewSet),
    ("participants", ParticipantViewSet),
    ("memberships", MembershipViewSet),
    ("teams", ProjectTeamViewSet),
    ("team-members", TeamMemberViewSet),
    ("instruments", InstrumentViewSet),
    ("competences", CompetenceViewSet),
    ("diagnostics", DiagnosticViewSet),
    ("achievements", AchievementViewSet),
]
