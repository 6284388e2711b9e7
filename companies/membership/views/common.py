"""What the membership pages share."""

from django.contrib import messages

from rainbow_portal.exceptions import ApplicationError

MEMBERS_PER_PAGE = 50


def _fail(request, exc: ApplicationError):
    messages.error(request, exc.message)
