"""A SAML identity provider for the tests: a real key pair and self-signed certificate, SAML
responses built as XML and signed with python-xmlsec (through python3-saml's own signer,
RSA-SHA256), and a small HTTP server that answers the portal's AuthnRequests the way an IdP
does (Redirect binding in, POST binding out). Nothing of the portal's side is mocked."""

import base64
import datetime as dt
import html
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}


def make_key_pair(common_name="Test IdP") -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def _ts(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class LocalIdP:
    entity_id: str = "https://idp.test/metadata"
    sso_url: str = "https://idp.test/sso"
    key_pem: str = ""
    cert_pem: str = ""
    issued: list = field(default_factory=list)

    def __post_init__(self):
        if not self.key_pem:
            self.key_pem, self.cert_pem = make_key_pair()

    # --- metadata -----------------------------------------------------------------------
    def metadata(self) -> str:
        body = "".join(self.cert_pem.strip().splitlines()[1:-1])
        return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{self.entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
      <ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data>
    </ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
      Location="{self.sso_url}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""

    # --- responses ------------------------------------------------------------------------
    def assertion_xml(
        self,
        *,
        email: str,
        audience: str,
        recipient: str,
        in_response_to: str | None,
        assertion_id: str | None = None,
        not_before: dt.datetime | None = None,
        not_on_or_after: dt.datetime | None = None,
        issuer: str | None = None,
        attributes: dict | None = None,
    ) -> str:
        now = dt.datetime.now(dt.UTC)
        not_before = not_before or now - dt.timedelta(seconds=30)
        not_on_or_after = not_on_or_after or now + dt.timedelta(minutes=5)
        irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""
        attrs = "".join(
            f'<saml:Attribute Name="{html.escape(k)}"><saml:AttributeValue>{html.escape(v)}'
            "</saml:AttributeValue></saml:Attribute>"
            for k, v in (attributes or {"givenName": "Sso", "sn": "Person"}).items()
        )
        assertion_id = assertion_id or "_a" + uuid.uuid4().hex
        return (
            f'<saml:Assertion xmlns:saml="{NS["saml"]}" ID="{assertion_id}" '
            f'Version="2.0" IssueInstant="{_ts(now)}">'
            f"<saml:Issuer>{issuer or self.entity_id}</saml:Issuer>"
            "<saml:Subject>"
            '<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
            f"{html.escape(email)}</saml:NameID>"
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{_ts(not_on_or_after)}" '
            f'Recipient="{recipient}"{irt}/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{_ts(not_before)}" NotOnOrAfter="{_ts(not_on_or_after)}">'
            f"<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience>"
            "</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{_ts(now)}" SessionIndex="_s{uuid.uuid4().hex}">'
            "<saml:AuthnContext><saml:AuthnContextClassRef>"
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{attrs}</saml:AttributeStatement>"
            "</saml:Assertion>"
        )

    def sign(self, xml: str, *, key_pem: str | None = None, cert_pem: str | None = None) -> str:
        signed = OneLogin_Saml2_Utils.add_sign(
            xml, key_pem or self.key_pem, cert_pem or self.cert_pem
        )
        return signed.decode() if isinstance(signed, bytes) else signed

    def response_xml(
        self, *, assertion: str, destination: str, in_response_to: str | None, issuer=None
    ) -> str:
        now = dt.datetime.now(dt.UTC)
        irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""
        return (
            f'<samlp:Response xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}" '
            f'ID="_r{uuid.uuid4().hex}" Version="2.0" IssueInstant="{_ts(now)}" '
            f'Destination="{destination}"{irt}>'
            f"<saml:Issuer>{issuer or self.entity_id}</saml:Issuer>"
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
            "</samlp:Status>"
            f"{assertion}</samlp:Response>"
        )

    def response(
        self,
        *,
        email: str,
        acs_url: str,
        audience: str,
        in_response_to: str | None,
        sign_assertion: bool = True,
        destination: str | None = None,
        **assertion_kwargs,
    ) -> str:
        """A base64 SAMLResponse as the POST binding carries it."""
        assertion = self.assertion_xml(
            email=email,
            audience=audience,
            recipient=acs_url,
            in_response_to=in_response_to,
            **assertion_kwargs,
        )
        if sign_assertion:
            assertion = self.sign(assertion)
            assertion = assertion.split("?>", 1)[-1] if assertion.startswith("<?xml") else assertion
        xml = self.response_xml(
            assertion=assertion, destination=destination or acs_url, in_response_to=in_response_to
        )
        self.issued.append(xml)
        return base64.b64encode(xml.encode()).decode()


def authn_request(saml_request_b64: str) -> etree._Element:
    xml = OneLogin_Saml2_Utils.decode_base64_and_inflate(saml_request_b64)
    return etree.fromstring(xml if isinstance(xml, bytes) else xml.encode())


def request_from_redirect(url: str) -> tuple[str, str]:
    """The AuthnRequest ID and ACS URL from the portal's redirect to the IdP."""
    query = parse_qs(urlsplit(url).query)
    request = authn_request(query["SAMLRequest"][0])
    return request.get("ID"), request.get("AssertionConsumerServiceURL")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class IdPServer:
    """The IdP on loopback for browser journeys: GET /sso with the Redirect binding shows a
    "Sign in as …" page; its button POSTs the signed response to the portal's ACS."""

    def __init__(self, idp: LocalIdP, *, audience_for, email: str):
        self.idp = idp
        self.email = email
        self.audience_for = audience_for  # acs_url -> the SP entity ID
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_QuietHandler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        idp.sso_url = self.url + "/sso"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [self.idp.metadata().encode()]
        if path != "/sso":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        query = parse_qs(environ.get("QUERY_STRING", ""))
        request = authn_request(query["SAMLRequest"][0])
        acs = request.get("AssertionConsumerServiceURL")
        saml_response = self.idp.response(
            email=self.email,
            acs_url=acs,
            audience=self.audience_for(acs),
            in_response_to=request.get("ID"),
        )
        page = (
            "<!doctype html><title>Test IdP</title><h1>Test IdP</h1>"
            f'<form method="post" action="{html.escape(acs)}">'
            f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
            f'<button type="submit">Sign in as {html.escape(self.email)}</button></form>'
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]


def deflate(xml: str) -> str:
    return base64.b64encode(zlib.compress(xml.encode())[2:-4]).decode()
