"""Demo bubbles for `make run` (seed_demo): rooms with an organizer, co-organizers and members,
a conversation encrypted at rest like any other (through the services), a file when a virus
scanner is reachable, a pending invitation and an archived bubble. Idempotent: a bubble that
already exists (by name, in its company) is left alone."""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from companies.demo.base import person
from rainbow_portal.exceptions import ApplicationError

from . import services
from .models import Bubble, BubbleMember

AGENDA = b"Launch plan\n1. Dates\n2. Pricing\n3. Who tells the customers\n"

# name, topic, organizer, co-organizers, members (accepted), invited (not yet accepted),
# messages (author, body), a file (uploader, name, bytes) or None, archived
BUBBLES = [
    (
        "Spring launch",
        "Dates, pricing and the customer letter",
        "alice@acme.test",
        ["bob@acme.test"],
        ["chloe@acme.test"],
        [],
        [
            ("alice@acme.test", "Welcome! The agenda is attached: comments by Friday, please."),
            ("bob@acme.test", "Pricing is ready for review."),
            ("chloe@acme.test", "I'll draft the customer letter."),
        ],
        ("alice@acme.test", "agenda.txt", AGENDA),
        False,
    ),
    (
        "Support rota",
        "Who is on call when",
        "bob@acme.test",
        [],
        ["alice@acme.test"],
        ["chloe@acme.test"],
        [("bob@acme.test", "Next week: Alice Monday to Wednesday, me the rest.")],
        None,
        False,
    ),
    (
        "Q3 review",
        "Closed: the review is done",
        "alice@acme.test",
        [],
        ["bob@acme.test"],
        [],
        [
            ("alice@acme.test", "Numbers are in the usual place."),
            ("bob@acme.test", "Thanks, all good. Archiving."),
        ],
        None,
        True,
    ),
    (
        "Globex offsite",
        "Venue and travel",
        "carol@globex.test",
        [],
        ["dave@globex.test"],
        [],
        [("carol@globex.test", "Two venues left: I'll share both tomorrow.")],
        None,
        False,
    ),
]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _membership(bubble, user) -> BubbleMember:
    return BubbleMember.objects.select_related("bubble", "bubble__company", "user").get(
        bubble=bubble, user=user
    )


def _seed_one(command, spec) -> None:
    name, topic, organizer, cos, members, invited, messages, upload, archived = spec
    org = _user(organizer)
    if org is None or Bubble.objects.filter(name=name, company=org.company).exists():
        return
    bubble = services.bubble_create(name=name, topic=topic, actor=org)
    for email in [*cos, *members]:
        user = _user(email)
        services.bubble_member_add(bubble=bubble, user=user, actor=org)
        services.bubble_invitation_accept(bubble=bubble, actor=user)
    for email in cos:
        services.bubble_co_organizer_promote(member=_membership(bubble, _user(email)), actor=org)
    for email in invited:
        services.bubble_member_add(bubble=bubble, user=_user(email), actor=org)
    for email, body in messages:
        author = _user(email)
        services.message_post(member=_membership(bubble, author), body=body, actor=author)
    if upload is not None:
        email, filename, data = upload
        uploader = _user(email)
        try:
            services.bubble_file_upload(
                member=_membership(bubble, uploader),
                upload=SimpleUploadedFile(filename, data, content_type="text/plain"),
                body="",
                actor=uploader,
            )
        except ApplicationError as exc:  # no scanner reachable: no file (never unscanned)
            command.stdout.write(f"Bubble demo: {filename} not uploaded ({exc.message})")
    if archived:
        services.bubble_archive(bubble=bubble, actor=org)


def seed(command) -> list[tuple[str, str]]:
    acme = _user("alice@acme.test")
    if acme is not None:
        person("chloe@acme.test", company=acme.company, first="Chloe", last="Chen")
    for spec in BUBBLES:
        _seed_one(command, spec)
    return [("chloe@acme.test", "user of Acme Corp (bubbles: Spring launch, Support rota)")]
