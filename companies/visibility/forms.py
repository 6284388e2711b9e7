from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import EmailField
from core.validation import validate_name

from ..models import VisibilityMode
from .inputs import ALLOWED_OVERRIDES


class OverrideForm(forms.Form):
    visibility_override = forms.ChoiceField(label=_("This member's visibility"))

    def __init__(self, *args, company_mode: str, current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        allowed = sorted(ALLOWED_OVERRIDES[company_mode])
        choices = [
            (
                "",
                _("Same as company (%(mode)s)")
                % {"mode": VisibilityMode(company_mode).label.lower()},
            ),
            *[(m, VisibilityMode(m).label) for m in allowed],
        ]
        if current and current not in allowed:
            # A kept override equal to the company's mode (SPEC §4.1): offered as it stands,
            # so saving the page unchanged does not clear it.
            label = VisibilityMode(current).label
            choices.insert(
                1,
                (
                    current,
                    _("%(mode)s (kept; no effect while the company is %(lower)s)")
                    % {"mode": label, "lower": label.lower()},
                ),
            )
        self.fields["visibility_override"].choices = choices
        self.fields["visibility_override"].required = False


class CompanyModeForm(forms.Form):
    """The company's own mode (SPEC §4.1): `organization` only while it is in one."""

    visibility = forms.ChoiceField(label=_("Company visibility"))

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = [
            (value, MODE_HELP[value])
            for value in VisibilityMode.values
            if value != VisibilityMode.ORGANIZATION or company.organization_id
        ]


MODE_HELP = {
    VisibilityMode.PUBLIC: _("Public: anyone may find your members, except closed companies"),
    VisibilityMode.PRIVATE: _("Private: only your company and your members' contacts find them"),
    VisibilityMode.CLOSED: _("Closed: private, and your members search only inside the company"),
    VisibilityMode.ISOLATED: _(
        "Isolated: closed, and nobody outside the company invites or is invited"
    ),
    VisibilityMode.ORGANIZATION: _(
        "Organization: public inside your organization, private outside it"
    ),
}


class SimulateForm(forms.Form):
    other = EmailField(label=_("Another person's email"))


class VisibilityRequestForm(forms.Form):
    company_name = forms.CharField(
        label=_("Company name (exact)"), max_length=200, validators=[validate_name]
    )


class NetworkSettingsForm(forms.Form):
    auto_accept_within_company = forms.BooleanField(
        label=_("Accept invitations between our members at once"), required=False
    )
