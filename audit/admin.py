from django.contrib import admin

from accounts.rules import manageable_users
from audit.models import AuditEvent
from participants.admin_scope import RunsTheBankReadOnlyMixin


@admin.register(AuditEvent)
class AuditEventAdmin(RunsTheBankReadOnlyMixin, admin.ModelAdmin):
    """Read-only: superusers see every event, coordinators those of the people of their region
    (themselves and the accounts they manage; see accounts.rules)."""

    list_display = ("at", "username", "action", "what", "ip")
    list_filter = ("action", "at")
    search_fields = ("username",)
    date_hierarchy = "at"
    fields = ("at", "action", "username", "user", "what", "ip")
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request):
        events = super().get_queryset(request)
        if request.user.is_superuser:
            return events
        return events.filter(user__in=manageable_users(request.user, include_self=True))
