"""The portal's content negotiation answers as DRF's own (rainbow_portal.negotiation)."""

import pytest
from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from rainbow_portal.negotiation import PortalContentNegotiation

RENDERER_LISTS = [
    [JSONRenderer()],
    [TemplateHTMLRenderer(), JSONRenderer()],
    [BrowsableAPIRenderer(), JSONRenderer()],
    [TemplateHTMLRenderer()],
    [],
]
ACCEPTS = [
    None,
    "",
    "*/*",
    "application/json",
    "application/json; indent=4",
    "text/html",
    "text/html, application/json;q=0.9",
    "application/xml",
    "application/*",
]
QUERIES = ["", "q=be", "format=json", "format=api", "format=xml", "form%61t=xml", "q=a%20b"]


def _answer(negotiation, accept, query, renderers, suffix):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/api/v1/me/?" + query, **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except (exceptions.NotAcceptable, Http404) as exc:
        return type(exc).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("renderers", RENDERER_LISTS)
@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("suffix", [None, "json"])
def test_the_answer_is_drfs(renderers, accept, query, suffix):
    ours = _answer(PortalContentNegotiation(), accept, query, renderers, suffix)
    assert ours == _answer(DefaultContentNegotiation(), accept, query, renderers, suffix)


def test_the_common_call_does_not_parse_the_query_string():
    request = Request(APIRequestFactory().get("/api/v1/directory/?q=be"))
    PortalContentNegotiation().select_renderer(request, [JSONRenderer()])
    assert "GET" not in request._request.__dict__
