"""Configuring a company's identity providers: metadata, SSRF guard, policy, settings."""

import pytest
from django.core.exceptions import PermissionDenied

from activity.models import ActivityRecord
from companies.models import Company, Role
from rainbow_portal.exceptions import ApplicationError
from sso import fetch
from sso.models import IdentityProvider
from sso.services import config
from sso.tasks import metadata_refresh_all
from tests.factories import CompanyFactory, UserFactory

from .saml_idp import IdPServer, LocalIdP

pytestmark = pytest.mark.django_db


def saml_create(company, actor, **kwargs):
    defaults = {"name": "Okta", "enabled": True}
    defaults.update(kwargs)
    return config.identity_provider_create(company=company, kind="saml", actor=actor, **defaults)


def test_pasted_metadata_fills_the_provider(acme, acme_admin, idp):
    provider = saml_create(acme, acme_admin, metadata_xml=idp.metadata())
    assert provider.saml_entity_id == idp.entity_id
    assert provider.saml_sso_url == idp.sso_url
    assert "BEGIN CERTIFICATE" in provider.saml_certificates
    assert provider.is_default
    assert ActivityRecord.objects.filter(event="sso.provider.created").count() == 1


@pytest.mark.parametrize(
    "xml,message",
    [
        ("", "Give the IdP's metadata"),
        ("<not-xml", "could not be read"),
        ("<EntityDescriptor/>", "no IdP entity ID"),
        (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x">'
            "</md:EntityDescriptor>",
            "no IdP entity ID",
        ),
        # A DTD (and so an external entity) is refused outright by defusedxml.
        ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "DTDForbidden"),
    ],
)
def test_malformed_metadata_is_a_clear_error(acme, acme_admin, xml, message):
    with pytest.raises(ApplicationError) as caught:
        saml_create(acme, acme_admin, metadata_xml=xml or " ")
    assert message in caught.value.message or message in str(caught.value.fields)
    assert not IdentityProvider.objects.exists()


def test_manual_entry_needs_a_certificate(acme, acme_admin):
    with pytest.raises(ApplicationError) as caught:
        saml_create(
            acme,
            acme_admin,
            saml_entity_id="https://idp.test",
            saml_sso_url="https://idp.test/sso",
            saml_certificates="not a pem",
        )
    assert "certificate" in caught.value.message.lower()


@pytest.mark.parametrize(
    "url,fragment",
    [
        ("http://idp.example.com/metadata", "https://"),
        ("https://127.0.0.1/metadata", "private or local"),
        ("https://10.1.2.3/metadata", "private or local"),
        ("https://169.254.169.254/latest/meta-data", "private or local"),
        ("https://[::1]/metadata", "private or local"),
        ("https://user:pw@idp.example.com/m", "user name or password"),
        ("https://no-such-host.invalid/m", "could not be resolved"),
    ],
)
def test_metadata_urls_that_would_reach_inside_are_refused(acme, acme_admin, url, fragment):
    # Refused before any connection is made (the address check reads only DNS).
    assert fragment in fetch.url_refusal(url)
    with pytest.raises(ApplicationError) as caught:
        saml_create(acme, acme_admin, saml_metadata_url=url)
    assert fragment in str(caught.value.fields)


def test_metadata_url_fetched_and_refreshed_on_schedule(sso_settings, acme, acme_admin, idp):
    with IdPServer(idp, audience_for=lambda acs: "", email="x@acme-sso.test") as server:
        provider = saml_create(acme, acme_admin, saml_metadata_url=server.url + "/metadata")
        assert provider.saml_sso_url == server.url + "/sso"
        rolled = LocalIdP(entity_id=idp.entity_id)
        idp.cert_pem = rolled.cert_pem  # the IdP publishes a new certificate
        assert metadata_refresh_all() == 1  # eager in tests: the per-provider task ran
    provider.refresh_from_db()
    assert rolled.cert_pem.strip().splitlines()[1] in provider.saml_certificates
    assert provider.metadata_status == "Fetched and read."
    assert ActivityRecord.objects.filter(event="sso.metadata.refreshed").count() == 1


def test_failed_refresh_keeps_the_old_configuration(sso_settings, acme, acme_admin, idp):
    with IdPServer(idp, audience_for=lambda acs: "", email="x@acme-sso.test") as server:
        provider = saml_create(acme, acme_admin, saml_metadata_url=server.url + "/metadata")
    old = provider.saml_certificates
    config.identity_provider_refresh(provider_id=provider.pk)  # the server is gone now
    provider.refresh_from_db()
    assert provider.saml_certificates == old
    assert provider.metadata_status.startswith("Failed:")
    assert ActivityRecord.objects.filter(event="sso.metadata.failed").count() == 1


def test_partner_roles_and_plain_members_cannot_configure(acme, idp):
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER, slug="bp-sso")
    Company.objects.filter(pk=acme.pk).update(business_partner=partner)
    acme.refresh_from_db()
    for roles in ([Role.BP_OPERATION], [Role.BP_FINANCE], [Role.BP_ADMIN]):
        actor = UserFactory(company=partner, roles=roles)
        with pytest.raises(PermissionDenied):
            saml_create(acme, actor, metadata_xml=idp.metadata())
    with pytest.raises(PermissionDenied):
        saml_create(acme, UserFactory(company=acme), metadata_xml=idp.metadata())
    assert not IdentityProvider.objects.exists()


def test_default_moves_and_survives_deletion(acme, acme_admin, idp):
    first = saml_create(acme, acme_admin, metadata_xml=idp.metadata(), name="First")
    second = saml_create(acme, acme_admin, metadata_xml=idp.metadata(), name="Second")
    assert first.is_default and not second.is_default
    config.identity_provider_set_default(provider=second, actor=acme_admin)
    first.refresh_from_db()
    assert not first.is_default
    config.identity_provider_delete(provider=second, actor=acme_admin)
    first.refresh_from_db()
    assert first.is_default


def test_duplicate_name_is_a_field_error(acme, acme_admin, idp):
    saml_create(acme, acme_admin, metadata_xml=idp.metadata())
    with pytest.raises(ApplicationError) as caught:
        saml_create(acme, acme_admin, metadata_xml=idp.metadata())
    assert "name" in caught.value.fields


def test_require_sso_needs_a_break_glass_admin(acme, acme_admin, acme_user, saml_provider):
    with pytest.raises(ApplicationError) as caught:
        config.company_sso_settings_set(
            company=acme, actor=acme_admin, require_sso=True, jit_provisioning=False
        )
    assert "break_glass_users" in caught.value.fields
    with pytest.raises(ApplicationError):
        config.company_sso_settings_set(
            company=acme,
            actor=acme_admin,
            require_sso=True,
            jit_provisioning=False,
            break_glass_users=[acme_user],  # not an admin
        )
    row = config.company_sso_settings_set(
        company=acme,
        actor=acme_admin,
        require_sso=True,
        jit_provisioning=False,
        break_glass_users=[acme_admin],
    )
    assert list(row.break_glass_users.all()) == [acme_admin]


def test_require_sso_without_an_enabled_provider_is_refused(acme, acme_admin):
    with pytest.raises(ApplicationError) as caught:
        config.company_sso_settings_set(
            company=acme,
            actor=acme_admin,
            require_sso=True,
            jit_provisioning=False,
            break_glass_users=[acme_admin],
        )
    assert "require_sso" in caught.value.fields


def test_oidc_needs_its_secret_and_a_working_discovery(sso_settings, acme, acme_admin):
    with pytest.raises(ApplicationError) as caught:
        config.identity_provider_create(
            company=acme,
            kind="oidc",
            actor=acme_admin,
            name="OP",
            oidc_discovery_url="https://op.example.com/.well-known/openid-configuration",
            oidc_client_id="c",
        )
    assert "client_secret" in caught.value.fields
    with pytest.raises(ApplicationError) as caught:
        config.identity_provider_create(
            company=acme,
            kind="oidc",
            actor=acme_admin,
            name="OP",
            oidc_discovery_url="http://127.0.0.1:9/.well-known/openid-configuration",
            oidc_client_id="c",
            client_secret="s",
        )
    assert "could not be reached" in str(caught.value.fields)
    assert not IdentityProvider.objects.exists()


def test_public_addresses_pass_the_check_and_tests_never_fetch_them(settings):
    # url_refusal reads addresses only; an IP literal needs no DNS and nothing connects.
    settings.SSO_FETCH_PUBLIC = True
    assert fetch.url_refusal("https://93.184.215.14/metadata") is None
    settings.SSO_FETCH_PUBLIC = False  # what every test runs with (tests/conftest.py)
    assert "switched off" in fetch.url_refusal("https://93.184.215.14/metadata")
    with pytest.raises(fetch.FetchError):
        fetch.get("https://93.184.215.14/metadata")


def test_purge_forgets_old_connection_tests_and_expired_replay_state(acme_admin, saml_provider):
    import datetime as dt

    from django.utils import timezone

    from sso.models import ConnectionTest, SeenAssertion
    from sso.tasks import expired_purge

    old = ConnectionTest.objects.create(provider=saml_provider, actor=acme_admin)
    ConnectionTest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    fresh = ConnectionTest.objects.create(provider=saml_provider, actor=acme_admin)
    SeenAssertion.objects.create(
        provider=saml_provider, assertion_id="_gone", expires_at=timezone.now() - dt.timedelta(1)
    )
    SeenAssertion.objects.create(
        provider=saml_provider, assertion_id="_kept", expires_at=timezone.now() + dt.timedelta(1)
    )
    assert expired_purge() == 2
    assert list(ConnectionTest.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert list(SeenAssertion.objects.values_list("assertion_id", flat=True)) == ["_kept"]


# --- The default company has no identity provider (SPEC §2.2, §7.6) -----------------------------


def test_no_identity_provider_on_the_default_company(idp):
    from companies.selectors import default_company

    rainbow = default_company()
    superadmin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(ApplicationError) as caught:
        saml_create(rainbow, superadmin, metadata_xml=idp.metadata())
    assert "standalone" in caught.value.message
    assert not IdentityProvider.objects.filter(company=rainbow).exists()
    assert not ActivityRecord.objects.filter(event="sso.provider.created").exists()


def test_no_sso_settings_on_the_default_company():
    from companies.selectors import default_company
    from sso.models import CompanySsoSettings

    rainbow = default_company()
    superadmin = UserFactory(is_superuser=True, is_staff=True)
    for require_sso, jit in ((False, True), (True, False), (False, False)):
        with pytest.raises(ApplicationError) as caught:
            config.company_sso_settings_set(
                company=rainbow, actor=superadmin, require_sso=require_sso, jit_provisioning=jit
            )
        assert "standalone" in caught.value.message
    assert not CompanySsoSettings.objects.filter(company=rainbow).exists()


def test_a_provider_left_on_the_default_company_cannot_be_changed(idp):
    from companies.selectors import default_company

    # Made before the refusal existed: it can only be removed.
    provider = IdentityProvider.objects.create(
        company=default_company(),
        kind="saml",
        name="Left over",
        saml_entity_id=idp.entity_id,
        saml_sso_url=idp.sso_url,
        saml_certificates=idp.cert_pem,
    )
    superadmin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(ApplicationError):
        config.identity_provider_update(provider=provider, actor=superadmin, enabled=True)
    provider.refresh_from_db()
    assert not provider.enabled
    config.identity_provider_delete(provider=provider, actor=superadmin)
    assert not IdentityProvider.objects.filter(pk=provider.pk).exists()
