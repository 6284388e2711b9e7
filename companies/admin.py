from django.contrib import admin

from .models import Company, Organization, RoleAssignment


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "is_hds", "visibility", "status", "organization"]
    list_filter = ["kind", "region", "is_hds", "visibility", "status"]
    search_fields = ["name", "slug"]
    list_select_related = ["organization"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "granted_at"]
    list_filter = ["role"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


from .visibility import admin as visibility_admin  # noqa: E402, F401  (registers its models)
