"""What every bubble page shares: the route's tenant scope, the resolution of the viewer's
membership (a signed-in participant or this bubble's guest; 404 for anyone else), and how a
service's refusal becomes a message on the page (never a 500)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from companies.scoping import VIEWER, TenantScope
from rainbow_portal.exceptions import ApplicationError

from .. import selectors
from ..guest_session import guest_member_id, guest_session_end
from ..services.guests import guest_member_get


def _actor(request):
    return request.user if request.user.is_authenticated else None


def scoped(*methods):
    """Declare a `/bubbles/<pk>/` route's tenant scope (companies.scoping, VIEWER: the bubble is
    reached by who the viewer is; anyone else gets 404) for the isolation matrix, and refuse
    other methods (405). The resolution itself is `participant_view`'s, not `viewer_page`'s,
    because a guest, who has no account, reaches the same pages through their session."""
    scope = TenantScope(
        kind=VIEWER, methods=methods, objects={"bubble": ("pk", selectors.bubble_get_for_viewer)}
    )

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods and not (
                request.method == "HEAD" and "GET" in methods
            ):
                return HttpResponseNotAllowed(methods)
            return view(request, *args, **kwargs)

        wrapper.tenant_scope = scope
        return wrapper

    return decorator


def participant_view(view):
    """Resolve (bubble, member) for a signed-in participant or for this bubble's guest."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        if request.user.is_authenticated:
            bubble, member = selectors.bubble_get_for_user(user=request.user, pk=pk)
        else:
            member_id = guest_member_id(request)
            if member_id is None:
                return redirect_to_login(request.get_full_path())
            try:
                member = guest_member_get(member_id=member_id)
            except PermissionDenied:
                guest_session_end(request)
                return render(request, "bubbles/guest_ended.html", status=403)
            if str(member.bubble_id) != str(pk):
                raise Http404("No such bubble.")
            bubble = member.bubble
        return view(request, bubble, member, *args, **kwargs)

    return wrapper


def _done(request, bubble, ok: str | None = None, anchor: str = ""):
    if ok:
        messages.success(request, ok)
    return redirect(reverse("bubbles:detail", args=[bubble.pk]) + anchor)


def _attempt(request, bubble, call, ok: str, anchor: str = ""):
    """Run a service; a refused rule (400 or 403) becomes the page's error message."""
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not do this here.")
        return _done(request, bubble, anchor=anchor)
    else:
        return _done(request, bubble, ok, anchor)
    return _done(request, bubble, anchor=anchor)
