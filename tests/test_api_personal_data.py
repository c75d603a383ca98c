"""One way to serialise personal data: no API answer shows an ID or phone number in full
to a role that may not see it in full (issue 13, item 2: the elder-care station read a
health card's emergency phone in full through the API while the page masked it).

The crawl signs in every demo role, GETs every operation of the OpenAPI document that
reads — every list, then the objects named in the first few rows of each list, following
the path parameters — and scans every answer for an 18-digit ID number, a mainland mobile
number or a landline written whole. The only numbers a role may read whole are those a
named permission shows it in full on the pages too (the care team's emergency contacts);
the reveal endpoints (POST, audited) are not crawled."""

import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.models import User
from linli.api.schemas import MaskedIdNumber, MaskedPhone
from linli.api.v1 import api
from linli.core.crypto import Revealed
from linli.health.models import HealthCard
from linli.health.selectors import may_see_emergency_phone
from linli.places.models import Organisation
from tests.lifecycle_matrix import DEMO_USERS

pytestmark = pytest.mark.django_db

ROLES = list(DEMO_USERS)
# The objects opened per list (its first rows), so that the crawl stays small.
DETAILS_PER_LIST = 3

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# An area code (010, 02x, 03xx–09xx) and seven or eight digits, with or without a hyphen.
LANDLINE = re.compile(r"(?<![0-9])0(?:10|2[0-9]|[3-9][0-9]{2})-?[2-9][0-9]{6,7}(?![0-9])")
PATTERNS = {"ID number": ID_NUMBER, "mobile number": MOBILE, "landline": LANDLINE}


def whole_numbers(text: str) -> list[tuple[str, str]]:
    return [(kind, m.group()) for kind, pattern in PATTERNS.items() for m in pattern.finditer(text)]


def test_the_patterns_find_whole_numbers_and_pass_masked_ones():
    found = whole_numbers(
        '{"a": "140213195001011234", "b": "15012349178", "c": "0352-2051234", '
        '"d": "140213********1234", "e": "150****9178", "f": "2031-06-04T10:00:00+08:00"}'
    )
    assert [kind for kind, _value in found] == ["ID number", "mobile number", "landline"]


# Names of fields that hold a person's number, in any answer of the API.
PERSONAL_FIELD = re.compile(r"phone|mobile|id_number|id_card|plate|tel$|contact_number")


def response_schemas(document) -> set[str]:
    """The names of the components an answer of the document can hold, reached through refs."""
    components = document["components"]["schemas"]
    seen: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    walk(components[name])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for ops in document["paths"].values():
        for op in ops.values():
            walk(op.get("responses", {}))
    return seen


def test_every_personal_number_in_an_answer_goes_through_the_masking_types():
    """No schema hand-rolls masking: every field of an answer named like a phone, mobile,
    ID or plate number has the type of ``linli.api.schemas`` that masks it (``x-personal``
    says which; ``public``: an organisation's own desk)."""
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    unmarked = [
        f"{name}.{field}"
        for name in sorted(response_schemas(document))
        for field, schema in components[name].get("properties", {}).items()
        if PERSONAL_FIELD.search(field) and "x-personal" not in schema
    ]
    assert not unmarked
    assert components["EmergencyContact"]["properties"]["phone"]["x-personal"] == "phone"


def test_the_masking_types_mask_all_but_revealed_values():
    from ninja import Schema

    class Numbers(Schema):
        phone: MaskedPhone
        id_number: MaskedIdNumber

    masked = Numbers(phone="15012349178", id_number="140213195001011234")
    assert (masked.phone, masked.id_number) == ("150****9178", "140213********1234")
    whole = Numbers(phone=Revealed("15012349178"), id_number=Revealed("140213195001011234"))
    assert (whole.phone, whole.id_number) == ("15012349178", "140213195001011234")
    # masking a masked value changes nothing, so a selector may mask before the type does
    again = Numbers(phone=masked.phone, id_number=masked.id_number)
    assert (again.phone, again.id_number) == (masked.phone, masked.id_number)


def may_read_whole(user) -> set[str]:
    """The numbers the pages show this user in full: the emergency contacts of the health
    cards whose care team they are on, or their own card's. Organisations' phones are
    their public desks, not personal data."""
    allowed = {p for p in Organisation.objects.values_list("phone", flat=True) if p}
    for card in HealthCard.objects.select_related("resident").exclude(emergency_phone=""):
        if may_see_emergency_phone(user, card):
            allowed.add(card.emergency_phone)
    return allowed


def today_iso():
    return timezone.localdate().isoformat()


def query_for(op) -> dict:
    """Values for the required query parameters (a day, a week ahead)."""
    values = {}
    for param in op.get("parameters", []):
        if param["in"] != "query" or not param.get("required"):
            continue
        schema = param.get("schema", {})
        if schema.get("format") == "date":
            values[param["name"]] = (timezone.localdate() + timedelta(days=1)).isoformat()
        elif schema.get("format") == "date-time":
            values[param["name"]] = timezone.now().isoformat()
        elif schema.get("type") == "integer":
            values[param["name"]] = 1
        else:
            values[param["name"]] = "x"
    return values


def reading_operations() -> dict[str, dict]:
    schema = api.get_openapi_schema()
    return {path: ops["get"] for path, ops in schema["paths"].items() if "get" in ops}


def rows(body) -> list:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"]
    return body if isinstance(body, list) else []


def ids_named(body, param: str) -> list[int]:
    """Ids of the objects a path parameter names (``resident_id``) anywhere in an answer:
    ``{"resident": {"id": 5}}``, ``{"resident": 5}``, ``{"resident_id": 5}``."""
    stem = param.removesuffix("_id")
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in (stem, param):
                    if isinstance(value, dict) and isinstance(value.get("id"), int):
                        found.append(value["id"])
                    elif isinstance(value, int) and not isinstance(value, bool):
                        found.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)
    return found


# Lists whose rows are objects a path parameter names, where neither the list's path nor
# a key of the answer says so: (the list's template, the key of its rows or None for the
# list itself).
FEEDS = {
    "swap_id": [("/api/v1/volunteers/swaps/approvals", None)],
    "tutoring_session_id": [("/api/v1/volunteers/tutoring/programmes/{programme_id}", "sessions")],
    "child_id": [("/api/v1/volunteers/tutoring/programmes/{programme_id}/children", None)],
}


class Crawl:
    """Every reading operation as one user: the lists first, then what their rows name."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)
        self.operations = reading_operations()
        self.answers: dict[str, tuple[int, str]] = {}
        self.pool: dict[str, list[int]] = {}

    def get(self, path: str, op: dict) -> object:
        query = query_for(op)
        url = f"{path}?{urlencode(query)}" if query else path
        response = self.client.get(url)
        text = response.content.decode("utf-8", "replace")
        self.answers[url] = (response.status_code, text)
        assert response.status_code < 500, (url, text[:300])
        if "json" not in response.get("Content-Type", ""):
            return None
        body = json.loads(text)
        for param, feeds in FEEDS.items():
            for template, key in feeds:
                if re.fullmatch(re.sub(r"{\w+}", r"[0-9]+", template), path):
                    found = (
                        (body.get(key, []) if isinstance(body, dict) else []) if key else rows(body)
                    )
                    for row in found:
                        if isinstance(row, dict) and row.get("id") not in self.pool.get(param, []):
                            self.pool.setdefault(param, []).append(row["id"])
        for param in {p for template in self.operations for p in re.findall(r"{(\w+)}", template)}:
            for pk in ids_named(body, param):
                self.pool.setdefault(param, [])
                if pk not in self.pool[param]:
                    self.pool[param].append(pk)
        return body

    def run(self) -> dict[str, tuple[int, str]]:
        lists = {path: op for path, op in self.operations.items() if "{" not in path}
        first_rows: dict[str, list[int]] = {}
        for path, op in lists.items():
            body = self.get(path, op)
            first_rows[path] = [
                row["id"] for row in rows(body)[:DETAILS_PER_LIST] if isinstance(row, dict)
            ]
        # twice: a detail may name the objects of another detail read before it (FEEDS)
        for _round in range(2):
            for template, op in self.operations.items():
                if "{" not in template:
                    continue
                for url in self.urls(template, first_rows):
                    if url not in self.answers:
                        self.get(url, op)
        return self.answers

    def urls(self, template: str, first_rows: dict) -> list[str]:
        """The template filled in: each parameter from the rows of the list its path starts
        with (``/rooms`` for ``/rooms/{room_id}/slots``), else from the ids the answers named."""
        urls = [template]
        for param in re.findall(r"{(\w+)}", template):
            filled = []
            for url in urls:
                prefix = url.split("{" + param + "}")[0].rstrip("/")
                pks = first_rows.get(prefix) or self.pool.get(param, [])[:DETAILS_PER_LIST]
                filled += [url.replace("{" + param + "}", str(pk)) for pk in pks]
            urls = filled
        return urls


@pytest.fixture(scope="module")
def crawled(django_db_setup, django_db_blocker):
    """Each role's answers, crawled once for the module (the crawl only reads, but an
    opening of a health card writes an audit entry: rolled back at the end)."""
    from django.db import transaction

    results = {}
    with django_db_blocker.unblock(), transaction.atomic():
        for role in ROLES:
            user = User.objects.get(username=role)
            results[role] = (Crawl(user).run(), may_read_whole(user))
        transaction.set_rollback(True)
    return results


@pytest.mark.parametrize("role", ROLES)
def test_no_answer_shows_a_number_whole_that_the_role_may_not_read_whole(crawled, role):
    answers, allowed = crawled[role]
    leaks = [
        (url, kind, value)
        for url, (_status, text) in answers.items()
        for kind, value in whole_numbers(text)
        if value not in allowed
    ]
    assert not leaks, leaks[:10]


def test_the_crawl_reads_every_list_and_opens_what_they_list(crawled):
    """The crawl is not vacuous: the community worker, who sees the most, got answers from
    every reading operation of the document, and most of them with data."""
    answers, _allowed = crawled["community"]
    templates = reading_operations()
    opened = {
        template
        for template in templates
        for url, (status, _text) in answers.items()
        if status == 200 and re.fullmatch(re.sub(r"{\w+}", r"[0-9]+", template) + r"(\?.*)?", url)
    }
    missing = set(templates) - opened
    assert not missing, sorted(missing)
    # bounded by what it opens per list, not by the clock (which a loaded machine moves)
    assert len(answers) < 40 * len(templates)


def test_the_care_team_reads_the_emergency_phone_whole_and_the_care_station_masked(client_for):
    """What the crawl allows is what the pages show: the card's page and its API answer
    give the same emergency phone to the same person."""
    card = (
        HealthCard.objects.exclude(emergency_phone="").select_related("resident").order_by("pk")
    ).first()
    for role in ("eldercare", "community", "doctor"):
        client = client_for(role)
        answer = client.get(f"/api/v1/health/cards/{card.pk}")
        if answer.status_code != 200:
            continue
        phone = answer.json()["emergency_contact"]["phone"]
        page = client.get(f"/health/cards/{card.pk}/").content.decode()
        assert phone in page, role
        user = User.objects.get(username=role)
        if may_see_emergency_phone(user, card):
            assert phone == card.emergency_phone
        else:
            assert phone != card.emergency_phone and "****" in phone
