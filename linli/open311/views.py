"""The GeoReport v2 endpoints. Each view parses its parameters (anything malformed is the
specification's error list: 400, 403 for the API key, 404 for what does not exist, 429 over
the rate limit of filings — never a 500), then reads through the selectors or files through
the services.

Open311 clients are machines: the views are exempt from CSRF, and POST needs an API key.
Error descriptions are English, as the specification's examples are."""

import math
import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from functools import wraps

from django.core.exceptions import BadRequest, SuspiciousOperation, ValidationError
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import dateparse, timezone
from django.views.decorators.csrf import csrf_exempt

from linli.core.ratelimits import RateLimited, rate_limit_hit
from linli.core.validators import looks_like_mobile, normalise_mobile

from . import selectors, services
from .formats import (
    MIME_TYPES,
    XML,
    Many,
    definition_document,
    render,
    render_errors,
    request_document,
    service_document,
    service_notice,
    w3,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = datetime(2026, 11, 27, tzinfo=timezone.get_fixed_timezone(480))
CONTACT = (
    "Linli (邻里) neighbourhood services. Ask the district's Linli administrators. "
    "GET requests without dates covers the most recent 90 days; every answer holds at most "
    "1000 requests."
)
KEY_SERVICE = (
    "API keys are issued per organisation by a Linli administrator (admin: Open311 API keys, "
    "or `linli open311-key ORGANISATION_NAME`). Requests filed with a key come from that "
    "organisation."
)
MAX_SPAN = timedelta(days=90)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
MAX_DESCRIPTION = 4000  # the specification's limit
MAX_ANSWER = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,100})\](\[\])?$")
_ID = re.compile(r"^\d{1,19}$")


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


def open311_view(*methods):
    """Exempt from CSRF, answer only ``methods``, and turn every refusal into the
    specification's error list in the format the path asked for."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt=XML, **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(400, f"{request.method} is not supported here.")
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                errors = [(exc.status, text) for text in exc.descriptions]
                response = render_errors(errors, fmt, status=exc.status)
            except (SuspiciousOperation, BadRequest, MultiPartParserError):
                response = render_errors([(400, "The request is malformed.")], fmt, status=400)
            except RateLimited as exc:
                text = f"Too many requests. Try again in {exc.retry_after} seconds."
                response = render_errors([(429, text)], fmt, status=429)
                response["Retry-After"] = str(exc.retry_after)
            if request.method not in methods:
                response["Allow"] = ", ".join(methods)
            return response

        return wrapper

    return decorate


# -- parameters ------------------------------------------------------------------------------


def _param(data, name: str, *, limit: int = 255) -> str:
    """One text parameter: control characters dropped, trimmed. An empty parameter is one
    not given ("Optional Arguments" in the specification)."""
    value = data.get(name, "")
    return _CONTROL.sub("", value[: limit * 2]).strip()[:limit] if isinstance(value, str) else ""


def _list_param(data, name: str) -> list[str]:
    return [part.strip() for part in _param(data, name, limit=20_000).split(",") if part.strip()]


def _parse_time(value: str, name: str) -> datetime:
    """A W3C/ISO-8601 time (a date alone means its midnight); without an offset it is
    local time."""
    try:
        moment = dateparse.parse_datetime(value)
        if moment is None:
            day = dateparse.parse_date(value)
            moment = datetime.combine(day, time()) if day else None
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise Open311Error(400, f"{name} must be a W3C date and time, e.g. 2026-01-01T00:00:00Z.")
    # Far enough from year 1 and 9999 that the 90-day span and UTC conversion cannot overflow.
    if not EARLIEST <= moment <= LATEST:
        raise Open311Error(400, f"{name} must lie between the years 1900 and 9000.")
    return moment


def _coordinate(value: str, name: str, bound: int) -> Decimal:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise Open311Error(400, f"{name} must be a WGS84 degree between -{bound} and {bound}.")
    return Decimal(f"{number:.6f}")


# -- discovery and services ------------------------------------------------------------------


@open311_view("GET", "HEAD")
def discovery(request, *, fmt):
    changed = selectors.services_changed_at()
    changeset = w3(max(CHANGESET, changed) if changed else CHANGESET)
    document = {
        "changeset": changeset,
        "contact": CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": Many(
            "endpoint",
            [
                {
                    "specification": SPECIFICATION,
                    "url": request.build_absolute_uri(reverse("open311:root")),
                    "changeset": changeset,
                    "type": "production",
                    "formats": Many("format", MIME_TYPES),
                }
            ],
        ),
    }
    return render("discovery", document, fmt)


@open311_view("GET", "HEAD")
def service_list(request, *, fmt):
    documents = [service_document(category) for category in selectors.service_list()]
    return render("services", Many("service", documents), fmt)


@open311_view("GET", "HEAD")
def service_definition(request, code, *, fmt):
    category = selectors.service_get(code)
    if category is None:
        raise Open311Error(404, f"service_code {code!r} was not found.")
    attributes = selectors.service_attributes(category)
    return render("service_definition", definition_document(category, attributes), fmt)


# -- service requests ------------------------------------------------------------------------


@open311_view("GET", "HEAD", "POST")
def requests(request, *, fmt):
    if request.method == "POST":
        # Per address, before the key is checked: a flood of filings and a guessed key alike.
        rate_limit_hit(request, group="open311_post")
        return _file_request(request, fmt)
    return _request_list(request, fmt)


def _request_list(request, fmt):
    data = request.GET
    ids = _list_param(data, "service_request_id")
    if ids:
        wanted = [int(i) for i in ids if _ID.match(i)][: selectors.MAX_REQUESTS]
        orders = selectors.request_list(ids=wanted)
    else:
        orders = selectors.request_list(
            service_codes=_list_param(data, "service_code")[:100],
            statuses=_statuses(data),
            **_date_range(data),
        )
    documents = [request_document(o, closed=selectors.is_closed(o)) for o in orders]
    return render("service_requests", Many("request", documents), fmt)


def _statuses(data) -> list[str]:
    statuses = [s.lower() for s in _list_param(data, "status")]
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status must be open, closed or both (comma separated).")
    return statuses


def _date_range(data) -> dict:
    """The requested-time range: at most 90 days, by default the most recent 90."""
    start_text, end_text = _param(data, "start_date"), _param(data, "end_date")
    start = _parse_time(start_text, "start_date") if start_text else None
    end = _parse_time(end_text, "end_date") if end_text else None
    if start and end:
        if start > end:
            raise Open311Error(400, "start_date must not be after end_date.")
        if end - start > MAX_SPAN:
            raise Open311Error(400, "start_date and end_date may not span more than 90 days.")
    elif start:
        end = start + MAX_SPAN
    elif end:
        start = end - MAX_SPAN
    else:
        start = timezone.now() - MAX_SPAN
    return {"start": start, "end": end}


@open311_view("GET", "HEAD")
def request_detail(request, pk, *, fmt):
    order = selectors.request_get(int(pk)) if _ID.match(pk) else None
    if order is None:
        raise Open311Error(404, f"service_request_id {pk!r} was not found.")
    document = request_document(order, closed=selectors.is_closed(order))
    return render("service_requests", Many("request", [document]), fmt)


@open311_view("GET", "HEAD")
def token_detail(request, token, *, fmt):
    order = selectors.request_by_token(token)
    if order is None:
        raise Open311Error(404, f"token {token!r} was not found.")
    document = {"service_request_id": str(order.pk), "token": order.open311_token}
    return render("service_requests", Many("request", [document]), fmt)


def _file_request(request, fmt):
    data = request.POST  # a body Django cannot parse is answered 400 by open311_view
    key = services.open311_key_authenticate(_param(data, "api_key"))
    if key is None:
        raise Open311Error(403, "Missing or invalid api_key -- can't proceed with create_request.")
    code = _param(data, "service_code")
    if not code:
        raise Open311Error(400, "service_code was not provided.")
    category = selectors.service_get(code)
    if category is None:
        raise Open311Error(404, f"service_code {code!r} was not found.")

    errors = []
    description = _param(data, "description", limit=MAX_DESCRIPTION + 1)
    if not description:
        errors.append("description was not provided.")
    elif len(description) > MAX_DESCRIPTION:
        errors.append(f"description is longer than {MAX_DESCRIPTION} characters.")
    location, answers = {}, []
    try:
        location = _location(data, key.organisation.place)
    except Open311Error as exc:
        errors.extend(exc.descriptions)
    try:
        answers = _answers(data, selectors.service_attributes(category))
    except Open311Error as exc:
        errors.extend(exc.descriptions)
    if errors:
        raise Open311Error(400, *errors)

    phone = _param(data, "phone", limit=32)
    first, last = _param(data, "first_name", limit=50), _param(data, "last_name", limit=50)
    try:
        order = services.open311_request_file(
            key=key,
            category=category,
            description=description,
            answers=answers,
            reporter_name=_full_name(first, last),
            reporter_phone=normalise_mobile(phone) if looks_like_mobile(phone) else "",
            request=request,
            **location,
        )
    except ValidationError as exc:
        raise Open311Error(400, *exc.messages) from exc
    notice = service_notice(
        urgent=category.urgent, hours=category.urgent_hours, days=category.time_limit_days
    )
    document = {
        "service_request_id": str(order.pk),
        "token": order.open311_token,
        "service_notice": notice,
        "account_id": None,
    }
    return render("service_requests", Many("request", [document]), fmt)


def _location(data, root) -> dict:
    """Where: address_id (a place in the organisation's subtree), else the place an
    address_string names, else the organisation's own place (lat/long alone)."""
    lat_text, long_text = _param(data, "lat", limit=64), _param(data, "long", limit=64)
    address_id = _param(data, "address_id", limit=64)
    address_string = _param(data, "address_string")
    if not (lat_text or long_text or address_id or address_string):
        raise Open311Error(
            400, "A location is required: lat and long, address_string or address_id."
        )
    errors, location = [], {"address_string": address_string, "lat": None, "long": None}
    if lat_text or long_text:
        try:
            if not (lat_text and long_text):
                raise Open311Error(400, "lat and long must both be sent.")
            location["lat"] = _coordinate(lat_text, "lat", 90)
            location["long"] = _coordinate(long_text, "long", 180)
        except Open311Error as exc:
            errors.extend(exc.descriptions)
    if address_id:
        place = None
        if _ID.match(address_id):
            place = selectors.place_within(root=root, pk=int(address_id))
        if place is None:
            errors.append(f"address_id {address_id!r} is not a place this api_key may report at.")
    elif address_string:
        place = selectors.place_by_address(root=root, text=address_string)
    else:
        place = root
    if errors:
        raise Open311Error(400, *errors)
    return {**location, "place": place}


def _answers(data, attributes: list[dict]) -> list[tuple[str, str]]:
    """The answers to the category's extra questions (attribute[code]=value, or
    attribute[code][]=value for several), checked against their definitions."""
    given: dict[str, list[str]] = {}
    for name in data:
        match = _ATTRIBUTE.match(name)
        if match:
            values = [_CONTROL.sub("", v[:MAX_ANSWER]).strip() for v in data.getlist(name)]
            given.setdefault(match.group(1), []).extend(v for v in values if v)
    errors, answers = [], []
    for attribute in attributes:
        if not attribute["variable"]:
            continue
        code, values = attribute["code"], given.get(attribute["code"], [])
        label = attribute["description"] or code
        if not values:
            if attribute["required"]:
                errors.append(f"attribute[{code}] is required.")
            continue
        datatype, names = attribute["datatype"], {v["key"]: v["name"] for v in attribute["values"]}
        if datatype in selectors.LIST_DATATYPES:
            if datatype == "singlevaluelist" and len(values) > 1:
                errors.append(f"attribute[{code}] takes one value.")
            elif any(v not in names for v in values):
                errors.append(f"attribute[{code}] must be one of: {', '.join(names)}.")
            else:
                answers.append((label, ", ".join(names[v] or v for v in values)))
            continue
        value = values[-1]
        try:
            if datatype == "number":
                if not math.isfinite(float(value)):
                    raise ValueError(value)
            elif datatype == "datetime":
                value = w3(_parse_time(value, f"attribute[{code}]"))
            elif datatype == "string":
                value = " ".join(value.split())
        except (ValueError, Open311Error):
            errors.append(f"attribute[{code}] must be a {datatype}.")
            continue
        answers.append((label, value))
    if errors:
        raise Open311Error(400, *errors)
    return answers


def _full_name(first: str, last: str) -> str:
    """Chinese names are written family name first and without a space."""
    if re.search(r"[A-Za-z]", first + last):
        return f"{first} {last}".strip()[:100]
    return f"{last}{first}"[:100]


@open311_view("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
def not_found(request, path="", *, fmt=XML):
    raise Open311Error(404, f"There is no {path!r} in GeoReport v2.")
