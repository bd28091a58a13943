from django.contrib import admin

from audit.models import AuditEvent
from participants.access import access_for, token_users


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: superusers see every event, coordinators those of the people of their region
    (themselves, their region's school staff, their programmes' coordinators; see access.token_users)."""

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
        return events.filter(user__in=token_users(request.user))

    def _may_read(self, request) -> bool:
        access = access_for(request.user)
        return access.is_superuser or access.is_coordinator

    def has_module_permission(self, request):
        return self._may_read(request)

    def has_view_permission(self, request, obj=None):
        return self._may_read(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
