import pytest

from bubbles import services
from bubbles.models import BubbleMember
from tests.factories import CompanyFactory, UserFactory

# Built at run time so that no scanner flags this source file itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(autouse=True)
def _private_vault(vault_storage):
    """Every bubbles test stores blobs in its own folder (never the developer's var/vault)."""
    return vault_storage


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def people(company):
    return {
        "organizer": UserFactory(company=company, email="org@acme.test"),
        "co": UserFactory(company=company, email="co@acme.test"),
        "member": UserFactory(company=company, email="mem@acme.test"),
        "outsider": UserFactory(company=company, email="out@acme.test"),
    }


def add_accepted(bubble, user, actor):
    member = services.bubble_member_add(bubble=bubble, user=user, actor=actor)
    services.bubble_invitation_accept(bubble=bubble, actor=user)
    return BubbleMember.objects.get(pk=member.pk)


@pytest.fixture
def bubble(people):
    """A bubble with an organizer, an accepted co-organizer and an accepted member."""
    org = people["organizer"]
    bubble = services.bubble_create(name="Launch", topic="Q3", actor=org)
    co = add_accepted(bubble, people["co"], org)
    services.bubble_co_organizer_promote(member=co, actor=org)
    add_accepted(bubble, people["member"], org)
    return bubble


def membership(bubble, user):
    return BubbleMember.objects.select_related("user", "bubble", "bubble__company").get(
        bubble=bubble, user=user
    )
