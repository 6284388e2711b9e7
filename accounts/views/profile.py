"""The profile page (thin view)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import apply_error
from rainbow_portal.exceptions import ApplicationError

from .. import forms
from ..security import selectors
from ..services import user_profile_update

# --- Profile (SPEC §7.7) ---------------------------------------------------------------------


@login_required
def profile_view(request):
    user = request.user
    locked = selectors.profile_locked_fields(user=user)
    initial = {"first_name": user.first_name, "last_name": user.last_name, "title": user.title}
    form = forms.ProfileForm(request.POST or None, initial=initial, locked=locked)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k not in locked}
        try:
            user_profile_update(user=user, actor=user, **changes)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "locked": bool(locked),
            # SPEC §2.2: a standalone user chooses their own mode (the form posts to the
            # network pages, beside the visibility rules).
            "visibility_form": forms.OwnVisibilityForm(
                initial={"visibility": user.visibility_override or "public"}
            )
            if user.company.is_default
            else None,
        },
    )
