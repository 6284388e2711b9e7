"""Confirmation pages for destructive actions (issue 14), without JavaScript: the action's own
URL answers a GET with a page that says what will happen and what cannot be undone, and the
POST from that page (or from an older form, or the API's twin) acts. Lists link to the GET."""

from django.shortcuts import render


def confirm_page(
    request,
    *,
    title: str,
    consequences: list[str],
    button: str,
    cancel_url: str,
    irreversible: str = "",
    fields: dict | None = None,
    danger: bool = True,
):
    """The confirmation page; the form posts back to this same URL with `fields` hidden."""
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "consequences": consequences,
            "irreversible": irreversible,
            "button": button,
            "cancel_url": cancel_url,
            "fields": sorted((fields or {}).items()),
            "danger": danger,
        },
    )
