"""The portal's settings without the request-activity middleware: bench/http.py only, to
measure what the per-request activity record costs (issue 15). Never used in production:
the portal itself has no switch that turns request logging off (SPEC §10.1)."""

from rainbow_portal.settings import *  # noqa: F403
from rainbow_portal.settings import MIDDLEWARE

MIDDLEWARE = [m for m in MIDDLEWARE if m != "activity.middleware.RequestActivityMiddleware"]
