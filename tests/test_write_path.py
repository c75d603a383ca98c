"""The write path takes the fewest queries the engine allows: filing an order through the
API, and a step on it, each in a fixed number of queries (session, user, grants, the rows
it touches, one insert per event and audit entry; the answer comes from what it wrote)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.workorders.models import Status, WorkOrder
from linli.workorders.seed import seed_categories

pytestmark = pytest.mark.django_db
UNIT = "平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元"


@pytest.fixture
def filing(client_for, demo):
    seed_categories()
    resident = client_for("resident")
    body = {"category": "corridor-light", "place": demo.place(UNIT).pk, "title": "灯不亮"}

    def file():
        return resident.post("/api/v1/orders", body, content_type="application/json")

    file()  # the first request of a client also loads what later ones find cached
    return file


def test_filing_through_the_api_takes_a_fixed_number_of_queries(filing, client_for):
    with CaptureQueriesContext(connection) as queries:
        response = filing()
    assert response.status_code == 201, response.content
    assert len(queries) <= 10, "\n".join(q["sql"][:120] for q in queries)
    body = response.json()
    assert WorkOrder.objects.get(pk=body["id"]).events.count() == 1
    assert [e["kind"] for e in body["timeline"]] == ["filed"] and body["photos"] == []
    assert body["place_path"].endswith("6号楼/1单元") and body["number"]
    # answered from what the filing wrote, it is what reading the order back gives
    again = client_for("resident").get(f"/api/v1/orders/{body['id']}").json()
    assert body["timeline"] == again["timeline"] and body["timeline"][0]["actor"]


def test_a_step_takes_a_fixed_number_of_queries(filing, client_for):
    order_id = filing().json()["id"]
    community = client_for("community")
    community.get(f"/api/v1/orders/{order_id}")
    with CaptureQueriesContext(connection) as queries:
        response = community.post(
            f"/api/v1/orders/{order_id}/steps", {"step": "accept"}, content_type="application/json"
        )
    assert response.status_code == 200, response.content
    assert WorkOrder.objects.get(pk=order_id).status == Status.ACCEPTED
    assert len(queries) <= 12, "\n".join(q["sql"][:120] for q in queries)


def test_with_the_database_queue_the_notification_commits_with_the_step(settings, demo):
    """The notification task's row is written in the step's transaction: it is there once
    the step commits, and gone if the step rolls back (one commit for both)."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from linli.workorders import services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    seed_categories()
    before = DBTaskResult.objects.count()

    class Undo(Exception):
        pass

    def file():
        return services.order_file(
            actor=demo.user("resident"),
            category=services.Category.objects.get(code="corridor-light"),
            place=demo.place(UNIT),
            title="灯不亮",
        )

    try:
        with transaction.atomic():
            file()
            assert DBTaskResult.objects.count() == before + 1  # inside, before any commit
            raise Undo
    except Undo:
        pass
    assert DBTaskResult.objects.count() == before
    file()
    task = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert task.task_path == "linli.workorders.tasks.notify_event_task"
