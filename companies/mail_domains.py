"""Public webmail domains (gmail.com, outlook.com, …): an address there says nothing about a
company, so no company may own such a domain (SPEC §2.5; issue 14). The list is data,
kept in companies/data/public_mail_domains.txt."""

from functools import cache
from pathlib import Path

LIST_FILE = Path(__file__).resolve().parent / "data" / "public_mail_domains.txt"


@cache
def public_mail_domains() -> frozenset[str]:
    lines = LIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def is_public_mail_domain(domain: str) -> bool:
    """The domain, or one it is a subdomain of, is on the list (`mail.gmail.com` included)."""
    labels = domain.strip().lower().rstrip(".").split(".")
    listed = public_mail_domains()
    return any(".".join(labels[i:]) in listed for i in range(len(labels) - 1))
