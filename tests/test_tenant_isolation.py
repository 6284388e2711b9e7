"""The tenant-isolation matrix, generated from the URL conf (issue 9; ARCHITECTURE.md).

Every route with a company slug or an object id, in every namespace, must declare its scope
(`companies.scoping`: `company_page`/`company_endpoint`, `viewer_page`/`viewer_endpoint`,
`platform_endpoint`); an undeclared one fails `test_every_route_with_a_slug_or_an_id_declares
_its_scope`. For every declared route and every method its view accepts:

- company scope: anonymous -> sign-in (page) / 401 (API); a member of the company without the
  route's right -> 403; another company's admin -> 404; the first holder of the right (found by
  asking the route's own policy) -> 2xx or a redirect back into the company; and the holder
  with the own slug but another company's object id, for each object of the route -> 404.
- viewer scope: anonymous -> sign-in / 401; someone who may not reach the object -> 404;
  someone who may -> 2xx or a redirect.
- platform scope: anonymous -> 401; a company admin -> 403; a superadmin -> 2xx.

Objects are made by OBJECTS below, keyed by the selector that loads them: a route whose
selector has no entry fails, so a new app adds its factory here.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import Contact, Invitation
from accounts.security.selectors import two_factor_required
from bubbles import services as bubble_services
from bubbles.models import BubbleFile, BubbleMember
from companies.models import (
    Company,
    CompanyInvitation,
    JoinLink,
    JoinRequest,
    PartnerInvitation,
    Region,
    Role,
    VisibilityRequest,
)
from companies.scoping import COMPANY, PLATFORM, PUBLIC, VIEWER, TenantScope
from companies.selectors import default_company
from sso.models import ConnectionTest, IdentityProvider
from subscriptions.models import Extension, Invoice, License, Offer, Site, System
from subscriptions.services import subscription_create
from tests.factories import CompanyFactory, UserFactory, api_token
from tests.sso.saml_idp import LocalIdP

pytestmark = pytest.mark.django_db

ID_KWARG = re.compile(r"^(slug|pk|number|\w+_id|\w+_pk)$")
# Routes of Django's own admin are not the portal's tenancy (the admin is superadmin-only).
SKIP_NAMESPACES = {"admin"}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + str(p.pattern), namespace, p


def scoped_routes():
    """(url name, route, callback, kwargs) for every route with a slug or an object id."""
    out = []
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace in SKIP_NAMESPACES or route.startswith("admin/"):
            continue
        kwargs = list(pattern.pattern.regex.groupindex)
        if not any(ID_KWARG.match(k) for k in kwargs):
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        out.append((name, route, pattern.callback, kwargs))
    return out


ROUTES = {name: (route, callback, kwargs) for name, route, callback, kwargs in scoped_routes()}


def test_every_route_with_a_slug_or_an_id_declares_its_scope():
    undeclared = [
        f"{name} ({route})"
        for name, (route, callback, _) in ROUTES.items()
        if not isinstance(getattr(callback, "tenant_scope", None), TenantScope)
    ]
    assert undeclared == [], "Declare the scope (companies.scoping) of:\n" + "\n".join(undeclared)


def test_the_matrix_covers_every_namespace_with_scoped_routes():
    namespaces = {name.split(":")[0] for name in ROUTES}
    assert {"companies", "subscriptions", "systems", "api", "bubbles"} <= namespaces


# --- The world ---------------------------------------------------------------------------


class World:
    """Companies and people, made on demand. `company` is a customer of `partner`; `other` is
    unrelated to both and has its own admin."""

    def __init__(self):
        self.partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER, name="Matrix Partner")
        self.company = CompanyFactory(business_partner=self.partner, name="Matrix Customer")
        self.other = CompanyFactory(name="Matrix Counterpart")
        self.people = {
            "company_admin": UserFactory(company=self.company, roles=[Role.COMPANY_ADMIN]),
            "bp_operation": UserFactory(company=self.partner, roles=[Role.BP_OPERATION]),
            "bp_finance": UserFactory(company=self.partner, roles=[Role.BP_FINANCE]),
            "bp_admin": UserFactory(company=self.partner, roles=[Role.BP_ADMIN]),
        }
        self.superadmin = UserFactory(company=default_company(), is_superuser=True)
        self.other_admin = UserFactory(company=self.other, roles=[Role.COMPANY_ADMIN])

    def plain_member(self, company):
        return UserFactory(company=company)

    def holder(self, scope: TenantScope, method: str):
        """(company, person) where a person holds the route's right, asking its own policy."""
        right = scope.right_for(method)
        assert right is not None, "A company-scoped route names a right for every method."
        for company in (self.company, self.partner):
            for person in self.people.values():
                if right(actor=person, company=company):
                    return company, person
        if right(actor=self.superadmin, company=self.company):
            return self.company, self.superadmin
        raise AssertionError(f"Nobody in the world holds {right.__qualname__}.")


def _now():
    return timezone.now()


def _subscription(company):
    return subscription_create(
        company=company,
        offer=Offer.objects.get(code="business"),
        billing="monthly",
        seats=3,
        start_date=dt.date(2026, 1, 1),
        actor=None,
    )


def _system(company):
    site = Site.objects.create(company=company, name=f"Site of {company.pk}")
    return System.objects.create(site=site, name="PBX", kind="oxe", activation_code="1234")


# Company-scoped objects: selector -> make(world, company, made) -> (object, URL value).
# `made` holds the route's objects made before (a license needs its subscription).
def _member(world, company, made):
    user = UserFactory(company=company)
    return user, user.pk


def _company_invitation(world, company, made):
    inv = CompanyInvitation.objects.create(
        company=company,
        email=f"inv{company.pk}@new.test",
        token_hash=f"{company.pk:x}".rjust(64, "a"),
        expires_at=_now() + dt.timedelta(days=1),
    )
    return inv, inv.pk


def _join_request(world, company, made):
    jr = JoinRequest.objects.create(company=company, user=UserFactory(company=default_company()))
    return jr, jr.pk


def _join_link(world, company, made):
    link = JoinLink.objects.create(
        company=company,
        token_hash=f"{company.pk:x}".rjust(64, "b"),
        max_uses=2,
        expires_at=_now() + dt.timedelta(days=1),
    )
    return link, link.pk


def _partner_offer(world, company, made):
    offerer = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    offer = PartnerInvitation.objects.create(partner=offerer, customer=company)
    return offer, offer.pk


def _visibility_request(world, company, made):
    asker = CompanyFactory()
    vr = VisibilityRequest.objects.create(from_company=asker, to_company=company)
    return vr, vr.pk


def _subscription_obj(world, company, made):
    sub = _subscription(company)
    return sub, sub.pk


def _license(world, company, made):
    sub = made.get("subscription") or _subscription(company)
    lic = License.objects.create(
        subscription=sub, user=UserFactory(company=company), assigned_at=_now()
    )
    return lic, lic.pk


def _invoice(world, company, made):
    inv = Invoice.objects.create(
        company=company,
        period=dt.date(2026, 1, 1),
        number=f"INV-M-{company.pk}",
        issued_at=_now(),
        total="10.00",
    )
    return inv, inv.number


def _system_obj(world, company, made):
    system = _system(company)
    return system, system.pk


def _extension(world, company, made):
    system = made.get("system") or _system(company)
    ext = Extension.objects.create(system=system, number=f"{company.pk % 9000 + 1000}")
    return ext, ext.pk


def _bubble_in(world, company, made):
    organizer = UserFactory(company=company)
    return bubble_services.bubble_create(name="Matrix bubble", actor=organizer), None


def _company_bubble(world, company, made):
    bubble, _ = _bubble_in(world, company, made)
    return bubble, bubble.pk


OBJECTS = {
    "bubbles.selectors.company_bubble_get": _company_bubble,
    "companies.membership.selectors.member_get": _member,
    "companies.membership.selectors.invitation_get": _company_invitation,
    "companies.membership.selectors.join_request_get": _join_request,
    "companies.membership.selectors.join_link_get": _join_link,
    "companies.membership.selectors.partner_invitation_get": _partner_offer,
    "companies.visibility.selectors.member_get": _member,
    "companies.visibility.selectors.visibility_request_get": _visibility_request,
    "subscriptions.selectors.subscription_get": _subscription_obj,
    "subscriptions.selectors.license_get": _license,
    "subscriptions.selectors.invoice_get": _invoice,
    "subscriptions.selectors.system_get": _system_obj,
    "subscriptions.selectors.extension_get": _extension,
    "sso.selectors.provider_get": lambda world, company, made: _identity_provider(company),
}


def _identity_provider(company, *, enabled=True):
    idp = LocalIdP()
    provider = IdentityProvider.objects.create(
        company=company,
        kind="saml",
        name=f"Matrix IdP {IdentityProvider.objects.count()}",
        enabled=enabled,
        saml_entity_id=idp.entity_id,
        saml_sso_url=idp.sso_url,
        saml_certificates=idp.cert_pem,
    )
    return provider, provider.pk


# Viewer-scoped objects: selector -> make(world) -> (URL value, who reaches it, who does not).
def _person(world):
    private = CompanyFactory(visibility="private")
    target, colleague = UserFactory(company=private), UserFactory(company=private)
    return target.pk, colleague, world.other_admin


def _directory_company(world):
    isolated = CompanyFactory(visibility="isolated")
    return isolated.slug, UserFactory(company=isolated), world.other_admin


def _network_invitation(world):
    inviter, invitee = UserFactory(company=world.company), UserFactory(company=world.company)
    inv = Invitation.objects.create(
        inviter=inviter, invitee=invitee, kind="in_app", last_sent_at=_now()
    )
    return inv.pk, invitee, world.other_admin


def _contact(world):
    owner, contact = UserFactory(company=world.company), UserFactory(company=world.company)
    Contact.objects.create(owner=owner, contact=contact)
    Contact.objects.create(owner=contact, contact=owner)
    return contact.pk, owner, world.other_admin


def _joinable_company(world):
    public = CompanyFactory(visibility="public")
    china = CompanyFactory(region=Region.CHINA)
    return public.slug, UserFactory(company=default_company()), UserFactory(company=china)


def _connection_test(world):
    provider, _ = _identity_provider(world.company)
    admin = world.people["company_admin"]
    test = ConnectionTest.objects.create(provider=provider, actor=admin)
    other_admin_of_same_company = UserFactory(company=world.company, roles=[Role.COMPANY_ADMIN])
    return test.pk, admin, other_admin_of_same_company


def _bubble(world):
    """A bubble of the customer: its organizer reaches it (with a plain member, the organizer's
    last message, a file row, and a running conference with someone in the lobby)."""
    organizer = UserFactory(company=world.company)
    member_user = UserFactory(company=world.company)
    waiting_user = UserFactory(company=world.company)
    UserFactory(company=world.company, email="matrix-add@matrix.test")
    bubble = bubble_services.bubble_create(name="Matrix bubble", actor=organizer)
    org = BubbleMember.objects.get(bubble=bubble, user=organizer)
    members = []
    for user in (member_user, waiting_user):
        bubble_services.bubble_member_add(bubble=bubble, user=user, actor=organizer)
        bubble_services.bubble_invitation_accept(bubble=bubble, actor=user)
        members.append(BubbleMember.objects.get(bubble=bubble, user=user))
    message = bubble_services.message_post(member=org, body="matrix", actor=organizer)
    # A file row whose blob is absent: the download answers "cannot be read" (no storage here).
    bubble_file = BubbleFile.objects.create(
        bubble=bubble,
        message=message,
        uploader=org,
        storage_name="matrix/absent",
        sha256="0" * 64,
        display_name="matrix.txt",
        size=1,
        content_type="text/plain",
    )
    bubble_services.conference_start(member=org, actor=organizer)
    entry = bubble_services.conference_join(member=members[1], actor=waiting_user)
    nested = {
        "member_id": members[0].pk,
        "message_id": message.pk,
        "file_id": bubble_file.pk,
        "entry_id": entry.pk,
    }
    return bubble.pk, organizer, world.other_admin, nested


def _closable_account(world):
    member = UserFactory(company=world.company)
    return member.pk, world.people["company_admin"], world.other_admin


def _legal_hold(world):
    from retention.services import legal_hold_place

    member = UserFactory(company=world.company)
    hold = legal_hold_place(actor=world.superadmin, reason="Matrix hold", user=member)
    return hold.pk, world.superadmin, world.people["company_admin"]


VIEWER_OBJECTS = {
    "bubbles.selectors.bubble_get_for_viewer": _bubble,
    "companies.visibility.selectors.person_get_for_viewer": _person,
    "companies.visibility.selectors.company_page_get_for_viewer": _directory_company,
    "companies.visibility.network_selectors.invitation_get": _network_invitation,
    "companies.visibility.network_selectors.contact_get": _contact,
    "companies.membership.selectors.joinable_company_get": _joinable_company,
    "sso.selectors.connection_test_get": _connection_test,
    "retention.selectors.account_get_for_viewer": _closable_account,
    "retention.selectors.legal_hold_get_for_viewer": _legal_hold,
}

# Public objects (no sign-in; an unguessable id): selector -> make(world) -> URL value.
PUBLIC_OBJECTS = {
    "sso.selectors.provider_by_id": lambda world: _identity_provider(world.company)[1],
    "sso.selectors.provider_any_by_id": lambda world: _identity_provider(
        world.company, enabled=False
    )[1],
}

# Input that lets the right holder's request succeed (route name, method) -> data (or a
# function making it, for ids known only once the world exists). Others
# send nothing: a page then answers with its form or a redirect, an endpoint with its data.
PAYLOADS = {
    ("api:sso-providers", "POST"): lambda: {
        "kind": "saml",
        "name": "Matrix IdP new",
        "metadata_xml": LocalIdP().metadata(),
    },
    ("api:sso-provider", "PATCH"): {"enabled": False},
    ("api:sso-settings", "PUT"): {
        "require_sso": False,
        "jit_provisioning": False,
        "break_glass_users": [],
    },
    ("subscriptions:company", "POST"): lambda: {
        "offer": Offer.objects.get(code="business").pk,
        "billing": "monthly",
        "seats": 2,
        "start_date": timezone.now().date().isoformat(),
    },
    ("companies:file-sharing", "POST"): {"enabled": "0"},
    ("companies:company-visibility-mode", "POST"): {"visibility": "private"},
    ("companies:member-role", "POST"): {"role": "company_admin", "action": "grant"},
    ("companies:member-file-sharing", "POST"): {"mode": "disabled"},
    ("companies:join-request-decide", "POST"): {"decision": "decline"},
    ("companies:join-link-toggle", "POST"): {"enabled": "0"},
    ("companies:partner-offer-decide", "POST"): {"decision": "decline"},
    ("companies:member-profile-lock", "POST"): {"locked": "1"},
    ("api:company-file-sharing", "PUT"): {"enabled": False},
    ("api:company", "PATCH"): {"name": "Matrix Customer Renamed"},
    ("api:company-member-roles", "POST"): {"role": "company_admin", "action": "grant"},
    ("api:company-member-file-sharing", "PUT"): {"mode": "disabled"},
    ("api:company-invitations", "POST"): {"emails": ["fresh@new.test"]},
    ("api:company-join-request-decide", "POST"): {"decision": "decline"},
    ("api:company-join-links", "POST"): {"max_uses": 3, "valid_days": 2},
    ("api:company-join-link", "PATCH"): {"enabled": False},
    ("api:company-partner-offer", "POST"): {"decision": "decline"},
    ("api:member-visibility", "PATCH"): {"visibility_override": ""},
    ("api:visibility-request-create", "POST"): {"company_name": "Matrix Counterpart"},
    ("api:subscription-list", "POST"): {
        "offer": "business",
        "billing": "monthly",
        "seats": 2,
        # A person's order starts today or later (the page's rule, now the service's).
        "start_date": timezone.now().date().isoformat(),
    },
    ("api:subscription-seats", "POST"): {"seats": 4},
    ("api:subscription-status", "POST"): {"action": "suspend"},
    ("api:site-create", "POST"): {"name": "Matrix Site"},
    ("api:extension-list", "POST"): {"number": "4321"},
    ("api:extension-member", "POST"): {"user_id": None},
    ("api:operator-domains", "POST"): {"domain": "matrix-customer.test"},
    ("api:network-contact", "PATCH"): {"favorite": True},
    ("api:bubble", "PATCH"): {"name": "Matrix renamed"},
    ("api:bubble-members", "POST"): {"email": "matrix-add@matrix.test"},
    ("api:bubble-guests", "POST"): {"email": "guest@matrix.test"},
    ("api:bubble-messages", "POST"): {"body": "hello"},
}
# The holder reaches the endpoint, and a business rule answers (still not a refusal of access).
RULE_ANSWERS = {
    # Restoring an account that is not closed: the holder reaches it, the rule says no.
    ("retention:admin-restore", "POST"): 400,
    ("api:retention-restore", "POST"): 400,
    # Bubbles (issue 11): the organizer reaches these, and a rule answers.
    ("api:bubble-leave", "POST"): 400,  # the last organizer cannot leave (SPEC §6.3)
    ("api:bubble-files", "POST"): 400,  # no file in the body
    ("api:bubble-file", "GET"): 400,  # the matrix's file row has no blob: "cannot be read"
    ("api:company-bubble-owner", "POST"): 400,  # no member named / bubble not orphaned
    ("bubbles:company-bubble", "POST"): 400,  # the form names no member
    # The licenses endpoint needs members' ids; the empty body is refused as input.
    ("api:subscription-licenses", "POST"): 400,
    # System creation needs a site of the company; the empty body is refused as input.
    ("api:system-list", "POST"): 400,
}
EXTRA_KWARGS = {
    "action": "decline",
    "kind": "saml",
}  # <str:action> in a route: an answer the view accepts
ACTION_BY_ROUTE = {
    "bubbles:member-action": "promote",
    "api:bubble-member-action": "promote",
    "api:bubble-conference-action": "join",
    "companies:network-invitation": "accept",
    "api:network-invitation": "accept",
}


def _cases():
    for name, (_route, callback, _kwargs) in sorted(ROUTES.items()):
        scope = getattr(callback, "tenant_scope", None)
        if scope is None:
            continue
        for method in scope.methods:
            whos = ["anonymous"]
            if scope.kind == COMPANY:
                whos += ["no_right", "other_admin", "holder"]
                whos += [f"foreign:{arg}" for arg in scope.objects]
            elif scope.kind == VIEWER:
                whos += ["outsider", "holder"]
            elif scope.kind == PLATFORM:
                whos += ["other_admin", "holder"]
            elif scope.kind == PUBLIC:
                whos += ["unknown"]
            for who in whos:
                yield pytest.param(name, method, who, id=f"{name}-{method}-{who}")


def _client(scope, person):
    if scope.api:
        client = APIClient()
        if person is not None:
            if two_factor_required(user=person):
                # A token never bypasses the second factor (SPEC §7.5): such a person has one.
                TOTPDevice.objects.get_or_create(user=person, name="test", confirmed=True)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(person)}")
        return client
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def _call(scope, client, url, method, data):
    call = getattr(client, method.lower())
    if scope.api:
        return call(url, data, format="json") if method != "GET" else call(url)
    return call(url, data or {})


@pytest.mark.parametrize(("name", "method", "who"), list(_cases()))
def test_isolation_matrix(name, method, who):
    _route, callback, url_kwargs = ROUTES[name]
    scope: TenantScope = callback.tenant_scope
    world = World()
    kwargs = {k: v for k, v in EXTRA_KWARGS.items() if k in url_kwargs}
    if "action" in url_kwargs and name in ACTION_BY_ROUTE:
        kwargs["action"] = ACTION_BY_ROUTE[name]
    person = None

    if scope.kind == PUBLIC:
        # Anyone reaches it without signing in; an id that names nothing is a 404.
        (argument, (url_kwarg, selector)), *_ = scope.objects.items()
        key = f"{selector.__module__}.{selector.__qualname__}"
        assert key in PUBLIC_OBJECTS, f"Add a factory for {key} to PUBLIC_OBJECTS."
        kwargs[url_kwarg] = PUBLIC_OBJECTS[key](world)
        if who == "unknown":
            kwargs[url_kwarg] = "00000000-0000-4000-8000-000000000000"
        response = _call(scope, Client(), reverse(name, kwargs=kwargs), method, None)
        if who == "unknown":
            assert response.status_code == 404, response.content[:300]
        else:
            assert response.status_code not in (401, 403, 404), response.content[:300]
            location = response.headers.get("Location", "")
            assert not location.startswith(reverse("accounts:login"))
        return
    if scope.kind == VIEWER:
        (argument, (url_kwarg, selector)), *_ = scope.objects.items()
        key = f"{selector.__module__}.{selector.__qualname__}"
        assert key in VIEWER_OBJECTS, f"Add a factory for {key} to VIEWER_OBJECTS."
        value, reaches, outsider, *more = VIEWER_OBJECTS[key](world)
        kwargs[url_kwarg] = value
        # A factory may also give the ids of objects nested under it (a bubble's members,
        # messages, files, lobby entries): those the route's URL names.
        for nested, nested_value in (more[0] if more else {}).items():
            if nested in url_kwargs:
                kwargs[nested] = nested_value
        person = {"anonymous": None, "outsider": outsider, "holder": reaches}[who]
    else:
        if scope.kind == PLATFORM:
            company, holder = world.company, world.superadmin
        else:
            company, holder = world.holder(scope, method)
        kwargs[scope.slug_kwarg] = company.slug
        made = {}
        for argument, (url_kwarg, selector) in scope.objects.items():
            key = f"{selector.__module__}.{selector.__qualname__}"
            assert key in OBJECTS, f"Add a factory for {key} to OBJECTS."
            obj, value = OBJECTS[key](world, company, made)
            made[argument] = obj
            kwargs[url_kwarg] = value
        if who.startswith("foreign:"):
            argument = who.split(":", 1)[1]
            url_kwarg, selector = scope.objects[argument]
            key = f"{selector.__module__}.{selector.__qualname__}"
            # The other company's object (and, for a nested one, its own parents there).
            foreign_made = {}
            for arg, (_kw, sel) in scope.objects.items():
                obj, value = OBJECTS[f"{sel.__module__}.{sel.__qualname__}"](
                    world, world.other, foreign_made
                )
                foreign_made[arg] = obj
                if arg == argument:
                    kwargs[url_kwarg] = value
                    break
        person = {
            "anonymous": None,
            "no_right": world.plain_member(company),
            "other_admin": world.other_admin,
        }.get(who, holder)

    url = reverse(name, kwargs=kwargs)
    client = _client(scope, person)
    data = PAYLOADS.get((name, method))
    response = _call(scope, client, url, method, data() if callable(data) else data)
    status = response.status_code

    if who == "anonymous":
        if scope.api:
            assert status == 401, response.content
        else:
            assert status == 302 and response["Location"].startswith(reverse("accounts:login"))
    elif who == "no_right":
        assert status == 403, response.content[:300]
    elif who == "other_admin":
        assert status == (403 if scope.kind == PLATFORM else 404), response.content[:300]
    elif who in ("outsider",) or who.startswith("foreign:"):
        assert status == 404, response.content[:300]
    else:
        expected = RULE_ANSWERS.get((name, method))
        if expected:
            assert status == expected, response.content[:300]
        elif scope.api:
            assert 200 <= status < 300, response.content[:300]
        else:
            assert status in (200, 302), response.content[:300]
            if status == 302:
                assert not response["Location"].startswith(reverse("accounts:login"))
