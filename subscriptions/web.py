"""What the page views of this app share: a form's errors become messages."""

from django.contrib import messages


def flash_form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
