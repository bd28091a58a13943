from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Count
from django.shortcuts import redirect
from simple_history.admin import SimpleHistoryAdmin

from accounts.rules import manageable_users
from events.models import Participation
from participants import merge_admin  # noqa: F401  (registers the journal of merges)
from participants.access import (
    ORGANISATION_REQUIRED,
    access_for,
    coordinate_new_programme,
    coverage_municipalities,
    must_name_organisation,
)
from participants.admin_scope import ScopedAdminMixin, ScopedQuerysetMixin, period_column
from participants.card_views import CardAdminMixin
from participants.models import (
    Achievement,
    Competence,
    Criterion,
    CriterionTarget,
    Diagnostic,
    DiagnosticScore,
    ImportUpload,
    Instrument,
    Membership,
    Municipality,
    Organisation,
    Participant,
    Programme,
    ProjectTeam,
    Region,
    ReportSection,
    TeamMember,
)
from participants.search import search_people


class PersonSearchMixin:
    """Admin search over people: ФИО words normalised (case, ё→е), a birth date, or the organisation."""

    person_prefix = ""
    search_fields = ["name_key"]  # the search box is shown; the lookup itself is get_search_results
    search_help_text = "ФИО (полностью или частями), дата рождения ДД.ММ.ГГГГ или название организации"

    def get_search_results(self, request, queryset, search_term):
        return search_people(queryset, search_term, self.person_prefix), False


class ParticipantRelatedSearchMixin(PersonSearchMixin):
    person_prefix = "participant__"
    search_fields = ["participant__name_key"]


def _autocompletes(request, app_label: str, model_name: str, field_name: str) -> bool:
    """Whether the request is the admin's autocomplete for this field."""
    return (
        request.resolver_match is not None
        and request.resolver_match.url_name == "autocomplete"
        and (
            request.GET.get("app_label"),
            request.GET.get("model_name"),
            request.GET.get("field_name"),
        )
        == (app_label, model_name, field_name)
    )


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "municipality_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        # An aggregate drops Meta.ordering; keep it, or the autocomplete pages an unordered list.
        queryset = super().get_queryset(request).annotate(municipality_count=Count("municipalities"))
        return queryset.order_by(*Region._meta.ordering)

    @admin.display(description="муниципальных образований", ordering="municipality_count")
    def municipality_count(self, obj):
        return obj.municipality_count


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "region", "sort_order", "organisation_count"]
    list_filter = ["region", "kind"]
    list_select_related = ["region"]
    search_fields = ["name", "region__name"]
    autocomplete_fields = ["region"]

    def get_queryset(self, request):
        if _autocompletes(request, "events", "coverage", "municipality"):
            # An edition's coverage may name any region's municipalities (access.coverage_municipalities).
            return coverage_municipalities(request.user)
        # Annotating drops Meta.ordering; keep it, or the autocomplete pages an unordered list.
        queryset = super().get_queryset(request).annotate(organisation_count=Count("organisations"))
        return queryset.order_by(*Municipality._meta.ordering)

    @admin.display(description="организаций", ordering="organisation_count")
    def organisation_count(self, obj):
        return obj.organisation_count


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "municipality", "is_regional"]
    list_filter = ["kind", "is_regional", "region", "municipality"]
    list_select_related = ["municipality"]
    search_fields = ["name", "short_name", "municipality__name"]
    autocomplete_fields = ["municipality", "staff"]

    # «Сотрудники» are accounts: whom a user may attach is accounts.rules, not the organisation's scope.
    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        return fields if request.user.is_superuser else [f for f in fields if f != "staff"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            kwargs["queryset"] = manageable_users(request.user).order_by("username")
            if not request.user.is_superuser:
                kwargs["widget"] = FilteredSelectMultiple(db_field.verbose_name, is_stacked=False)
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            field.error_messages["invalid_choice"] = (
                "Учётная запись %(value)s не относится к сотрудникам организаций вашего региона: "
                "прикрепить её может только администратор банка."
            )
            field.help_text = "Сотрудники организаций вашего региона. Других пользователей прикрепляет администратор."
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # Accounts the user may not manage are not among the choices: keep them attached as they were.
        if change and "staff" in form.cleaned_data:
            kept = form.instance.staff.exclude(pk__in=manageable_users(request.user).values("pk"))
            form.cleaned_data["staff"] = list(form.cleaned_data["staff"]) + list(kept)
        super().save_related(request, form, formsets, change)


class CriterionInline(ScopedQuerysetMixin, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["number", "title"]
    show_change_link = True


class ProgrammeForm(forms.ModelForm):
    report_sections = forms.MultipleChoiceField(
        label="Разделы справки",
        choices=ReportSection.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Разделы печатаются в этом порядке. Если не выбран ни один — в справку входят все.",
    )

    class Meta:
        model = Programme
        fields = [
            "region",
            "name",
            "short_name",
            "slug",
            "operator",
            "period_kind",
            "description",
            "coordinators",
            "kind",
            "issuer",
            "signer_position",
            "signer_name",
            "executor",
            "is_demo",
            "report_sections",
        ]


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = ProgrammeForm
    list_display = ["name", "slug", "region", "period_kind", "operator"]
    list_filter = ["region", "period_kind"]
    list_select_related = ["region"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["short_name"]}
    autocomplete_fields = ["region", "coordinators"]
    inlines = [CriterionInline]

    # Who coordinates a programme is decided by superusers only (a coordinator could otherwise
    # hand their programme, and its people, to any account).
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "coordinators"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            coordinate_new_programme(request.user, form.instance)


class CriterionTargetInline(ScopedQuerysetMixin, admin.TabularInline):
    model = CriterionTarget
    extra = 1
    fields = ["period", "metric", "value", "note"]


@admin.register(Criterion)
class CriterionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "programme"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    search_fields = ["title", "programme__name"]
    autocomplete_fields = ["programme"]
    inlines = [CriterionTargetInline]


@admin.register(CriterionTarget)
class CriterionTargetAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["criterion", period_column(), "metric", "value", "note"]
    list_filter = ["criterion__programme", "period", "metric"]
    list_select_related = ["criterion"]
    search_fields = ["criterion__title"]
    autocomplete_fields = ["criterion"]


class MembershipInline(ScopedQuerysetMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["programme", "category", "included_on", "basis", "left_on", "leaving_reason"]
    autocomplete_fields = ["programme"]


class ParticipationInline(ScopedQuerysetMixin, admin.TabularInline):
    model = Participation
    extra = 0
    fields = ["edition", "role", "result"]
    autocomplete_fields = ["edition"]


class AchievementInline(ScopedQuerysetMixin, admin.TabularInline):
    model = Achievement
    extra = 0
    fields = ["event_name", "level", "result", "place", "achieved_on"]


@admin.register(Participant)
class ParticipantAdmin(CardAdminMixin, ScopedAdminMixin, PersonSearchMixin, SimpleHistoryAdmin):
    list_display = ["full_name", "birth_date", "organisation", "municipality", "grade_or_course", "consent"]
    list_display_links = ["full_name"]
    list_filter = [
        "organisation__municipality",
        "organisation",
        "memberships__programme",
        "memberships__category",
        "sex",
        "consent",
    ]
    list_select_related = ["organisation__municipality"]
    autocomplete_fields = ["organisation"]
    inlines = [MembershipInline, ParticipationInline, AchievementInline]
    fieldsets = [
        (None, {"fields": [("last_name", "first_name", "patronymic"), ("birth_date", "sex")]}),
        ("Учёба", {"fields": ["organisation", ("grade", "course")]}),
        ("Контакты", {"fields": [("phone", "email")]}),
        (
            "Согласие на обработку персональных данных",
            {"fields": [("consent", "consent_date"), ("consent_given_by", "consent_given_by_name")]},
        ),
    ]

    actions = ["merge_two"]

    @admin.action(description="Объединить две выбранные записи", permissions=["delete"])
    def merge_two(self, request, queryset):
        pks = sorted(queryset.values_list("pk", flat=True)[:3])
        if len(pks) != 2:
            self.message_user(request, "Для объединения выберите ровно две записи.", messages.ERROR)
            return None
        return redirect("admin:participants_participant_merge", *pks)

    @admin.display(description="ФИО", ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class ViewerForm(form):
            def _post_clean(self):
                self.instance.viewer = request.user  # the duplicate message names only what they may see
                super()._post_clean()

        form = ViewerForm
        if "organisation" in form.base_fields and must_name_organisation(request.user):
            form.base_fields["organisation"].required = True
            form.base_fields["organisation"].error_messages["required"] = ORGANISATION_REQUIRED
        return form

    def get_urls(self):
        from django.urls import path

        from participants import merge_views, views
        from participants.models import ImportKind

        def page(view, **kwargs):
            return self.admin_site.admin_view(lambda request, **kw: view(request, self, **kwargs, **kw))

        return [
            path(
                "import/", page(views.import_view, kind=ImportKind.PARTICIPANTS), name="participants_participant_import"
            ),
            path(
                "import/results/",
                page(views.import_view, kind=ImportKind.RESULTS),
                name="participants_participant_import_results",
            ),
            path(
                "import/template/",
                page(views.participant_template_view),
                name="participants_participant_import_template",
            ),
            path(
                "import/results/template/",
                page(views.results_template_view),
                name="participants_participant_results_template",
            ),
            path(
                "import/<uuid:upload_id>/",
                page(views.import_preview_view),
                name="participants_participant_import_preview",
            ),
            path("duplicates/", page(views.duplicates_view), name="participants_participant_duplicates"),
            path(
                "merge/<int:keep_id>/<int:removed_id>/",
                page(merge_views.merge_view),
                name="participants_participant_merge",
            ),
            path("deleted/", page(views.deleted_people_view), name="participants_participant_deleted"),
            path("export/", page(views.bank_export_view), name="participants_participant_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"may_export_bank": access_for(request.user).runs_the_bank, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="муниципалитет", ordering="organisation__municipality__name")
    def municipality(self, obj):
        return obj.organisation.municipality if obj.organisation else "—"

    @admin.display(description="класс / курс", ordering="grade")
    def grade_or_course(self, obj):
        """One column for the pupil's class or the student's course: a person has one of them,
        and two mostly empty columns pushed the list past a 1 366 px screen."""
        if obj.grade:
            return f"{obj.grade} класс"
        return f"{obj.course} курс" if obj.course else "—"


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, ParticipantRelatedSearchMixin, SimpleHistoryAdmin):
    list_display = ["participant", "programme", "category", "included_on", "left_on", "organisation"]
    list_filter = ["programme", "category", "participant__organisation__municipality", "included_on", "left_on"]
    list_select_related = ["participant__organisation", "programme"]
    date_hierarchy = "included_on"
    autocomplete_fields = ["participant", "programme"]

    @admin.display(description="организация", ordering="participant__organisation__name")
    def organisation(self, obj):
        return obj.participant.organisation or "—"


class TeamMemberInline(ScopedQuerysetMixin, admin.TabularInline):
    model = TeamMember
    extra = 0
    fields = ["participant", "is_leader"]
    autocomplete_fields = ["participant"]


@admin.register(ProjectTeam)
class ProjectTeamAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "programme", period_column(), "mentor_name", "member_count"]
    list_filter = ["programme", "period"]
    list_select_related = ["programme"]
    search_fields = ["name", "mentor_name"]
    autocomplete_fields = ["programme"]
    inlines = [TeamMemberInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(member_count=Count("memberships"))
        return queryset.order_by(*ProjectTeam._meta.ordering)  # an aggregate drops Meta.ordering

    @admin.display(description="участников", ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


@admin.register(TeamMember)
class TeamMemberAdmin(ScopedAdminMixin, ParticipantRelatedSearchMixin, admin.ModelAdmin):
    list_display = ["participant", "team", "is_leader"]
    list_filter = ["team__programme", "team__period", "team"]
    list_select_related = ["participant", "team"]
    autocomplete_fields = ["participant", "team"]


class CompetenceInline(ScopedQuerysetMixin, admin.TabularInline):
    model = Competence
    extra = 1
    fields = ["name", "sort_order"]


@admin.register(Instrument)
class InstrumentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [CompetenceInline]


@admin.register(Competence)
class CompetenceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "instrument", "sort_order"]
    list_filter = ["instrument"]
    list_select_related = ["instrument"]
    search_fields = ["name"]


class DiagnosticScoreInline(ScopedQuerysetMixin, admin.TabularInline):
    model = DiagnosticScore
    extra = 0
    fields = ["competence", "score"]


@admin.register(Diagnostic)
class DiagnosticAdmin(ScopedAdminMixin, ParticipantRelatedSearchMixin, admin.ModelAdmin):
    list_display = ["participant", "programme", period_column(), "instrument", "stage", "taken_on"]
    list_filter = ["programme", "period", "stage", "instrument", "participant__organisation"]
    list_select_related = ["participant", "programme", "instrument"]
    autocomplete_fields = ["participant", "programme", "instrument"]
    inlines = [DiagnosticScoreInline]


@admin.register(DiagnosticScore)
class DiagnosticScoreAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["diagnostic", "competence", "score"]
    list_filter = ["diagnostic__programme", "diagnostic__period", "diagnostic__stage", "competence"]
    list_select_related = ["diagnostic__participant", "diagnostic__instrument", "competence"]
    search_fields = ["diagnostic__participant__name_key"]
    raw_id_fields = ["diagnostic"]


@admin.register(Achievement)
class AchievementAdmin(ScopedAdminMixin, ParticipantRelatedSearchMixin, admin.ModelAdmin):
    list_display = ["participant", "event_name", "level", "result", "place", "achieved_on"]
    list_filter = ["level", "result", "achieved_on", "participant__organisation__municipality"]
    list_select_related = ["participant"]
    date_hierarchy = "achieved_on"
    autocomplete_fields = ["participant"]


@admin.register(ImportUpload)
class ImportUploadAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Uploaded workbooks and whether they were saved; the file itself is not shown."""

    list_display = ["filename", "kind", "user", "uploaded_at", "applied_at"]
    list_filter = ["kind", "uploaded_at", "applied_at"]
    list_select_related = ["user"]
    search_fields = ["filename", "user__username"]
    fields = ["filename", "kind", "user", "target", "uploaded_at", "applied_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
