"""Superadmins grant visibility in the Django admin (SPEC §4.6), through the services."""

from django import forms
from django.contrib import admin

from rainbow_portal.exceptions import ApplicationError

from ..models import VisibilityGrant, VisibilityRequest
from .services import visibility_grant_create, visibility_grant_revoke, visibility_grant_validate


class VisibilityGrantForm(forms.ModelForm):
    class Meta:
        model = VisibilityGrant
        fields = ["company", "visible_by"]

    def clean(self):
        data = super().clean()
        if data.get("company") and data.get("visible_by"):
            try:
                visibility_grant_validate(company=data["company"], visible_by=data["visible_by"])
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from None
        return data


@admin.register(VisibilityGrant)
class VisibilityGrantAdmin(admin.ModelAdmin):
    form = VisibilityGrantForm
    list_display = ["company", "visible_by", "created_by", "created_at"]
    list_select_related = ["company", "visible_by", "created_by"]
    autocomplete_fields = ["company", "visible_by"]
    fields = ["company", "visible_by"]
    search_fields = ["company__name", "visible_by__name"]
    actions = None  # bulk delete would bypass the service

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    has_view_permission = has_add_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_active and request.user.is_superuser
    )

    def has_change_permission(self, request, obj=None):
        return False  # a grant is created or removed, never edited

    def save_model(self, request, obj, form, change):
        grant = visibility_grant_create(
            company=obj.company, visible_by=obj.visible_by, actor=request.user
        )
        obj.pk = grant.pk

    def delete_model(self, request, obj):
        visibility_grant_revoke(grant=obj, actor=request.user)


@admin.register(VisibilityRequest)
class VisibilityRequestAdmin(admin.ModelAdmin):
    list_display = ["from_company", "to_company", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["from_company", "to_company"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
