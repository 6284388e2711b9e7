"""The simulator's verdicts in plain words, with the two people's names (issue 14: people
never see rule numbers). `rules.py` keeps its terse reasons and SPEC sections for the API and
the tests; this module turns each of those reasons into a sentence for a page."""

import re

from django.utils.translation import gettext as _


def _name(user) -> str:
    return user.get_full_name() or user.email


MODE_WORDS = {
    "public": "public",
    "private": "private",
    "closed": "closed",
    "isolated": "isolated",
    "organization": "organization-only",
}


def _mode(mode: str) -> str:
    return _(MODE_WORDS.get(mode, mode))


def plain(reason: str, *, viewer, target) -> str:
    """The sentence for one of rules.py's reasons, `viewer` asking about `target`."""
    v, t = _name(viewer), _name(target)
    names = {"v": v, "t": t}
    fixed = {
        "China is never visible to or from another region": _(
            "One of %(v)s and %(t)s is in China and the other is not: nobody is found across "
            "that border."
        ),
        "same company": _("%(v)s and %(t)s work for the same company."),
        "own company": _("It is %(v)s's own company."),
        "in each other's network": _("%(v)s and %(t)s are contacts."),
        "a visibility grant lets the viewer's company see the target's": _(
            "The operator lets %(v)s's company see the people of %(t)s's company."
        ),
        "a visibility grant": _("The operator lets %(v)s's company see this company."),
        "same organization, target not private": _(
            "%(v)s and %(t)s are in the same organization, and %(t)s is not private."
        ),
        "same organization": _("%(v)s's company is in the same organization."),
        "the target has not verified their address yet": _(
            "%(t)s has not confirmed their email address yet, so nobody finds them."
        ),
        "the target is public": _(
            "%(t)s is public: everyone finds them except people of closed or isolated companies."
        ),
        "public company": _("This company is public."),
        "not visible to the viewer": _("This company is not public and %(v)s is outside it."),
    }
    if reason in fixed:
        return fixed[reason] % names
    if m := re.fullmatch(r"the viewer is (\w+): searches only inside the circle", reason):
        return _(
            "%(v)s is %(mode)s, so they find only their own company, their contacts and the "
            "companies they were granted."
        ) % {**names, "mode": _mode(m[1])}
    if m := re.fullmatch(r"the target reads (\w+) to the viewer, outside the circle", reason):
        return _(
            "%(t)s is %(mode)s, so only their company, their contacts and the companies granted "
            "visibility find them; %(v)s is none of those."
        ) % {**names, "mode": _mode(m[1])}
    if m := re.fullmatch(
        r"an in-app invitation needs the viewer to find the target \((.*)\)", reason
    ):
        return _("To invite in the app, %(v)s must find %(t)s first, and does not: %(why)s") % {
            **names,
            "why": plain(m[1], viewer=viewer, target=target),
        }
    if m := re.fullmatch(
        r"(the viewer|the target) is isolated: never invites or is invited", reason
    ):
        who = v if m[1] == "the viewer" else t
        return _(
            "%(who)s is isolated: they never invite, nor are invited by, anyone outside their "
            "company and organization."
        ) % {"who": who}
    if m := re.fullmatch(r"inside the circle \((.*)\)", reason):
        return plain(m[1], viewer=viewer, target=target)
    if m := re.fullmatch(r"a (\w+) user invites by email only", reason):
        return _("%(v)s is %(mode)s: they invite people outside their circle by email only.") % {
            **names,
            "mode": _mode(m[1]),
        }
    if m := re.fullmatch(r"the target reads (\w+): invited by email only", reason):
        return _("%(t)s is %(mode)s: from outside their circle they are invited by email only.") % {
            **names,
            "mode": _mode(m[1]),
        }
    if m := re.fullmatch(r"(\w+) may invite a (\w+) user this way", reason):
        return _("%(v)s is %(m1)s and %(t)s is %(m2)s: this invitation is allowed.") % {
            **names,
            "m1": _mode(m[1]),
            "m2": _mode(m[2]),
        }
    return reason  # a reason this module does not know yet: still no rule number in it


def simulation_rows(simulation: dict, *, member, other) -> list[dict]:
    """The simulator's six questions, each with its answer and a plain reason."""
    m, o = _name(member), _name(other)
    questions = [
        ("member_finds", _("%(a)s finds %(b)s") % {"a": m, "b": o}, member, other),
        ("finds_member", _("%(a)s finds %(b)s") % {"a": o, "b": m}, other, member),
        (
            "member_invites_in_app",
            _("%(a)s invites %(b)s in the app") % {"a": m, "b": o},
            member,
            other,
        ),
        (
            "invites_member_in_app",
            _("%(a)s invites %(b)s in the app") % {"a": o, "b": m},
            other,
            member,
        ),
        (
            "member_invites_by_email",
            _("%(a)s invites %(b)s by email") % {"a": m, "b": o},
            member,
            other,
        ),
        (
            "invites_member_by_email",
            _("%(a)s invites %(b)s by email") % {"a": o, "b": m},
            other,
            member,
        ),
    ]
    return [
        {
            "question": text,
            "allowed": simulation[key].allowed,
            "why": plain(simulation[key].reason, viewer=viewer, target=target),
        }
        for key, text, viewer, target in questions
    ]
