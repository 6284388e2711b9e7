"""The personal-data registry covers every text and file field of the User and of every model
that points at it (and the listed models without such a key)."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from retention.registry import NOT_PERSONAL, OTHER_PERSONAL_MODELS, PERSONAL

TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.FileField,
    models.JSONField,
    models.GenericIPAddressField,
    models.BinaryField,
)


def _points_at(model, targets) -> bool:
    return any(f.is_relation and f.related_model in targets for f in model._meta.concrete_fields)


def _models_to_check():
    """The User, every model pointing at it, and every model pointing at one of those (a
    message points at a bubble membership, which points at the user)."""
    user = get_user_model()
    first = {m for m in apps.get_models() if m is user or _points_at(m, {user})}
    second = {m for m in apps.get_models() if _points_at(m, first - {user})}
    others = {m for m in apps.get_models() if m._meta.label in OTHER_PERSONAL_MODELS}
    yield from sorted(first | second | others, key=lambda m: m._meta.label)


def test_every_text_field_of_user_related_models_is_classified():
    missing = []
    for model in _models_to_check():
        label = model._meta.label
        known = set(PERSONAL.get(label, {})) | NOT_PERSONAL.get(label, set())
        for f in model._meta.concrete_fields:
            text = isinstance(f, TEXT_FIELDS) and not isinstance(f, models.GeneratedField)
            if text and f.name not in known:
                missing.append(f"{label}.{f.name}")
    assert missing == [], (
        "Personal-data registry (retention/registry.py) does not say what happens to: "
        + ", ".join(missing)
    )


def test_registry_names_only_real_fields():
    for label, fields in [*PERSONAL.items(), *NOT_PERSONAL.items()]:
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields}
        assert set(fields) <= names, (label, set(fields) - names)


def test_the_check_catches_a_new_personal_field(monkeypatch):
    """The guard itself: a model that gains a field the registry does not know fails."""
    from accounts.models import User

    extra = models.CharField(max_length=20, blank=True)
    extra.set_attributes_from_name("nickname")
    monkeypatch.setattr(User._meta, "concrete_fields", (*User._meta.concrete_fields, extra))
    try:
        test_every_text_field_of_user_related_models_is_classified()
    except AssertionError as exc:
        assert "accounts.User.nickname" in str(exc)
    else:
        raise AssertionError("a new personal field went unnoticed")
