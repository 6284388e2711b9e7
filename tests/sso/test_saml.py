"""SAML v2 sign-in against a real signed IdP response (SPEC §7.6): strict checks, replay
cache, account matching, and the refusals that must sign no one in. Signature wrapping and
single logout: test_saml_wrapping_and_logout.py."""

import base64
import datetime as dt

import pytest

from activity.models import ActivityRecord
from companies.models import CompanyDomain
from sso import saml
from sso.models import CompanySsoSettings, IdentityProvider, SamlRequest, SeenAssertion
from tests.factories import CompanyFactory, UserFactory

from .saml_helpers import last_refusal, post_acs, signed, signed_in_as, start
from .saml_idp import LocalIdP

pytestmark = pytest.mark.django_db


def last_refusal_data() -> str:
    record = ActivityRecord.objects.filter(event="sso.signin.refused").order_by("-id").first()
    return str(record.data)


def test_signed_response_signs_the_member_in(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider, next_url="/accounts/security/")
    response = post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/security/"
    assert signed_in_as(client) == acme_user.pk
    assert ActivityRecord.objects.filter(event="sso.signin.succeeded").count() == 1
    assert SamlRequest.objects.get(pk=request_id).consumed_at is not None


def test_same_assertion_twice_is_a_replay(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id)
    assert post_acs(client, saml_provider, body).status_code == 302
    client.logout()
    # Another request is pending, but the same assertion (same ID) is posted again.
    start(client, saml_provider)
    replay = post_acs(client, saml_provider, body)
    assert replay.status_code == 400
    assert signed_in_as(client) is None


def test_assertion_id_reused_in_a_new_response_is_refused(client, saml_provider, idp, acme_user):
    first = start(client, saml_provider)
    assert post_acs(client, saml_provider, signed(idp, saml_provider, first, assertion_id="_x1"))
    client.logout()
    second = start(client, saml_provider)
    response = post_acs(
        client, saml_provider, signed(idp, saml_provider, second, assertion_id="_x1")
    )
    assert response.status_code == 400
    assert last_refusal() == "replayed"
    assert signed_in_as(client) is None
    seen = SeenAssertion.objects.get(assertion_id="_x1")
    # Kept until the assertion's NotOnOrAfter plus the skew, no longer.
    assert seen.expires_at < dt.datetime.now(dt.UTC) + dt.timedelta(minutes=8)


@pytest.mark.parametrize(
    "case,kwargs,reason",
    [
        ("unsigned", {"sign_assertion": False}, "invalid_response"),
        ("wrong audience", {"audience_override": "https://other-sp.test"}, "invalid_response"),
        ("wrong destination", {"destination": "https://evil.test/acs"}, "invalid_response"),
        (
            "expired",
            {
                "not_before": dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
                "not_on_or_after": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10),
            },
            "invalid_response",
        ),
        (
            "not yet valid",
            {
                "not_before": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10),
                "not_on_or_after": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20),
            },
            "invalid_response",
        ),
        ("wrong issuer", {"issuer": "https://evil-idp.test"}, "invalid_response"),
    ],
)
def test_invalid_responses_sign_no_one_in(
    client, saml_provider, idp, acme_user, case, kwargs, reason
):
    request_id = start(client, saml_provider)
    urls = saml.sp_urls(saml_provider)
    audience = kwargs.pop("audience_override", urls["entity_id"])
    body = idp.response(
        email=acme_user.email,
        acs_url=urls["acs"],
        audience=audience,
        in_response_to=request_id,
        **kwargs,
    )
    response = post_acs(client, saml_provider, body)
    assert response.status_code == 400, case
    assert "did not work" in response.content.decode()
    assert signed_in_as(client) is None
    assert last_refusal() == reason


def test_skew_inside_the_setting_is_accepted(client, settings, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    body = signed(
        idp,
        saml_provider,
        request_id,
        not_before=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60),
    )
    assert post_acs(client, saml_provider, body).status_code == 302
    assert signed_in_as(client) == acme_user.pk


def test_wrong_in_response_to_is_refused(client, saml_provider, idp, acme_user):
    start(client, saml_provider)
    body = signed(idp, saml_provider, "_not-a-request-we-sent")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert last_refusal() == "unknown_request"


def test_answer_to_a_used_request_is_refused(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    assert (
        post_acs(client, saml_provider, signed(idp, saml_provider, request_id)).status_code == 302
    )
    client.logout()
    again = post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert again.status_code == 400
    assert last_refusal() == "request_used"


def test_expired_request_is_refused(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    SamlRequest.objects.filter(pk=request_id).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    assert (
        post_acs(client, saml_provider, signed(idp, saml_provider, request_id)).status_code == 400
    )
    assert last_refusal() == "request_expired"


def test_idp_initiated_refused_unless_the_company_opts_in(client, saml_provider, idp, acme_user):
    assert post_acs(client, saml_provider, signed(idp, saml_provider, None)).status_code == 400
    assert last_refusal() == "idp_initiated"
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(saml_allow_idp_initiated=True)
    saml_provider.refresh_from_db()
    assert post_acs(client, saml_provider, signed(idp, saml_provider, None)).status_code == 302
    assert signed_in_as(client) == acme_user.pk


def test_signed_by_another_key_is_refused(client, saml_provider, acme_user):
    impostor = LocalIdP()  # same entity ID, its own key
    request_id = start(client, saml_provider)
    assert (
        post_acs(client, saml_provider, signed(impostor, saml_provider, request_id)).status_code
        == 400
    )
    assert signed_in_as(client) is None


def test_tampered_nameid_is_refused(client, saml_provider, idp, acme_user):
    UserFactory(email="ceo@acme-sso.test", company=acme_user.company)
    request_id = start(client, saml_provider)
    xml = base64.b64decode(signed(idp, saml_provider, request_id)).decode()
    tampered = xml.replace("bob@acme-sso.test", "ceo@acme-sso.test")
    response = post_acs(client, saml_provider, base64.b64encode(tampered.encode()).decode())
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_assertion_of_company_a_posted_to_company_b(client, saml_provider, idp, acme_user):
    other = CompanyFactory(slug="other-sso")
    other_idp = LocalIdP(entity_id="https://other-idp.test")
    other_provider = IdentityProvider.objects.create(
        company=other,
        kind="saml",
        name="Other",
        enabled=True,
        saml_entity_id=other_idp.entity_id,
        saml_sso_url=other_idp.sso_url,
        saml_certificates=other_idp.cert_pem,
    )
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id)
    response = post_acs(client, other_provider, body)
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_rollover_accepts_either_certificate(client, saml_provider, idp, acme_user):
    new_idp = LocalIdP(entity_id=idp.entity_id)
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(
        saml_certificates=idp.cert_pem + new_idp.cert_pem
    )
    saml_provider.refresh_from_db()
    for signer in (idp, new_idp):
        client.logout()
        request_id = start(client, saml_provider)
        assert (
            post_acs(client, saml_provider, signed(signer, saml_provider, request_id)).status_code
            == 302
        )
        assert signed_in_as(client) == acme_user.pk


def test_malformed_body_is_a_clear_refusal(client, saml_provider):
    for body in ("not base64 !!", base64.b64encode(b"<not-saml/>").decode(), ""):
        response = post_acs(client, saml_provider, body)
        assert response.status_code == 400
    assert signed_in_as(client) is None


# --- Account matching (SPEC §7.6) --------------------------------------------------------------


def test_user_of_another_company_is_never_matched(client, saml_provider, idp):
    elsewhere = CompanyFactory(slug="elsewhere")
    UserFactory(email="carol@elsewhere.test", company=elsewhere)
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="carol@elsewhere.test")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert last_refusal() == "foreign_domain"
    assert "carol" not in last_refusal_data()  # SPEC §10.2: no address in the record
    assert signed_in_as(client) is None


def test_owned_domain_address_of_another_company_user_is_refused(client, saml_provider, idp):
    # An account with an address on Acme's domain but living in another company (e.g. it
    # was created before the domain was added) is not taken over by Acme's IdP.
    UserFactory(email="old@acme-sso.test", company=CompanyFactory(slug="legacy"))
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="old@acme-sso.test")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert last_refusal() == "other_company"
    assert "old@acme-sso.test" not in last_refusal_data()  # SPEC §10.2
    assert "old@" not in last_refusal_data()


def test_no_account_and_no_jit_signs_no_one_in(client, saml_provider, idp):
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="new@acme-sso.test")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert last_refusal() == "no_account"
    assert "new@" not in last_refusal_data()  # SPEC §10.2
    from accounts.models import User

    assert not User.objects.filter(email="new@acme-sso.test").exists()


def test_jit_creates_only_for_owned_domains(client, saml_provider, idp, acme):
    from accounts.models import User

    CompanySsoSettings.objects.create(company=acme, jit_provisioning=True)
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="New@Acme-SSO.test")
    assert post_acs(client, saml_provider, body).status_code == 302
    user = User.objects.get(email="new@acme-sso.test")
    assert user.company == acme
    assert (user.first_name, user.last_name) == ("Sso", "Person")
    client.logout()
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="stranger@gmail.test")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert not User.objects.filter(email="stranger@gmail.test").exists()
    assert CompanyDomain.objects.filter(domain="gmail.test").count() == 0


def test_second_factor_still_asked_unless_the_idp_enforces_mfa(
    client, saml_provider, idp, acme_user
):
    from accounts.models import CompanySecurityPolicy

    CompanySecurityPolicy.objects.update_or_create(
        company=acme_user.company, defaults={"two_factor": "always"}
    )
    request_id = start(client, saml_provider)
    response = post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert response.status_code == 302
    assert client.session.get("two_factor_pending") is True
    client.logout()
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(enforces_mfa=True)
    saml_provider.refresh_from_db()
    request_id = start(client, saml_provider)
    post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert signed_in_as(client) == acme_user.pk
    assert not client.session.get("two_factor_pending")


def test_disabled_provider_answers_404(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(enabled=False)
    response = post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert response.status_code == 404
    assert signed_in_as(client) is None


def test_activity_never_holds_the_assertion(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id)
    post_acs(client, saml_provider, body)
    for record in ActivityRecord.objects.all():
        text = str(record.data)
        assert "SAMLResponse" not in text and body[:40] not in text
        assert "Signature" not in text
