"""Error pages in the site's layout (and in the user's language); JSON under /api/."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, detail, code: str, errors: list | None = None) -> JsonResponse:
    """The API's error: ``{detail, code}``, and ``errors`` (each with ``loc`` and ``msg``) for
    invalid input."""
    body = {"detail": str(detail), "code": code}
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(body, status=status)


def not_found(request, exception=None):
    if _wants_json(request):
        return json_error(404, _("Not found."), "not_found")
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    if _wants_json(request):
        return json_error(403, _("Not allowed."), "forbidden")
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token (an old page, a cookie that was lost)."""
    return forbidden(request)


def bad_request(request, exception=None):
    if _wants_json(request):
        return json_error(400, _("Bad request."), "bad_request")
    return render(request, "errors/400.html", status=400)


def too_large(request, exception=None):
    if _wants_json(request):
        return json_error(413, _("The request is too large."), "too_large")
    return render(request, "errors/413.html", status=413)


def server_error(request):
    if _wants_json(request):
        return json_error(500, _("Something went wrong."), "error")
    return render(request, "errors/500.html", status=500)
