"""The close / restore actions of the company members page (issue 12): a link per member the
policy allows, each to a confirmation page that says what happens and what cannot be undone;
plain links and forms, so it works without JavaScript."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from companies.models import Role
from retention.models import AccountClosure, Stage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def members_page(client, company):
    response = client.get(reverse("companies:members", args=[company.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_admin_closes_then_restores_a_member_from_the_members_page(client, company_admin, member):
    client.force_login(company_admin)
    page = members_page(client, member.company)
    close_url = f"/retention/accounts/{member.pk}/close/"
    assert f'href="{close_url}"' in page
    # Nobody is offered to close their own account here (a company user cannot).
    assert f"/retention/accounts/{company_admin.pk}/close/" not in page
    assert "/restore/" not in page

    confirm = client.get(close_url).content.decode()
    assert "What happens now" in confirm and "What cannot be undone" in confirm
    assert "After thirty days the account can no longer be restored" in confirm
    assert 'method="post"' in confirm
    assert not AccountClosure.objects.exists()  # following the link changes nothing

    # Back to the members page, where the row shows the new state.
    members_url = reverse("companies:members", args=[member.company.slug])
    closed = client.post(close_url)
    assert closed.status_code == 302 and closed.url == members_url
    assert AccountClosure.objects.get(user=member).stage == Stage.CLOSED

    page = members_page(client, member.company)
    restore_url = f"/retention/accounts/{member.pk}/restore/"
    assert f'href="{restore_url}"' in page
    assert f'href="{close_url}"' not in page
    confirm = client.get(restore_url).content.decode()
    assert "can sign in again" in confirm and 'data-testid="admin-restore"' in confirm
    restored = client.post(restore_url)
    assert restored.status_code == 302 and restored.url == members_url
    assert AccountClosure.objects.get(user=member).stage == Stage.RESTORED
    assert f'href="{close_url}"' in members_page(client, member.company)


def test_no_restore_once_the_thirty_days_have_passed(client, company_admin, member):
    client.force_login(company_admin)
    client.post(f"/retention/accounts/{member.pk}/close/")
    AccountClosure.objects.filter(user=member).update(
        anonymize_due_at=timezone.now() - timedelta(minutes=1)
    )
    page = members_page(client, member.company)
    assert f"/retention/accounts/{member.pk}/restore/" not in page
    assert f"/retention/accounts/{member.pk}/close/" not in page
    assert "Closed (restorable)" in page  # the stage, without an action
    confirm = client.get(f"/retention/accounts/{member.pk}/restore/").content.decode()
    assert "cannot be restored: its thirty days have passed" in confirm
    assert 'data-testid="admin-restore"' not in confirm


def test_the_confirmation_pages_say_where_the_account_stands(client, company_admin, member):
    """An open account's restore page says there is nothing to restore (not "cannot be
    restored"); a closed account's close page leads to its restore page."""
    client.force_login(company_admin)
    restore_url = f"/retention/accounts/{member.pk}/restore/"
    page = client.get(restore_url).content.decode()
    assert "This account is not closed: there is nothing to restore." in page
    assert "cannot be restored" not in page
    client.post(f"/retention/accounts/{member.pk}/close/")
    page = client.get(f"/retention/accounts/{member.pk}/close/").content.decode()
    assert f'href="{restore_url}"' in page and 'data-testid="admin-close"' not in page


def test_partner_with_delegation_gets_the_actions(client, member):
    operator = UserFactory(company=member.company.business_partner, roles=[Role.BP_OPERATION])
    client.force_login(operator)
    assert f'href="/retention/accounts/{member.pk}/close/"' in members_page(client, member.company)


def test_a_plain_member_is_offered_nothing(client, member):
    # A user without admin rights does not see the members page at all.
    colleague = UserFactory(company=member.company)
    client.force_login(colleague)
    response = client.get(reverse("companies:members", args=[member.company.slug]))
    assert response.status_code in (403, 404)
    assert b"/retention/accounts/" not in response.content


def test_the_actions_cost_the_same_queries_for_3_or_12_members(client, company_admin, member):
    client.force_login(company_admin)
    members_page(client, member.company)  # warm caches (content types, session)

    url = reverse("companies:members", args=[member.company.slug])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    few = queries()
    for i in range(10):
        closed = UserFactory(company=member.company, email=f"m{i}@acme.test")
        if i % 2:
            client.post(f"/retention/accounts/{closed.pk}/close/")
    assert queries() == few
