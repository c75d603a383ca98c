"""/api/v1/volunteers: a volunteer's profile, shifts and open shifts, signing up and
cancelling with the refusals' codes, the coordinator's board, assigning, applications and
membership steps, and 404 for whoever may not see."""

import pytest

from linli.volunteers import services
from linli.volunteers.models import Membership

from .volunteers_helpers import (
    join,
    make_group,
    make_shift,
    make_type,
    make_user,
    make_volunteer,
    secretary,
)

VOL = "apivol"
pytestmark = pytest.mark.django_db
API = "/api/v1/volunteers"


@pytest.fixture
def world(demo):
    group = make_group(name="接口测试小组")
    shift_type = make_type(group, needed=1)
    volunteer = make_volunteer(user=make_user("apivol"), name="林小雨")
    join(volunteer, group)
    shifts = [make_shift(shift_type, day=day) for day in (1, 2)]
    return group, volunteer, shifts


def test_profile_open_shifts_sign_up_and_cancel(world, client_for):
    group, volunteer, shifts = world
    client = client_for(VOL)
    me = client.get(f"{API}/me").json()["volunteer"]
    assert me["id"] == volunteer.pk and me["memberships"][0]["status"] == "approved"
    visible = client.get(f"{API}/shifts").json()["items"]
    assert [s["id"] for s in visible] == [s.pk for s in shifts]
    coordinator = client_for("secretary").get(f"{API}/shifts").json()["items"]
    assert {s.pk for s in shifts} <= {s["id"] for s in coordinator}
    items = client.get(f"{API}/shifts/open").json()["items"]
    assert [s["id"] for s in items] == [s.pk for s in shifts]
    assert items[0]["taken"] == 0 and items[0]["mine"] is False
    response = client.post(f"{API}/shifts/{shifts[0].pk}/signup")
    assert response.status_code == 201, response.json()
    assignment = response.json()
    assert assignment["status"] == "assigned" and assignment["shift"]["mine"] is True
    again = client.post(f"{API}/shifts/{shifts[0].pk}/signup")
    assert again.status_code == 409 and again.json()["code"] == "already_assigned"
    mine = client.get(f"{API}/shifts/mine").json()["items"]
    assert [a["id"] for a in mine] == [assignment["id"]] and mine[0]["shift"]["taken"] == 1
    cancelled = client.post(
        f"{API}/assignments/{assignment['id']}/cancel", {"reason": "有事"}, "application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"{API}/assignments/{assignment['id']}/cancel", {}, "application/json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_step"


def test_a_full_shift_answers_409_shift_full(world, client_for):
    group, volunteer, shifts = world
    other = make_volunteer()
    join(other, group)
    services.shift_sign_up(actor=other.user, shift=shifts[0])
    response = client_for(VOL).post(f"{API}/shifts/{shifts[0].pk}/signup")
    assert response.status_code == 409 and response.json()["code"] == "shift_full"


def test_the_board_and_assigning(world, client_for):
    group, volunteer, shifts = world
    client = client_for("secretary")
    week = shifts[0].start.date().isoformat()
    board = client.get(f"{API}/groups/{group.pk}/board?week={week}").json()
    assert shifts[0].pk in [s["id"] for s in board]
    assert all(s["gap"] == s["needed"] - s["taken"] for s in board)
    response = client.post(
        f"{API}/shifts/{shifts[0].pk}/assign", {"volunteer": volunteer.pk}, "application/json"
    )
    assert response.status_code == 201 and response.json()["by_coordinator"] is True
    outsider = make_volunteer()
    refused = client.post(
        f"{API}/shifts/{shifts[1].pk}/assign", {"volunteer": outsider.pk}, "application/json"
    )
    assert refused.status_code == 400
    # a volunteer may see the shift but not assign
    forbidden = client_for(VOL).post(
        f"{API}/shifts/{shifts[1].pk}/assign", {"volunteer": volunteer.pk}, "application/json"
    )
    assert forbidden.status_code == 403


def test_applications_and_membership_steps(world, client_for, demo):
    group, *_ = world
    resident = make_volunteer(user=demo.user("resident"))
    client = client_for("resident")
    response = client.post(
        f"{API}/applications", {"group": group.pk, "note": "想帮忙"}, "application/json"
    )
    assert response.status_code == 201 and response.json()["status"] == "applied"
    membership_id = response.json()["id"]
    assert client.get(f"{API}/applications").json()["items"] == []
    secretary = client_for("secretary")
    waiting = secretary.get(f"{API}/applications").json()["items"]
    assert membership_id in [m["id"] for m in waiting]
    own = client.post(f"{API}/memberships/{membership_id}/approve", {}, "application/json")
    assert own.status_code == 403
    approved = secretary.post(f"{API}/memberships/{membership_id}/approve", {}, "application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    left = client.post(f"{API}/memberships/{membership_id}/leave", {}, "application/json")
    assert left.json()["status"] == "left"
    assert Membership.objects.get(pk=membership_id).volunteer == resident


def test_people_are_masked_and_hidden_from_others(world, client_for):
    group, volunteer, shifts = world
    student = services.volunteer_register(
        actor=secretary(), name="王同学", phone="13912345678", id_number="11010519491231002X"
    )
    services.membership_apply(actor=secretary(), volunteer=student, group=group)
    detail = client_for("secretary").get(f"{API}/people/{student.pk}").json()
    assert detail["phone"] == "139****5678" and detail["id_number"] == "110105********002X"
    people = client_for("secretary").get(f"{API}/people").json()["items"]
    assert {student.pk, volunteer.pk} <= {p["id"] for p in people}
    for username in ("resident", "property", "district"):
        client = client_for(username)
        assert client.get(f"{API}/people/{student.pk}").status_code == 404
        assert client.get(f"{API}/shifts/{shifts[0].pk}").status_code == 404
        assert client.post(f"{API}/shifts/{shifts[0].pk}/signup").status_code == 404
        assert client.get(f"{API}/groups/{group.pk}/board").status_code == 404
        assert client.get(f"{API}/people").json()["items"] == []
    assert client_for("resident").get(f"{API}/me").json() == {
        "volunteer": None,
        "coordinates": False,
    }
    assert client_for("resident").get(f"{API}/shifts").json()["items"] == []
