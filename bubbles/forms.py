"""Input shape only; the rules live in the services."""

from django import forms


class BubbleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    topic = forms.CharField(label="Topic", max_length=500, required=False)


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Email address of the person to add", max_length=254)


class GuestInviteForm(forms.Form):
    email = forms.EmailField(label="Guest's email address", max_length=254)


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message", max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FileForm(forms.Form):
    file = forms.FileField(label="File")


class GuestRedeemForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="The address this invitation was sent to.",
    )


class ReassignForm(forms.Form):
    member = forms.IntegerField(label="New organizer", min_value=1)
