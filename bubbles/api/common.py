"""What every bubble endpoint shares: input validation, the bubble as the caller reaches it
(companies.scoping, VIEWER: 404 for anyone else) and their membership of it."""

from rest_framework import status
from rest_framework.response import Response

from rainbow_portal.exceptions import ApplicationError, error_body

from .. import selectors


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# The bubble is reached by who the caller is (companies.scoping, VIEWER): 404 for anyone else.
BUBBLE = {"bubble": ("pk", selectors.bubble_get_for_viewer)}


def _member(request, bubble):
    """The caller's membership, which resolving the bubble already read (no second query)."""
    member = getattr(bubble, "viewer_membership", None)
    if member is not None and member.user_id == request.user.pk:
        return member
    return selectors.bubble_get_for_user(user=request.user, pk=bubble.pk)[1]


def _rate_limited(exc: ApplicationError):
    response = Response(error_body(exc.code, exc.message), status=status.HTTP_429_TOO_MANY_REQUESTS)
    response["Retry-After"] = str(getattr(exc, "retry_after", 3600))
    return response
