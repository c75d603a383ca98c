"""schemathesis fuzzes every documented operation with every check it has, as a staff member
(``street``) and as a resident, and the home-device operations with a device's token: no
500, only documented statuses, content types and response schemas, every request the
document calls invalid refused (negative_data_rejection) and every request it calls valid
accepted (positive_data_acceptance) — or refused with a status that names why, below."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from linli.accounts.services import token_create
from linli.core.actors import SYSTEM
from linli.health import services as health_services
from linli.health.models import HealthCard

APP = get_wsgi_application()
SPEC = "/api/v1/openapi.json"
# The document, fetched from the app once; each schema below is loaded from it as
# schemathesis.openapi.from_wsgi does (the app to call, where the document came from).
DOCUMENT = schemathesis.openapi.from_wsgi(SPEC, APP).raw_schema


def _load(config):
    schema = schemathesis.openapi.from_dict(DOCUMENT, config=config)
    schema.app, schema.location = APP, SPEC
    return schema


# Operations where a request the schema allows may still be refused by a rule of the
# service (400, with its code and fields), each with the rules that the schema cannot say
# (they depend on other fields or on the database).
RULES = {
    ("POST", "/api/v1/residents"): "gender and birth date are needed without an ID number; "
    "an ID number's checksum",
    ("PATCH", "/api/v1/residents/{resident_id}"): "the same as registering",
    ("POST", "/api/v1/households"): "the place must be a household's",
    ("POST", "/api/v1/orders"): "the category code must exist",
    ("GET", "/api/v1/servicedesk/figures"): "a period of at most two years, its end not before "
    "its start (an end left out is today)",
    ("POST", "/api/v1/orders/{order_id}/steps"): "the inputs a step needs (the order to "
    "merge into, not itself; an approval; a handling organisation)",
    ("POST", "/api/v1/orders/{order_id}/photos"): "the file must be an image that can be read",
    ("POST", "/api/v1/meetings/{meeting_id}/agenda/{item_id}/decisions"): "the category code "
    "must exist; votes are given all three or none",
    ("GET", "/api/v1/rooms/{room_id}/slots"): "at most 62 days, the end not before the start",
    ("POST", "/api/v1/rooms/{room_id}/bookings"): "the room's rules (notice, horizon, "
    "opening hours, length, the end after the start, ...)",
    ("POST", "/api/v1/lending/items/{item_id}/loans"): "the shelf's rules (units owned, an "
    "overdue or current loan of the borrower, a borrower named at the desk)",
    ("POST", "/api/v1/lending/items/{item_id}/donations"): "never dated ahead",
    ("POST", "/api/v1/health/cards/{card_id}/readings"): "values that cannot be real, or do "
    "not belong to the kind",
    ("POST", "/api/v1/health/device/readings"): "the same, and not ahead of the clock",
    ("POST", "/api/v1/volunteers/shifts/{shift_id}/assign"): "an approved member of a group "
    "the shift is for",
    ("POST", "/api/v1/volunteers/absences"): "one member of the group or one household of its "
    "compound; the last day not before the first, at most a year",
    ("POST", "/api/v1/volunteers/hours/{hours_entry_id}/correct"): "not zero, and the "
    "corrected hours not below zero",
    ("POST", "/api/v1/volunteers/groups/{volunteer_group_id}/records"): "an approved member "
    "of the group",
    ("POST", "/api/v1/volunteers/tutoring/programmes/{programme_id}/sessions"): "within the "
    "programme's days, the end after the start",
    ("POST", "/api/v1/volunteers/tutoring/programmes/{programme_id}/children"): "the consent "
    "given to the current text, a guardian living where the group serves, a birth date not "
    "ahead, collectors with mobile numbers",
    ("POST", "/api/v1/events/{event_id}/registrations"): "you and members of your household only",
    ("POST", "/api/v1/servicedesk/mediations"): "a party on each side, named or from the "
    "compound's register; mediators who serve the compound's desk; a valid mobile number",
    ("POST", "/api/v1/servicedesk/mediations/{mediation_id}/sessions"): "held already, not "
    "before the mediation was registered",
    ("POST", "/api/v1/servicedesk/mediations/{mediation_id}/agreement"): "not dated ahead nor "
    "before the registration; carried out by a day not before the agreement",
    ("POST", "/api/v1/servicedesk/mediations/{mediation_id}/failure"): "not dated ahead nor "
    "before the registration",
    ("POST", "/api/v1/servicedesk/mediations/{mediation_id}/follow-up"): "not dated ahead nor "
    "before the agreement",
    ("POST", "/api/v1/servicedesk/cases"): "a matter in the catalogue, one of its situations, "
    "a resident living here",
    ("POST", "/api/v1/servicedesk/cases/{case_id}/steps"): "the inputs a step needs (forward's "
    "department, refuse's reason)",
    ("POST", "/api/v1/servicedesk/cases/{case_id}/rating"): "a dissatisfied rating says why",
    ("POST", "/api/v1/servicedesk/cases/{case_id}/proxies"): "a resident who qualifies for "
    "the reason (by the register, or a reason stated); a valid ID number of an adult, not the "
    "resident's own; a mainland mobile number; a letter not dated ahead",
    ("POST", "/api/v1/servicedesk/proxies/{proxy_id}/letter"): "the file must be an image "
    "that can be read",
    ("POST", "/api/v1/servicedesk/proxies/{proxy_id}/check"): "an agent shows an ID document "
    "(not in_person)",
    ("POST", "/api/v1/servicedesk/proxies/{proxy_id}/originals"): "a signature that is a PNG "
    "with a stroke; a line of this case's checklist",
    ("POST", "/api/v1/servicedesk/proxies/{proxy_id}/originals/{custody_id}/return"): "a "
    "signature that is a PNG with a stroke",
    ("POST", "/api/v1/servicedesk/consultations"): "somebody named (a resident, or a name and "
    "the compound), a matter in the catalogue, a channel of the desk",
    ("POST", "/api/v1/servicedesk/consultations/{consultation_id}/case"): "one of the matter's "
    "situations",
    ("POST", "/api/v1/servicedesk/consultations/{consultation_id}/order"): "the category code "
    "must exist",
}
# Refusals of a schema-valid request that are not about its values, accepted where the
# operation documents them: 404 for an id (in the path or the body) that does not exist or
# that the user may not see, which is most of what is drawn; 403 for an action on a
# visible object that is not the user's to take; 409 for a step the object's state does not
# allow now.
STATE_REFUSALS = ("403", "404", "409")


def _positive_statuses(method: str, path: str, documented: set[str], device: bool) -> list[str]:
    if "/device/" in path and not device:
        return ["401"]  # a user's token does not open what a home device posts to
    statuses = ["2xx", *(s for s in STATE_REFUSALS if s in documented)]
    if (method, path) in RULES:
        statuses.append("400")
    return statuses


def _config(*, device: bool) -> SchemathesisConfig:
    operations = [
        {
            # one filter: include-path and include-method would be either, not both
            "include-name": f"{method.upper()} {path}",
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": _positive_statuses(
                        method.upper(), path, set(op["responses"]), device
                    )
                }
            },
        }
        for path, methods in DOCUMENT["paths"].items()
        for method, op in methods.items()
        # (an operation named here is one the schema tests: the device's only its own)
        if not device or "/device/" in path
    ]
    return SchemathesisConfig.from_dict(
        {
            "checks": {
                # The one check off by default, on: no answer slower than this (a generous
                # bound for a shared CI machine; an answer is a few milliseconds here).
                "max_response_time": 10,
                # A request the schema calls invalid: 422 (its fields), 400 (a body that is
                # not JSON), 415 (not sent as JSON), 413 (too large), 401 (no or a bad token),
                # 404 (a path that is no id does not route), 405 (a method not served).
                "negative_data_rejection": {
                    "expected-statuses": ["400", "401", "404", "405", "413", "415", "422"]
                },
            },
            "operations": operations,
        }
    )


users_api = _load(_config(device=False))
# (exclude: the config's operations already include every operation they name)
device_api = _load(_config(device=True)).exclude(path_regex="^(?!/api/v1/health/device/)")
# Bounded for CI, which runs the suite on SQLite and on PostgreSQL; derandomized, so that a
# run repeats. Every phase the pytest plugin has runs (examples, coverage, fuzzing).
FUZZ = settings(
    max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@pytest.fixture
def keep_connection():
    """Calls go straight to the WSGI app, so do what Django's test client does: keep the
    test's database connection (and its transaction) open across requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["street", "resident"])
def user_token(request, demo, keep_connection):
    """A staff member's token (a street office worker) and a resident's."""
    _, secret = token_create(actor=SYSTEM, user=demo.user(request.param))
    return secret


@pytest.fixture
def device_token(demo, keep_connection):
    """A home device on the first card the demo's doctor may register one to."""
    doctor = demo.user("doctor")
    card = next(
        c for c in HealthCard.objects.order_by("pk") if doctor.has_perm("health.manage_device", c)
    )
    _, secret = health_services.device_register(
        actor=doctor, card=card, kind="bp_monitor", name="血压计"
    )
    return secret


@pytest.mark.django_db
@users_api.parametrize()
@FUZZ
def test_api_conforms_to_its_schema(case, user_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {user_token}"})


@pytest.mark.django_db
@device_api.parametrize()
@FUZZ
def test_device_api_conforms_to_its_schema(case, device_token):
    case.call_and_validate(headers={"Authorization": f"Device {device_token}"})
