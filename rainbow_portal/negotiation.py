"""DRF's content negotiation, answered without parsing for what nearly every API call sends
(issue 15): no Accept header, `*/*` or `application/json`, and no `?format=`. Anything else
goes through DRF's own negotiation. The answer is DRF's own for those headers
(tests/core/test_negotiation.py holds the two equal): parsing the header and the query string
for them cost ~4 % of a `/api/v1/me/` call."""

from rest_framework.negotiation import DefaultContentNegotiation

_ANY = (None, "*/*")  # an empty header present is refused by DRF: so it is here


class PortalContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if not format_suffix and renderers and not self._may_name_format(request):
            accept = request.META.get("HTTP_ACCEPT")
            if accept in _ANY:
                return renderers[0], renderers[0].media_type
            if accept == "application/json":
                for renderer in renderers:
                    if renderer.media_type == "application/json":
                        return renderer, accept
        return super().select_renderer(request, renderers, format_suffix)

    def _may_name_format(self, request) -> bool:
        """Whether the query string may hold the format override: its name, or an escape
        that could spell it."""
        query = request.META.get("QUERY_STRING", "")
        return bool(query) and (self.settings.URL_FORMAT_OVERRIDE in query or "%" in query)
