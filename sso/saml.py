"""SAML v2 service provider glue over python3-saml (strict mode). No writes here: the
services in `sso/services/` call these to build requests and read responses."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from .models import IdentityProvider

PEM_RE = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----"
)
EMAIL_ATTRIBUTES = (
    "email",
    "mail",
    "emailaddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
)


class MetadataError(Exception):
    pass


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def sp_urls(provider: IdentityProvider) -> dict:
    return {
        "entity_id": _absolute(reverse("sso:saml-metadata", args=[provider.pk])),
        "acs": _absolute(reverse("sso:saml-acs", args=[provider.pk])),
        "sls": _absolute(reverse("sso:saml-sls", args=[provider.pk])),
    }


def certificates(pem_text: str) -> list[str]:
    """The base64 bodies of every PEM certificate in the text (several during a rollover)."""
    return ["".join(body.split()) for body in PEM_RE.findall(pem_text or "")]


def saml_settings(provider: IdentityProvider) -> dict:
    urls = sp_urls(provider)
    idp = {
        "entityId": provider.saml_entity_id,
        "singleSignOnService": {
            "url": provider.saml_sso_url,
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
        },
        "x509certMulti": {"signing": certificates(provider.saml_certificates)},
    }
    if provider.saml_slo_url:
        idp["singleLogoutService"] = {
            "url": provider.saml_slo_url,
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
        }
    return {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": urls["entity_id"],
            "assertionConsumerService": {
                "url": urls["acs"],
                "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
            },
            "singleLogoutService": {
                "url": urls["sls"],
                "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
            },
            "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS,
        },
        "idp": idp,
        "security": {
            # SPEC §7.6: assertions must be signed, whatever the response envelope says.
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "authnRequestsSigned": False,
            "wantNameId": True,
            "requestedAuthnContext": False,
            "rejectDeprecatedAlgorithm": True,
            "signatureAlgorithm": OneLogin_Saml2_Constants.RSA_SHA256,
            "digestAlgorithm": OneLogin_Saml2_Constants.SHA256,
        },
    }


def settings_object(provider: IdentityProvider) -> OneLogin_Saml2_Settings:
    return OneLogin_Saml2_Settings(saml_settings(provider), sp_validation_only=True)


def request_data(request, *, path: str) -> dict:
    """python3-saml's view of the request. The URL it checks Destination against is the
    configured public one (PORTAL_BASE_URL), not whatever Host header the client sent."""
    base = urlsplit(settings.PORTAL_BASE_URL)
    https = base.scheme == "https"
    return {
        "https": "on" if https else "off",
        "http_host": base.netloc,
        "script_name": path,
        "get_data": request.GET.copy(),
        "post_data": request.POST.copy(),
    }


def auth_for(provider: IdentityProvider, request, *, path: str) -> OneLogin_Saml2_Auth:
    return OneLogin_Saml2_Auth(
        request_data(request, path=path), old_settings=saml_settings(provider)
    )


def sp_metadata(provider: IdentityProvider) -> str:
    saml = settings_object(provider)
    metadata = saml.get_sp_metadata()
    errors = saml.validate_metadata(metadata)
    if errors:  # our own settings: a bug, not the admin's input
        raise MetadataError("The service provider metadata is not valid: " + ", ".join(errors))
    return metadata.decode() if isinstance(metadata, bytes) else metadata


@dataclass
class IdpMetadata:
    entity_id: str
    sso_url: str
    slo_url: str
    certificates_pem: str


def _pem(body: str) -> str:
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def parse_idp_metadata(xml: str) -> IdpMetadata:
    """Read an IdP's metadata (pasted or fetched). Raises MetadataError with a reason a
    person understands."""
    if not xml or not xml.strip():
        raise MetadataError("The metadata is empty.")
    if len(xml) > 1024 * 1024:
        raise MetadataError("The metadata is larger than 1 MB.")
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(
            xml, required_sso_binding=OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT
        )
    except Exception as exc:  # lxml/defusedxml raise many kinds; all mean "not metadata"
        raise MetadataError(
            f"The metadata could not be read as SAML XML ({type(exc).__name__})."
        ) from None
    idp = parsed.get("idp") or {}
    entity_id = idp.get("entityId") or ""
    sso_url = (idp.get("singleSignOnService") or {}).get("url") or ""
    slo_url = (idp.get("singleLogoutService") or {}).get("url") or ""
    certs = []
    if idp.get("x509cert"):
        certs.append(idp["x509cert"])
    certs += (idp.get("x509certMulti") or {}).get("signing", [])
    if not entity_id:
        raise MetadataError("The metadata names no IdP entity ID.")
    if not sso_url:
        raise MetadataError("The metadata has no single sign-on URL with the Redirect binding.")
    if not certs:
        raise MetadataError("The metadata has no signing certificate.")
    unique = list(dict.fromkeys("".join(c.split()) for c in certs))
    return IdpMetadata(
        entity_id=entity_id,
        sso_url=sso_url,
        slo_url=slo_url,
        certificates_pem="".join(_pem(c) for c in unique),
    )


def asserted_email(auth: OneLogin_Saml2_Auth) -> str:
    """The email the IdP asserts: an emailAddress NameID, else a well-known attribute."""
    nameid = auth.get_nameid() or ""
    if auth.get_nameid_format() == OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS or ("@" in nameid):
        return nameid.strip().lower()
    attributes = {k.lower(): v for k, v in auth.get_attributes().items()}
    for name in EMAIL_ATTRIBUTES:
        values = attributes.get(name.lower())
        if values:
            return str(values[0]).strip().lower()
    return ""
