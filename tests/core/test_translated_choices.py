"""Every choice label a page can show (roles, statuses, kinds, billing, regions...) and the
admin site's titles are translated (issue 14), not fixed English strings."""

from django.apps import apps
from django.contrib import admin
from django.utils import translation
from django.utils.functional import Promise

from bubbles.models import BubbleStatus
from companies.models import Role

OURS = ("accounts", "companies", "subscriptions", "bubbles", "retention", "sso")
# Product, protocol and region names read the same in French.
SAME_IN_FRENCH = {
    "EMEA", "CALA", "APAC", "Business", "Enterprise", "Essential", "OpenID Connect", "SAML v2",
    "OmniPCX Enterprise (OXE)", "OmniPCX Office (OXO)", "Public", "Rainbow Portal",
}  # fmt: skip


def _labels():
    for app in OURS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or []:
                    # Each language is named in its own tongue; numbers (OTP digits) are not words.
                    if field.name == "language" or not isinstance(value, str):
                        continue
                    yield f"{model.__name__}.{field.name}={value}", label


def test_every_model_choice_label_is_translatable_and_translated():
    labels = list(_labels())
    assert len(labels) > 60
    not_lazy = [where for where, label in labels if not isinstance(label, Promise)]
    assert not_lazy == []
    untranslated = []
    for where, label in labels:
        english = str(label)
        with translation.override("fr"):
            french = str(label)
        if french == english and english not in SAME_IN_FRENCH:
            untranslated.append(where)
    assert untranslated == []


def test_labels_follow_the_language_in_use():
    import rainbow_portal.urls  # noqa: F401  (it names the admin site)

    with translation.override("fr"):
        assert Role.COMPANY_ADMIN.label == "Administrateur de l'entreprise"
        assert str(BubbleStatus.ARCHIVED.label) == "Archivé"
        assert str(admin.site.site_header) == "Rainbow Portal — opérateurs"
    assert Role.COMPANY_ADMIN.label == "Company admin"
    assert str(admin.site.site_header) == "Rainbow Portal — operators"
