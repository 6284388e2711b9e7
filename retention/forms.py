from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import Company


class SelfCloseForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput, label=gettext_lazy("Your password"), strip=False
    )
    otp = forms.CharField(
        required=False,
        label=gettext_lazy("Code from your authenticator app"),
        help_text=gettext_lazy("Asked only if you use two-factor authentication."),
        max_length=12,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand: after thirty days my account is anonymized, then deleted."
        )
    )


class ActivityFilterForm(forms.Form):
    email = forms.CharField(
        required=False, label=gettext_lazy("User (email, or a pseudonym)"), max_length=254
    )
    company = forms.CharField(
        required=False, label=gettext_lazy("Company short name"), max_length=100
    )
    ip = forms.GenericIPAddressField(required=False, label=gettext_lazy("Source IP"))
    since = forms.DateTimeField(
        required=False,
        label=gettext_lazy("From (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = forms.DateTimeField(
        required=False,
        label=gettext_lazy("Until (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    request_type = forms.CharField(
        required=False,
        label=gettext_lazy("Request type (method and/or route, or event)"),
        max_length=200,
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise forms.ValidationError(_("The start of the time range must be before its end."))
        return data


class ExtractForm(forms.Form):
    company = forms.ModelChoiceField(
        queryset=Company.objects.order_by("name"), to_field_name="slug"
    )
    since = forms.DateField(
        label=gettext_lazy("Since (UTC day)"), widget=forms.DateInput(attrs={"type": "date"})
    )


class HoldForm(forms.Form):
    email = forms.EmailField(required=False, label=gettext_lazy("Account email"))
    company = forms.CharField(
        required=False, label=gettext_lazy("or company short name"), max_length=100
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if bool(data.get("email")) == bool(data.get("company")):
            raise forms.ValidationError(_("Name one account or one company."))
        return data
