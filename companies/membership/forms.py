"""Input shape only; the rules live in the services."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import EmailField
from core.validation import validate_name

from ..models import FileSharingMode, Role

ROLE_FILTER_CHOICES = [("", _("Any role")), ("user", _("No admin role")), *Role.choices]
STATUS_FILTER_CHOICES = [
    ("", _("Any status")),
    ("active", _("Active")),
    ("inactive", _("Inactive")),
]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=ROLE_FILTER_CHOICES)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTER_CHOICES)


class CompanySearchForm(forms.Form):
    # Django's CharField refuses NUL bytes, which PostgreSQL cannot take in a query.
    q = forms.CharField(label=_("Find a company"), required=False, max_length=100)


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or many, separated by commas, spaces or new lines."),
        max_length=20_000,
    )

    def clean_emails(self):
        return [e for e in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if e]


class CompanyProfileForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200, validators=[validate_name])


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    action = forms.ChoiceField(choices=[("grant", "Grant"), ("remove", "Remove")])


class CompanyFileSharingForm(forms.Form):
    enabled = forms.TypedChoiceField(
        label=_("File sharing for the company"),
        choices=[("1", _("Enabled")), ("0", _("Disabled"))],
        coerce=lambda v: v == "1",
    )


class MemberFileSharingForm(forms.Form):
    mode = forms.ChoiceField(label=_("File sharing"), choices=FileSharingMode.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])


class JoinLinkForm(forms.Form):
    max_uses = forms.IntegerField(label=_("Maximum users"), min_value=1, max_value=100_000)
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=365, initial=7
    )


class JoinLinkToggleForm(forms.Form):
    enabled = forms.TypedChoiceField(choices=[("1", "On"), ("0", "Off")], coerce=lambda v: v == "1")


class CompanyCreateForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200, validators=[validate_name])


class InvitationSignupForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, validators=[validate_name])
    last_name = forms.CharField(label=_("Last name"), max_length=150, validators=[validate_name])
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class CustomerCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Customer company name"), max_length=200, validators=[validate_name]
    )
    admin_email = EmailField(label=_("Email of its first admin"))


class PartnerOfferForm(forms.Form):
    customer_name = forms.CharField(
        label=_("Exact name of the company"), max_length=200, validators=[validate_name]
    )
