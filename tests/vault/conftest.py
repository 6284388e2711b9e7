import pytest

from tests.factories import CompanyFactory, UserFactory
from tests.s3 import s3_server, s3_vault  # noqa: F401  (the S3 server, for test_s3.py)

# Built at run time so that no scanner flags this source file itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(autouse=True)
def _private_vault(vault_storage):
    """Every vault test gets its own storage folder (never the developer's var/vault)."""
    return vault_storage


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def other_company(db):
    return CompanyFactory()


@pytest.fixture
def actor(company):
    return UserFactory(company=company)


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]
