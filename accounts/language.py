"""The language of pages (issue 14): the switcher's view and the signed-in user's choice.

Django's LocaleMiddleware picks the language cookie, else the browser's Accept-Language;
UserLanguageMiddleware (after authentication) then applies the language a signed-in user
chose, so it follows them to any browser. Emails use the same field (core.services).
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import translation
from django.views.decorators.http import require_POST

from core.redirects import safe_next

from .services import user_language_set


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


@require_POST
def language_set_view(request):
    """The switcher: remembers the language in a cookie, and on the user when signed in."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language, actor=request.user)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
