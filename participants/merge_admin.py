"""The journal of merges («Объединения участников»): read-only rows, each page with its undo."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html

from participants.admin_scope import RunsTheBankReadOnlyMixin, ScopedQuerysetMixin
from participants.merge_views import merge_record_view
from participants.models import MergeRecord
from talentbank.pagination import EstimatedCountPaginator


@admin.register(MergeRecord)
class MergeRecordAdmin(RunsTheBankReadOnlyMixin, ScopedQuerysetMixin, admin.ModelAdmin):
    """Coordinators and superusers read the journal, narrowed by access.py (the merges of people they
    see); nobody edits it. The change page is the record's own page with its undo."""

    list_display = ["merged_at", "removed", "kept_link", "merged_by", "state"]
    list_filter = ["merged_at", "undone_at"]
    list_select_related = ["merged_by", "undone_by"]
    search_fields = ["kept_name", "removed_name"]
    date_hierarchy = "merged_at"
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description="удалённая запись", ordering="removed_name")
    def removed(self, obj):
        return format_html("{} (№ {})", obj.removed_name, obj.removed_pk)

    @admin.display(description="оставленная запись", ordering="kept_name")
    def kept_link(self, obj):
        if obj.kept_id is None:
            return format_html("{} (№ {}, удалена)", obj.kept_name, obj.kept_pk)
        url = reverse("admin:participants_participant_change", args=[obj.kept_id])
        return format_html('<a href="{}">{}</a> (№ {})', url, obj.kept_name, obj.kept_pk)

    @admin.display(description="состояние", ordering="undone_at")
    def state(self, obj):
        return "отменено" if obj.is_undone else "действует"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return merge_record_view(request, self, self.get_object(request, object_id))
