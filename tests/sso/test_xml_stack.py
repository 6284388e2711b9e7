"""lxml and xmlsec must bundle the same libxml2 (python3-saml #411, python-xmlsec #361): a
mismatch fails at `import xmlsec` or, worse, verifies wrongly. Sign and verify a document."""

import pytest
import xmlsec
from lxml import etree

from .saml_idp import LocalIdP

ASSERTION = (
    '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_t1">'
    "<saml:Issuer>https://idp.test</saml:Issuer><saml:Subject>x</saml:Subject>"
    "</saml:Assertion>"
)


def verify(xml: str, cert_pem: str) -> None:
    root = etree.fromstring(xml.encode())
    xmlsec.tree.add_ids(root, ["ID"])
    signature = xmlsec.tree.find_node(root, xmlsec.constants.NodeSignature)
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(cert_pem.encode(), xmlsec.constants.KeyDataFormatCertPem)
    context.verify(signature)


def test_lxml_and_xmlsec_sign_and_verify_together():
    assert xmlsec.get_libxml_version() == etree.LIBXML_VERSION
    idp = LocalIdP()
    signed = idp.sign(ASSERTION).split("?>", 1)[-1].strip()
    verify(signed, idp.cert_pem)
    with pytest.raises(xmlsec.Error):
        verify(signed.replace(">x<", ">y<"), idp.cert_pem)
    with pytest.raises(xmlsec.Error):
        verify(signed, LocalIdP().cert_pem)
