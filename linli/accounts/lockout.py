"""Sign-in lockout (django-axes) per account and per address, whatever identifier was typed.

axes counts failures under the name its ``AXES_USERNAME_CALLABLE`` gives a sign-in:
``lockout_username`` gives the account's own username for a username or a mobile number
alike, so that both identifiers share one count and one lock. ``LockoutHandler`` adds a
second, higher limit for an address (many residents of a community centre share one NAT
address) and keeps a successful sign-in from clearing more than its own failures."""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from linli.core.crypto import lookup_hash

from .selectors import user_for_login

# Usernames cannot hold "?", so the name of an identifier that names no account never
# collides with a real one.
UNKNOWN_PREFIX = "?"


def lockout_username(request, credentials) -> str | None:
    """The name axes counts a sign-in under: the account's username, whether its username
    or its mobile number was typed. An identifier that names no account is counted under a
    keyed hash of itself — it may be a mistyped password or a mobile number, neither of which
    belongs in axes' tables in clear."""
    if credentials:
        login = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        login = request.POST.get(settings.AXES_USERNAME_FORM_FIELD) if request else None
    login = (login or "").strip() if isinstance(login, str) else ""
    if not login:
        return None
    # axes asks several times per sign-in; look the account up once.
    memo = request.__dict__.setdefault("_linli_lockout_names", {}) if request else {}
    if login not in memo:
        user = user_for_login(login=login)
        memo[login] = (
            user.get_username()
            if user is not None
            else UNKNOWN_PREFIX + lookup_hash("sign-in:" + login)[:32]
        )
    return memo[login]


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with ``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]``
    read as two limits: ``AXES_FAILURE_LIMIT`` failures lock an account from every address,
    ``LINLI_LOGIN_ADDRESS_FAILURE_LIMIT`` failures from one address lock signing in from it
    for every account (axes itself knows only one limit for all its criteria)."""

    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        failures = 0
        criteria = zip(
            get_lockout_parameters(request, credentials),
            self.get_user_attempts(request, credentials),
            strict=True,
        )
        for parameter, attempts in criteria:
            count = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameter == "ip_address":
                # The address's own, higher limit; reaching it counts as reaching axes' one.
                count = limit if count >= settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT else 0
            failures = max(failures, count)
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        # axes would clear every criterion's failures: those of the account from every
        # address and those of the address for every account. Then anyone with an account
        # could sign in between guesses at another account from the same address and never
        # be locked. A success clears only its own account's failures from its own address.
        count, _deleted = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """429 with ``Retry-After``, the same whichever identifier was typed and whether the
    account or the address is locked: JSON ``{detail, code}`` for a client that asks for
    JSON, the page otherwise. Nothing in it names the account."""
    seconds = int(get_cool_off(request).total_seconds())
    minutes = math.ceil(seconds / 60)
    wants_json = request.headers.get("X-Requested-With") == "XMLHttpRequest" or (
        request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    )
    if wants_json:
        detail = _("Signing in failed too many times. Try again in %(minutes)s minutes.") % {
            "minutes": minutes
        }
        response = JsonResponse({"detail": detail, "code": "locked_out"}, status=429)
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response
