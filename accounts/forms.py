from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        # One message for a wrong email and a wrong password: no account enumeration.
        "invalid_login": "The email or password is not correct.",
        "inactive": "The email or password is not correct.",
    }
