import pytest

from activity.models import ActivityRecord
from rainbow_portal.exceptions import ApplicationError
from subscriptions.services import extension_associate, extension_create, site_create, system_create
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(customer):
    site = site_create(company=customer, name="Lyon HQ", actor=None)
    return system_create(site=site, name="Main PBX", kind="oxe", actor=None)


def test_system_gets_a_four_digit_activation_code(system):
    assert len(system.activation_code) == 4 and system.activation_code.isdigit()
    assert ActivityRecord.objects.filter(event="system.created").count() == 1
    record = ActivityRecord.objects.get(event="system.created")
    assert system.activation_code not in str(record.data)


def test_every_kind_of_system(customer):
    site = site_create(company=customer, name="Paris", actor=None)
    for kind in ("oxe", "oxo", "third_party", "webrtc_gateway"):
        system_create(site=site, name=f"PBX {kind}", kind=kind, actor=None)
    with pytest.raises(ApplicationError, match="not a kind"):
        system_create(site=site, name="Fax", kind="fax", actor=None)


def test_site_and_system_names_are_unique_where_they_live(customer, system):
    with pytest.raises(ApplicationError, match="already has a site"):
        site_create(company=customer, name="lyon hq", actor=None)
    with pytest.raises(ApplicationError, match="already has a system"):
        system_create(site=system.site, name="Main PBX", kind="oxo", actor=None)


def test_extension_number_used_twice_is_refused(system, customer):
    extension_create(system=system, number="201", actor=None)
    with pytest.raises(ApplicationError, match="Extension 201 is already used on Main PBX"):
        extension_create(system=system, number="201", actor=None)
    # Another system of the same company may use the same number.
    other = system_create(site=system.site, name="Annex", kind="oxo", actor=None)
    extension_create(system=other, number="201", actor=None)


def test_extension_number_shape(system):
    with pytest.raises(ApplicationError, match="2 to 8 digits"):
        extension_create(system=system, number="2a1", actor=None)


def test_associate_with_a_member_then_free(system, customer):
    ext = extension_create(system=system, number="202", actor=None)
    member = UserFactory(company=customer)
    extension_associate(extension=ext, user=member, actor=None)
    ext.refresh_from_db()
    assert ext.user == member
    extension_associate(extension=ext, user=None, actor=None)
    ext.refresh_from_db()
    assert ext.user is None
    assert ActivityRecord.objects.filter(event="extension.associated").count() == 1
    assert ActivityRecord.objects.filter(event="extension.dissociated").count() == 1


def test_association_with_a_user_of_another_company_is_refused(system):
    ext = extension_create(system=system, number="203", actor=None)
    stranger = UserFactory(company=CompanyFactory(), first_name="Sid", last_name="Stray")
    with pytest.raises(ApplicationError, match="Sid Stray is not a member of Cobalt"):
        extension_associate(extension=ext, user=stranger, actor=None)
    ext.refresh_from_db()
    assert ext.user is None


def test_a_member_holds_at_most_one_extension_per_system(system, customer):
    """SPEC §3.8: service check, and the database constraint behind it."""
    from django.db import IntegrityError, transaction

    from subscriptions.models import Extension

    member = UserFactory(company=customer, first_name="Eve", last_name="Ext")
    first = extension_create(system=system, number="301", actor=None)
    second = extension_create(system=system, number="302", actor=None)
    extension_associate(extension=first, user=member, actor=None)
    with pytest.raises(ApplicationError, match="Eve Ext already holds extension 301"):
        extension_associate(extension=second, user=member, actor=None)
    second.refresh_from_db()
    assert second.user_id is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Extension.objects.filter(pk=second.pk).update(user=member)
    # Another system: fine.
    other = system_create(site=system.site, name="Backup PBX", kind="oxo", actor=None)
    extension_associate(
        extension=extension_create(system=other, number="301", actor=None), user=member, actor=None
    )


def test_extensions_sort_numerically_not_as_text(system, operation, client):
    """Issue 14: "20" came after "100" (sorted as text); the list, the page and the API
    now read 20, 99, 100, 1000."""
    from django.urls import reverse

    from subscriptions.selectors import extension_list
    from tests.subscriptions.test_views import login

    for number in ("100", "1000", "20", "99"):
        extension_create(system=system, number=number, actor=None)
    expected = ["20", "99", "100", "1000"]
    assert [e.number for e in extension_list(system=system)] == expected
    assert [e.number for e in system.extensions.all()] == expected
    login(client, operation)
    page = client.get(reverse("systems:system", args=[system.site.company.slug, system.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    positions = [html.index(f'data-testid="extension-{n}"') for n in expected]
    assert positions == sorted(positions)
    api = client.get(
        reverse("api:extension-list", args=[system.site.company.slug, system.pk])
    ).json()
    rows = api["results"] if isinstance(api, dict) else api
    assert [row["number"] for row in rows] == expected
