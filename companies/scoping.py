"""Tenant scoping in one place (issue 9): the glue between a URL and a view.

A company-scoped page or endpoint declares, in one decorator, the right its route needs; the
decorator resolves the company from the URL slug and the actor (a company the actor may not
see is a 404, never a 403, so slugs and ids cannot be probed), checks the right (403), loads
the route's objects through selectors that take the company (another company's id is the
same 404), and calls the view with them:

    @company_page(right=policies.can_manage_company, methods=("POST",),
                  objects={"member": ("member_id", selectors.member_get)})
    def member_role(request, company, member): ...

    @company_endpoint(["GET", "PUT"], right=policies.can_manage_company)   # replaces @api_view
    def company_file_sharing(request, company): ...

Routes whose objects are reached by who the viewer is rather than by a company (a person in
the directory, one's own contacts; later a bubble its members reach) declare that instead:

    @viewer_page(methods=("POST",), objects={"person": ("pk", person_get_for_viewer)})

The declaration is kept on the view as `view.tenant_scope`, so the isolation matrix
(tests/test_tenant_isolation.py) is generated from the URL conf: a route with a slug or an
object id and no declaration fails it. Models: Sentry's `convert_args`, NetBox's restricted
querysets.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from rest_framework.decorators import api_view

from accounts.policies import is_superadmin

from .selectors import company_get_for_actor, company_get_for_platform

COMPANY = "company"  # resolved from the URL's company slug for the actor, then a right
VIEWER = "viewer"  # objects resolved for the viewer (what they may see), no company
PLATFORM = "platform"  # a platform superadmin's page on any company

REFUSED = "Your role does not allow this on this company."


@dataclass(frozen=True)
class TenantScope:
    kind: str
    methods: tuple[str, ...]
    # method -> policy `(actor=, company=) -> bool`; absent method: the "*" entry.
    rights: dict[str, Callable] = field(default_factory=dict)
    # view argument -> (URL kwarg, selector)
    objects: dict[str, tuple[str, Callable]] = field(default_factory=dict)
    api: bool = False
    slug_kwarg: str = "slug"
    # `(actor=, slug=) -> Company`, 404 when not the actor's to see
    company_selector: Callable = company_get_for_actor

    def right_for(self, method: str) -> Callable | None:
        return self.rights.get(method.upper(), self.rights.get("*"))

    def describe(self) -> dict:
        """For docs and the matrix: names, not functions."""
        return {
            "kind": self.kind,
            "methods": self.methods,
            "rights": {m: _name(f) for m, f in self.rights.items()},
            "objects": {a: (k, _name(s)) for a, (k, s) in self.objects.items()},
        }


def _name(fn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _rights(right) -> dict[str, Callable]:
    if right is None:
        return {}
    if callable(right):
        return {"*": right}
    return {method.upper(): fn for method, fn in right.items()}


def _load(scope: TenantScope, *, actor, company, kwargs: dict) -> dict:
    """The route's objects, in order; a selector's arguments are filled by name: `company`,
    `viewer`/`user` (the actor), an object loaded before it (`subscription`, `system`), and
    the one remaining argument takes the URL value."""
    loaded: dict = {}
    for argument, (url_kwarg, selector) in scope.objects.items():
        value = kwargs.pop(url_kwarg)
        call = {}
        params = [p for p in inspect.signature(selector).parameters.values()]
        rest = []
        for param in params:
            if param.name == "company" and company is not None:
                call["company"] = company
            elif param.name in ("viewer", "user"):
                call[param.name] = actor
            elif param.name in loaded:
                call[param.name] = loaded[param.name]
            else:
                rest.append(param.name)
        if len(rest) != 1:
            raise TypeError(f"{_name(selector)}: cannot tell which argument takes {url_kwarg}.")
        call[rest[0]] = value
        loaded[argument] = selector(**call)
    return loaded


def _resolve(scope: TenantScope, request, kwargs: dict) -> dict:
    actor = request.user
    resolved = {}
    company = None
    if scope.kind == COMPANY:
        company = scope.company_selector(actor=actor, slug=kwargs.pop(scope.slug_kwarg))
        right = scope.right_for(request.method)
        if right is None or not right(actor=actor, company=company):
            raise PermissionDenied(REFUSED)
        resolved["company"] = company
    elif scope.kind == PLATFORM:
        if not is_superadmin(actor):
            raise PermissionDenied("Only a platform superadmin does this.")
        company = company_get_for_platform(slug=kwargs.pop(scope.slug_kwarg))
        resolved["company"] = company
    resolved.update(_load(scope, actor=actor, company=company, kwargs=kwargs))
    return resolved


def _page(kind: str, *, right=None, methods=("GET",), objects=None, **options):
    scope = TenantScope(
        kind=kind,
        methods=tuple(m.upper() for m in methods),
        rights=_rights(right),
        objects=dict(objects or {}),
        **options,
    )

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in scope.methods and not (
                request.method == "HEAD" and "GET" in scope.methods
            ):
                return HttpResponseNotAllowed(scope.methods)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            kwargs.update(_resolve(scope, request, kwargs))
            return view(request, *args, **kwargs)

        wrapper.tenant_scope = scope
        return wrapper

    return decorator


def _endpoint(kind: str, methods, *, right=None, objects=None, **options):
    scope = TenantScope(
        kind=kind,
        methods=tuple(m.upper() for m in methods),
        rights=_rights(right),
        objects=dict(objects or {}),
        api=True,
        **options,
    )

    def decorator(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            # DRF has authenticated the request (anonymous: 401 before this runs).
            kwargs.update(_resolve(scope, request, kwargs))
            return view(request, *args, **kwargs)

        wrapped = api_view(list(methods))(inner)
        wrapped.tenant_scope = scope
        return wrapped

    return decorator


def company_page(*, right, methods=("GET",), objects=None, **options):
    """A page under a company slug: sign-in, the company (404), `right` (403; a policy, or a
    dict method -> policy), then `objects` (404); the view gets `company=` and each object.
    Options: `slug_kwarg`, `company_selector` (who may reach which company; default
    `company_get_for_actor`)."""
    return _page(COMPANY, right=right, methods=methods, objects=objects, **options)


def company_endpoint(methods, *, right, objects=None, **options):
    """The API twin of `company_page`; it replaces `@api_view(methods)`."""
    return _endpoint(COMPANY, methods, right=right, objects=objects, **options)


def viewer_page(*, methods=("GET",), objects):
    """A page whose objects are found for the viewer (selectors taking `viewer`/`user`): an
    object the viewer may not reach is a 404. No company in the URL."""
    return _page(VIEWER, methods=methods, objects=objects)


def viewer_endpoint(methods, *, objects):
    return _endpoint(VIEWER, methods, objects=objects)


def platform_endpoint(methods, *, objects=None, **options):
    """A platform superadmin's endpoint on any company (403 for everyone else)."""
    return _endpoint(PLATFORM, methods, objects=objects, **options)


def scope_of_view(callback) -> TenantScope | None:
    return getattr(callback, "tenant_scope", None)


__all__ = [
    "COMPANY",
    "PLATFORM",
    "VIEWER",
    "TenantScope",
    "company_endpoint",
    "company_page",
    "platform_endpoint",
    "scope_of_view",
    "viewer_endpoint",
    "viewer_page",
]
