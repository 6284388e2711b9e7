"""Writes of the retention app: closure (T0), the pipeline (T+30, T+60), holds, the file
outbox, the activity-log purge and extraction, and data exports."""

from .closure import account_close, account_restore, account_restore_by_token
from .holds import legal_hold_place, legal_hold_release
from .outbox import files_enqueue, outbox_drain
from .pipeline import retention_run, run_finish, run_start, step_batch, step_work

__all__ = [
    "account_close",
    "account_restore",
    "account_restore_by_token",
    "files_enqueue",
    "legal_hold_place",
    "legal_hold_release",
    "outbox_drain",
    "retention_run",
    "run_finish",
    "run_start",
    "step_batch",
    "step_work",
]
