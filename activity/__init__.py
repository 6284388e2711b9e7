def record(**kwargs):
    """Write one activity record: `activity.record(event=..., actor=..., company=..., ...)`.

    Thin re-export so callers write `activity.record(...)` as ARCHITECTURE.md shows, without
    importing models when the package is imported.
    """
    from .services import activity_record

    return activity_record(**kwargs)


def record_bulk(**kwargs):
    """One record per entry, one insert: `activity.record_bulk(event=..., entries=[...])`."""
    from .services import activity_record_bulk

    return activity_record_bulk(**kwargs)
