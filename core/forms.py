"""Showing a service's refusal on a form: each field error where the form has that field,
else the message at the top of the form."""

from rainbow_portal.exceptions import ApplicationError


def apply_error(form, exc: ApplicationError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
