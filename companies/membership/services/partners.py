"""Business partners: customers and partner offers (SPEC §2.8)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    Company,
    PartnerInvitation,
    Role,
)
from ...policies import can_create_customer, crosses_china_boundary, require_own_admin
from ...services import company_create, company_partner_set
from .invitations import invitations_create


@transaction.atomic
def customer_create(*, partner: Company, name: str, admin_email: str, actor) -> Company:
    """A partner creates an end customer in its own region and invites its first admin."""
    _require_partner_actor(actor=actor, partner=partner)
    if not partner.is_business_partner:
        raise ApplicationError("Only a business partner creates customers.")
    customer = company_create(
        name=name, region=partner.region, business_partner=partner, actor=actor
    )
    invitations_create(company=customer, emails=[admin_email], role=Role.COMPANY_ADMIN, actor=actor)
    return customer


def _require_partner_actor(*, actor, partner: Company) -> None:
    # SPEC §3.3: creating or courting a customer is managing customers, from the partner.
    if actor is None or actor.is_superuser:
        return
    if actor.company_id != partner.pk or not can_create_customer(actor=actor):
        raise PermissionDenied("Your partner role does not allow managing customers.")


NO_SUCH_CUSTOMER = "No end-customer company by that name can receive a partner offer."


def _partner_invitation_refusal(*, partner: Company, customer: Company | None) -> str | None:
    # Unknown, partnered, partner, default and across-the-China-boundary companies all get
    # the same answer, so the form reveals neither existence nor region (SPEC §2.3, D3.11).
    if (
        customer is None
        or customer.is_default
        or customer.is_business_partner
        or crosses_china_boundary(partner, customer)
    ):
        return NO_SUCH_CUSTOMER
    if customer.business_partner_id == partner.pk:
        return f"{customer.name} is already your customer."
    if customer.business_partner_id is not None:
        return NO_SUCH_CUSTOMER
    return None


@transaction.atomic
def partner_invitation_create(*, partner: Company, customer_name: str, actor):
    """Offer to become an existing end customer's partner. Unknown, partnered and partner
    companies get the same answer, so the form does not list who has a partner."""
    _require_partner_actor(actor=actor, partner=partner)
    customer = Company.objects.filter(name__iexact=" ".join(customer_name.split())).first()
    reason = _partner_invitation_refusal(partner=partner, customer=customer)
    if reason:
        raise ApplicationError(reason, fields={"customer_name": [reason]})
    if PartnerInvitation.objects.filter(
        partner=partner, customer=customer, status=PartnerInvitation.Status.PENDING
    ).exists():
        raise ApplicationError(f"An offer to {customer.name} is already pending.")
    invitation = PartnerInvitation.objects.create(
        partner=partner, customer=customer, invited_by=actor
    )
    activity.record(
        event="partner_invitation.created", actor=actor, company=customer, target=invitation
    )
    return invitation


@transaction.atomic
def partner_invitation_decide(*, invitation: PartnerInvitation, accept: bool, actor):
    invitation = (
        PartnerInvitation.objects.select_for_update()
        .select_related("partner", "customer")
        .get(pk=invitation.pk)
    )
    # SPEC §2.8: the customer's own admin answers the partner's offer.
    require_own_admin(actor=actor, company=invitation.customer, what="answer a partner's offer")
    if invitation.status != PartnerInvitation.Status.PENDING:
        raise ApplicationError(
            _("This offer is %(status)s.") % {"status": invitation.get_status_display().lower()}
        )
    if accept:
        reason = _partner_invitation_refusal(
            partner=invitation.partner, customer=invitation.customer
        )
        if reason:
            raise ApplicationError(reason)
        company_partner_set(
            company=invitation.customer,
            partner=invitation.partner,
            actor=actor,
            offer_accepted=True,
        )
    invitation.status = (
        PartnerInvitation.Status.ACCEPTED if accept else PartnerInvitation.Status.DECLINED
    )
    invitation.decided_by = actor
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_by", "decided_at"])
    activity.record(
        event="partner_invitation.accepted" if accept else "partner_invitation.declined",
        actor=actor,
        company=invitation.customer_id,
        target=invitation,
    )
    return invitation
