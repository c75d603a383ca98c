"""Setting a volunteer group up from the pages, without the admin: the staff over a compound
set up a group, choose its coordinators, add a shift type (on a rota or by sign-up), give
it a weekly rule, skip or move a date and generate the coming shifts. A refused form is
shown again with what was typed and changes nothing; nobody outside the group's
coordinators sees the pages (404); the group's page takes a bounded number of queries."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from linli.volunteers.models import (
    Membership,
    RotaMode,
    Shift,
    ShiftRule,
    ShiftRuleException,
    ShiftType,
    VolunteerGroup,
)

from .volunteers_helpers import compound, join, make_group, make_type, make_volunteer

pytestmark = pytest.mark.django_db


def _next(weekday: int, weeks: int = 1) -> date:
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def test_the_staff_set_a_group_up_from_the_pages(client_for):
    client = client_for("secretary")
    form = client.get(reverse("volunteers:group-create"))
    assert form.status_code == 200 and "南官房小区" in form.content.decode()
    response = client.post(
        reverse("volunteers:group-create"),
        {
            "place": compound().pk,
            "name": "楼道保洁小组",
            "kind": "self_management",
            "max_consecutive": 2,
            "swap_needs_approval": "on",
        },
    )
    group = VolunteerGroup.objects.get(name="楼道保洁小组")
    assert response.status_code == 302 and response.url == reverse(
        "volunteers:group-detail", args=[group.pk]
    )
    assert group.place == compound() and group.swap_needs_approval

    response = client.post(
        reverse("volunteers:shift-type-create", args=[group.pk]),
        {
            "type-kind": "cleaning",
            "type-name": "6号楼楼道保洁",
            "type-needed": 1,
            "type-skills": ["cleaning"],
            "type-rota": RotaMode.MEMBERS,
        },
    )
    assert response.status_code == 302
    shift_type = ShiftType.objects.get(group=group)
    assert shift_type.rota == RotaMode.MEMBERS and shift_type.skills == ["cleaning"]

    first = _next(5)  # a Saturday at least a week away
    response = client.post(
        reverse("volunteers:rule-create", args=[shift_type.pk]),
        {
            f"rule-{shift_type.pk}-weekday": 5,
            f"rule-{shift_type.pk}-start_time": "08:00",
            f"rule-{shift_type.pk}-end_time": "09:30",
            f"rule-{shift_type.pk}-from_date": first.isoformat(),
        },
    )
    assert response.status_code == 302
    rule = ShiftRule.objects.get(shift_type=shift_type)

    skipped = first + timedelta(weeks=1)
    response = client.post(
        reverse("volunteers:rule-except", args=[rule.pk]),
        {f"except-{rule.pk}-on_date": skipped.isoformat(), f"except-{rule.pk}-reason": "国庆"},
    )
    assert response.status_code == 302
    assert ShiftRuleException.objects.get(rule=rule).on_date == skipped

    until = first + timedelta(weeks=3)
    response = client.post(
        reverse("volunteers:shifts-generate", args=[group.pk]),
        {"generate-until": until.isoformat()},
    )
    assert response.status_code == 302 and f"group={group.pk}" in response.url
    days = sorted(s.rule_date for s in Shift.objects.filter(rule=rule))
    assert days == [first, first + timedelta(weeks=2), first + timedelta(weeks=3)]

    page = client.get(reverse("volunteers:group-detail", args=[group.pk])).content.decode()
    assert "6号楼楼道保洁" in page and "国庆" in page and "08:00–09:30" in page


def test_a_refused_rule_is_shown_again_with_what_was_typed(client_for):
    group = make_group()
    shift_type = make_type(group)
    client = client_for("secretary")
    response = client.post(
        reverse("volunteers:rule-create", args=[shift_type.pk]),
        {
            f"rule-{shift_type.pk}-weekday": 2,
            f"rule-{shift_type.pk}-start_time": "15:00",
            f"rule-{shift_type.pk}-end_time": "14:00",
            f"rule-{shift_type.pk}-from_date": "2027-03-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "结束" in page or "ends after" in page
    assert 'value="15:00"' in page and 'value="2027-03-01"' in page
    assert not ShiftRule.objects.filter(shift_type=shift_type).exists()


def test_a_rota_over_households_needs_a_compound(client_for, demo):
    from linli.volunteers import services

    group = services.group_create(
        actor=demo.user("community"), place=demo.zhandong, name="社区志愿队", kind="other"
    )
    response = client_for("community").post(
        reverse("volunteers:shift-type-create", args=[group.pk]),
        {"type-kind": "cleaning", "type-name": "楼道", "type-needed": 1, "type-rota": "households"},
    )
    assert response.status_code == 400
    assert not ShiftType.objects.filter(group=group).exists()


def test_the_staff_choose_the_coordinators_and_a_coordinator_may_not(client_for):
    group = make_group()
    chosen = join(make_volunteer(name="王大伟"), group)
    manager = join(make_volunteer(name="李秀英"), group, coordinator=True)
    url = reverse("volunteers:membership-coordinator", args=[chosen.pk])
    assert client_for("secretary").post(url, {"on": "1"}).status_code == 302
    assert Membership.objects.get(pk=chosen.pk).is_coordinator
    # a duty manager coordinates shifts but does not choose the group's coordinators
    from django.test import Client

    duty = Client()
    duty.force_login(manager.volunteer.user)
    assert duty.get(reverse("volunteers:group-detail", args=[group.pk])).status_code == 200
    assert duty.post(url, {"on": "0"}).status_code == 404
    assert Membership.objects.get(pk=chosen.pk).is_coordinator


@pytest.mark.parametrize("username", ["resident", "property", "street", "volunteer", "doctor"])
def test_nobody_else_sees_or_changes_the_set_up(client_for, username):
    group = make_group()
    shift_type = make_type(group)
    client = client_for(username)
    assert client.get(reverse("volunteers:group-detail", args=[group.pk])).status_code == 404
    assert client.get(reverse("volunteers:group-create")).status_code == 404
    posted = client.post(
        reverse("volunteers:shift-type-create", args=[group.pk]),
        {"type-kind": "cleaning", "type-name": "x", "type-needed": 1},
    )
    assert posted.status_code == 404
    rule = client.post(
        reverse("volunteers:rule-create", args=[shift_type.pk]),
        {f"rule-{shift_type.pk}-weekday": 1},
    )
    assert rule.status_code == 404
    assert ShiftType.objects.filter(group=group).count() == 1


def test_the_group_page_takes_a_bounded_number_of_queries(
    client_for, django_assert_max_num_queries
):
    group = make_group()
    client = client_for("secretary")
    for n in range(6):
        shift_type = make_type(group, name=f"值班{n}")
        for weekday in range(3):
            client.post(
                reverse("volunteers:rule-create", args=[shift_type.pk]),
                {
                    f"rule-{shift_type.pk}-weekday": weekday,
                    f"rule-{shift_type.pk}-start_time": "09:00",
                    f"rule-{shift_type.pk}-end_time": "11:00",
                    f"rule-{shift_type.pk}-from_date": "2027-03-01",
                },
            )
        join(make_volunteer(name=f"成员{n}"), group)
    assert ShiftRule.objects.filter(shift_type__group=group).count() == 18
    with django_assert_max_num_queries(20):
        page = client.get(reverse("volunteers:group-detail", args=[group.pk]))
    assert page.content.decode().count('data-testid="rule"') == 18
