"""The site's own middleware: the language choice, and the refusal of malformed requests.

Language: Simplified Chinese unless the user picked another language with the switch.
Django's LocaleMiddleware would follow the browser's Accept-Language; Linli's users expect
Chinese whatever their phone's setting, so only the explicit choice (a cookie) counts."""

from importlib import import_module

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from . import errorviews, malformed


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class MalformedInputMiddleware:
    """Refuse a malformed request before any view sees it: 413 for a body over Django's limits,
    400 for a form that cannot be read and for NUL characters or unpaired surrogates in the
    path, the query string or a form (422 with each place under /api/, where every refusal is
    the API's JSON error; the site's error page elsewhere, with DEBUG on too). Open311 answers
    malformed input in its own error format itself. A cookie holding such characters is
    dropped, as if it had not been sent (a session key with NUL would fail the session's query
    on PostgreSQL).

    It comes after the session, language and authentication middleware (the error page needs
    the user and the language; both are read lazily, after this has run) and before any view:
    CSRF's check reads the form only in ``process_view``."""

    OWN_FORMAT = ("/open311/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _drop_bad_cookies(request)
        if request.path_info.startswith(self.OWN_FORMAT):
            return self.get_response(request)
        try:
            bad = malformed.request_bad_locations(request)
        except malformed.REQUEST_EXCEPTIONS as exc:
            if hasattr(request, "_mark_post_parse_error"):
                # as Django does: the form must not be parsed again while answering
                request._mark_post_parse_error()
            return _refuse(request, malformed.refusal_for(exc))
        if bad:
            if request.path_info.startswith("/api/"):
                message = malformed.bad_text_message()
                errors = [{"loc": list(loc), "msg": message} for loc in bad]
                summary = "; ".join(
                    f"{'.'.join(map(str, loc[1:] or loc))}: {message}" for loc in bad
                )
                return errorviews.json_error(
                    422, _("Invalid input: %(errors)s") % {"errors": summary}, "invalid", errors
                )
            return errorviews.bad_request(request)
        return self.get_response(request)


def _refuse(request, refusal):
    if request.path_info.startswith("/api/"):
        return errorviews.json_error(refusal.status, refusal.detail, refusal.code)
    if refusal.status == 413:
        return errorviews.too_large(request)
    return errorviews.bad_request(request)


def _drop_bad_cookies(request):
    bad = {k for k, v in request.COOKIES.items() if malformed.bad_text(k) or malformed.bad_text(v)}
    if not bad:
        return
    request.COOKIES = {k: v for k, v in request.COOKIES.items() if k not in bad}
    if settings.SESSION_COOKIE_NAME in bad and hasattr(request, "session"):
        request.session = import_module(settings.SESSION_ENGINE).SessionStore()
