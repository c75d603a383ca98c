"""The volunteers' services: registering (residents and outsiders, numbers encrypted and
masked), memberships with the coordinator's approval, weekly rules with exceptions, and
signing up and assigning within every limit — each refusal with its code."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from linli.accounts.models import User
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.models import Notification
from linli.residents.models import Resident
from linli.volunteers import services
from linli.volunteers.models import (
    Assignment,
    AssignmentStatus,
    Membership,
    MembershipStatus,
    Shift,
)
from linli.volunteers.notify import uncovered_notify

from .volunteers_helpers import (
    compound,
    join,
    make_group,
    make_shift,
    make_type,
    make_user,
    make_volunteer,
    secretary,
)

pytestmark = pytest.mark.django_db


def code_of(excinfo) -> str:
    return excinfo.value.code


# -- groups and volunteers --------------------------------------------------------------------


def test_group_is_set_up_by_the_staff_over_its_place(demo):
    group = make_group(name="自治自管小组A")
    assert group.place == compound()
    for username in ("resident", "volunteer", "property", "district"):
        with pytest.raises(ForbiddenError):
            services.group_create(
                actor=demo.user(username), place=compound(), name="X", kind="self_management"
            )
    with pytest.raises(ValidationError):
        services.group_create(
            actor=secretary(), place=demo.resident_household, name="X", kind="self_management"
        )
    with pytest.raises(ValidationError):
        services.group_create(actor=secretary(), place=compound(), name="Y", kind="nonsense")


def test_a_resident_registers_themselves_linked_to_the_register(demo):
    user = demo.user("resident")
    volunteer = make_volunteer(user=user, skills=["cleaning"])
    resident = Resident.objects.get(user=user)
    assert volunteer.resident == resident
    assert volunteer.name == resident.name
    assert not volunteer.is_outsider
    assert volunteer.phone == ""  # the register's number is used, not copied
    assert volunteer.phone_masked == f"{resident.phone[:3]}****{resident.phone[-4:]}"
    with pytest.raises(ConflictError) as excinfo:
        services.volunteer_register(actor=user, user=user)
    assert code_of(excinfo) == "already_volunteer"


def test_an_outsiders_numbers_are_stored_encrypted_and_shown_masked():
    user = make_user()
    volunteer = services.volunteer_register(
        actor=user,
        user=user,
        name="王同学",
        school="大同大学",
        team="暑期支教队",
        phone="13912345678",
        id_number="11010519491231002X",
    )
    assert volunteer.is_outsider
    assert volunteer.phone_masked == "139****5678"
    assert volunteer.id_number_masked == "110105********002X"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, id_number FROM volunteers_volunteer WHERE id = %s", [volunteer.pk]
        )
        phone, id_number = cursor.fetchone()
    assert "13912345678" not in phone and "002X" not in id_number


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"name": "李同学", "phone": "12345"},
        {"name": "李同学", "id_number": "110105194912310021"},
        {"name": "李同学", "skills": ["juggling"]},
        {"name": "李同学", "availability": [{"weekday": 9, "start": "09:00", "end": "10:00"}]},
        {"name": "李同学", "availability": [{"weekday": 1, "start": "11:00", "end": "10:00"}]},
    ],
)
def test_registration_refuses_what_is_not_valid(fields):
    user = make_user()
    with pytest.raises(ValidationError):
        services.volunteer_register(actor=user, user=user, **fields)


def test_only_a_coordinator_registers_someone_else(demo):
    with pytest.raises(ForbiddenError):
        services.volunteer_register(actor=demo.user("resident"), name="别人")
    volunteer = services.volunteer_register(actor=secretary(), name="陈同学", school="大同大学")
    assert volunteer.user is None and volunteer.created_by == secretary()


def test_profile_update_and_training(demo):
    group = make_group()
    volunteer = make_volunteer()
    join(volunteer, group)
    services.volunteer_update(
        actor=volunteer.user,
        volunteer=volunteer,
        skills=["tutoring"],
        availability=[{"weekday": 2, "start": "14:00", "end": "17:00"}],
    )
    volunteer.refresh_from_db()
    assert volunteer.skills == ["tutoring"]
    assert volunteer.availability == [{"weekday": 2, "start": "14:00", "end": "17:00"}]
    with pytest.raises(ForbiddenError):
        services.volunteer_update(actor=make_user(), volunteer=volunteer, skills=[])
    training = services.training_record(
        actor=secretary(), volunteer=volunteer, subject="急救培训", held_on=date(2026, 5, 1)
    )
    assert training in volunteer.trainings.all()
    with pytest.raises(ForbiddenError):  # not for oneself
        services.training_record(
            actor=volunteer.user, volunteer=volunteer, subject="x", held_on=date(2026, 5, 1)
        )


# -- memberships ------------------------------------------------------------------------------


def test_apply_approve_pause_resume_leave_and_apply_again():
    group = make_group()
    volunteer = make_volunteer()
    membership = services.membership_apply(actor=volunteer.user, volunteer=volunteer, group=group)
    assert membership.status == MembershipStatus.APPLIED
    with pytest.raises(ConflictError) as excinfo:
        services.membership_apply(actor=volunteer.user, volunteer=volunteer, group=group)
    assert code_of(excinfo) == "already_member"
    with pytest.raises(ForbiddenError):  # nobody approves their own application
        services.membership_approve(actor=volunteer.user, membership=membership)
    membership = services.membership_approve(actor=secretary(), membership=membership)
    assert membership.status == MembershipStatus.APPROVED
    membership = services.membership_pause(actor=secretary(), membership=membership)
    assert membership.status == MembershipStatus.PAUSED
    membership = services.membership_resume(actor=secretary(), membership=membership)
    membership = services.membership_leave(actor=volunteer.user, membership=membership)
    assert membership.status == MembershipStatus.LEFT
    membership = services.membership_apply(actor=volunteer.user, volunteer=volunteer, group=group)
    assert membership.status == MembershipStatus.APPLIED
    kinds = list(membership.events.values_list("kind", flat=True))
    assert kinds == ["applied", "approved", "paused", "resumed", "left", "reapplied"]


def test_decline_and_a_wrong_step_is_refused():
    group = make_group()
    volunteer = make_volunteer()
    membership = services.membership_apply(actor=volunteer.user, volunteer=volunteer, group=group)
    membership = services.membership_decline(actor=secretary(), membership=membership, note="人满")
    with pytest.raises(ConflictError) as excinfo:
        services.membership_approve(actor=secretary(), membership=membership)
    assert code_of(excinfo) == "illegal_step"


def test_a_duty_manager_decides_in_their_own_group_only():
    group, other = make_group(), make_group()
    manager = make_volunteer()
    join(manager, group, coordinator=True)
    applicant = make_volunteer()
    in_group = services.membership_apply(actor=applicant.user, volunteer=applicant, group=group)
    in_other = services.membership_apply(actor=applicant.user, volunteer=applicant, group=other)
    manager_user = User.objects.get(pk=manager.user_id)
    assert services.membership_approve(actor=manager_user, membership=in_group).status == "approved"
    with pytest.raises(ForbiddenError):
        services.membership_approve(actor=manager_user, membership=in_other)


def test_only_the_staff_choose_coordinators_and_only_approved_members():
    group = make_group()
    volunteer = make_volunteer()
    membership = services.membership_apply(actor=volunteer.user, volunteer=volunteer, group=group)
    with pytest.raises(ConflictError) as excinfo:
        services.membership_set_coordinator(actor=secretary(), membership=membership, on=True)
    assert code_of(excinfo) == "not_approved"
    with pytest.raises(ForbiddenError):
        services.membership_set_coordinator(actor=volunteer.user, membership=membership, on=True)


def test_leaving_cancels_the_coming_shifts_of_the_group():
    group = make_group()
    volunteer = make_volunteer()
    membership = join(volunteer, group)
    shift = make_shift(make_type(group))
    assignment = services.shift_sign_up(actor=volunteer.user, shift=shift)
    services.membership_leave(actor=volunteer.user, membership=membership)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CANCELLED


# -- rules and generation ---------------------------------------------------------------------


def test_weekly_rules_generate_shifts_with_skipped_and_moved_dates():
    group = make_group()
    shift_type = make_type(group, needed=2)
    monday = date(2031, 3, 3)
    rule = services.shift_rule_create(
        actor=secretary(),
        shift_type=shift_type,
        weekday=0,
        start_time=time(9),
        end_time=time(12),
        from_date=monday,
    )
    tz = timezone.get_default_timezone()
    services.shift_rule_except(
        actor=secretary(), rule=rule, on_date=monday + timedelta(weeks=1), reason="清明节"
    )
    moved_start = timezone.make_aware(timezone.datetime(2031, 3, 18, 14), tz)
    services.shift_rule_except(
        actor=secretary(),
        rule=rule,
        on_date=monday + timedelta(weeks=2),
        reason="改到周二下午",
        moved_start=moved_start,
        moved_end=moved_start + timedelta(hours=3),
    )
    made = services.shifts_generate(
        actor=secretary(), group=group, start=monday, until=monday + timedelta(weeks=4)
    )
    shifts = list(Shift.objects.filter(rule=rule).order_by("start"))
    assert made == 4 and len(shifts) == 4  # 5 Mondays, one skipped
    days = [timezone.localtime(s.start).date() for s in shifts]
    assert date(2031, 3, 10) not in days
    assert date(2031, 3, 18) in days and date(2031, 3, 17) not in days
    assert all(s.needed == 2 for s in shifts)
    # generating again makes nothing new
    assert (
        services.shifts_generate(
            actor=secretary(), group=group, start=monday, until=monday + timedelta(weeks=4)
        )
        == 0
    )
    # SYSTEM may generate (the daily job); a volunteer may not
    assert (
        services.shifts_generate(
            actor=SYSTEM, group=group, start=monday, until=monday + timedelta(weeks=5)
        )
        == 1
    )
    with pytest.raises(ForbiddenError):
        services.shifts_generate(actor=make_user(), group=group, until=monday)


def test_an_exception_refuses_a_wrong_date_and_a_shift_with_people():
    group = make_group()
    shift_type = make_type(group)
    today = timezone.localdate()
    day = today + timedelta(days=7 - today.weekday() + 2)  # a Wednesday ahead
    rule = services.shift_rule_create(
        actor=secretary(),
        shift_type=shift_type,
        weekday=2,
        start_time=time(9),
        end_time=time(11),
        from_date=today,
    )
    services.shifts_generate(actor=secretary(), group=group, until=day)
    with pytest.raises(ValidationError):
        services.shift_rule_except(
            actor=secretary(), rule=rule, on_date=day + timedelta(days=1), reason="x"
        )
    volunteer = make_volunteer()
    join(volunteer, group)
    shift = Shift.objects.get(rule=rule, rule_date=day)
    services.shift_sign_up(actor=volunteer.user, shift=shift)
    with pytest.raises(ConflictError) as excinfo:
        services.shift_rule_except(actor=secretary(), rule=rule, on_date=day, reason="停电")
    assert code_of(excinfo) == "shift_has_people"
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_a_skip_removes_an_empty_generated_shift():
    group = make_group()
    rule = services.shift_rule_create(
        actor=secretary(),
        shift_type=make_type(group),
        weekday=4,
        start_time=time(9),
        end_time=time(11),
        from_date=date(2031, 1, 1),
    )
    services.shifts_generate(
        actor=secretary(), group=group, start=date(2031, 1, 1), until=date(2031, 1, 31)
    )
    assert Shift.objects.filter(rule=rule).count() == 5
    services.shift_rule_except(actor=secretary(), rule=rule, on_date=date(2031, 1, 10), reason="x")
    assert Shift.objects.filter(rule=rule).count() == 4


# -- signing up -------------------------------------------------------------------------------


@pytest.fixture
def duty():
    group = make_group(max_consecutive=2)
    shift_type = make_type(group, needed=1)
    volunteer = make_volunteer(skills=["room_keeping"])
    join(volunteer, group)
    return group, shift_type, volunteer


def test_sign_up_and_cancel(duty):
    group, shift_type, volunteer = duty
    shift = make_shift(shift_type)
    assignment = services.shift_sign_up(actor=volunteer.user, shift=shift)
    assert assignment.status == AssignmentStatus.ASSIGNED and not assignment.by_coordinator
    assert assignment.events.get().kind == "signed_up"
    with pytest.raises(ConflictError) as excinfo:
        services.shift_sign_up(actor=volunteer.user, shift=shift)
    assert code_of(excinfo) == "already_assigned"
    services.assignment_cancel(actor=volunteer.user, assignment=assignment, reason="生病")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CANCELLED
    # the place is free again, and signing up again is a new assignment
    again = services.shift_sign_up(actor=volunteer.user, shift=shift)
    assert again.pk != assignment.pk


def test_sign_up_refuses_a_non_volunteer_and_a_non_member(duty, demo):
    group, shift_type, _volunteer = duty
    shift = make_shift(shift_type)
    with pytest.raises(ForbiddenError) as excinfo:
        services.shift_sign_up(actor=demo.user("property"), shift=shift)
    assert code_of(excinfo) == "not_volunteer"
    outsider = make_volunteer(skills=["room_keeping"])
    with pytest.raises(ConflictError) as excinfo:
        services.shift_sign_up(actor=outsider.user, shift=shift)
    assert code_of(excinfo) == "not_member"
    applied = services.membership_apply(actor=outsider.user, volunteer=outsider, group=group)
    with pytest.raises(ConflictError) as excinfo:
        services.shift_sign_up(actor=outsider.user, shift=shift)
    assert code_of(excinfo) == "not_member"
    membership = services.membership_approve(actor=secretary(), membership=applied)
    services.membership_pause(actor=secretary(), membership=membership)
    with pytest.raises(ConflictError) as excinfo:
        services.shift_sign_up(actor=outsider.user, shift=shift)
    assert code_of(excinfo) == "membership_paused"


def test_another_qualifying_group_and_the_skill(duty):
    group, _shift_type, _volunteer = duty
    team = make_group(kind="university_team")
    tutoring = services.shift_type_create(
        actor=secretary(),
        group=group,
        kind="tutoring",
        name="暑期托管",
        needed=3,
        skills=["tutoring"],
        other_groups=[team],
    )
    shift = make_shift(tutoring)
    student = make_volunteer(skills=["cleaning"])
    join(student, team)
    with pytest.raises(ConflictError) as excinfo:
        services.shift_sign_up(actor=student.user, shift=shift)
    assert code_of(excinfo) == "missing_skill"
    services.volunteer_update(actor=student.user, volunteer=student, skills=["tutoring"])
    student.refresh_from_db()
    assert services.shift_sign_up(actor=student.user, shift=shift).volunteer == student


def test_no_overlap_with_another_shift(duty):
    _group, shift_type, volunteer = duty
    first = make_shift(shift_type, day=3, start=9, hours=3)
    overlapping = make_shift(shift_type, day=3, start=11, hours=2)
    services.shift_sign_up(actor=volunteer.user, shift=first)
    with pytest.raises(ConflictError) as excinfo:
        services.shift_sign_up(actor=volunteer.user, shift=overlapping)
    assert code_of(excinfo) == "overlap"
    assert "会客厅值班" in excinfo.value.message


def test_at_most_n_shifts_in_a_row(duty):
    group, shift_type, volunteer = duty  # at most 2 in a row
    morning = make_shift(shift_type, day=4, start=8, hours=2)
    midday = make_shift(shift_type, day=4, start=10, hours=2)
    afternoon = make_shift(shift_type, day=4, start=12, hours=2)
    evening = make_shift(shift_type, day=4, start=18, hours=2)
    services.shift_sign_up(actor=volunteer.user, shift=morning)
    services.shift_sign_up(actor=volunteer.user, shift=afternoon)
    with pytest.raises(ConflictError) as excinfo:  # would join the two into three
        services.shift_sign_up(actor=volunteer.user, shift=midday)
    assert code_of(excinfo) == "too_many_consecutive"
    # after a rest it is fine
    services.shift_sign_up(actor=volunteer.user, shift=evening)


def test_a_full_shift_and_a_started_one(duty):
    group, shift_type, volunteer = duty
    shift = make_shift(shift_type)  # needs one
    services.shift_sign_up(actor=volunteer.user, shift=shift)
    other = make_volunteer(skills=["room_keeping"])
    join(other, group)
    with pytest.raises(ConflictError) as excinfo:
        services.shift_sign_up(actor=other.user, shift=shift)
    assert code_of(excinfo) == "shift_full"
    with pytest.raises(ConflictError) as excinfo:
        services.shift_sign_up(actor=other.user, shift=shift, now=shift.start)
    assert code_of(excinfo) == "shift_started"


def test_a_coordinator_assigns_within_the_limits(duty):
    group, shift_type, volunteer = duty
    shift = make_shift(shift_type)
    with pytest.raises(ForbiddenError):
        services.shift_assign(actor=volunteer.user, shift=shift, volunteer=volunteer)
    assignment = services.shift_assign(actor=secretary(), shift=shift, volunteer=volunteer)
    assert assignment.by_coordinator and assignment.created_by == secretary()
    assert assignment.events.get().kind == "assigned"
    other = make_volunteer()
    with pytest.raises(ConflictError) as excinfo:  # not a member
        services.shift_assign(actor=secretary(), shift=shift, volunteer=other)
    assert code_of(excinfo) == "not_member"
    with pytest.raises(ConflictError) as excinfo:
        services.shift_assign(actor=secretary(), shift=shift, volunteer=volunteer, now=shift.end)
    assert code_of(excinfo) == "shift_over"


def test_cancel_is_refused_once_started_and_to_others(duty):
    group, shift_type, volunteer = duty
    shift = make_shift(shift_type)
    assignment = services.shift_sign_up(actor=volunteer.user, shift=shift)
    with pytest.raises(ConflictError) as excinfo:
        services.assignment_cancel(actor=volunteer.user, assignment=assignment, now=shift.start)
    assert code_of(excinfo) == "shift_started"
    with pytest.raises(ForbiddenError):
        services.assignment_cancel(actor=make_user(), assignment=assignment)
    services.assignment_cancel(actor=secretary(), assignment=assignment)
    assert Assignment.objects.get(pk=assignment.pk).status == "cancelled"


# -- uncovered shifts -------------------------------------------------------------------------


def test_uncovered_shifts_are_told_to_the_coordinators_once(duty, demo):
    group, shift_type, volunteer = duty
    manager = make_volunteer()
    join(manager, group, coordinator=True)
    short = make_shift(shift_type, day=1, needed=2)
    services.shift_sign_up(actor=volunteer.user, shift=short)
    covered = make_shift(shift_type, day=2, start=15, needed=1)
    services.shift_assign(actor=secretary(), shift=covered, volunteer=manager)
    far = make_shift(shift_type, day=9)  # beyond the three days
    assert uncovered_notify() >= 1  # the demo's gaps too
    assert uncovered_notify() == 0  # each claimed once
    told = set(
        Notification.objects.filter(
            kind="volunteers.uncovered", body__startswith=group.name
        ).values_list("user_id", flat=True)
    )
    assert Notification.objects.filter(
        kind="volunteers.uncovered", body__startswith=group.name
    ).count() == len(told)  # one shift of the group told, once to each
    assert {manager.user_id, secretary().pk, demo.user("community").pk} <= told
    assert volunteer.user_id not in told
    short.refresh_from_db()
    far.refresh_from_db()
    covered.refresh_from_db()
    assert short.uncovered_notified_at is not None and far.uncovered_notified_at is None
    assert covered.uncovered_notified_at is None
    with pytest.raises(ForbiddenError):
        services.shift_uncovered_claim(actor=secretary(), shift=far)
    assert Membership.objects.filter(group=group).count() == 2
