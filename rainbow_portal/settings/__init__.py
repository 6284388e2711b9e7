"""Settings for Rainbow Portal, driven by the environment (12-factor), one module per concern.

Development needs nothing set: SQLite under var/, Celery's filesystem broker under var/celery/,
email to a file outbox, and keys generated into var/.env on first run. Production (DEBUG=0)
refuses to start without SECRET_KEY, ALLOWED_HOSTS and the data keys.

Each module imports what it needs from `base` and reads its own variables; the order below is
the order in which a misconfiguration stops start-up.
"""

# ruff: noqa: F403, I001 (star imports, in this order on purpose)
from .base import *
from .apps import *
from .database import *
from .security import *
from .portal import *
from .storage import *
from .mail import *
from .tasks import *
from .api import *
from .logs import *
