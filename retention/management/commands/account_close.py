from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from accounts.models import User, normalize_email
from rainbow_portal.exceptions import ApplicationError
from retention.services import account_close


class Command(BaseCommand):
    help = (
        "Close an account as an actor, under the same rules as the page (SPEC §8.1): a company "
        "user by their company admin or partner, a standalone user by a superadmin."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The account to close.")
        parser.add_argument("--actor", required=True, help="Email of who closes it.")

    def handle(self, *args, email, actor, **options):
        target = User.objects.filter(email=normalize_email(email)).first()
        who = User.objects.filter(email=normalize_email(actor)).first()
        if who is None:
            raise CommandError(f"No account has the actor's address {actor!r}.")
        if target is None:
            raise CommandError(f"No account has the address {email!r}.")
        try:
            closure = account_close(user=target, actor=who, verify_identity=False)
        except Http404:
            raise CommandError(f"{actor} has no access to the account {email}.") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Closed {target.email} (closure {closure.pk}); anonymized after "
            f"{closure.anonymize_due_at:%Y-%m-%d %H:%M} UTC unless restored."
        )
