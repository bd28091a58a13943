"""The справка's text in the admin: one form per programme and period, a text box per block in print
order, each with the draft talentbank proposes from the figures (accept, edit or discard it), and
the numbers of the text that match no figure of the справка flagged after saving."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from participants.access import approvable_programmes
from participants.admin_scope import ScopedAdminMixin

from . import narrative as prose
from . import versions
from .models import PeriodReport, ReportVersion
from .services import build_report
from .views import programme_or_404

PART_FIELD = "part__"
FRAME_FIELDS = ["issuer", "signer_position", "signer_name", "executor"]
ACCEPT_FIELD = "accept__"


def offered_drafts(obj: PeriodReport, drafts: dict[str, str]) -> dict[str, str]:
    """The drafts worth offering: those that differ from the block's saved text."""
    return {
        key: draft.strip()
        for key, draft in drafts.items()
        if draft and draft.strip() and draft.strip() != obj.block(key).strip()
    }


class PeriodReportForm(forms.ModelForm):
    """Programme and period, then (once they are saved) a text box per block of that справка."""

    class Meta:
        model = PeriodReport
        fields = ["programme", "period"]

    def __init__(self, *args, drafts: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        offered = offered_drafts(self.instance, drafts or {}) if self.instance.pk else {}
        self.drafts: dict[str, str] = {}  # the drafts offered, by part
        if self.instance.pk:
            programme = self.instance.programme
            for part in prose.parts(programme):
                help_text = "Абзацы разделяйте пустой строкой, пункты списка начинайте с «- »."
                if part.key == prose.INTRODUCTION:
                    help_text += " Если пусто, печатается описание программы."
                self.fields[PART_FIELD + part.key] = forms.CharField(
                    label=part.label,
                    required=False,
                    max_length=prose.MAX_BLOCK_LENGTH,
                    initial=self.instance.block(part.key),
                    help_text=help_text,
                    widget=forms.Textarea(attrs={"rows": 6, "cols": 100, "class": "vLargeTextField"}),
                )
                draft = offered.get(part.key)
                if draft:
                    self.drafts[part.key] = draft
                    self.fields[ACCEPT_FIELD + part.key] = forms.BooleanField(
                        label="Взять черновик",
                        required=False,
                        help_text=format_html(
                            '<span class="draft-label">Черновик по данным справки:</span>'
                            '<span class="draft-text">{}</span>',
                            prose.to_html(draft),
                        ),
                    )

    def save(self, commit=True):
        instance = super().save(commit=False)
        if instance.pk:
            narrative = dict(instance.narrative or {})
            for name, value in self.cleaned_data.items():
                if name.startswith(PART_FIELD):
                    key = name.removeprefix(PART_FIELD)
                    if self.cleaned_data.get(ACCEPT_FIELD + key) and key in self.drafts:
                        value = self.drafts[key]  # accepted: the draft replaces what the box held
                    text = value.replace("\r\n", "\n").strip()
                    if text:
                        narrative[key] = text
                    else:
                        narrative.pop(key, None)
            instance.narrative = narrative
        if commit:
            instance.save()
        return instance


@admin.register(PeriodReport)
class PeriodReportAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = PeriodReportForm
    list_display = ["__str__", "programme", "period_shown", "versions_shown", "updated_at"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    change_form_template = "admin/reports/periodreport/change_form.html"

    @admin.display(description="утверждённые версии")
    def versions_shown(self, obj):
        return obj.versions.count() or "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "programme":
            kwargs["queryset"] = approvable_programmes(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["programme", "period_shown"] if obj else []

    @admin.display(description="период")
    def period_shown(self, obj):
        return obj.programme.period(obj.period).label  # «2019», «2019/2020»: a year is never digit-grouped

    def get_fields(self, request, obj=None):
        fields = ["programme", "period_shown", *FRAME_FIELDS] if obj else ["programme", "period"]
        if obj:
            for part in prose.parts(obj.programme):
                fields += [PART_FIELD + part.key, ACCEPT_FIELD + part.key]
        return fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["programme", "period"]})]
        offered = offered_drafts(obj, self._drafts(request, obj))
        frame = ("Оформление за этот период", {"fields": FRAME_FIELDS, "classes": ["collapse"]})
        return [(None, {"fields": ["programme", "period_shown"]}), frame] + [
            (
                part.label,
                {
                    "fields": [PART_FIELD + part.key, *([ACCEPT_FIELD + part.key] if part.key in offered else [])],
                    "classes": ["narrative-part"],
                },
            )
            for part in prose.parts(obj.programme)
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ["programme", "period"] if obj is None else FRAME_FIELDS
        form = super().get_form(request, obj, change, **kwargs)
        drafts = self._drafts(request, obj) if obj else {}

        class WithDrafts(form):
            def __init__(self, *args, **inner):
                inner.setdefault("drafts", drafts)
                super().__init__(*args, **inner)

        return WithDrafts

    @staticmethod
    def _figures(request, obj):
        """The справка and the two before it (versions.earlier_reports), computed once a request:
        the drafts and the check of the text's numbers both read them."""
        cache = request.__dict__.setdefault("_report_figures", {})
        if obj.pk not in cache:
            cache[obj.pk] = (
                build_report(obj.programme, obj.period),
                versions.earlier_reports(obj.programme, obj.period),
            )
        return cache[obj.pk]

    @classmethod
    def _drafts(cls, request, obj) -> dict[str, str]:
        """Drafts from the figures of this period and the two before it, made once a request."""
        cache = request.__dict__.setdefault("_report_drafts", {})
        if obj.pk not in cache:
            from .drafts import section_drafts

            cache[obj.pk] = section_drafts(*cls._figures(request, obj))
        return cache[obj.pk]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            report, earlier = self._figures(request, obj)
            for block, message in versions.number_flags(report, obj.narrative, earlier):
                messages.warning(request, f"{block}: {message}")

    def response_add(self, request, obj, post_url_continue=None):
        # The text boxes appear once the programme and period are known: straight to them.
        return redirect(reverse("admin:reports_periodreport_change", args=[obj.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["report_url"] = reverse("reports:detail", args=[obj.programme.slug, obj.period])
            context["approve_url"] = reverse("reports:approve", args=[obj.programme.slug, obj.period])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        edit = path(
            "edit/<slug:slug>/<int:year>/",
            self.admin_site.admin_view(self.edit_view),
            name="reports_periodreport_edit",
        )
        return [edit, *super().get_urls()]

    def edit_view(self, request, slug: str, year: int):
        """The text of one programme's справка for one period, created on first use."""
        programme = programme_or_404(request, slug, year, approvable_programmes(request.user))
        found = versions.period_report(programme, year)
        return redirect(reverse("admin:reports_periodreport_change", args=[found.pk]))


@admin.register(ReportVersion)
class ReportVersionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "approved_at", "approved_by", "digest_short", "open_link"]
    list_filter = ["report__programme"]
    list_select_related = ["report__programme", "approved_by"]
    fields = ["report", "number", "approved_at", "approved_by", "digest", "open_link"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf", "xlsx", "html", "figures", "narrative")

    @admin.display(description="контрольная сумма")
    def digest_short(self, obj):
        return obj.digest[:12] + "…"

    @admin.display(description="справка")
    def open_link(self, obj):
        url = reverse("reports:version", args=[obj.report.programme.slug, obj.report.period, obj.number])
        return format_html('<a href="{}">открыть версию {}</a>', url, obj.number)

    def has_add_permission(self, request):
        return False  # versions are made by approving a справка

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a signed справка is never deleted
