"""Showing a service's refusal on a form: each field error where the form has that field,
else the message at the top of the form."""

from functools import cached_property
from pathlib import Path

import django.forms
from django import forms
from django.forms.renderers import DjangoTemplates

from rainbow_portal.emails import MAX_EMAIL_LENGTH, validate_email_address
from rainbow_portal.exceptions import ApplicationError


class PortalFormRenderer(DjangoTemplates):
    """Django's form renderer, with core/form_templates first: number inputs render as text
    with a numeric keyboard, so a wrong type gets its own message (settings.FORM_RENDERER)."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(__file__).parent / "form_templates",
                    Path(django.forms.__file__).parent / "templates",
                ],
                "NAME": "portalforms",
                "OPTIONS": {},
            }
        )


class EmailField(forms.EmailField):
    """An email field with the model's limits: 254 characters, 64 before the @ (issue 14)."""

    default_validators = [validate_email_address]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_EMAIL_LENGTH)
        super().__init__(**kwargs)


def apply_error(form, exc: ApplicationError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
