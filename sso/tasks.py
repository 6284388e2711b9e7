"""Beat jobs of external sign-in; each takes ids, reloads rows and is idempotent."""

from celery import shared_task

from .selectors import due_for_metadata_refresh
from .services.config import expired_state_purge, identity_provider_refresh


@shared_task(name="sso.metadata_refresh_all")
def metadata_refresh_all() -> int:
    ids = due_for_metadata_refresh()
    for provider_id in ids:
        metadata_refresh.delay(str(provider_id))
    return len(ids)


@shared_task(name="sso.metadata_refresh")
def metadata_refresh(provider_id: str) -> None:
    identity_provider_refresh(provider_id=provider_id, actor=None)


@shared_task(name="sso.expired_purge")
def expired_purge() -> int:
    return expired_state_purge()
