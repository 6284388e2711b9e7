"""The floor of bench/http.py: the smallest Django app answering JSON, served by gunicorn
exactly like the portal (same workers, same loopback, same load). One view, no middleware,
no database: what Django and gunicorn cost per request by themselves (issue 15)."""

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-floor-not-a-secret-" + "x" * 40,  # nosec B106 - a bench-only app
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )

import django
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path


def me(request):
    return JsonResponse({"id": 1, "email": "floor@bench.invalid", "first_name": "Floor"})


urlpatterns = [path("api/v1/me/", me)]

django.setup()
application = get_wsgi_application()
