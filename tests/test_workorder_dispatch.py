"""Dispatch goes only to organisations serving the worker's places: the form lists those and
offers the category's handler first; anything else is not found, on the page and the API."""

import pytest
from django.core.exceptions import ValidationError

from linli.places.models import Organisation
from linli.workorders import services
from linli.workorders.models import Category, EventKind, Status
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db
UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"


@pytest.fixture
def accepted(demo):
    seed_categories()
    order = services.order_file(
        actor=demo.user("resident"),
        category=Category.objects.get(code="corridor-light"),
        place=demo.place(UNIT),
        title="楼道灯不亮",
    )
    return services.order_accept(actor=demo.user("community"), order=order)


@pytest.fixture
def elsewhere(demo):
    """A clinic of another street: not one the Nanguanfang worker may dispatch to."""
    return Organisation.objects.create(
        name="别处诊所", kind="clinic", place=demo.place("平城区/清远街道")
    )


@pytest.fixture
def nearby(demo):
    """A clinic in the worker's community, listed before the property company."""
    return Organisation.objects.create(
        name="站东卫生站", kind="clinic", place=demo.place("平城区/鹿苑街道/站东社区")
    )


def _unchanged(order):
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED and order.organisation_id is None
    assert not order.events.filter(kind=EventKind.DISPATCHED).exists()


def test_the_page_refuses_an_organisation_out_of_scope_with_404(client_for, accepted, elsewhere):
    response = client_for("community").post(
        f"/orders/{accepted.pk}/step/", {"step": "dispatch", "organisation": elsewhere.pk}
    )
    assert response.status_code == 404
    _unchanged(accepted)


def test_the_api_refuses_an_organisation_out_of_scope_with_404(client_for, accepted, elsewhere):
    response = client_for("community").post(
        f"/api/v1/orders/{accepted.pk}/steps",
        {"step": "dispatch", "organisation": elsewhere.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    _unchanged(accepted)


def test_the_service_refuses_it_too(demo, accepted, elsewhere):
    with pytest.raises(ValidationError) as refused:
        services.order_dispatch(
            actor=demo.user("community"), order=accepted, organisation=elsewhere
        )
    assert "organisation" in refused.value.message_dict
    _unchanged(accepted)


def test_the_form_lists_only_organisations_in_scope_and_offers_the_handler(
    client_for, accepted, elsewhere, nearby
):
    page = client_for("community").get(f"/orders/{accepted.pk}/").content.decode()
    handler = accepted.category.organisation
    assert nearby.name in page and handler.name in page
    assert elsewhere.name not in page
    assert f'<option value="{handler.pk}" selected>' in page
    assert f'<option value="{nearby.pk}" selected>' not in page


def test_dispatch_to_an_organisation_in_scope(client_for, accepted, nearby):
    response = client_for("community").post(
        f"/api/v1/orders/{accepted.pk}/steps",
        {"step": "dispatch", "organisation": nearby.pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    accepted.refresh_from_db()
    assert accepted.status == Status.DISPATCHED and accepted.organisation == nearby
