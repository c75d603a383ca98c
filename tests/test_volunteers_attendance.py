"""Sign-in and sign-out (the QR poster in the room, or the coordinator), late sign-ins,
no-shows and the pause of self sign-up they bring, and the hours ledger: confirmed from the
sign-in records, append-only with corrections, the issued service record with its
verification code, each refusal with its code."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from linli.core.actors import SYSTEM
from linli.core.audit import AuditEvent
from linli.core.errors import ConflictError, ForbiddenError
from linli.volunteers import services
from linli.volunteers.models import AssignmentStatus, HoursEntry, HoursKind
from linli.volunteers.tasks import no_show_sweep

from .volunteers_helpers import (
    join,
    make_group,
    make_shift,
    make_type,
    make_user,
    make_volunteer,
    secretary,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    group = make_group(name="签到测试小组")
    shift_type = make_type(group, needed=3)
    volunteer = make_volunteer(user=make_user("signvol"), name="林签到")
    join(volunteer, group)
    shift = make_shift(shift_type, day=1, start=9, hours=3)
    assignment = services.shift_assign(actor=secretary(), shift=shift, volunteer=volunteer)
    return group, shift_type, volunteer, shift, assignment


def test_qr_sign_in_then_out_and_the_hours_confirmed_add_up(world):
    group, shift_type, volunteer, shift, assignment = world
    user = volunteer.user
    signed = services.sign_in_by_poster(
        actor=user, shift_type=shift_type, now=shift.start - timedelta(minutes=5)
    )
    assert signed.pk == assignment.pk and signed.status == AssignmentStatus.ON_DUTY
    assert signed.minutes_late is None
    out = services.sign_in_by_poster(
        actor=user, shift_type=shift_type, now=shift.end + timedelta(minutes=10)
    )
    assert out.status == AssignmentStatus.SERVED
    entry = services.assignment_confirm_hours(
        actor=secretary(), assignment=out, now=shift.end + timedelta(hours=1)
    )
    assert entry.hours == Decimal("3.25")  # 8:55 to 12:10
    assert entry.kind == HoursKind.SERVICE
    with pytest.raises(ConflictError) as excinfo:
        services.assignment_confirm_hours(actor=secretary(), assignment=out)
    assert excinfo.value.code == "already_confirmed"
    assert HoursEntry.objects.filter(volunteer=volunteer).count() == 1


def test_the_ledger_adds_up_to_the_sign_in_records(world):
    group, shift_type, volunteer, _shift, _a = world
    total = Decimal("0")
    for day, late in ((2, 0), (4, 25), (6, 3)):
        shift = make_shift(shift_type, day=day, start=14, hours=2)
        a = services.shift_assign(actor=secretary(), shift=shift, volunteer=volunteer)
        a = services.assignment_sign_in(
            actor=secretary(),
            assignment=a,
            at=shift.start + timedelta(minutes=late),
            now=shift.end,
        )
        a = services.assignment_sign_out(
            actor=secretary(), assignment=a, at=shift.end, now=shift.end
        )
        total += Decimal(120 - late) / 60
        services.assignment_confirm_hours(actor=secretary(), assignment=a, now=shift.end)
    ledger = sum(HoursEntry.objects.filter(volunteer=volunteer).values_list("hours", flat=True))
    assert abs(ledger - total) < Decimal("0.02")


def test_a_late_sign_in_is_flagged_with_the_minutes(world):
    _g, shift_type, volunteer, shift, assignment = world
    on_time = services.assignment_sign_in(
        actor=volunteer.user, assignment=assignment, now=shift.start + timedelta(minutes=9)
    )
    assert on_time.minutes_late is None
    other = make_shift(shift_type, day=2)
    a = services.shift_assign(actor=secretary(), shift=other, volunteer=volunteer)
    late = services.assignment_sign_in(
        actor=volunteer.user, assignment=a, now=other.start + timedelta(minutes=25)
    )
    assert late.minutes_late == 25


def test_qr_sign_in_is_refused_off_the_shift_or_outside_the_window(world):
    _g, shift_type, volunteer, shift, assignment = world
    stranger = make_volunteer(user=make_user(), name="路人")
    with pytest.raises(ConflictError) as excinfo:
        services.sign_in_by_poster(actor=stranger.user, shift_type=shift_type, now=shift.start)
    assert excinfo.value.code == "not_on_shift"
    with pytest.raises(ConflictError) as excinfo:
        services.sign_in_by_poster(
            actor=volunteer.user, shift_type=shift_type, now=shift.start - timedelta(hours=1)
        )
    assert excinfo.value.code == "outside_window"
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED and assignment.signed_in_at is None
    # a volunteer does not give another time; a coordinator does
    with pytest.raises(ForbiddenError):
        services.assignment_sign_in(
            actor=volunteer.user, assignment=assignment, at=shift.start, now=shift.end
        )
    other = make_user()
    with pytest.raises(ForbiddenError):
        services.assignment_sign_in(actor=other, assignment=assignment, now=shift.start)


def test_repeated_no_shows_pause_self_sign_up_until_a_coordinator_lifts_it(world):
    group, shift_type, volunteer, shift, assignment = world
    with pytest.raises(ConflictError) as excinfo:
        services.assignment_no_show(actor=secretary(), assignment=assignment, now=shift.start)
    assert excinfo.value.code == "shift_not_started"
    services.assignment_no_show(
        actor=secretary(), assignment=assignment, now=shift.start + timedelta(minutes=30)
    )
    volunteer.refresh_from_db()
    assert volunteer.signup_paused_at is None  # one no-show: not yet
    second = make_shift(shift_type, day=2)
    a = services.shift_assign(actor=secretary(), shift=second, volunteer=volunteer)
    # the job records the second, once the shift is over
    no_show_sweep(now=second.start)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ASSIGNED
    assert no_show_sweep(now=second.end + timedelta(minutes=1)) >= 1
    a.refresh_from_db()
    assert a.status == AssignmentStatus.NO_SHOW
    volunteer.refresh_from_db()
    assert volunteer.signup_paused_at is not None
    coming = make_shift(shift_type, day=5)
    with pytest.raises(ConflictError) as excinfo:
        services.shift_sign_up(actor=volunteer.user, shift=coming)
    assert excinfo.value.code == "signup_paused"
    # the coordinator may still put them on; and lifts the pause
    with pytest.raises(ForbiddenError):
        services.volunteer_lift_pause(actor=volunteer.user, volunteer=volunteer)
    services.volunteer_lift_pause(actor=secretary(), volunteer=volunteer)
    assert services.shift_sign_up(actor=volunteer.user, shift=coming).status == "assigned"
    assert AuditEvent.objects.filter(action="volunteers.signup_pause").exists()


def test_a_correction_is_a_new_entry_and_the_original_stays(world):
    group, _t, volunteer, shift, assignment = world
    services.assignment_sign_in(
        actor=secretary(), assignment=assignment, at=shift.start, now=shift.end
    )
    services.assignment_sign_out(
        actor=secretary(), assignment=assignment, at=shift.end, now=shift.end
    )
    entry = services.assignment_confirm_hours(actor=secretary(), assignment=assignment)
    assert entry.hours == Decimal("3.00")
    with pytest.raises(Exception):  # noqa: B017 the ledger is append-only
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(ForbiddenError):  # not their own hours
        services.hours_correct(actor=volunteer.user, entry=entry, hours=1, reason="多算")
    correction = services.hours_correct(
        actor=secretary(), entry=entry, hours="-0.5", reason="提前半小时离开，值班表漏记"
    )
    entry.refresh_from_db()
    assert entry.hours == Decimal("3.00") and correction.corrects == entry
    rows = list(HoursEntry.objects.filter(volunteer=volunteer).order_by("id"))
    assert [r.hours for r in rows] == [Decimal("3.00"), Decimal("-0.50")]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.hours_correct(actor=secretary(), entry=correction, hours=-3, reason="x")


def test_an_issued_record_is_verified_by_its_number_and_code(world):
    group, _t, volunteer, shift, assignment = world
    with pytest.raises(ConflictError) as excinfo:
        services.record_issue(actor=secretary(), volunteer=volunteer, group=group)
    assert excinfo.value.code == "no_hours"
    services.assignment_sign_in(
        actor=secretary(), assignment=assignment, at=shift.start, now=shift.end
    )
    services.assignment_sign_out(
        actor=secretary(), assignment=assignment, at=shift.end, now=shift.end
    )
    services.assignment_confirm_hours(actor=secretary(), assignment=assignment)
    with pytest.raises(ForbiddenError):
        services.record_issue(actor=volunteer.user, volunteer=volunteer, group=group)
    record = services.record_issue(actor=secretary(), volunteer=volunteer, group=group)
    assert record.total_hours == Decimal("3.00")
    assert record.period_from == timezone.localtime(shift.start).date()
    assert services.record_verify(number=record.number, code=record.code.lower()) == record
    assert services.record_verify(number=record.number, code="WRONGCODE1") is None
    assert services.record_verify(number="nope", code=record.code) is None


def test_the_system_sweep_skips_signed_in_shifts(world):
    _g, _t, volunteer, shift, assignment = world
    services.assignment_sign_in(actor=volunteer.user, assignment=assignment, now=shift.start)
    no_show_sweep(now=shift.end + timedelta(hours=1))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ON_DUTY
    with pytest.raises(ConflictError):
        services.assignment_no_show_auto(actor=SYSTEM, assignment=assignment, now=shift.end)
