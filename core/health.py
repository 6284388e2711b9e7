from rainbow_portal.celery import app


def broker_ok(timeout: float = 2.0) -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:
        return False
