"""Print SPEC §6.1's table as the policies answer it.

It does not read the table: inside a transaction it creates a bubble with an organizer, a
co-organizer and a member (real rows, through the services), asks each policy about each
membership, and rolls everything back.
"""

import json

from django.core.management.base import BaseCommand
from django.db import transaction

from bubbles import policies, rights
from bubbles.models import BubbleMember, MemberRole
from bubbles.services import (
    bubble_co_organizer_promote,
    bubble_create,
    bubble_invitation_accept,
    bubble_member_add,
)
from companies.services import company_create, user_create


class _Rollback(Exception):
    pass


def compute_table() -> dict:
    result: dict = {}
    try:
        with transaction.atomic():
            tag = "bubble-rights-probe"
            company = company_create(name=f"{tag} company", region="EMEA", actor=None)
            people = {
                role: user_create(email=f"{role}@{tag}.test", company=company, actor=None)
                for role in (MemberRole.ORGANIZER, MemberRole.CO_ORGANIZER, MemberRole.MEMBER)
            }
            organizer = people[MemberRole.ORGANIZER]
            bubble = bubble_create(name=tag, actor=organizer)
            memberships = {}
            for role in (MemberRole.CO_ORGANIZER, MemberRole.MEMBER):
                member = bubble_member_add(bubble=bubble, user=people[role], actor=organizer)
                bubble_invitation_accept(bubble=bubble, actor=people[role])
                if role == MemberRole.CO_ORGANIZER:
                    member = bubble_co_organizer_promote(member=member, actor=organizer)
                memberships[role] = member
            memberships[MemberRole.ORGANIZER] = bubble.members.get(user=organizer)
            for action in rights.ACTIONS:
                policy = policies.POLICIES[action]
                result[action] = {
                    # Fresh rows: the policy reads what the database holds.
                    column: policy(member=BubbleMember.objects.get(pk=memberships[role].pk))
                    for role, column in rights.COLUMNS.items()
                }
            raise _Rollback
    except _Rollback:
        pass
    return result


class Command(BaseCommand):
    help = "Print SPEC §6.1's bubble rights as the policies answer them."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="JSON output")

    def handle(self, *args, **options):
        table = compute_table()
        if options["json"]:
            self.stdout.write(json.dumps(table, indent=2))
            return
        columns = list(rights.COLUMNS.values())
        self.stdout.write(f"{'action':<24}" + "".join(f"{c:>14}" for c in columns))
        for action, row in table.items():
            cells = "".join(f"{'yes' if row[c] else 'no':>14}" for c in columns)
            self.stdout.write(f"{action:<24}{cells}")
