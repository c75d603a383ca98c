"""Malformed requests, judged in one place for pages and API alike: a body Django cannot read
(too large, too many fields, broken multipart) and text no database column can hold (NUL
characters, unpaired surrogates). Each refusal has a status, a stable code and a message."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _

# PostgreSQL cannot store NUL in text, and a lone surrogate cannot even be encoded as UTF-8.
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")

FORM_CONTENT_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def bad_text(value) -> bool:
    return isinstance(value, str) and _BAD_TEXT.search(value) is not None


def shown(value) -> str:
    """``value`` safe to echo back in an error (a key that held the bad characters)."""
    return _BAD_TEXT.sub("\ufffd", str(value))


def bad_text_message() -> str:
    return _("NUL characters and unpaired surrogates are not allowed.")


def not_json_message() -> str:
    return _("The body is not valid JSON.")


def not_utf8_message() -> str:
    return _("The body is not valid UTF-8.")


def bad_text_locations(data, root: tuple = ()) -> list[tuple]:
    """Where in ``data`` (dicts, lists and strings, keys included, nested to any depth) a string
    holds a NUL character or an unpaired surrogate. Iterative, so that no depth a JSON parser
    accepted can exhaust the stack here."""
    found = []
    stack = [(root, data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, str):
            if bad_text(value):
                found.append(loc)
        elif isinstance(value, dict):
            for key, item in value.items():
                if bad_text(key):
                    found.append((*loc, shown(key)))
                stack.append(((*loc, shown(key)), item))
        elif isinstance(value, list | tuple):
            stack.extend(((*loc, i), item) for i, item in enumerate(value))
    return sorted(found, key=lambda loc: [str(p) for p in loc])


def querydict_bad_locations(data, source: str) -> list[tuple]:
    """The same for a QueryDict or MultiValueDict (the query string, a form, its files: an
    uploaded file is judged by its name)."""
    found = []
    for key, values in data.lists():
        texts = [getattr(v, "name", v) for v in values]
        if bad_text(key) or any(bad_text(t) for t in texts):
            found.append((source, shown(key)))
    return found


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    detail: str


def refusal_for(exc: BaseException) -> Refusal | None:
    """The answer to an exception Django raises while reading a request, or None for any other
    exception."""
    if isinstance(exc, RequestDataTooBig):
        return Refusal(413, "too_large", _("The request is too large."))
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Refusal(400, "too_many_fields", _("The request has too many fields or files."))
    if isinstance(exc, MultiPartParserError):
        return Refusal(400, "bad_form", _("The form data could not be read."))
    if isinstance(exc, RawPostDataException):
        # The body was read as a form, so it was not the JSON this endpoint takes.
        return json_expected()
    if isinstance(exc, UnreadablePostError | SuspiciousOperation | BadRequest):
        return Refusal(400, "bad_request", _("Bad request."))
    return None


# Every exception refusal_for answers, for registering one handler per class.
REQUEST_EXCEPTIONS = (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    MultiPartParserError,
    RawPostDataException,
    UnreadablePostError,
    SuspiciousOperation,
    BadRequest,
)


def json_expected() -> Refusal:
    return Refusal(
        415,
        "unsupported_media_type",
        _("Send the body as JSON (Content-Type: application/json)."),
    )


def request_bad_locations(request) -> list[tuple]:
    """What is wrong in the path, the query string and (for a form POST) the form and its
    files. Reading them may raise what ``refusal_for`` answers."""
    _check_body_size(request)
    found = [("path",)] if bad_text(request.path_info) else []
    found += querydict_bad_locations(request.GET, "query")
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        found += querydict_bad_locations(request.POST, "form")
        found += querydict_bad_locations(request.FILES, "file")
    return found


def _check_body_size(request):
    # Django refuses a body over the limit only when something reads it; refuse it up front,
    # so that an endpoint that takes no body does not act on such a request either. Files in
    # a multipart body do not count towards the limit: the multipart parser counts the rest.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if length > limit:
        raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
