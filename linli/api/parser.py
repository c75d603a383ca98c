"""How /api/v1 reads a request: a JSON body only as JSON (UTF-8, RFC 8259: no NaN), and no
string anywhere in it, in the query string or in a form holding NUL characters or unpaired
surrogates. The refusals are raised as the API's errors (see v1.py)."""

import json

from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser as NinjaParser

from linli.core import malformed
from linli.core.errors import LinliError


class MalformedBody(LinliError):
    def __init__(self, refusal: malformed.Refusal):
        super().__init__(refusal.detail, code=refusal.code)
        self.status = refusal.status


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _refuse_bad_text(locations: list[tuple]):
    if locations:
        message = malformed.bad_text_message()
        raise NinjaValidationError([{"loc": loc, "msg": message} for loc in locations])


class Parser(NinjaParser):
    def parse_body(self, request):
        # ninja turns any exception raised here into HttpError(400) with this one as its
        # cause; v1's handler answers with the cause.
        if not _is_json(request.content_type or ""):
            raise MalformedBody(malformed.json_expected())
        try:
            text = request.body.decode("utf-8")  # strict: no encoded surrogates either
        except UnicodeDecodeError as exc:
            raise MalformedBody(
                malformed.Refusal(400, "bad_json", malformed.not_utf8_message())
            ) from exc
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            raise MalformedBody(
                malformed.Refusal(400, "bad_json", malformed.not_json_message())
            ) from exc
        _refuse_bad_text(malformed.bad_text_locations(data, ("body",)))
        return data

    def parse_querydict(self, data, list_fields, request):
        # The middleware refuses these first; the API does not rely on its being installed.
        source = "query" if data is request.GET else "form" if data is request.POST else "file"
        _refuse_bad_text(malformed.querydict_bad_locations(data, source))
        return super().parse_querydict(data, list_fields, request)
