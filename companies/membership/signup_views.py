"""Self-registration pages (SPEC §7.1, §2.5); addresses stay under /accounts/."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import forms as account_forms
from activity.middleware import client_ip
from core.forms import apply_error
from rainbow_portal.exceptions import ApplicationError

from .signup import signup


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def signup_view(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    form = account_forms.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signup(
                email=data["email"],
                password=data["new_password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            exc.fields = {
                ("new_password1" if k == "password" else k): v for k, v in exc.fields.items()
            }
            apply_error(form, exc)
        else:
            return redirect("companies:signup-done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done_view(request):
    return render(request, "accounts/signup_done.html")
