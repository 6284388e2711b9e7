from django.contrib import admin

from .models import ActivityRecord
from .policies import holds_operations


@admin.register(ActivityRecord)
class ActivityRecordAdmin(admin.ModelAdmin):
    """Read-only, and only for operations staff (SPEC §10.4)."""

    list_display = ["occurred_at", "kind", "event", "method", "route", "status_code", "company_id"]
    list_filter = ["kind", "event"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    def _is_operations(self, request) -> bool:
        return holds_operations(request.user)

    def has_module_permission(self, request):
        return self._is_operations(request)

    def has_view_permission(self, request, obj=None):
        return self._is_operations(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
