"""The volunteers' pages: my shifts, open shifts (sign up, cancel), the coordinator's board
(gaps, assigning), the volunteers and a profile (masked numbers), applications to decide
and joining a group; each with a bounded number of queries, 404 for whoever may not see."""

import pytest
from django.urls import reverse

from linli.volunteers import services
from linli.volunteers.models import Assignment, AssignmentStatus, Membership, MembershipStatus

from .volunteers_helpers import (
    join,
    make_group,
    make_shift,
    make_type,
    make_user,
    make_volunteer,
    secretary,
)

VOL = "pagevol"
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    group = make_group(name="页面测试小组")
    shift_type = make_type(group, needed=2)
    volunteer = make_volunteer(user=make_user(VOL), skills=["room_keeping"], name="林小雨")
    join(volunteer, group)
    shifts = [make_shift(shift_type, day=day) for day in range(1, 6)]
    return group, shift_type, volunteer, shifts


def test_my_shifts_and_open_shifts_with_sign_up_and_cancel(world, client_for):
    group, _type, volunteer, shifts = world
    client = client_for(VOL)
    page = client.get(reverse("volunteers:shift-open"))
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="open-shift"') == 5
    response = client.post(
        reverse("volunteers:shift-signup", args=[shifts[0].pk]),
        {"next": reverse("volunteers:shift-mine")},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(shift=shifts[0], volunteer=volunteer)
    mine = client.get(reverse("volunteers:shift-mine")).content.decode()
    assert 'data-testid="my-shift"' in mine and "会客厅值班" in mine
    assert "/volunteers/feed/" in mine
    client.post(reverse("volunteers:assignment-cancel", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CANCELLED


def test_a_refused_sign_up_says_why(world, client_for):
    group, shift_type, volunteer, shifts = world
    full = make_shift(shift_type, day=7, needed=1)
    other = make_volunteer(skills=["room_keeping"])
    join(other, group)
    services.shift_sign_up(actor=other.user, shift=full)
    client = client_for(VOL)
    response = client.post(reverse("volunteers:shift-signup", args=[full.pk]), follow=True)
    assert "full" in response.content.decode() or "已满" in response.content.decode()
    assert not Assignment.objects.filter(shift=full, volunteer=volunteer).exists()


def test_pages_cost_a_bounded_number_of_queries(world, client_for, django_assert_max_num_queries):
    group, shift_type, volunteer, shifts = world
    for shift in shifts:
        services.shift_sign_up(actor=volunteer.user, shift=shift)
    for _n in range(3):
        extra = make_volunteer(skills=["room_keeping"])
        join(extra, group)
    pages = {
        VOL: [
            reverse("volunteers:shift-mine"),
            reverse("volunteers:shift-open"),
            reverse("volunteers:volunteer-detail", args=[volunteer.pk]),
        ],
        "secretary": [
            reverse("volunteers:board") + f"?group={group.pk}&week={shifts[0].start:%Y-%m-%d}",
            reverse("volunteers:volunteer-list"),
            reverse("volunteers:membership-applications"),
        ],
    }
    for username, urls in pages.items():
        client = client_for(username)
        for url in urls:
            with django_assert_max_num_queries(30):
                assert client.get(url).status_code == 200, url


def test_the_board_shows_gaps_and_a_coordinator_assigns(world, client_for):
    group, shift_type, volunteer, shifts = world
    client = client_for("secretary")
    url = reverse("volunteers:board") + f"?group={group.pk}&week={shifts[0].start:%Y-%m-%d}"
    page = client.get(url).content.decode()
    assert 'data-testid="gap"' in page
    client.post(
        reverse("volunteers:shift-assign", args=[shifts[0].pk]),
        {"volunteer": volunteer.pk, "next": url},
    )
    assert Assignment.objects.get(shift=shifts[0], volunteer=volunteer).by_coordinator


def test_applications_are_decided_on_their_page(world, client_for, demo):
    group, *_ = world
    applicant = make_volunteer(name="申请人")
    membership = services.membership_apply(actor=applicant.user, volunteer=applicant, group=group)
    client = client_for("secretary")
    page = client.get(reverse("volunteers:membership-applications")).content.decode()
    assert "申请人" in page
    client.post(reverse("volunteers:membership-step", args=[membership.pk]), {"step": "approve"})
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.APPROVED


def test_an_outsiders_profile_is_masked(world, client_for):
    group, *_ = world
    student = services.volunteer_register(
        actor=secretary(),
        name="王同学",
        school="大同大学",
        phone="13912345678",
        id_number="11010519491231002X",
    )
    services.membership_apply(actor=secretary(), volunteer=student, group=group)
    page = (
        client_for("secretary")
        .get(reverse("volunteers:volunteer-detail", args=[student.pk]))
        .content.decode()
    )
    assert "139****5678" in page and "13912345678" not in page
    assert "110105********002X" in page and "11010519491231002X" not in page


@pytest.mark.parametrize("username", ["resident", "property", "doctor", "patrol", "district"])
def test_others_get_404(world, client_for, username):
    group, shift_type, volunteer, shifts = world
    client = client_for(username)
    for url in (
        reverse("volunteers:shift-open"),
        reverse("volunteers:board"),
        reverse("volunteers:volunteer-list"),
        reverse("volunteers:membership-applications"),
        reverse("volunteers:volunteer-detail", args=[volunteer.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("volunteers:shift-signup", args=[shifts[0].pk])).status_code == 404
    assert client.post(reverse("volunteers:shift-assign", args=[shifts[0].pk])).status_code == 404


def test_a_resident_joins_a_group_of_their_compound(world, client_for, demo):
    group, *_ = world
    client = client_for("resident")
    page = client.get(reverse("volunteers:join")).content.decode()
    assert "页面测试小组" in page
    client.post(reverse("volunteers:join"), {"group": group.pk, "skills": ["cleaning"]})
    membership = Membership.objects.get(group=group, volunteer__user=demo.user("resident"))
    assert membership.status == MembershipStatus.APPLIED
    assert membership.volunteer.resident is not None
    # now a volunteer: they see their (empty) shifts page
    assert client.get(reverse("volunteers:shift-mine")).status_code == 200


def test_the_private_feed_lists_the_volunteers_own_shifts(world, client_for):
    from linli.volunteers import ical

    group, shift_type, volunteer, shifts = world
    services.shift_sign_up(actor=volunteer.user, shift=shifts[1])
    url = ical.feed_url(volunteer.user)
    response = client_for("resident").get(url)  # the token is the credential
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 1 and "会客厅值班" in body
    assert client_for("resident").get("/volunteers/feed/nonsense.ics").status_code == 404
