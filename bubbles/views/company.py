"""Company admins: their company's bubbles (metadata, never content) and handing an orphaned
bubble to one of its participants."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from companies.scoping import company_page
from rainbow_portal.exceptions import ApplicationError

from .. import forms, policies, selectors, services


@company_page(right=policies.can_manage_company_bubbles)
def company_bubbles(request, company):
    return render(
        request,
        "bubbles/company_list.html",
        {"company": company, "bubbles": selectors.company_bubble_list(company=company)},
    )


@company_page(
    right=policies.can_manage_company_bubbles,
    methods=("GET", "POST"),
    objects={"bubble": ("pk", selectors.company_bubble_get)},
)
def company_bubble(request, company, bubble):
    form = forms.ReassignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            target = selectors.bubble_member_get(bubble=bubble, pk=form.cleaned_data["member"])
            services.bubble_owner_reassign(bubble=bubble, to=target, actor=request.user)
        except (ApplicationError, Http404) as exc:
            form.add_error("member", getattr(exc, "message", "Choose a current participant."))
        else:
            messages.success(request, _("The bubble has a new organizer."))
            return redirect("bubbles:company-bubble", slug=company.slug, pk=bubble.pk)
    participants = selectors.participant_list(bubble=bubble)
    return render(
        request,
        "bubbles/company_bubble.html",
        {
            "company": company,
            "bubble": bubble,
            "participants": participants,
            "orphaned": selectors.bubble_is_orphaned(bubble=bubble),
            "candidates": [
                p
                for p in participants
                if p.user_id and p.user.company_id == company.pk and p.user.is_active
            ],
            "form": form,
        },
        status=400 if form.errors else 200,
    )
