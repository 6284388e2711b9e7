"""Accessibility and phones (issue 14): axe-core on every page of every role, a form filled by
keyboard alone, and every page at 390 px (no horizontal scroll, the menu collapsed) and at
1280 px (the menu on one line), with a screenshot of each under test-artifacts/screens/.

axe-core is the npm package pinned in package.json (installed by `make test`'s `npm ci`) and
injected by Playwright. The pages are the catalogue in tests/e2e/pages.py, which the first
test keeps complete against the URL conf.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import expect

from core.management.commands.seed_demo import DEMO_PASSWORD
from tests.clamav import in_ci

from .conftest import ARTIFACTS, login, second_factor
from .pages import EXCLUDED, EXCLUDED_NAMESPACES, PAGES, ROLES

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ARTIFACTS / "screens"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
BLOCKING = {"serious", "critical"}


def _names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace
            yield from _names(p.url_patterns, inner or namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_url_is_listed():
    """A named URL is a page in PAGES or excluded with a reason: a new page gets checked."""
    names = set(_names(get_resolver().url_patterns))
    listed = {page.name for page in PAGES} | set(EXCLUDED)
    unlisted = sorted(
        n for n in names - listed if n.split(":", 1)[0] not in EXCLUDED_NAMESPACES or ":" not in n
    )
    assert not unlisted, f"add these to tests/e2e/pages.py (PAGES or EXCLUDED): {unlisted}"
    stale = sorted(listed - names)
    assert not stale, f"no such URL names any more: {stale}"
    assert {page.role for page in PAGES} == set(ROLES)


class Demo:
    """The demo data (`seed_demo`), plus a bubble and an identity provider, by name."""

    def __init__(self):
        from accounts.models import User
        from bubbles.services.bubbles import bubble_create
        from companies.models import Company
        from sso.models import IdentityProvider
        from subscriptions.models import Subscription, System

        call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        self.acme = Company.objects.get(name="Acme Corp")
        self.cobalt = Company.objects.get(name="Cobalt Clinic")
        self.bridge = Company.objects.get(name="Bridge Partners")
        self.alice = User.objects.get(email="alice@acme.test")
        self.bob = User.objects.get(email="bob@acme.test")
        self.bubble = bubble_create(name="Launch plan", topic="Dates and owners", actor=self.bob)
        self.provider = IdentityProvider.objects.create(
            company=self.acme,
            kind=IdentityProvider.Kind.SAML,
            name="Acme IdP",
            enabled=False,
            saml_entity_id="https://idp.acme.test/saml",
            saml_sso_url="https://idp.acme.test/sso",
        )
        self.subscription = Subscription.objects.filter(company=self.cobalt).order_by("pk")[0]
        self.system = System.objects.filter(site__company=self.cobalt).order_by("pk")[0]


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:4]
        )
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def _menu_on_one_line(page) -> bool:
    """Every entry of the menu shares one row: each starts above where every other ends."""
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('nav[aria-label="Main"] .nav-items > li')]
                 .map(li => { const r = li.getBoundingClientRect(); return [r.top, r.bottom]; })"""
    )
    return bool(boxes) and max(top for top, _ in boxes) < min(bottom for _, bottom in boxes)


def _horizontal_overflow(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _check(page, label: str, problems: list[str], *, shots: bool = True) -> None:
    """At 1280 px: axe, the menu on one line, no sideways scroll; at 390 px: axe again, no
    sideways scroll, the menu folded. A screenshot at each width."""
    page.set_viewport_size(DESKTOP)
    problems.extend(f"{label}: {v}" for v in _axe(page))
    if not _menu_on_one_line(page):
        problems.append(f"{label}: the menu wraps at 1280 px")
    if _horizontal_overflow(page) > 0:
        problems.append(f"{label}: scrolls sideways at 1280 px")
    if shots:
        page.screenshot(path=str(SCREENS / f"{_slug(label)}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    problems.extend(f"{label} at 390 px: {v}" for v in _axe(page))
    overflow = _horizontal_overflow(page)
    if overflow > 0:
        problems.append(f"{label}: scrolls sideways at 390 px ({overflow} px too wide)")
    menu = page.locator('nav[aria-label="Main"] details.nav-menu')
    if menu.count() and (
        menu.get_attribute("open") is not None or not menu.locator("summary").is_visible()
    ):
        problems.append(f"{label}: the menu is not folded at 390 px")
    if shots:
        page.screenshot(path=str(SCREENS / f"{_slug(label)}-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def axe_ready():
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` (make test does)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_role_is_accessible_and_fits_a_phone(browser, live_server, axe_ready):
    demo = Demo()
    SCREENS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for role, email in ROLES.items():
        # One browser context per role; CSP is bypassed only so that axe's script can be
        # injected (the other journeys check the CSP).
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if email:
            login(page, email, DEMO_PASSWORD)
            if role == "superadmin":
                # The second sign-in asks for the code enrolled by the first: check that page.
                page.get_by_test_id("logout").click()
                login(page, email, DEMO_PASSWORD, complete_second_factor=False)
                if "/two-factor/verify/" in page.url:
                    _check(page, f"{role} two-factor-verify", problems)
                second_factor(page, email)
        if role == "anonymous":
            # axe is wired and reports: a page with an image without text fails it.
            page.set_content("<!doctype html><html lang='en'><body><img src='x.png'></body></html>")
            assert any(v.startswith("image-alt (critical)") for v in _axe(page))
        first = True
        for entry in (p for p in PAGES if p.role == role):
            kwargs = entry.kwargs(demo) if entry.kwargs else None
            url = reverse(entry.name, kwargs=kwargs) + entry.query
            response = page.goto(url)
            label = f"{role} {entry.name.replace(':', '-')}{'-search' if entry.query else ''}"
            if response.status != entry.status:
                problems.append(f"{label}: {url} answered {response.status}, not {entry.status}")
                continue
            _check(page, label, problems)
            if first and email:
                # The folded menu opens with a click (no script) and still fits the phone.
                page.set_viewport_size(PHONE)
                page.locator("details.nav-menu summary").click()
                expect(
                    page.get_by_role("navigation", name="Main").get_by_role("link").last
                ).to_be_visible()
                if _horizontal_overflow(page) > 0:
                    problems.append(f"{label}: the open menu scrolls sideways at 390 px")
                page.screenshot(path=str(SCREENS / f"{_slug(label)}-390-menu.png"))
                page.set_viewport_size(DESKTOP)
                first = False
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_an_admin_invites_a_member_with_the_keyboard_alone(browser, live_server):
    """Tab, Enter and Space only (and typing into the fields): sign in, reach the company's
    invitations through the menu and its sub-navigation, and send one."""
    from companies.models import CompanyInvitation, Role
    from tests.factories import PASSWORD, CompanyFactory, UserFactory

    acme = CompanyFactory(name="Keyboard Co")
    UserFactory(email="kim@keyboard.test", company=acme, roles=[Role.COMPANY_ADMIN])
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)

    def focused(predicate_js: str) -> bool:
        return page.evaluate(
            f"() => {{ const el = document.activeElement; return {predicate_js}; }}"
        )

    def tab_to(predicate_js: str, *, limit: int = 80) -> None:
        """Press Tab until the focused element matches (it may already: autofocus)."""
        for _ in range(limit):
            if focused(predicate_js):
                return
            page.keyboard.press("Tab")
        seen = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        raise AssertionError(f"Tab never reached: {predicate_js} (focus on {seen})")

    page.goto("/accounts/login/")
    tab_to("el.name === 'username'")
    page.keyboard.type("kim@keyboard.test")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to("el.name === 'password'")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # a page's first stop skips the menu, and shows itself
    assert focused("el.classList.contains('skip-link')")
    expect(page.locator(".skip-link")).to_be_in_viewport()
    tab_to("el.tagName === 'A' && el.textContent.trim() === 'My company'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to("el.tagName === 'A' && el.textContent.trim() === 'Invitations and joining'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to("el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && el.type === 'email')")
    page.keyboard.type("new.person@keyboard.test")
    tab_to("el.tagName === 'BUTTON' && el.textContent.trim() === 'Send invitations'")
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_contain_text("1 invitation sent")
    expect(page.get_by_role("cell", name="new.person@keyboard.test", exact=True)).to_be_visible()
    assert CompanyInvitation.objects.filter(
        company=acme, email="new.person@keyboard.test", status="pending"
    ).exists()
    context.close()
