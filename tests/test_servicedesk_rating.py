"""The 好差评 of a finished case (issue 15, item 6): the resident whose case it is rates it
once it is done, on the five levels; a dissatisfied rating says what went wrong; nobody else
rates it, and a refusal keeps what was chosen and changes nothing."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from linli.core.errors import ConflictError, ForbiddenError
from linli.servicedesk import services
from linli.servicedesk.models import CaseEvent, CaseRating

from .test_servicedesk_cases import (  # noqa: F401 (fixtures)
    matter,
    open_case,
    post,
    resident,
    step,
    tick_all,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_case(demo, matter, resident):  # noqa: F811
    case = open_case(demo, matter, resident)
    tick_all(demo, case)
    step(demo, case, "accept")
    step(demo, case, "approve")
    return step(demo, case, "finish")


def test_the_resident_rates_a_done_case_on_its_page(demo, done_case, client_for):
    client = client_for("resident")
    page = client.get(f"/servicedesk/cases/{done_case.pk}/").content.decode()
    assert 'data-testid="rate"' in page and 'value="very_satisfied"' in page
    response = client.post(
        f"/servicedesk/cases/{done_case.pk}/rating/",
        {"rating": CaseRating.VERY_SATISFIED, "comment": "跑一次就办好了"},
    )
    assert response.status_code == 302
    done_case.refresh_from_db()
    assert done_case.rating == CaseRating.VERY_SATISFIED and done_case.rated_at
    rated = CaseEvent.objects.filter(case=done_case, kind="rated")
    assert list(rated.values_list("data", flat=True)) == [{"rating": "very_satisfied"}]
    # the desk sees it; the form is gone
    desk = client_for("community").get(f"/servicedesk/cases/{done_case.pk}/").content.decode()
    assert 'data-rating="very_satisfied"' in desk and "跑一次就办好了" in desk
    again = client.get(f"/servicedesk/cases/{done_case.pk}/").content.decode()
    assert 'data-testid="rate"' not in again
    # the comment is encrypted at rest and kept off the timeline
    with connection.cursor() as cursor:
        cursor.execute("select rating_comment from servicedesk_case where id = %s", [done_case.pk])
        assert "跑一次" not in cursor.fetchone()[0]
    assert not CaseEvent.objects.filter(case=done_case, note__contains="跑一次").exists()


def test_a_dissatisfied_rating_needs_a_reason_and_keeps_the_choice(demo, done_case, client_for):
    client = client_for("resident")
    response = client.post(
        f"/servicedesk/cases/{done_case.pk}/rating/", {"rating": CaseRating.DISSATISFIED}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'value="dissatisfied"[^>]*checked', html)  # the choice is kept
    done_case.refresh_from_db()
    assert done_case.rating == "" and not CaseEvent.objects.filter(case=done_case, kind="rated")
    ok = client.post(
        f"/servicedesk/cases/{done_case.pk}/rating/",
        {"rating": CaseRating.DISSATISFIED, "comment": "等了很久才通知结果"},
    )
    assert ok.status_code == 302
    done_case.refresh_from_db()
    assert done_case.rating == CaseRating.DISSATISFIED


def test_rated_once_only_when_done_and_only_by_its_resident(demo, matter, resident, done_case):  # noqa: F811
    open_one = open_case(demo, matter, resident)
    with pytest.raises(ConflictError) as refused:
        services.case_rate(actor=demo.user("resident"), case=open_one, rating="satisfied")
    assert refused.value.code == "not_done"
    with pytest.raises(ForbiddenError):
        services.case_rate(actor=demo.user("community"), case=done_case, rating="satisfied")
    with pytest.raises(ValidationError):
        services.case_rate(actor=demo.user("resident"), case=done_case, rating="great")
    services.case_rate(actor=demo.user("resident"), case=done_case, rating="satisfied")
    with pytest.raises(ConflictError) as twice:
        services.case_rate(actor=demo.user("resident"), case=done_case, rating="fairly")
    assert twice.value.code == "rated"
    done_case.refresh_from_db()
    assert done_case.rating == "satisfied"


def test_the_api_rates_and_answers_with_the_case(demo, done_case, client_for):
    url = f"/api/v1/servicedesk/cases/{done_case.pk}/rating"
    desk = client_for("community")
    assert post(desk, url, {"rating": "satisfied"}).status_code == 403
    assert post(client_for("property"), url, {"rating": "satisfied"}).status_code == 404
    resident_client = client_for("resident")
    refused = post(resident_client, url, {"rating": "very_dissatisfied"})
    assert refused.status_code == 400 and refused.json()["code"] == "refused"
    body = post(resident_client, url, {"rating": "fairly", "comment": ""}).json()
    assert body["rating"] == "fairly" and body["rated_at"]
    assert body["timeline"][-1]["kind"] == "rated"
    assert post(resident_client, url, {"rating": "fairly"}).json()["code"] == "rated"
