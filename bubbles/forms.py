"""Input shape only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy


class BubbleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=500, required=False)


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address of the person to add"), max_length=254
    )


class GuestInviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Guest's email address"), max_length=254)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))


class GuestRedeemForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        help_text=gettext_lazy("The address this invitation was sent to."),
    )


class ReassignForm(forms.Form):
    member = forms.IntegerField(label=gettext_lazy("New organizer"), min_value=1)
