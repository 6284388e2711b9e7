import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")
# What django.core.wsgi.get_wsgi_application does, with the portal's handler (it sends API
# calls made with a token through a shorter middleware chain: rainbow_portal.handlers).
django.setup(set_prefix=False)

from rainbow_portal.handlers import PortalWSGIHandler  # noqa: E402

application = PortalWSGIHandler()
