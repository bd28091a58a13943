from rest_framework import serializers

from participants.access import ORGANISATION_REQUIRED, must_name_organisation
from participants.api.base import ModelMessagesSerializer, ModelValidatedSerializer
from participants.models import (
    Achievement,
    Competence,
    Criterion,
    CriterionTarget,
    Diagnostic,
    DiagnosticScore,
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


class RegionSerializer(ModelValidatedSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "code"]


class MunicipalitySerializer(ModelValidatedSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "region", "name", "kind", "sort_order"]


class OrganisationSerializer(ModelValidatedSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "municipality", "region", "name", "short_name", "kind", "is_regional"]
        read_only_fields = ["region"]


class ProgrammeSerializer(ModelValidatedSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "region",
            "name",
            "short_name",
            "slug",
            "operator",
            "period_kind",
            "description",
            "report_sections",
        ]


class CriterionSerializer(ModelValidatedSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "programme", "number", "title", "description"]


class CriterionTargetSerializer(ModelValidatedSerializer):
    class Meta:
        model = CriterionTarget
        fields = ["id", "criterion", "period", "metric", "value", "note"]


class ParticipantSerializer(ModelValidatedSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id", "last_name", "first_name", "patronymic", "full_name", "birth_date", "sex", "organisation",
            "grade", "course", "phone", "email", "consent", "consent_date", "consent_given_by",
            "consent_given_by_name", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        organisation = attrs.get("organisation", getattr(self.instance, "organisation", None))
        request = self.context.get("request")
        if organisation is None and request is not None and must_name_organisation(request.user):
            raise serializers.ValidationError({"organisation": [ORGANISATION_REQUIRED]})
        return super().validate(attrs)


class MembershipSerializer(ModelValidatedSerializer):
    class Meta:
        model = Membership
        fields = ["id", "participant", "programme", "category", "included_on", "basis", "left_on", "leaving_reason"]


class ProjectTeamSerializer(ModelValidatedSerializer):
    class Meta:
        model = ProjectTeam
        fields = ["id", "programme", "period", "name", "mentor_name", "mentor_position", "description"]


class TeamMemberSerializer(ModelValidatedSerializer):
    class Meta:
        model = TeamMember
        fields = ["id", "team", "participant", "is_leader"]


class InstrumentSerializer(ModelValidatedSerializer):
    class Meta:
        model = Instrument
        fields = ["id", "name", "description"]


class CompetenceSerializer(ModelValidatedSerializer):
    class Meta:
        model = Competence
        fields = ["id", "instrument", "name", "sort_order"]


class DiagnosticScoreSerializer(ModelMessagesSerializer):
    """A score inside its diagnostic (validated with it): the model's wording for the 0–100 limits."""

    class Meta:
        model = DiagnosticScore
        fields = ["competence", "score"]


class DiagnosticSerializer(ModelValidatedSerializer):
    """A diagnostic with its scores per competence, written in one request."""

    scores = DiagnosticScoreSerializer(many=True, required=False)

    class Meta:
        model = Diagnostic
        fields = ["id", "participant", "programme", "period", "instrument", "stage", "taken_on", "scores"]

    def validate(self, attrs):
        scores = attrs.pop("scores", None)
        attrs = super().validate(attrs)
        if scores is not None:
            instrument = attrs.get("instrument") or (self.instance.instrument if self.instance else None)
            wrong = [
                s["competence"].name for s in scores if instrument and s["competence"].instrument_id != instrument.pk
            ]
            if wrong:
                raise serializers.ValidationError(
                    {"scores": [f"Компетенции не относятся к инструменту «{instrument}»: {', '.join(wrong)}."]}
                )
            competences = [s["competence"].pk for s in scores]
            if len(competences) != len(set(competences)):
                raise serializers.ValidationError({"scores": ["Балл по одной компетенции указан дважды."]})
            attrs["scores"] = scores
        return attrs

    def create(self, validated_data):
        scores = validated_data.pop("scores", [])
        diagnostic = super().create(validated_data)
        DiagnosticScore.objects.bulk_create(DiagnosticScore(diagnostic=diagnostic, **s) for s in scores)
        return diagnostic

    def update(self, instance, validated_data):
        scores = validated_data.pop("scores", None)
        diagnostic = super().update(instance, validated_data)
        if scores is not None:
            diagnostic.scores.all().delete()
            DiagnosticScore.objects.bulk_create(DiagnosticScore(diagnostic=diagnostic, **s) for s in scores)
        return diagnostic


class AchievementSerializer(ModelValidatedSerializer):
    class Meta:
        model = Achievement
        fields = [
            "id",
            "participant",
            "event_name",
            "level",
            "result",
            "place",
            "achieved_on",
            "location",
            "description",
        ]
