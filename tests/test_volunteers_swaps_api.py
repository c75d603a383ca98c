"""/api/v1/volunteers: offering, taking, approving, declining and withdrawing swaps with the
refusals' codes; the open offers, one's own and the approvals; the rota of this week and next,
filling it; absences entered and taken off; 404 for whoever may not see."""

from datetime import timedelta

import pytest

from linli.volunteers import services
from linli.volunteers.models import ShiftType, VolunteerGroup

from .volunteers_helpers import join, make_group, make_shift, make_type, make_user, make_volunteer

pytestmark = pytest.mark.django_db
API = "/api/v1/volunteers"


@pytest.fixture
def world(demo):
    group = make_group(name="接口换班小组")
    VolunteerGroup.objects.filter(pk=group.pk).update(swap_needs_approval=True)
    shift_type = make_type(group, needed=1)
    offerer = make_volunteer(user=make_user("apiswap1"), name="张一")
    taker = make_volunteer(user=make_user("apiswap2"), name="李二")
    join(offerer, group)
    join(taker, group)
    shift = make_shift(shift_type, day=2)
    assignment = services.shift_sign_up(actor=offerer.user, shift=shift)
    return group, shift_type, offerer, taker, shift, assignment


def test_offer_take_approve_over_the_api(world, client_for):
    group, _t, offerer, taker, shift, assignment = world
    mine, other, secretary = client_for("apiswap1"), client_for("apiswap2"), client_for("secretary")
    response = mine.post(
        f"{API}/assignments/{assignment.pk}/swap", {"note": "出差"}, "application/json"
    )
    assert response.status_code == 201, response.json()
    swap = response.json()
    assert swap["status"] == "offered" and swap["offered_by_you"] and "withdraw" in swap["steps"]
    again = mine.post(f"{API}/assignments/{assignment.pk}/swap", {}, "application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_offered"
    listed = other.get(f"{API}/swaps").json()["items"]
    assert [s["id"] for s in listed] == [swap["id"]] and listed[0]["steps"] == ["take"]
    taken = other.post(f"{API}/swaps/{swap['id']}/take", {}, "application/json")
    assert taken.status_code == 200 and taken.json()["status"] == "pending"
    assert taken.json()["taker"] == "李二"
    refused = other.post(f"{API}/swaps/{swap['id']}/approve", {}, "application/json")
    assert refused.status_code == 403
    approvals = secretary.get(f"{API}/swaps/approvals").json()["items"]
    assert swap["id"] in [s["id"] for s in approvals]
    done = secretary.post(f"{API}/swaps/{swap['id']}/approve", {}, "application/json").json()
    assert done["status"] == "done"
    assert [e["kind"] for e in done["events"]] == ["offered", "taken", "approved"]
    late = other.post(f"{API}/swaps/{swap['id']}/take", {}, "application/json")
    assert late.status_code == 409 and late.json()["code"] == "illegal_step"
    outsider = make_volunteer(user=make_user("apiswap3"))
    assert outsider
    assert client_for("apiswap3").get(f"{API}/swaps/{swap['id']}").status_code == 404


def test_the_rota_and_absences_over_the_api(world, client_for):
    group, _t, offerer, taker, shift, _a = world
    cleaning = make_type(group, needed=1, kind="cleaning", name="会客厅保洁")
    ShiftType.objects.filter(pk=cleaning.pk).update(rota="members")
    start = shift.start + timedelta(hours=8)
    first = services.shift_create(
        actor=make_secretary(), shift_type=cleaning, start=start, end=start + timedelta(hours=1)
    )
    secretary = client_for("secretary")
    filled = secretary.post(f"{API}/rota/{cleaning.pk}/fill")
    assert filled.status_code == 200 and filled.json()["made"] == 1
    rota = client_for("apiswap1").get(f"{API}/rota").json()
    row = next(r for r in rota if r["id"] == first.pk)
    assert row["rota"] == "members" and len(row["people"]) == 1
    assert client_for("apiswap1").post(f"{API}/rota/{_t.pk}/fill").status_code == 404
    day = start.date().isoformat()
    response = client_for("apiswap2").post(
        f"{API}/absences",
        {"group": group.pk, "volunteer": offerer.pk, "from_date": day, "until_date": day},
        "application/json",
    )
    assert response.status_code == 403
    response = client_for("apiswap2").post(
        f"{API}/absences",
        {"group": group.pk, "volunteer": taker.pk, "from_date": day, "until_date": day},
        "application/json",
    )
    assert response.status_code == 201, response.json()
    absence = response.json()
    assert [a["id"] for a in client_for("apiswap2").get(f"{API}/absences").json()["items"]] == [
        absence["id"]
    ]
    removed = client_for("apiswap2").post(f"{API}/absences/{absence['id']}/remove")
    assert removed.status_code == 200
    assert client_for("apiswap2").get(f"{API}/absences").json()["items"] == []


def make_secretary():
    from .volunteers_helpers import secretary

    return secretary()
