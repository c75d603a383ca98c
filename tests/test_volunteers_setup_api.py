"""The API sets a group up as its pages do: a group, a shift type, a weekly rule, a date
skipped, the coming shifts generated; refusals say why and change nothing; a caller who
does not coordinate the group gets 404."""

from datetime import date, timedelta

import pytest

from linli.volunteers.models import Shift, ShiftRule, ShiftType, VolunteerGroup

from .volunteers_helpers import compound, make_group, make_type

pytestmark = pytest.mark.django_db
API = "/api/v1/volunteers"


def _post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def test_a_group_is_set_up_through_the_api(client_for):
    client = client_for("secretary")
    answer = _post(
        client,
        "/groups",
        {"place": compound().pk, "name": "楼道保洁小组", "kind": "self_management"},
    )
    assert answer.status_code == 201, answer.content
    group = VolunteerGroup.objects.get(pk=answer.json()["id"])
    answer = _post(
        client,
        f"/groups/{group.pk}/shift-types",
        {"kind": "cleaning", "name": "楼道保洁", "skills": ["cleaning"], "rota": "members"},
    )
    assert answer.status_code == 201, answer.content
    shift_type = ShiftType.objects.get(pk=answer.json()["id"])
    assert shift_type.rota == "members"
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday())
    answer = _post(
        client,
        f"/shift-types/{shift_type.pk}/rules",
        {"weekday": 0, "start_time": "08:00", "end_time": "09:00", "from_date": str(monday)},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["start_time"] == "08:00"
    rule = ShiftRule.objects.get(pk=answer.json()["id"])
    answer = _post(
        client, f"/rules/{rule.pk}/exceptions", {"on_date": str(monday), "reason": "停水"}
    )
    assert answer.status_code == 201 and answer.json()["skipped"] is True
    again = _post(client, f"/rules/{rule.pk}/exceptions", {"on_date": str(monday), "reason": "x"})
    assert again.status_code == 409 and again.json()["code"] == "already_excepted"
    answer = _post(
        client, f"/groups/{group.pk}/generate", {"until": str(monday + timedelta(weeks=2))}
    )
    assert answer.status_code == 200 and answer.json()["made"] == 2
    assert Shift.objects.filter(rule=rule).count() == 2


def test_refusals_say_why_and_change_nothing(client_for):
    group = make_group()
    shift_type = make_type(group)
    client = client_for("secretary")
    backwards = _post(
        client,
        f"/shift-types/{shift_type.pk}/rules",
        {"weekday": 1, "start_time": "10:00", "end_time": "09:00", "from_date": "2027-03-02"},
    )
    assert backwards.status_code == 400
    assert not ShiftRule.objects.filter(shift_type=shift_type).exists()
    bad_clock = _post(
        client,
        f"/shift-types/{shift_type.pk}/rules",
        {"weekday": 1, "start_time": "25:00", "end_time": "26:00", "from_date": "2027-03-02"},
    )
    assert bad_clock.status_code == 422
    households = _post(
        client,
        f"/groups/{group.pk}/shift-types",
        {"kind": "cleaning", "name": "x", "room": 999999},
    )
    assert households.status_code == 400 and ShiftType.objects.filter(group=group).count() == 1


@pytest.mark.parametrize("username", ["resident", "street", "property", "volunteer"])
def test_who_does_not_coordinate_gets_404(client_for, username):
    group = make_group()
    shift_type = make_type(group)
    client = client_for(username)
    assert (
        _post(client, "/groups", {"place": compound().pk, "name": "x", "kind": "other"}).status_code
        == 404
    )
    assert (
        _post(
            client, f"/groups/{group.pk}/shift-types", {"kind": "cleaning", "name": "x"}
        ).status_code
        == 404
    )
    rule = {"weekday": 1, "start_time": "09:00", "end_time": "10:00", "from_date": "2027-03-02"}
    assert _post(client, f"/shift-types/{shift_type.pk}/rules", rule).status_code == 404
    assert _post(client, f"/groups/{group.pk}/generate", {"until": "2027-03-30"}).status_code == 404
    assert not VolunteerGroup.objects.filter(name="x").exists()
