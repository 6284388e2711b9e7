"""The close / restore cell of the company members page (templates/retention/_member_actions.html).

`{% member_closure member as entry %}` reads the whole page's answers once (two queries, see
`selectors.member_closure_actions`) and keeps them on the request, so the row partial can be
included per member without a query per row."""

from django import template

from .. import selectors

register = template.Library()

CACHE = "_retention_member_actions"


@register.simple_tag(takes_context=True)
def member_closure(context, member):
    request = context["request"]
    page = context.get("page")
    cached = getattr(request, CACHE, None)
    if cached is None or member.pk not in cached:
        members = list(page) if page is not None else [member]
        cached = selectors.member_closure_actions(
            actor=request.user, company=context["company"], members=members
        )
        setattr(request, CACHE, cached)
    return cached.get(member.pk, {"action": "", "closure": None})
