from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect

from events.models import (
    Coverage,
    Edition,
    EventSeries,
    Opportunity,
    Participation,
    PartnerOrganisation,
    Publication,
)
from participants.access import coverage_municipalities
from participants.admin import ParticipantRelatedSearchMixin
from participants.admin_scope import ScopedAdminMixin, ScopedQuerysetMixin
from reports import wording
from reports.workplace import EDITION_LACK_PARAMETER, EDITION_LACKS


@admin.register(EventSeries)
class EventSeriesAdmin(ScopedAdminMixin, admin.ModelAdmin):
    # What a satellite prepares for is on its page; the programme is a filter: the list fits 1 366 px.
    list_display = ["name", "kind", "direction", "accredited_from", "accredited_until"]
    list_filter = ["programme", "kind", "direction"]
    list_select_related = ["programme", "prepares_for"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["programme", "prepares_for"]


class CoverageMunicipalityMixin:
    """Coverage may name municipalities of any region (access.coverage_municipalities)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "municipality":
            kwargs["queryset"] = coverage_municipalities(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CoverageInline(CoverageMunicipalityMixin, ScopedQuerysetMixin, admin.TabularInline):
    model = Coverage
    extra = 0
    fields = ["municipality"]
    autocomplete_fields = ["municipality"]


class ParticipationInline(ScopedQuerysetMixin, admin.TabularInline):
    model = Participation
    extra = 0
    fields = ["participant", "role", "result"]
    autocomplete_fields = ["participant"]


class EditionLackFilter(admin.SimpleListFilter):
    """Held editions the справка lacks something of (reports.workplace: the start page links here)."""

    title = "что не заполнено"
    parameter_name = EDITION_LACK_PARAMETER

    def lookups(self, request, model_admin):
        return [(key, words) for key, (words, _) in EDITION_LACKS.items()]

    def queryset(self, request, queryset):
        found = EDITION_LACKS.get(self.value())
        return queryset if found is None else queryset.filter(found[1])


@admin.register(Edition)
class EditionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    # The edition's name already says its series and year (the period is a filter): no «Мероприятие»
    # or «Период» column, so that the list fits a 1 366 px screen beside its filters.
    list_display = [
        "__str__",
        "starts_on",
        "held",
        "headcount",
        "municipality_count",
        "participation_count",
    ]
    list_filter = [
        "series__programme",
        "series__kind",
        "series__direction",
        "period",
        "held",
        EditionLackFilter,
        "series",
    ]
    list_select_related = ["series"]
    search_fields = ["title", "series__name", "series__short_name", "venue"]
    autocomplete_fields = ["series"]
    inlines = [CoverageInline, ParticipationInline]
    fieldsets = [
        (None, {"fields": ["series", "title", "period", ("starts_on", "ends_on"), "venue", ("held", "note")]}),
        (
            "Численность (если нет поимённых записей или они неполны)",
            {"fields": [("headcount_pupils", "headcount_teachers", "headcount_experts"), "headcount_total"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                municipality_count=Count("coverage", distinct=True),
                participation_count=Count("participations", distinct=True),
            )
            .order_by(*Edition._meta.ordering)  # an aggregate drops Meta.ordering
        )

    def delete_view(self, request, object_id, extra_context=None):
        """An edition's named participations go with it: the delete needs a second, explicit yes that
        names their count (the API refuses such a delete outright)."""
        edition = self.get_object(request, unquote(object_id))
        named = edition.participations.count()
        if named and request.method == "POST" and request.POST.get("participations") != str(named):
            messages.error(
                request,
                f"Подтвердите, что вместе с выпуском удаляются {wording.participation_records(named)}: "
                "отметьте это под списком.",
            )
            return redirect(request.path)
        context = {"named_participations": wording.participation_records(named) if named else "", "named_count": named}
        return super().delete_view(request, object_id, {**context, **(extra_context or {})})

    @admin.display(description="численность")
    def headcount(self, obj):
        return obj.headcount if obj.headcount is not None else "—"

    @admin.display(description="муниципалитетов", ordering="municipality_count")
    def municipality_count(self, obj):
        return obj.municipality_count

    @admin.display(description="поимённых записей", ordering="participation_count")
    def participation_count(self, obj):
        return obj.participation_count


@admin.register(Coverage)
class CoverageAdmin(CoverageMunicipalityMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["edition", "municipality"]
    list_filter = ["edition__series__programme", "edition__period", "municipality"]
    list_select_related = ["edition__series", "municipality"]
    search_fields = ["municipality__name", "edition__series__name"]
    autocomplete_fields = ["edition", "municipality"]


@admin.register(Participation)
class ParticipationAdmin(ScopedAdminMixin, ParticipantRelatedSearchMixin, admin.ModelAdmin):
    list_display = ["participant", "edition", "role", "result"]
    list_filter = ["edition__series__programme", "edition__period", "role", "edition__series"]
    list_select_related = ["participant", "edition__series"]
    autocomplete_fields = ["participant", "edition"]


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "programme", "kind", "since", "until"]
    list_filter = ["programme", "kind", "since"]
    list_select_related = ["programme"]
    search_fields = ["name"]
    autocomplete_fields = ["programme"]


@admin.register(Opportunity)
class OpportunityAdmin(ScopedAdminMixin, ParticipantRelatedSearchMixin, admin.ModelAdmin):
    list_display = ["participant", "kind", "place", "programme", "starts_on", "ends_on"]
    list_filter = ["programme", "kind", "starts_on"]
    list_select_related = ["participant", "programme"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["participant", "programme", "partner", "edition"]


@admin.register(Publication)
class PublicationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "outlet", "outlet_kind", "published_on", "programme"]
    list_filter = ["programme", "outlet_kind", "published_on"]
    list_select_related = ["programme"]
    date_hierarchy = "published_on"
    search_fields = ["title", "outlet"]
    autocomplete_fields = ["programme", "edition"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
