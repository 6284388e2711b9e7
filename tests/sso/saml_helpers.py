"""Helpers of the SAML sign-in tests (tests/sso/test_saml*.py): start a sign-in, post a
signed response to the ACS, read who is signed in and the last refusal."""

from django.urls import reverse

from activity.models import ActivityRecord
from sso import saml

from .saml_idp import request_from_redirect


def start(client, provider, next_url=""):
    response = client.get(reverse("sso:start", args=[provider.pk]), {"next": next_url})
    assert response.status_code == 302
    request_id, acs = request_from_redirect(response["Location"])
    assert acs == saml.sp_urls(provider)["acs"]
    return request_id


def post_acs(client, provider, saml_response):
    return client.post(reverse("sso:saml-acs", args=[provider.pk]), {"SAMLResponse": saml_response})


def signed(idp, provider, request_id, email="bob@acme-sso.test", **kwargs):
    urls = saml.sp_urls(provider)
    return idp.response(
        email=email,
        acs_url=urls["acs"],
        audience=urls["entity_id"],
        in_response_to=request_id,
        **kwargs,
    )


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def last_refusal():
    record = ActivityRecord.objects.filter(event="sso.signin.refused").order_by("-id").first()
    return record.data["reason"] if record else None
