"""Sites, PBX systems, extension numbers and their members (SPEC §3.8)."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

import activity
from companies.models import Company
from companies.policies import require_actor_right
from companies.rights import CREATE_EQUIPMENT, MANAGE_SYSTEMS
from rainbow_portal.exceptions import ApplicationError

from ..models import Extension, Site, System


@transaction.atomic
def site_create(*, company: Company, name: str, actor, address: str = "") -> Site:
    require_actor_right(actor=actor, company=company, action=CREATE_EQUIPMENT)  # SPEC §3.3
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("A site needs a name."), fields={"name": ["Required."]})
    if Site.objects.filter(company=company, name__iexact=name).exists():
        raise ApplicationError(
            _("%(name)s already has a site named “%(name2)s”.")
            % {"name": company.name, "name2": name},
            fields={"name": ["Taken."]},
        )
    site = Site(company=company, name=name, address=address.strip())
    site.full_clean()
    site.save()
    activity.record(event="site.created", actor=actor, company=company, target=site)
    return site


def _activation_code() -> str:
    # Drawn from the OS's CSPRNG: the code lets a PBX attach itself to the company.
    return f"{secrets.randbelow(10_000):04d}"


@transaction.atomic
def system_create(*, site: Site, name: str, kind: str, actor) -> System:
    require_actor_right(actor=actor, company=site.company, action=CREATE_EQUIPMENT)
    name = " ".join((name or "").split())
    if kind not in System.Kind.values:
        raise ApplicationError(
            _("“%(kind)s” is not a kind of system.") % {"kind": kind}, fields={"kind": ["Invalid."]}
        )
    if not name:
        raise ApplicationError(_("A system needs a name."), fields={"name": ["Required."]})
    if System.objects.filter(site=site, name__iexact=name).exists():
        raise ApplicationError(
            _("The site %(name)s already has a system named “%(name2)s”.")
            % {"name": site.name, "name2": name},
            fields={"name": ["Taken."]},
        )
    system = System(site=site, name=name, kind=kind, activation_code=_activation_code())
    system.full_clean()
    system.save()
    activity.record(
        event="system.created",
        actor=actor,
        company=site.company_id,
        target=system,
        data={"kind": kind, "site": site.pk},
    )
    return system


@transaction.atomic
def extension_create(*, system: System, number: str, actor) -> Extension:
    require_actor_right(actor=actor, company=system.site.company, action=CREATE_EQUIPMENT)
    number = (number or "").strip()
    extension = Extension(system=system, number=number)
    try:
        extension.full_clean(validate_constraints=False, validate_unique=False)
    except ValidationError as exc:
        messages = exc.message_dict.get("number", exc.messages)
        raise ApplicationError(" ".join(messages), fields={"number": messages}) from None
    if Extension.objects.filter(system=system, number=number).exists():
        raise ApplicationError(
            _(
                "Extension %(number)s is already used on %(name)s: numbers "
                "are unique within a system."
            )
            % {"number": number, "name": system.name},
            code="duplicate",
            fields={"number": ["Already used on this system."]},
        )
    try:
        with transaction.atomic():
            extension.save()
    except IntegrityError:
        raise ApplicationError(
            _("Extension %(number)s was just taken on %(name)s.")
            % {"number": number, "name": system.name},
            code="duplicate",
            fields={"number": ["Already used on this system."]},
        ) from None
    activity.record(
        event="extension.created",
        actor=actor,
        company=system.site.company_id,
        target=extension,
        data={"system": system.pk, "number": number},
    )
    return extension


_ONE_PER_MEMBER = (
    "{who} already holds extension {number} on this system: a member holds at most one "
    "extension per system. Free that one first."
)


def _who(user) -> str:
    return user.get_full_name() or user.email


@transaction.atomic
def extension_associate(*, extension: Extension, user, actor) -> Extension:
    """Associate an extension with a member of the system's company, or free it (user=None).
    An extension has at most one member (SPEC §3.8); associating it again replaces the member."""
    extension = (
        Extension.objects.select_for_update()
        .select_related("system__site__company")
        .get(pk=extension.pk)
    )
    company = extension.system.site.company
    require_actor_right(actor=actor, company=company, action=MANAGE_SYSTEMS)  # SPEC §3.3
    if user is not None:
        if user.company_id != company.pk:
            raise ApplicationError(
                _(
                    "%(get_full_name)s is not a member of %(name)s: an extension "
                    "goes only to a member of the system's company."
                )
                % {"get_full_name": user.get_full_name() or user.email, "name": company.name},
                fields={"user": ["Not a member of this company."]},
            )
        if not user.is_active:
            raise ApplicationError(_("This account is closed: it cannot get an extension."))
    if extension.user_id == getattr(user, "pk", None):
        return extension
    if user is not None:
        held = Extension.objects.filter(system=extension.system, user=user).first()
        if held is not None:
            raise ApplicationError(_ONE_PER_MEMBER.format(who=_who(user), number=held.number))
    previous = extension.user_id
    extension.user = user
    try:
        with transaction.atomic():
            extension.save(update_fields=["user"])
    except IntegrityError:  # the same member given another extension at the same moment
        raise ApplicationError(_ONE_PER_MEMBER.format(who=_who(user), number="another")) from None
    activity.record(
        event="extension.associated" if user is not None else "extension.dissociated",
        actor=actor,
        company=company,
        target=extension,
        data={"number": extension.number, "had_member": previous is not None},
    )
    return extension
