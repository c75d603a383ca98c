"""Schemas shared by every app's API."""

from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator

from linli.core.ids import MAX_ID


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text: refuse it as bad input rather than fail later.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 (a type factory)
    """A bounded string input without NUL characters."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_no_nul)
    ]


# An object id in an input: positive and within the database's integer range.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


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


# The statuses every authenticated endpoint can answer besides its own (429: bearer tokens
# from an address that sent too many bad ones, linli/api/auth.py).
COMMON_ERRORS = {401: Error, 422: ValidationErrors, 429: Error}
READ_ERRORS = {**COMMON_ERRORS, 404: Error}
# Endpoints that take a body: 400 for one that is not JSON (or a form that cannot be read),
# 403 for an action the user may not take on something they can see, 413 for a body over
# the size limit, 415 for a body that is not sent as JSON.
WRITE_ERRORS = {**READ_ERRORS, 400: Error, 403: Error, 413: Error, 415: Error}
