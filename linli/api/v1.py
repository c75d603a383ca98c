"""/api/v1: every error is JSON with a readable ``detail``; nothing malformed reaches a 500."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from linli.accounts.api import router as accounts_router
from linli.bookings.api import bookings_router, rooms_router
from linli.core import malformed
from linli.core.errors import LinliError
from linli.core.ratelimits import RateLimited
from linli.events.api import router as events_router
from linli.health.api import router as health_router
from linli.lending.api import router as lending_router
from linli.mediation.api import router as mediation_router
from linli.meetings.api import router as meetings_router
from linli.places.api import organisations_router
from linli.places.api import router as places_router
from linli.residents.api import households_router
from linli.residents.api import router as residents_router
from linli.servicedesk.api import router as servicedesk_router
from linli.tutoring.api import router as tutoring_router
from linli.volunteers.api import router as volunteers_router
from linli.workorders.api import categories_router
from linli.workorders.api import router as orders_router

from .auth import API_AUTH
from .parser import Parser

api = NinjaAPI(
    title="Linli API",
    version="1",
    description="Neighbourhood services and self-governance. Lists are paginated as "
    "`{items, count}` with `limit` and `offset`. Authenticate with `Authorization: Bearer "
    "<token>` or the browser session. Errors are JSON: `{detail, code}`.",
    auth=API_AUTH,
    urls_namespace="api-v1",
    parser=Parser(),
)


def _error(request, status, detail, code, **extra):
    return api.create_response(
        request, {"detail": str(detail), "code": code, **extra}, status=status
    )


@api.exception_handler(NinjaValidationError)
def _validation(request, exc):
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    summary = "; ".join(f"{'.'.join(e['loc'][1:] or e['loc'])}: {e['msg']}" for e in errors)
    return _error(
        request, 422, _("Invalid input: %(errors)s") % {"errors": summary}, "invalid", errors=errors
    )


@api.exception_handler(DjangoValidationError)
def _django_validation(request, exc):
    # A value the schema allows but a rule refuses (a category that does not exist, a gender
    # needed without an ID number): 400 with its fields. 422 is kept for a request that does
    # not match the documented schema, so that the two can be told apart.
    if hasattr(exc, "message_dict"):
        errors = [
            {"loc": [field], "msg": " ".join(msgs)} for field, msgs in exc.message_dict.items()
        ]
    else:
        errors = [{"loc": [], "msg": m} for m in exc.messages]
    summary = "; ".join(e["msg"] for e in errors)
    return _error(request, 400, summary, "refused", errors=errors)


@api.exception_handler(LinliError)
def _linli(request, exc):
    return _error(request, exc.status, exc.message, exc.code)


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    response = _error(request, exc.status, exc.message, exc.code)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, _("Not found."), "not_found")


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    # Outside a user's scope answers as missing, so that existence does not leak.
    return _error(request, 404, _("Not found."), "not_found")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, 401, _("Sign in or send a valid bearer token."), "unauthenticated")


@api.exception_handler(HttpError)
def _http(request, exc):
    if isinstance(exc.__cause__, LinliError | NinjaValidationError):
        # ninja wraps what the body parser raised (parser.py): answer with that.
        return api.on_exception(request, exc.__cause__)
    return _error(request, exc.status_code, exc.message, "error")


def _malformed_request(request, exc):
    # A body Django could not read (too large, broken multipart, ...): without this, ninja
    # would answer a 500 traceback with DEBUG on.
    refusal = malformed.refusal_for(exc)
    return _error(request, refusal.status, refusal.detail, refusal.code)


for _exception in malformed.REQUEST_EXCEPTIONS:
    api.add_exception_handler(_exception, _malformed_request)


api.add_router("/", accounts_router)
api.add_router("/places", places_router)
api.add_router("/organisations", organisations_router)
api.add_router("/residents", residents_router)
api.add_router("/households", households_router)
api.add_router("/orders", orders_router)
api.add_router("/categories", categories_router)
api.add_router("/meetings", meetings_router)
api.add_router("/rooms", rooms_router)
api.add_router("/bookings", bookings_router)
api.add_router("/lending", lending_router)
api.add_router("/health", health_router)
api.add_router("/servicedesk/mediations", mediation_router)
api.add_router("/servicedesk", servicedesk_router)
api.add_router("/volunteers/tutoring", tutoring_router)
api.add_router("/events", events_router)
api.add_router("/volunteers", volunteers_router)
