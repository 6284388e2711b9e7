"""What the page views of this app share: a refused business rule becomes a message."""

from django.contrib import messages

from rainbow_portal.exceptions import ApplicationError


def flash_form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def run_service(request, action, success: str) -> bool:
    """Call `action()`; show `success`, or the service's refusal, as a message."""
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True
