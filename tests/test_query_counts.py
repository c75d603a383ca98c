"""Pages issue a bounded number of queries whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.actors import SYSTEM
from linli.places.models import Organisation
from linli.places.services import place_create, places_bulk_create

pytestmark = pytest.mark.django_db


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_place_page_costs_the_same_for_few_and_many_children(client_for, demo):
    client = client_for("district")
    few = place_create(actor=SYSTEM, kind="street", name="小街道", parent=demo.district)
    places_bulk_create(actor=SYSTEM, parent=few, kind="community", names=["一社区", "二社区"])
    many = place_create(actor=SYSTEM, kind="street", name="大街道", parent=demo.district)
    communities = places_bulk_create(
        actor=SYSTEM, parent=many, kind="community", names=[f"社区{i}" for i in range(300)]
    )
    for community in communities[:60]:
        places_bulk_create(
            actor=SYSTEM, parent=community, kind="compound", names=["甲小区", "乙小区"]
        )
    assert queries(client, f"/places/{few.pk}/") == queries(client, f"/places/{many.pk}/")


def test_organisation_list_costs_the_same_for_few_and_many(client_for, demo):
    from linli.places.services import organisation_create

    client = client_for("district")
    before = queries(client, "/organisations/")
    for i in range(80):
        organisation_create(
            actor=SYSTEM, name=f"志愿队{i}", kind="volunteer_team", place=demo.zhandong
        )
    assert Organisation.objects.count() > 90
    assert queries(client, "/organisations/") == before


def test_api_place_list_costs_the_same_whatever_the_page_size(client_for):
    client = client_for("district")
    small = queries(client, "/api/v1/places?limit=5")
    large = queries(client, "/api/v1/places?limit=500")
    assert small == large
