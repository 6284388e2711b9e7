"""Print what the policy functions answer for each role, target and action (SPEC §3.3–3.5).

It does not read the rights table: it creates a partner, one of its customers, an unrelated
company and one member per role inside a transaction, asks the policies, and rolls back.
"""

import json as json_module

from django.core.management.base import BaseCommand
from django.db import transaction

from companies import policies, rights
from companies.models import Company, Role
from companies.services import company_create, role_grant, user_create

POLICIES = {
    rights.MANAGE_COMPANY: policies.can_manage_company,
    rights.CREATE_EQUIPMENT: policies.can_create_equipment,
    rights.MANAGE_SYSTEMS: policies.can_manage_systems,
    rights.CREATE_SUBSCRIPTION: policies.can_create_subscription,
    rights.MANAGE_SUBSCRIPTIONS: policies.can_manage_subscriptions,
    rights.ALLOCATE_LICENSES: policies.can_allocate_licenses,
    rights.VIEW_INVOICES: policies.can_view_invoices,
}
ROLES = [Role.BP_ADMIN, Role.BP_FINANCE, Role.BP_OPERATION, Role.COMPANY_ADMIN]
TARGETS = ["own_company", "customer_company", "unrelated_company"]


class _Rollback(Exception):
    pass


def compute_matrix() -> dict:
    """{role: {target: {action: bool}}}, from real rows that are rolled back."""
    result: dict = {}
    try:
        with transaction.atomic():
            tag = "rights-matrix-probe"
            partner = company_create(
                name=f"{tag} partner",
                region="EMEA",
                kind=Company.Kind.BUSINESS_PARTNER,
                actor=None,
            )
            customer = company_create(
                name=f"{tag} customer", region="EMEA", business_partner=partner, actor=None
            )
            unrelated = company_create(name=f"{tag} unrelated", region="EMEA", actor=None)
            for role in ROLES:
                # A company admin's "own company" is an end customer (of the partner, so that
                # "customer company" for it is a sibling customer it has no right on).
                home = customer if role == Role.COMPANY_ADMIN else partner
                actor = user_create(email=f"{role}@{tag}.test", company=home, actor=None)
                role_grant(user=actor, role=role, actor=None)
                if role == Role.COMPANY_ADMIN:
                    sibling = company_create(
                        name=f"{tag} sibling", region="EMEA", business_partner=partner, actor=None
                    )
                    targets = {"own_company": customer, "customer_company": sibling}
                else:
                    targets = {"own_company": partner, "customer_company": customer}
                targets["unrelated_company"] = unrelated
                result[role] = {
                    target: {
                        action: bool(check(actor=actor, company=targets[target]))
                        for action, check in POLICIES.items()
                    }
                    for target in TARGETS
                }
            raise _Rollback
    except _Rollback:
        pass
    return result


class Command(BaseCommand):
    help = "Print the verdicts of the company policy functions (SPEC §3.3–3.5)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, json=False, **options):
        matrix = compute_matrix()
        if json:
            self.stdout.write(json_module.dumps(matrix, indent=2, sort_keys=True))
            return
        for role, targets in matrix.items():
            self.stdout.write(role)
            for target, actions in targets.items():
                allowed = [a for a, ok in actions.items() if ok] or ["nothing"]
                self.stdout.write(f"  {target:<18} {', '.join(allowed)}")
