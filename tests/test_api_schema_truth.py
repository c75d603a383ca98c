"""The OpenAPI document tells the truth (issue 13, item 9): one schema per name, answers of the
shape documented, input refused unless it has the documented JSON types, and a rule's
refusal of schema-valid input told apart (400) from input the schema refuses (422).
tests/test_api_fuzz.py runs schemathesis over all of it; these are the reported cases."""

import enum
import io
import json
import typing
from collections import defaultdict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pydantic import BaseModel

from linli.api.v1 import api
from linli.bookings.models import Booking, BookingStatus
from linli.lending.models import Donation, Item, Loan, LoanStatus
from linli.workorders.models import WorkOrder


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _models(annotation, found: set):
    # choices (TextChoices) are named schemas of the document too, by their class name
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for argument in typing.get_args(annotation):
        _models(argument, found)


def test_every_schema_name_in_the_document_is_one_schema():
    """The document names its schemas by class name: two classes of one name would leave
    one of them described as the other (PhotoOut documented `caption` for the photos of
    work orders, which have `content_type`, `width` and `height`; the events' EventKind
    listed an order's timeline kinds as activity, class, campaign and visit)."""
    found = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.response_models.values(), *operation.models]:
                    _models(model, found)
    by_name = defaultdict(set)
    for model in found:
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    assert len(found) > 60
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def _png() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(data, "PNG")
    return SimpleUploadedFile("a.png", data.getvalue(), content_type="image/png")


def test_a_photo_is_answered_as_documented(client_for, demo):
    spec = client_for("resident").get("/api/v1/openapi.json").json()
    documented = spec["components"]["schemas"]["OrderPhotoOut"]
    order = WorkOrder.objects.filter(reporter=demo.user("resident"), closed_at=None).order_by("pk")[
        0
    ]
    resident = client_for("resident")
    added = resident.post(f"/api/v1/orders/{order.pk}/photos", {"photo": _png()})
    assert added.status_code == 201, added.content
    photo = added.json()
    assert set(photo) == set(documented["properties"]) >= set(documented["required"])
    assert {"content_type", "width", "height"} <= set(photo) and "caption" not in photo
    detail = resident.get(f"/api/v1/orders/{order.pk}").json()
    assert [set(p) for p in detail["photos"]] == [set(documented["properties"])]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("anonymous", 0),  # lax bool coercion took 0 and 1 for false and true
        ("anonymous", "yes"),
        ("quantity", "1"),  # a number as a string
        ("quantity", True),
        ("donor_name", 5),  # a number for a string
        ("donated_on", 0),  # a timestamp for a day
        ("anonymus", True),  # a misspelt field, silently ignored before
    ],
)
def test_a_body_holds_only_its_fields_of_their_documented_types(client_for, demo, field, value):
    item = Item.objects.order_by("pk").first()
    before = Donation.objects.count()
    body = {"quantity": 1, "donor_name": "王", field: value}
    response = post(client_for("volunteer"), f"/api/v1/lending/items/{item.pk}/donations", body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["loc"] == ["body", "payload", field]
    assert Donation.objects.count() == before


def test_a_list_is_no_body_of_a_cancel_or_a_return(client_for, demo):
    """`[null, null]` was read as an object with every field at its default: the booking was
    cancelled and the loan returned."""
    booking = Booking.objects.get(booked_by=demo.user("resident"), status=BookingStatus.PENDING)
    cancel = post(client_for("resident"), f"/api/v1/bookings/{booking.pk}/cancel", [None, None])
    assert cancel.status_code == 422 and cancel.json()["code"] == "invalid"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING

    loan = Loan.objects.filter(status=LoanStatus.OUT).order_by("pk").first()
    staff = client_for("volunteer")
    assert staff.get(f"/api/v1/lending/loans/{loan.pk}").status_code == 200
    returned = post(staff, f"/api/v1/lending/loans/{loan.pk}/return", [None, None])
    assert returned.status_code == 422 and returned.json()["code"] == "invalid"
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OUT
    # the same bodies as objects are taken
    assert post(staff, f"/api/v1/lending/loans/{loan.pk}/return", {}).status_code == 200


def test_a_rule_refuses_schema_valid_input_with_400(client_for, demo):
    """The schema allows a resident without gender, birth date or ID number; the rule that
    one of them is needed answers 400 with its field, not the 422 of the schema."""
    body = {"name": "刘芳", "place": demo.resident_household.pk}
    response = post(client_for("community"), "/api/v1/residents", body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "refused"
    assert {e["loc"][0] for e in response.json()["errors"]} <= {"gender", "birth_date"}
    # and the schema's own refusal stays 422
    response = post(client_for("community"), "/api/v1/residents", {**body, "gender": 1})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
