"""core.rows builds instances from hand-written SQL: the same instances the ORM builds."""

import pytest
from django.db import connection
from django.db.models.signals import post_init

from accounts.models import User
from core.rows import ModelColumns
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _row(columns: ModelColumns, pk: int):
    with connection.cursor() as cursor:
        alias = columns.alias
        sql = f"SELECT {columns.sql} FROM {columns.table} {alias} WHERE {alias}.id = %s"
        cursor.execute(sql, [pk])
        return cursor.fetchone()


def _same(built, loaded):
    assert type(built) is type(loaded)
    for field in User._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(loaded, field.attname), field.name
    assert built._state.adding is False and built._state.db == "default"
    assert built.get_deferred_fields() == set()


def test_a_plain_model_is_built_as_the_orm_builds_it():
    user = UserFactory(first_name="Zoé", title="Lead")
    columns = ModelColumns(User, "u")
    assert columns.plain
    built = columns.build(_row(columns, user.pk), 0)
    _same(built, User.objects.get(pk=user.pk))
    # Its company is read on first use, as the ORM's instance reads it.
    assert built.company == user.company
    built.title = "Chief"
    built.save(update_fields=["title"])
    assert User.objects.get(pk=user.pk).title == "Chief"


def test_a_model_with_an_init_receiver_goes_through_the_orm():
    user = UserFactory()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=User)
    try:
        columns = ModelColumns(User, "u")
        assert not columns.plain
        built = columns.build(_row(columns, user.pk), 0)
    finally:
        post_init.disconnect(receiver, sender=User)
    assert seen == [user.pk]
    _same(built, User.objects.get(pk=user.pk))


def test_a_missing_row_of_a_left_join_is_none():
    columns = ModelColumns(User, "u")
    assert columns.build([None] * columns.width, 0) is None
