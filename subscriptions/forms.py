from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from companies.models import SubscriptionDelegation
from core.validation import MAX_ID, MAX_IDS_AT_ONCE, validate_name
from rainbow_portal.exceptions import ApplicationError

from .models import BillingModel, System
from .selectors import offers_for_sale
from .services.subscriptions import subscription_start_validate


class DateInput(forms.DateInput):
    input_type = "date"


class SubscriptionCreateForm(forms.Form):
    offer = forms.ModelChoiceField(queryset=offers_for_sale(), empty_label=None)
    billing = forms.ChoiceField(label=gettext_lazy("Billing"), choices=BillingModel.choices)
    seats = forms.IntegerField(min_value=1, max_value=100_000, initial=1)
    start_date = forms.DateField(label=gettext_lazy("Start date"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers_for_sale()
        self.fields["offer"].label_from_instance = lambda o: (
            f"{o.name} — {o.price_per_seat_month} EUR per seat per month"
        )
        self.fields["start_date"].initial = timezone.now().date()

    def clean_start_date(self):
        # The service's rule, so that the page and the API refuse alike (issue 10).
        start = self.cleaned_data["start_date"]
        try:
            subscription_start_validate(start_date=start, by_person=True)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None
        return start


class SeatsForm(forms.Form):
    seats = forms.IntegerField(min_value=1, max_value=100_000)


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("suspend", "Suspend"), ("resume", "Resume"), ("terminate", "Terminate")]
    )


class DelegationForm(forms.Form):
    delegation = forms.ChoiceField(
        label=gettext_lazy("Customer admins may update subscriptions"),
        choices=SubscriptionDelegation.choices,
    )


class MemberIdsField(forms.ModelMultipleChoiceField):
    """Checks the shape of each id, and how many, before the database sees them."""

    def _check_values(self, value):
        if len(value) > MAX_IDS_AT_ONCE:
            raise forms.ValidationError(
                _("At most %(MAX_IDS_AT_ONCE)s members at once.")
                % {"MAX_IDS_AT_ONCE": MAX_IDS_AT_ONCE}
            )
        for raw in value:
            text = str(raw)
            if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID):
                raise forms.ValidationError(
                    _("“%(text_30)s” is not a member id.") % {"text_30": text[:30]}
                )
        return super()._check_values(value)


class LicenseAssignForm(forms.Form):
    users = MemberIdsField(
        queryset=User.objects.none(),
        error_messages={
            "required": gettext_lazy("Choose at least one member."),
            "invalid_choice": gettext_lazy("A license goes only to a member of this company."),
        },
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = User.objects.filter(company=company)


class SiteForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Site name"), max_length=120, validators=[validate_name]
    )
    address = forms.CharField(max_length=300, required=False)


class SystemForm(forms.Form):
    site = forms.ModelChoiceField(queryset=None, empty_label=None)
    name = forms.CharField(
        label=gettext_lazy("System name"), max_length=120, validators=[validate_name]
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=System.Kind.choices)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class ExtensionForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Extension number"), max_length=8)


class AssociateForm(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("Member"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— nobody —"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "An extension goes only to a member of the system's company."
            )
        },
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(company=company, is_active=True)
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.email


class BillingForm(forms.Form):
    """The customer's billing details printed on its invoices (issue 14)."""

    billing_name = forms.CharField(
        label=gettext_lazy("Billing name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "The legal name invoices are addressed to; the company's name if empty."
        ),
    )
    billing_address = forms.CharField(
        label=gettext_lazy("Billing address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    vat_number = forms.CharField(
        label=gettext_lazy("VAT number"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("With its country letters, e.g. FR12345678901."),
    )
