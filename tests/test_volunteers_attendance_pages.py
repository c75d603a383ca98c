"""The pages of sign-in and the hours ledger: the QR poster and the phone page it opens,
the board's sign-in, no-show and confirmation, my hours, a group's ledger with a
correction and its export, the printable record with the audited reveal, the public
check — each a bounded number of queries, 404 for whoever may not see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.audit import AuditEvent
from linli.volunteers import services
from linli.volunteers.models import AssignmentStatus, HoursEntry, ShiftType

from .volunteers_helpers import (
    at,
    join,
    make_group,
    make_shift,
    make_type,
    make_user,
    make_volunteer,
)

VOL = "attvol"
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    group = make_group(name="签到页面小组")
    shift_type = make_type(group, needed=2)
    volunteer = make_volunteer(user=make_user(VOL), name="林小签", id_number="140203200405206216")
    join(volunteer, group)
    now = timezone.now()
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=10)
    shift = services.shift_create(
        actor=demo.user("secretary"),
        shift_type=shift_type,
        start=start,
        end=start + timedelta(hours=2),
    )
    assignment = services.shift_assign(
        actor=demo.user("secretary"), shift=shift, volunteer=volunteer
    )
    return group, shift_type, volunteer, shift, assignment


def _poster_url(client, shift_type) -> str:
    page = client.get(reverse("volunteers:sign-in-poster", args=[shift_type.pk]))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    token = ShiftType.objects.get(pk=shift_type.pk).sign_in_token
    return reverse("volunteers:sign-in", args=[token])


def test_the_poster_opens_the_phone_page_to_sign_in_and_out(world, client_for):
    group, shift_type, volunteer, shift, assignment = world
    url = _poster_url(client_for("secretary"), shift_type)
    # not for another volunteer or the resident
    assert (
        client_for("resident")
        .get(reverse("volunteers:sign-in-poster", args=[shift_type.pk]))
        .status_code
        == 404
    )
    client = client_for(VOL)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="sign-in"' in page.content.decode()
    client.post(url)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ON_DUTY and assignment.minutes_late is None
    page = client.get(url)
    assert 'data-testid="sign-out"' in page.content.decode()
    other = client_for("resident").get(url)
    assert 'data-testid="not-on-shift"' in other.content.decode()
    assert client.get(reverse("volunteers:sign-in", args=["nope"])).status_code == 404


def test_board_sign_in_no_show_and_confirm_with_bounded_queries(
    world, client_for, django_assert_max_num_queries
):
    group, shift_type, volunteer, shift, assignment = world
    client = client_for("secretary")
    board = reverse("volunteers:board") + f"?group={group.pk}"
    with django_assert_max_num_queries(30):
        page = client.get(board)
    assert 'data-testid="board-sign-in"' in page.content.decode()
    attendance = reverse("volunteers:attendance", args=[assignment.pk])
    refused = client.post(attendance, {"step": "sign_in", "at": "25:99"}, follow=True)
    assert "HH:MM" in refused.content.decode()
    client.post(attendance, {"step": "sign_in"})
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ON_DUTY
    # the volunteer cannot record their own no-show, nor reach another's assignment
    assert client_for("resident").post(attendance, {"step": "no_show"}).status_code == 404
    hours = reverse("volunteers:group-hours", args=[group.pk])
    with django_assert_max_num_queries(30):
        assert client.get(hours).status_code == 200
    assert client_for(VOL).get(hours).status_code == 404


def test_ledger_pages_correction_export_record_and_verify(world, client_for):
    group, shift_type, volunteer, _shift, _a = world
    secretary = client_for("secretary")
    past = make_shift(shift_type, day=-2, start=9, hours=3)
    a = services.shift_assign(
        actor=secretary_user(), shift=past, volunteer=volunteer, now=past.start
    )
    services.assignment_sign_in(actor=secretary_user(), assignment=a, at=past.start, now=past.end)
    services.assignment_sign_out(actor=secretary_user(), assignment=a, at=past.end, now=past.end)
    secretary.post(reverse("volunteers:attendance", args=[a.pk]), {"step": "confirm"})
    entry = HoursEntry.objects.get(assignment=a)
    secretary.post(
        reverse("volunteers:hours-correct", args=[entry.pk]),
        {"hours": "-1", "reason": "提前离开"},
    )
    assert HoursEntry.objects.filter(volunteer=volunteer).count() == 2
    mine = client_for(VOL).get(reverse("volunteers:hours-mine"))
    assert "2.00" in mine.content.decode()
    # the volunteer does not correct their own hours
    client_for(VOL).post(
        reverse("volunteers:hours-correct", args=[entry.pk]), {"hours": "5", "reason": "x"}
    )
    assert HoursEntry.objects.filter(volunteer=volunteer).count() == 2
    export = secretary.get(reverse("volunteers:hours-export", args=[group.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    assert AuditEvent.objects.filter(action="volunteers.hours_export").exists()
    assert (
        client_for(VOL).get(reverse("volunteers:hours-export", args=[group.pk])).status_code == 404
    )
    issued = secretary.post(
        reverse("volunteers:record-issue", args=[group.pk]), {"volunteer": volunteer.pk}
    )
    record_url = issued["Location"]
    page = client_for(VOL).get(record_url)
    body = page.content.decode()
    assert "140203********6216" in body and "2.00" in body
    assert client_for("resident").get(record_url).status_code == 404
    revealed = client_for(VOL).post(record_url)
    assert "140203200405206216" in revealed.content.decode()
    assert AuditEvent.objects.filter(action="volunteers.id_reveal").count() == 1
    from linli.volunteers.models import VolunteerRecord

    record = VolunteerRecord.objects.get(volunteer=volunteer)
    anonymous = client_for("resident")
    anonymous.logout()
    checked = anonymous.get(
        reverse("volunteers:verify"), {"number": record.number, "code": record.code}
    )
    body = checked.content.decode()
    assert checked.status_code == 200 and 'data-testid="verified"' in body
    assert "林*签" in body and "林小签" not in body and "6216" not in body
    wrong = anonymous.get(reverse("volunteers:verify"), {"number": record.number, "code": "X"})
    assert 'data-testid="not-verified"' in wrong.content.decode()


def secretary_user():
    from linli.accounts.models import User

    return User.objects.get(username="secretary")


def test_the_pause_shows_and_a_coordinator_lifts_it(world, client_for):
    group, shift_type, volunteer, _shift, _a = world
    from linli.volunteers.models import Volunteer

    Volunteer.objects.filter(pk=volunteer.pk).update(signup_paused_at=timezone.now())
    assert (
        'data-testid="paused"'
        in client_for(VOL).get(reverse("volunteers:hours-mine")).content.decode()
    )
    lift = reverse("volunteers:lift-pause", args=[volunteer.pk])
    assert client_for("resident").post(lift).status_code == 404
    client_for("secretary").post(lift)
    volunteer.refresh_from_db()
    assert volunteer.signup_paused_at is None
    assert at(0, 9)  # the helper's clock is Beijing's


def test_the_admin_reads_the_ledger_and_records_and_changes_nothing(demo, english):
    from linli.accounts.models import User
    from linli.volunteers.models import VolunteerRecord

    User.objects.filter(username="secretary").update(is_staff=True)
    client = english("secretary")
    entry = HoursEntry.objects.first()
    record = VolunteerRecord.objects.first()
    for path in (
        "/admin/volunteers/hoursentry/",
        f"/admin/volunteers/hoursentry/{entry.pk}/change/",
        "/admin/volunteers/volunteerrecord/",
        f"/admin/volunteers/volunteerrecord/{record.pk}/change/",
    ):
        assert client.get(path).status_code == 200, path
    client.post(f"/admin/volunteers/hoursentry/{entry.pk}/change/", {"hours": "99"})
    assert HoursEntry.objects.get(pk=entry.pk).hours == entry.hours
    assert client.get(f"/admin/volunteers/hoursentry/{entry.pk}/delete/").status_code == 403
    User.objects.filter(username="property").update(is_staff=True)
    other = english("property")
    refused = other.get(f"/admin/volunteers/hoursentry/{entry.pk}/change/")
    assert refused.status_code in (302, 403, 404)
