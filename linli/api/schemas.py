"""Schemas shared by every app's API."""

from ninja import Schema

from linli.core.ids import MAX_ID  # noqa: F401 (re-exported for the routers)


class Error(Schema):
    detail: str
    code: str = "error"


class ValidationErrorItem(Schema):
    loc: list[str | int]
    msg: str


class ValidationErrors(Schema):
    detail: str
    code: str = "invalid"
    errors: list[ValidationErrorItem] = []


# The statuses every authenticated endpoint can answer besides its own.
COMMON_ERRORS = {401: Error, 422: ValidationErrors}
READ_ERRORS = {**COMMON_ERRORS, 404: Error}
# Endpoints that take a body: 400 for one that is not JSON, 403 for an action the user may
# not take on something they can see.
WRITE_ERRORS = {**READ_ERRORS, 400: Error, 403: Error}
