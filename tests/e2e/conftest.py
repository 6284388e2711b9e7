"""Browser journeys: Playwright drives Debian's Chromium against Django's live server.

Never `playwright install` (it downloads a browser): we use /usr/bin/chromium. Locally, a
missing Chromium skips these tests with a message; in CI (CI=true) it fails them.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash.setdefault("reports", {})["call"] = report
    return report


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            csp_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.csp_errors = csp_errors
    yield page
    report = request.node.stash.get("reports", {}).get("call")
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def totp_code(secret_b32: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for this key (SPEC §7.5), `steps_ahead` periods on."""
    import base64
    import time

    from django_otp.oath import TOTP

    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _device_code(email: str) -> str:
    # A code django-otp has not accepted yet: it refuses a replayed one, and accepts one
    # step ahead, so two sign-ins within 30 seconds still work.
    import base64
    import time

    from accounts.models import AuthenticatorDevice

    device = AuthenticatorDevice.objects.get(user__email=email, confirmed=True)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    now_t = int(time.time() // 30)
    return totp_code(secret, steps_ahead=max(0, device.last_t + 1 - now_t))


def second_factor(page, email: str) -> None:
    """Finish the second sign-in step if the portal asks for one: enroll an authenticator
    (superadmins and companies with a two-factor policy), or enter the current code."""
    if "/accounts/two-factor/setup/" in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text()
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("button", name=re.compile("continue")).click()
    elif "/accounts/two-factor/verify/" in page.url:
        page.get_by_label("Code").fill(_device_code(email))
        with page.expect_navigation():
            page.get_by_role("button", name="Verify").click()


def login(page, email: str, password: str, *, complete_second_factor: bool = True) -> None:
    # Email first (SPEC §7.6): the address decides whether an identity provider takes over.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if complete_second_factor:
        second_factor(page, email)
