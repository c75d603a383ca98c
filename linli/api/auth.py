"""API authentication: a bearer token (``linli token create USER``) or the browser session."""

from ninja.security import HttpBearer, SessionAuth

from linli.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    openapi_description = "A token made with `linli token create USER`."

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token, as on pages."""


API_AUTH = [BearerToken(), Session()]
