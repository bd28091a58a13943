from rest_framework import serializers

from events.models import Edition, EventSeries, Opportunity, Participation, PartnerOrganisation, Publication
from participants.access import coverage_municipalities
from participants.api.base import ModelValidatedSerializer


class CoverageMunicipalityField(serializers.PrimaryKeyRelatedField):
    """Municipalities of any region may be recorded as an edition's participants (access.coverage_municipalities)."""

    def get_queryset(self):
        request = self.context.get("request")
        return coverage_municipalities(request.user) if request is not None else None


class EventSeriesSerializer(ModelValidatedSerializer):
    class Meta:
        model = EventSeries
        fields = [
            "id", "programme", "name", "short_name", "kind", "direction", "organiser", "accredited_from",
            "accredited_until", "prepares_for", "sort_order",
        ]  # fmt: skip


class EditionSerializer(ModelValidatedSerializer):
    """An edition with the municipalities (and other regions) that took part, in one request."""

    municipalities = CoverageMunicipalityField(many=True, required=False, help_text="муниципалитеты-участники (id)")

    class Meta:
        model = Edition
        fields = [
            "id", "series", "period", "title", "starts_on", "ends_on", "venue", "held", "note",
            "headcount_pupils", "headcount_teachers", "headcount_experts", "headcount_total", "municipalities",
        ]  # fmt: skip


class ParticipationSerializer(ModelValidatedSerializer):
    class Meta:
        model = Participation
        fields = ["id", "edition", "participant", "role", "result"]


class PartnerOrganisationSerializer(ModelValidatedSerializer):
    class Meta:
        model = PartnerOrganisation
        fields = ["id", "programme", "name", "kind", "since", "until", "note"]


class OpportunitySerializer(ModelValidatedSerializer):
    class Meta:
        model = Opportunity
        fields = ["id", "programme", "participant", "kind", "place", "partner", "edition", "starts_on", "ends_on"]


class PublicationSerializer(ModelValidatedSerializer):
    class Meta:
        model = Publication
        fields = ["id", "programme", "title", "url", "outlet", "outlet_kind", "published_on", "edition"]
