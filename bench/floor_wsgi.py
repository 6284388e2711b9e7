"""The floors of bench/http.py: the smallest Django app answering JSON, served by gunicorn
exactly like the portal (same workers, same loopback, same load). No middleware, no database:
what Django and gunicorn cost per request by themselves (issue 15).

Two routes: `/api/v1/me/`, a plain Django view (the issue's floor), and `/api/v1/drf/`, the
same answer from a bare DRF APIView (no authentication, permission or throttle; JSON
renderer): what DRF's own request wrapping, negotiation and rendering add before the
portal does any work of its own.
"""

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
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "DEFAULT_THROTTLE_CLASSES": [],
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
            "UNAUTHENTICATED_USER": None,
        },
    )

import django
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

ANSWER = {"id": 1, "email": "floor@bench.invalid", "first_name": "Floor"}


def me(request):
    return JsonResponse(ANSWER)


class Me(APIView):
    def get(self, request):
        return Response(ANSWER)


urlpatterns = [path("api/v1/me/", me), path("api/v1/drf/", Me.as_view())]

django.setup()
application = get_wsgi_application()
