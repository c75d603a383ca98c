"""The demo's sign-ins and hours ledger (called from ``demo`` after the year of duty): every
past assignment of the self-management group was signed in (by the poster in the hall, a
few minutes early; now and then late) and out, or recorded as a no-show by the duty
manager; the served ones are confirmed into the ledger by the branch secretary but the last
week's, which wait on the board. Bulk-written — the rows and timeline events the services
write — for speed; then, through the services, one member paused after two no-shows, one
correction, and 林小雨's issued service record. The QR posters of the group's shift types
are made."""

from datetime import timedelta

from django.utils import timezone

from . import services
from .models import (
    Assignment,
    AssignmentEvent,
    AssignmentEventKind,
    AssignmentStatus,
    HoursEntry,
    HoursKind,
    ShiftType,
    Volunteer,
)

S = AssignmentStatus
K = AssignmentEventKind


def _event(assignment, kind, actor, at, from_status, to_status, data=None):
    event = AssignmentEvent(
        assignment=assignment,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )
    event.when = at
    return event


def demo_attendance(*, secretary, group, members, manager_user) -> int:
    """Returns how many ledger entries were written."""
    now = timezone.now()
    past = list(
        Assignment.objects.filter(
            shift__shift_type__group=group, status=S.ASSIGNED, shift__end__lte=now
        )
        .select_related("shift__shift_type", "volunteer__user")
        .order_by("shift__start", "id")
    )
    # Two no-shows within the last 60 days for one member without an account: paused.
    paused = next((m for m in members[2:] if m.user_id is None), None)
    recent_of_paused = [
        a
        for a in past
        if paused is not None
        and a.volunteer_id == paused.pk
        and a.shift.start > now - timedelta(days=50)
    ][:2]
    recent_ids = {a.pk for a in recent_of_paused}
    events, entries, changed = [], [], []
    week_ago = now - timedelta(days=7)
    for number, a in enumerate(past):
        shift = a.shift
        # (no-shows only of members without an account: the demo's accounts keep their places)
        occasional = number % 47 == 13 and a.volunteer.user_id is None
        if a.pk in recent_ids or (occasional and a.volunteer_id != getattr(paused, "pk", 0)):
            at = shift.start + services.LATE_GRACE + timedelta(minutes=20)
            a.status = S.NO_SHOW
            events.append(_event(a, K.NO_SHOW, secretary, at, S.ASSIGNED, S.NO_SHOW))
            changed.append(a)
            continue
        late = number % 17 == 5
        signed_in = shift.start + (
            timedelta(minutes=12 + number % 20) if late else -timedelta(minutes=5 + number % 9)
        )
        signed_out = shift.end + timedelta(minutes=number % 11)
        a.status = S.SERVED
        a.signed_in_at, a.signed_out_at = signed_in, signed_out
        a.minutes_late = services.late_minutes(shift, signed_in)
        # the poster (a volunteer with an account), else the duty manager on the board
        who = a.volunteer.user or manager_user
        events.append(
            _event(a, K.SIGNED_IN, who, signed_in, S.ASSIGNED, S.ON_DUTY,
                   {"at": signed_in.isoformat()})
        )  # fmt: skip
        events.append(
            _event(a, K.SIGNED_OUT, who, signed_out, S.ON_DUTY, S.SERVED,
                   {"at": signed_out.isoformat()})
        )  # fmt: skip
        if shift.end < week_ago:
            confirmed = signed_out + timedelta(days=1)
            a.hours_confirmed_at = confirmed
            events.append(_event(a, K.HOURS_CONFIRMED, secretary, confirmed, S.SERVED, S.SERVED))
            entry = HoursEntry(
                volunteer_id=a.volunteer_id,
                group=group,
                assignment=a,
                kind=HoursKind.SERVICE,
                hours=services.served_hours(a),
                entered_by=secretary,
            )
            entry.when = confirmed
            entries.append(entry)
        changed.append(a)
    Assignment.objects.bulk_update(
        changed,
        ["status", "signed_in_at", "signed_out_at", "minutes_late", "hours_confirmed_at"],
        batch_size=500,
    )
    events = AssignmentEvent.objects.bulk_create(events, batch_size=500)
    for event in events:  # the timeline reads as it happened (auto_now_add wrote "now")
        event.at = event.when
    AssignmentEvent.objects.bulk_update(events, ["at"], batch_size=500)
    entries = HoursEntry.objects.bulk_create(entries, batch_size=500)
    for entry in entries:
        entry.at = entry.when
    HoursEntry.objects.bulk_update(entries, ["at"], batch_size=500)

    if paused is not None and len(recent_of_paused) == 2:
        Volunteer.objects.filter(pk=paused.pk).update(
            signup_paused_at=recent_of_paused[-1].shift.end
        )
    # One correction (through the service): left half an hour early, unrecorded.
    if entries:
        services.hours_correct(
            actor=secretary,
            entry=entries[len(entries) // 2],
            hours="-0.5",
            reason="提前半小时离开会客厅，签退时忘记扫码，由值班负责人核实后更正",
        )
    # 林小雨's service record, issued for her university's summer practice.
    lin = next((m for m in members if m.user_id and m.user.username == "volunteer"), None)
    if lin is not None and HoursEntry.objects.filter(volunteer=lin, group=group).exists():
        services.record_issue(actor=secretary, volunteer=lin, group=group)
    for shift_type in ShiftType.objects.filter(group=group, is_active=True):
        services.shift_type_sign_in_token(actor=secretary, shift_type=shift_type)
    return len(entries)
