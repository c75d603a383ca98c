"""API authentication: a bearer token (``linli token create USER``) or the browser session.

Failed tokens are counted per address (``LINLI_RATE_LIMITS["token_failures"]``); over the
limit, every token from that address is answered 429 until the window passes, valid ones
too: otherwise a right guess would still stand out from the refused wrong ones."""

from ninja.security import HttpBearer, SessionAuth

from linli.accounts.services import token_authenticate
from linli.core.ratelimits import rate_limit_check, rate_limit_hit

TOKEN_FAILURES = "token_failures"


class BearerToken(HttpBearer):
    openapi_description = "A token made with `linli token create USER`."

    def authenticate(self, request, token):
        rate_limit_check(request, group=TOKEN_FAILURES)
        user = token_authenticate(token)
        if user is None:
            rate_limit_hit(request, group=TOKEN_FAILURES)
            return None
        request.user = user
        return user


class Session(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token, as on pages."""


API_AUTH = [BearerToken(), Session()]
