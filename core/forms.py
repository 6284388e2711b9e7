"""Showing a service's refusal on a form: each field error where the form has that field,
else the message at the top of the form."""

from functools import cached_property, lru_cache
from pathlib import Path

import django.forms
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.utils.translation import get_language

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


FORM_FIELDS_TEMPLATE = "core/form_fields.html"


@lru_cache(maxsize=128)
def _static_fields_html(form_class, auto_id, prefix, label_suffix, use_required, language):
    form = form_class(auto_id=auto_id, prefix=prefix, label_suffix=label_suffix)
    form.use_required_attribute = use_required
    return render_to_string(FORM_FIELDS_TEMPLATE, {"form": form})


def form_fields_html(form) -> str:
    """The fields of `form` as core/form_fields.html renders them. An empty form whose fields
    are all declared on its class (no __init__ of its own, no initial values, no data) renders
    the same every time in a language, so that HTML is kept per process: a page showing several
    such forms (the bubble page shows four) then costs no widget rendering (issue 11)."""
    static = (
        not form.is_bound
        and not form.initial
        and type(form).__init__ is forms.Form.__init__
        and not any(field.initial for field in form.fields.values())
    )
    if not static:
        return render_to_string(FORM_FIELDS_TEMPLATE, {"form": form})
    return _static_fields_html(
        type(form),
        form.auto_id,
        form.prefix,
        form.label_suffix,
        form.use_required_attribute,
        get_language(),
    )
