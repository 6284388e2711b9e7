"""Django admin for superadmins. Every save and delete goes through a service, so each
admin action leaves exactly one activity record; a refused change shows its message."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from rainbow_portal.exceptions import ApplicationError

from . import services
from .models import (
    Company,
    CompanyDomain,
    CompanyInvitation,
    JoinLink,
    JoinRequest,
    Organization,
    PartnerInvitation,
    RoleAssignment,
)
from .models import Organization as Org
from .policies import role_fits_company


class _Refused(Exception):
    pass


class RefusalMessageAdmin(admin.ModelAdmin):
    """A service's refusal (ApplicationError) is shown as the admin's message, never a 500;
    the admin's transaction has rolled back what the save or delete did (D3.6)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (_Refused, ApplicationError) as refused:
            self.message_user(request, _message(refused), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (_Refused, ApplicationError) as refused:
            self.message_user(request, _message(refused), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _message(refused: Exception) -> str:
    return refused.message if isinstance(refused, ApplicationError) else str(refused)


class ServiceAdmin(RefusalMessageAdmin):
    """No bulk delete: it would bypass the services."""

    actions = None

    def has_delete_permission(self, request, obj=None):
        return False


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = Org.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists()
        if taken:
            raise ValidationError(f"An organization named “{name}” already exists.")
        return name


@admin.register(Organization)
class OrganizationAdmin(ServiceAdmin):
    form = OrganizationForm
    search_fields = ["name"]
    list_display = ["name", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            services.organization_rename(
                organization=Organization.objects.get(pk=obj.pk), name=obj.name, actor=request.user
            )
        else:
            created = services.organization_create(name=obj.name, actor=request.user)
            obj.pk = created.pk


class CompanyAdminForm(forms.ModelForm):
    """Validates through the services' rules, so a refused change is a form error."""

    class Meta:
        model = Company
        fields = [
            "name",
            "kind",
            "region",
            "is_hds",
            "visibility",
            "status",
            "organization",
            "business_partner",
        ]

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            original = Company.objects.get(pk=self.instance.pk)
            try:
                services.company_check_immutable(
                    company=original,
                    changes={k: data[k] for k in ("region", "is_hds") if k in data},
                )
            except ApplicationError as exc:
                raise ValidationError(exc.message) from None
        return data

    def clean_name(self):
        # The model's own validators (an invisible character, say) as a form error: the
        # services' full_clean would otherwise raise after the form was accepted.
        name = self.cleaned_data["name"]
        Company._meta.get_field("name").run_validators(name)
        return name

    def _post_clean(self):
        # Model validation runs in the services, on the fields they own, one at a time.
        pass


@admin.register(Company)
class CompanyAdmin(ServiceAdmin):
    form = CompanyAdminForm
    list_display = ["name", "kind", "region", "is_hds", "visibility", "status", "organization"]
    list_filter = ["kind", "region", "is_hds", "visibility", "status"]
    search_fields = ["name", "slug"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization", "business_partner"]

    def has_add_permission(self, request):
        # Region and HDS are chosen by a superadmin at creation (SPEC §2.3); company_create
        # leaves that check to its callers (D10b.8).
        return request.user.is_superuser and super().has_add_permission(request)

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []

    def save_model(self, request, obj, form, change):
        self._error = None
        data = form.cleaned_data
        try:
            if not change:
                created = services.company_create(
                    name=data["name"],
                    region=data["region"],
                    kind=data["kind"],
                    is_hds=data["is_hds"],
                    visibility="public",
                    actor=request.user,
                )
                original = created
            else:
                original = Company.objects.get(pk=obj.pk)
                services.company_update(
                    company=original,
                    actor=request.user,
                    **{k: data[k] for k in ("name", "status", "kind", "region", "is_hds")},
                )
            if data.get("organization") != original.organization:
                services.company_organization_set(
                    company=original, organization=data.get("organization"), actor=request.user
                )
            if data.get("visibility") != original.visibility:
                services.company_visibility_set(
                    company=original, visibility=data["visibility"], actor=request.user
                )
            if data.get("business_partner") != original.business_partner:
                services.company_partner_set(
                    company=original, partner=data.get("business_partner"), actor=request.user
                )
            if not change and data.get("status") != original.status:
                services.company_update(company=original, status=data["status"], actor=request.user)
        except ApplicationError as exc:
            # The services run one transaction each; the admin's outer transaction rolls all
            # of them back when the message is shown instead of a redirect.
            self._error = exc.message
            raise _Refused(exc.message) from None
        except ValidationError as exc:
            # A model rule the form did not hold (full_clean in the services): a message.
            self._error = " ".join(exc.messages)
            raise _Refused(self._error) from None
        # The admin's success message and redirect read the saved row, not the form's copy.
        original.refresh_from_db()
        for field in Company._meta.concrete_fields:
            setattr(obj, field.attname, getattr(original, field.attname))


class CompanyDomainForm(forms.ModelForm):
    class Meta:
        model = CompanyDomain
        fields = ["company", "domain"]

    def validate_unique(self):
        # The service's rule says which company already owns the domain.
        pass

    def clean(self):
        data = super().clean()
        if data.get("company") and data.get("domain"):
            reason = services.domain_refusal(company=data["company"], domain=data["domain"])
            if reason:
                raise ValidationError(reason)
        return data


@admin.register(CompanyDomain)
class CompanyDomainAdmin(admin.ModelAdmin):
    form = CompanyDomainForm
    list_display = ["domain", "company", "created_at"]
    search_fields = ["domain", "company__name"]
    list_select_related = ["company"]
    autocomplete_fields = ["company"]
    actions = None

    def has_change_permission(self, request, obj=None):
        # A domain is added or removed, never edited (SPEC §2.5).
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        created = services.domain_add(
            company=form.cleaned_data["company"], domain=obj.domain, actor=request.user
        )
        obj.pk = created.pk

    def delete_model(self, request, obj):
        services.domain_remove(domain=obj, actor=request.user)

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role"]

    def clean(self):
        data = super().clean()
        user, role = data.get("user"), data.get("role")
        if user and role:
            if not role_fits_company(role=role, company=user.company):
                raise ValidationError(
                    "This role does not exist in this user's kind of company."  # SPEC §3.1
                )
            if RoleAssignment.objects.filter(user=user, role=role).exists():
                raise ValidationError("This user already holds this role.")
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(RefusalMessageAdmin):
    form = RoleAssignmentForm
    list_display = ["user", "role", "granted_at"]
    list_filter = ["role"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    actions = None

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Superadmins grant anything (SPEC §3.2); nobody changes their own roles.
        created = services.member_role_grant(member=obj.user, role=obj.role, actor=request.user)
        obj.pk = created.pk

    def delete_model(self, request, obj):
        services.member_role_remove(member=obj.user, role=obj.role, actor=request.user)

    # Labels that name the user by id, never by name (services.role_assignment_admin_log).
    def log_addition(self, request, obj, message):
        return services.role_assignment_admin_log(
            assignment=obj, actor=request.user, flag=ADDITION, message=message
        )

    def log_change(self, request, obj, message):
        return services.role_assignment_admin_log(
            assignment=obj, actor=request.user, flag=CHANGE, message=message
        )

    def log_deletions(self, request, queryset):
        return [
            services.role_assignment_admin_log(assignment=obj, actor=request.user, flag=DELETION)
            for obj in queryset
        ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen by operators, changed only through the company and partner pages."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompanyInvitation)
class CompanyInvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "company", "role", "status", "expires_at"]
    list_filter = ["status"]
    exclude = ["token_hash"]
    list_select_related = ["company"]


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ["user", "company", "status", "created_at"]
    list_select_related = ["company", "user"]


@admin.register(JoinLink)
class JoinLinkAdmin(ReadOnlyAdmin):
    list_display = ["company", "use_count", "max_uses", "is_enabled", "expires_at"]
    exclude = ["token_hash"]
    list_select_related = ["company"]


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(ReadOnlyAdmin):
    list_display = ["partner", "customer", "status", "created_at"]
    list_select_related = ["partner", "customer"]


from . import user_admin  # noqa: E402, F401  (registers accounts.User)
from .visibility import admin as visibility_admin  # noqa: E402, F401  (registers its models)
