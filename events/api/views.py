from events.api import serializers as s
from events.filtersets import FILTER_FIELDS
from events.models import Edition, EventSeries, Opportunity, Participation, PartnerOrganisation, Publication
from participants.api.views import viewset

EventSeriesViewSet = viewset(
    EventSeries,
    s.EventSeriesSerializer,
    search=["name", "short_name"],
    ordering=["programme", "kind", "sort_order", "name"],
    filter_fields=FILTER_FIELDS,
)
# Municipalities are read with their edition: one extra query per page, not per row.
EditionViewSet = viewset(
    Edition,
    s.EditionSerializer,
    queryset=Edition.objects.prefetch_related("municipalities"),
    search=["title", "series__name"],
    ordering=["series", "period", "id"],
    filter_fields=FILTER_FIELDS,
    kept=["participations"],
)
ParticipationViewSet = viewset(Participation, s.ParticipationSerializer, filter_fields=FILTER_FIELDS)
PartnerViewSet = viewset(
    PartnerOrganisation,
    s.PartnerOrganisationSerializer,
    search=["name"],
    ordering=["name"],
    filter_fields=FILTER_FIELDS,
)
OpportunityViewSet = viewset(
    Opportunity, s.OpportunitySerializer, search=["place"], ordering=["-starts_on", "id"], filter_fields=FILTER_FIELDS
)
PublicationViewSet = viewset(
    Publication,
    s.PublicationSerializer,
    search=["title", "outlet"],
    ordering=["-published_on", "id"],
    filter_fields=FILTER_FIELDS,
)

ROUTES = [
    ("event-series", EventSeriesViewSet),
    ("editions", EditionViewSet),
    ("participations", ParticipationViewSet),
    ("partners", PartnerViewSet),
    ("opportunities", OpportunityViewSet),
    ("publications", PublicationViewSet),
]
