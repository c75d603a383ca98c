"""/api/v1/volunteers: signing in and out (the poster and the coordinator), the no-show,
confirming hours into the ledger, a correction, issuing a record, lifting the pause — each
refusal with its code, 404 for whoever may not see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.volunteers import services
from linli.volunteers.models import ShiftType

from .volunteers_helpers import join, make_group, make_type, make_user, make_volunteer, secretary

VOL = "attapivol"
API = "/api/v1/volunteers"
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    group = make_group(name="签到接口小组")
    shift_type = make_type(group, needed=2)
    volunteer = make_volunteer(user=make_user(VOL), name="林接口")
    join(volunteer, group)
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=20)
    shift = services.shift_create(
        actor=secretary(), shift_type=shift_type, start=start, end=start + timedelta(hours=2)
    )
    assignment = services.shift_assign(actor=secretary(), shift=shift, volunteer=volunteer)
    return group, shift_type, volunteer, shift, assignment


def test_sign_in_late_sign_out_confirm_correct_and_issue(world, client_for):
    group, shift_type, volunteer, shift, assignment = world
    client = client_for(VOL)
    coordinator = client_for("secretary")
    # a volunteer gives no other time than now
    at = timezone.localtime(shift.start).isoformat()
    refused = client.post(
        f"{API}/assignments/{assignment.pk}/sign-in", {"at": at}, "application/json"
    )
    assert refused.status_code == 403
    assert (
        client_for("resident")
        .post(f"{API}/assignments/{assignment.pk}/sign-in", {}, "application/json")
        .status_code
        == 404
    )
    signed = client.post(f"{API}/assignments/{assignment.pk}/sign-in", {}, "application/json")
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "on_duty" and signed.json()["minutes_late"] >= 20
    again = client.post(f"{API}/assignments/{assignment.pk}/sign-in", {}, "application/json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_step"
    out = coordinator.post(f"{API}/assignments/{assignment.pk}/sign-out", {}, "application/json")
    assert out.status_code == 200 and out.json()["status"] == "served"
    own = client.post(f"{API}/assignments/{assignment.pk}/confirm", {}, "application/json")
    assert own.status_code == 403
    entry = coordinator.post(f"{API}/assignments/{assignment.pk}/confirm", {}, "application/json")
    assert entry.status_code == 201, entry.json()
    entry_id = entry.json()["id"]
    twice = coordinator.post(f"{API}/assignments/{assignment.pk}/confirm", {}, "application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_confirmed"
    no_reason = coordinator.post(
        f"{API}/hours/{entry_id}/correct", {"hours": 1, "reason": ""}, "application/json"
    )
    assert no_reason.status_code in (400, 422)
    fixed = coordinator.post(
        f"{API}/hours/{entry_id}/correct",
        {"hours": 1.5, "reason": "补记整理时间"},
        "application/json",
    )
    assert fixed.status_code == 201 and fixed.json()["corrects"] == entry_id
    mine = client.get(f"{API}/hours").json()["items"]
    assert {e["kind"] for e in mine} == {"service", "correction"}
    ledger = coordinator.get(f"{API}/groups/{group.pk}/hours").json()["items"]
    assert len(ledger) == 2
    assert client.get(f"{API}/groups/{group.pk}/hours").status_code == 404
    record = coordinator.post(
        f"{API}/groups/{group.pk}/records", {"volunteer": volunteer.pk}, "application/json"
    )
    assert record.status_code == 201, record.json()
    total = sum(e["hours"] for e in mine)
    assert abs(record.json()["total_hours"] - total) < 0.01
    assert [r["number"] for r in client.get(f"{API}/records").json()["items"]] == [
        record.json()["number"]
    ]


def test_poster_sign_in_refusals_no_show_and_lift_pause(world, client_for):
    group, shift_type, volunteer, shift, assignment = world
    token = services.shift_type_sign_in_token(actor=secretary(), shift_type=shift_type)
    assert ShiftType.objects.get(pk=shift_type.pk).sign_in_token == token
    stranger = client_for("resident").post(f"{API}/sign-in/{token}")
    assert stranger.status_code == 409 and stranger.json()["code"] == "not_on_shift"
    assert client_for(VOL).post(f"{API}/sign-in/unknown").status_code == 404
    no_show = client_for("secretary").post(
        f"{API}/assignments/{assignment.pk}/no-show", {}, "application/json"
    )
    assert no_show.status_code == 200 and no_show.json()["status"] == "no_show"
    lift = client_for("secretary").post(f"{API}/people/{volunteer.pk}/lift-pause")
    assert lift.status_code == 409 and lift.json()["code"] == "not_paused"
    assert client_for("resident").post(f"{API}/people/{volunteer.pk}/lift-pause").status_code == 404
