"""The Django admin's user pages go through the services (SPEC §3.2, D3.14): a superadmin
cannot change their own login email, status, groups or permissions; the company is never
changed here (moves go through the portal's flows); every change is one activity record.
Registered from companies/admin.py: a new user is created into a company by companies'
`user_create`, so these pages sit in the companies layer."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

from accounts import services
from accounts.models import User, UserSecurity
from accounts.policies import PRIVILEGED_ACCOUNT_FIELDS, account_admin_refusal
from accounts.security.services import account_unlock, two_factor_reset
from rainbow_portal.exceptions import ApplicationError

from .services import user_create

ALWAYS_READ_ONLY = ["last_login", "date_joined"]


class _Refused(Exception):
    pass


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "company", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["company"]
    autocomplete_fields = ["company"]
    # Bulk delete would bypass account closure (SPEC §8).
    actions = None
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "title", "company"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "company", "password1", "password2"]})
    ]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        # An account is created into a company with a known password: a superadmin's choice
        # (SPEC §2.3), like the company itself.
        return request.user.is_superuser and super().has_add_permission(request)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = [*ALWAYS_READ_ONLY, "company"]
        if obj.pk == request.user.pk:
            fields += sorted(services.SELF_LOCKED_FIELDS)
        elif not request.user.is_superuser:
            fields += sorted(services.SUPERADMIN_ONLY_FIELDS)
            if account_admin_refusal(actor=request.user, user=obj, fields={"email"}):
                fields += sorted(PRIVILEGED_ACCOUNT_FIELDS - {"password"})
        return list(dict.fromkeys(fields))

    def save_model(self, request, obj, form, change):
        try:
            if change:
                original = User.objects.get(pk=obj.pk)
                changes = {
                    name: form.cleaned_data[name]
                    for name in services.ADMIN_FIELDS
                    if name in form.cleaned_data
                }
                saved = services.user_admin_update(user=original, actor=request.user, **changes)
            else:
                saved = user_create(
                    email=form.cleaned_data["email"],
                    company=form.cleaned_data["company"],
                    password=form.cleaned_data.get("password1") or None,
                    actor=request.user,
                )
        except ApplicationError as exc:
            raise _Refused(exc.message) from None
        # The admin's message and redirect read the saved row, not the form's copy.
        for field in User._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # Groups and permissions were set by the service; the form must not set them again.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            # The admin's transaction rolled back; show the service's reason.
            self.message_user(request, str(refused), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def user_change_password(self, request, id, form_url=""):
        """The admin's password page, saved through `user_admin_password_set` (one record,
        every session of the user ended) instead of the form's own save."""
        user = self.get_object(request, unquote(id))
        if user is not None and self.has_change_permission(request, user):
            # A privileged account's password is a superadmin's (SPEC §3.2): not even the form.
            refusal = account_admin_refusal(actor=request.user, user=user, fields={"password"})
            if refusal:
                self.message_user(request, refusal, level=messages.ERROR)
                back = reverse(f"{self.admin_site.name}:accounts_user_change", args=[user.pk])
                return HttpResponseRedirect(back)
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if user is None:
            raise Http404("No such user.")
        back = reverse(f"{self.admin_site.name}:accounts_user_change", args=[user.pk])
        form = self.change_password_form(user, request.POST)
        if not form.is_valid():
            # Re-rendered with the form's errors; nothing is saved on an invalid form.
            return super().user_change_password(request, id, form_url)
        usable = form.cleaned_data.get("set_usable_password", True)
        try:
            services.user_admin_password_set(
                user=user,
                actor=request.user,
                password=form.cleaned_data["password1"] if usable else None,
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(back)
        self.message_user(request, "Password changed; every session of this user ended.")
        return HttpResponseRedirect(back)


@admin.register(UserSecurity)
class UserSecurityAdmin(admin.ModelAdmin):
    """Sign-in state, read only, with one action: lift a lock (SPEC §7.3) through the service,
    so an operator can help a locked-out person without touching their password."""

    list_display = ["user", "email_verified", "failed_logins", "locked_until", "profile_locked"]
    list_filter = ["email_verified", "profile_locked"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    actions = ["unlock", "reset_two_factor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_unlock_permission(self, request):
        # An action that changes state needs the change permission, not only the view one;
        # the change form itself stays closed (has_change_permission above).
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def has_reset_two_factor_permission(self, request):
        return request.user.is_superuser  # the service checks it again

    @admin.action(
        description="Reset two-factor sign-in (authenticator and recovery codes both lost)",
        permissions=["reset_two_factor"],
    )
    def reset_two_factor(self, request, queryset):
        done = 0
        for row in queryset.select_related("user"):
            try:
                two_factor_reset(user=row.user, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{row.user}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                f"Two-factor sign-in reset for {done} account(s); their sessions ended, and each"
                " enrolls again at the next sign-in where it is required.",
                messages.SUCCESS,
            )

    @admin.action(description="Unlock the selected accounts", permissions=["unlock"])
    def unlock(self, request, queryset):
        count = sum(
            account_unlock(user=row.user, actor=request.user)
            for row in queryset.select_related("user")
        )
        self.message_user(request, f"{count} account(s) unlocked.", messages.SUCCESS)
