"""Schemas shared by every app's API."""

import re
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from linli.core.crypto import Revealed, mask_id_number, mask_phone
from linli.core.ids import MAX_ID


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text: refuse it as bad input rather than fail later.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


# A character that is neither NUL nor a space to either reader of the pattern: ECMA's \s has
# U+FEFF and Python's has U+001C-U+001F and U+0085 (which ``str.strip`` removes), so both
# are named.
_GIVEN = "[^\\u0000\\s\\u001c-\\u001f\\u0085\\ufeff]"


def _not_blank(value: str) -> str:
    if not re.search(_GIVEN, value):
        raise ValueError(_("This field cannot be blank."))
    return value


# The same rules as documented patterns (ECMA and Python alike): no NUL; and for a text that
# must be given, a character besides spaces.
NO_NUL_PATTERN = "^[^\\u0000]*$"
NOT_BLANK_PATTERN = f"^[^\\u0000]*{_GIVEN}[^\\u0000]*$"


def Text(max_length: int, min_length: int = 0):  # noqa: N802 (a type factory)
    """A bounded string input without NUL characters; one that must be given (``min_length``)
    may not be only spaces either."""
    if min_length:
        pattern, validators = (
            NOT_BLANK_PATTERN,
            (AfterValidator(_no_nul), AfterValidator(_not_blank)),
        )
    else:
        pattern, validators = NO_NUL_PATTERN, (AfterValidator(_no_nul),)
    field = Field(
        min_length=min_length, max_length=max_length, json_schema_extra={"pattern": pattern}
    )
    return Annotated[str, field, *validators]


# An object id in an input: positive and within the database's integer range.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# Dates and times outside these years are refused as input: converting them between time
# zones could leave the calendar's range, and nothing the API records is that far away.
FIRST_YEAR, LAST_YEAR = 2000, 2199
# The documented shapes (ECMA and Python regular expressions alike; [0-9], because Python's
# \d matches other digits too): a calendar day in those years, and RFC 3339's date-time
# with its UTC offset. The years are checked after parsing, with their own message.
_DATE = "(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = (
    "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)
_YEARS = "2[01][0-9]{2}"  # FIRST_YEAR to LAST_YEAR
DAY_PATTERN = f"^{_YEARS}-{_DATE}$"
MOMENT_PATTERN = f"^{_YEARS}-{_DATE}{_TIME}$"
# Checked with fullmatch: Python's $ would also take a final newline.
_DAY_SHAPE = re.compile(f"[0-9]{{4}}-{_DATE}")
_MOMENT_SHAPE = re.compile(f"[0-9]{{4}}-{_DATE}{_TIME}")


def _in_years(value: date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            _("Give a date between the years %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


def _day_shape(value: Any) -> Any:
    if isinstance(value, str) and not _DAY_SHAPE.fullmatch(value):
        raise ValueError(_("Give the day as YYYY-MM-DD, e.g. 2031-06-04."))
    return value


def _moment_shape(value: Any) -> Any:
    if isinstance(value, str) and not _MOMENT_SHAPE.fullmatch(value):
        raise ValueError(_("Give the time with its UTC offset, e.g. 2031-06-04T10:00:00+08:00."))
    return value


def _day(value: date) -> date:
    _in_years(value)
    return value


def _moment(value: datetime) -> datetime:
    _in_years(value)
    return value


# A day in an input (body or query): YYYY-MM-DD, in the years above.
Day = Annotated[
    date,
    BeforeValidator(_day_shape),
    AfterValidator(_day),
    Field(json_schema_extra={"pattern": DAY_PATTERN}),
]
# A moment in an input: ISO 8601 (RFC 3339) with its UTC offset, in the years above.
Moment = Annotated[
    datetime,
    BeforeValidator(_moment_shape),
    AfterValidator(_moment),
    Field(
        description="ISO 8601 with its UTC offset, e.g. 2031-06-04T10:00:00+08:00",
        json_schema_extra={"pattern": MOMENT_PATTERN},
    ),
]


class InputSchema(Schema):
    """The base of every JSON body: an object holding only its documented fields, each of the
    JSON type its schema documents. pydantic's lax mode would otherwise take ``0``, ``1`` or
    ``"yes"`` for a boolean, ``"5"`` for an integer and a timestamp for a date, and ninja's
    Schema would read a list (``[null, null]``) as an object with every field at its default;
    a request the document calls invalid is refused with 422 instead. The values are then
    parsed as before (a date from its ISO string, an enum from its value)."""

    model_config = ConfigDict(extra="forbid", from_attributes=False)

    # Replaces ninja's validator of the same name, which wraps any input (a list, None) in an
    # attribute reader; a body is read as the JSON object it must be.
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler, info):
        if isinstance(values, dict):
            _check_json_types(cls, values)
        return handler(values)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "python"  # a Python object handed in by code, not JSON: left to pydantic


def _conforms(value: Any, schema: dict, defs: dict) -> bool:
    """Whether ``value`` has a JSON type ``schema`` allows (items of arrays too); the
    constraints within a type (bounds, lengths, enums) are pydantic's to check."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        return any(_conforms(value, option, defs) for option in schema["anyOf"])
    kind = _json_type(value)
    allowed = schema.get("type")
    if allowed is None or kind == "python":
        return True
    allowed = {allowed} if isinstance(allowed, str) else set(allowed)
    if kind not in allowed and not (kind == "integer" and "number" in allowed):
        return False
    if kind == "array" and "items" in schema:
        return all(_conforms(item, schema["items"], defs) for item in value)
    return True


@cache
def _field_schemas(cls: type[InputSchema]) -> tuple[dict, dict]:
    schema = cls.model_json_schema()
    return schema.get("properties", {}), schema.get("$defs", {})


def _check_json_types(cls: type[InputSchema], values: dict) -> None:
    properties, defs = _field_schemas(cls)
    errors = [
        InitErrorDetails(
            type=PydanticCustomError(
                "json_type",
                "Input should be of the documented type: {expected}",
                {"expected": _describe(properties[key], defs)},
            ),
            loc=(key,),
            input=value,
        )
        for key, value in values.items()
        if key in properties and not _conforms(value, properties[key], defs)
    ]
    if errors:
        raise ValidationError.from_exception_data(cls.__name__, errors)


def _describe(schema: dict, defs: dict) -> str:
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        return " or ".join(dict.fromkeys(_describe(option, defs) for option in schema["anyOf"]))
    kind = schema.get("type", "any")
    if kind == "array" and "items" in schema:
        return f"array of {_describe(schema['items'], defs)}"
    return kind


# -- personal numbers in answers ----------------------------------------------------------
# The one way the API writes an ID or phone number (SPEC 5.2): masked as the pages mask it
# (``core.crypto``), unless the value was handed over as ``Revealed`` — by a selector that
# a named permission lets show it whole (the care team's emergency contact) or by an audited
# reveal. Every field of an answer that holds such a number has one of these types (a test
# walks the document); ``x-personal`` names the kind.


def _masked(mask):
    def shown(value):
        if value is None or isinstance(value, Revealed):
            return value
        return mask(str(value))

    return shown


MaskedPhone = Annotated[
    str,
    BeforeValidator(_masked(mask_phone)),
    Field(
        description="Masked (138****1234) unless you may see it whole",
        json_schema_extra={"x-personal": "phone"},
    ),
]
MaskedIdNumber = Annotated[
    str,
    BeforeValidator(_masked(mask_id_number)),
    Field(
        description="Masked (140213********1234) unless you may see it whole",
        json_schema_extra={"x-personal": "id_number"},
    ),
]
# An organisation's phone: its public desk, not a person's number; shown whole.
PublicPhone = Annotated[
    str,
    Field(
        description="The organisation's public number", json_schema_extra={"x-personal": "public"}
    ),
]


class PlaceRef(Schema):
    """A place named inside another object (one schema of this name in the document)."""

    id: int
    name: str


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


# The statuses every authenticated endpoint can answer besides its own (422: also NUL in the
# query string or path, core.middleware; 429: bearer tokens from an address that sent too
# many bad ones, linli/api/auth.py). A list answers these alone: a filter naming an unknown
# or hidden id leaves it empty.
COMMON_ERRORS = {401: Error, 422: ValidationErrors, 429: Error}
LIST_ERRORS = COMMON_ERRORS
# About one object: 404 for one that does not exist or that the user may not see.
READ_ERRORS = {**COMMON_ERRORS, 404: Error}
# Actions (POST): 400 for a form that cannot be read (core.middleware) and for a value the
# schema allows but a rule refuses (with its code, and its fields in ``errors``); 403 for an
# action the user may not take on something they can see; 413 for a body over the size limit.
ACTION_ERRORS = {**READ_ERRORS, 400: ValidationErrors, 403: Error, 413: Error}
# Those that take a JSON body: also 415 for a body that is not sent as JSON.
WRITE_ERRORS = {**ACTION_ERRORS, 415: Error}
