from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.validation import validate_name

from .models import PersonalToken, TwoFactorPolicy
from .security.password_policy import MAX_LENGTH


class EmailLoginForm(forms.Form):
    """Email first, then the password (SPEC §7.6: the email decides whether the person is
    sent to their company's identity provider). The lockout and the messages live in the
    service; this only checks the input's shape. Labels "Email" / "Password" are what browser
    tests look for."""

    username = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _new_password_field(label="New password"):
    return forms.CharField(
        label=label,
        strip=False,
        # Longer than the policy's maximum, so the policy's message (not a generic one) says
        # what is wrong with a 65-character password.
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "8 to %(MAX_LENGTH)s characters (your company may ask for "
            "more), with a lower-case letter, an upper-case letter, a "
            "digit and a special character."
        )
        % {"MAX_LENGTH": MAX_LENGTH},
    )


class _TwoPasswordsMixin:
    def clean(self):
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", gettext_lazy("The two passwords are not the same."))
        return data


class SignupForm(_TwoPasswordsMixin, forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=gettext_lazy("First name"), max_length=150, required=False, validators=[validate_name]
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"), max_length=150, required=False, validators=[validate_name]
    )
    new_password1 = _new_password_field("Password")
    new_password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ResetConfirmForm(_TwoPasswordsMixin, forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    code = forms.RegexField(
        label=gettext_lazy("Code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("The code is the 6 digits from the email.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    new_password1 = _new_password_field()
    new_password2 = forms.CharField(
        label=gettext_lazy("New password again"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordChangeForm(_TwoPasswordsMixin, forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = _new_password_field()
    new_password2 = forms.CharField(
        label=gettext_lazy("New password again"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=gettext_lazy("The 6 digits from your authenticator app, or a recovery code."),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        label=gettext_lazy("First name"), max_length=150, required=False, validators=[validate_name]
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"), max_length=150, required=False, validators=[validate_name]
    )
    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=150, required=False, validators=[validate_name]
    )

    def __init__(self, *args, locked=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in locked:
            self.fields[name].disabled = True
            self.fields[name].help_text = "Locked by your company."


class CompanySecurityForm(forms.Form):
    password_min_length = forms.IntegerField(
        label=gettext_lazy("Minimum password length"), min_value=8, max_value=MAX_LENGTH
    )
    two_factor = forms.ChoiceField(
        label=gettext_lazy("Two-factor authentication"), choices=TwoFactorPolicy
    )
    lock_profiles = forms.BooleanField(
        label=gettext_lazy("Lock every member's title, first name and last name"), required=False
    )


class ProfileLockForm(forms.Form):
    locked = forms.TypedChoiceField(
        choices=[("1", "Lock"), ("0", "Unlock")], coerce=lambda value: value == "1"
    )


class OwnVisibilityForm(forms.Form):
    """SPEC §2.2: a standalone user's own mode."""

    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can find you"),
        choices=[
            ("public", gettext_lazy("Public: anyone who searches may find you")),
            ("private", gettext_lazy("Private: only your network finds you")),
        ],
        widget=forms.RadioSelect,
    )


class ApiTokenForm(forms.Form):
    """A personal API token (SPEC §7.8): its name, scope and lifetime."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What uses it, e.g. “backup”."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=PersonalToken.Scope.choices,
        initial="read",
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=90,
        initial=30,
        help_text=gettext_lazy("1 to 90 days."),
    )
