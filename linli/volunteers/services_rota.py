"""The cleaning rota (轮值): for a shift type whose rota is over the group's members, the
coming shifts are filled fairly over its approved members who qualify — fewest hours served
on that shift type first (the length of its shifts they are or were on: assigned, on duty,
served; not a no-show or a cancelled one), then who served longest ago, then the id — passing
over whoever is away that day and within the limits of signing up (no overlap, the group's
limit in a row). For a rota over households, the same over the active households of the
compound under the group's place, as their turns (due, then done or missed as a coordinator
marks them; a missed turn counts no hours, so the household comes round again soon).

The choice itself is ``rota`` (pure); here it meets the database, under the same locks as
signing up. Absences are entered by a coordinator for anyone, by a member for themself (or
a resident for their household): the places the rota gave them in that time go to the next
in turn."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.actors import SYSTEM, user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, LinliError
from linli.core.lifecycle import check_perm, validated
from linli.places import tree

from . import services
from .models import (
    ACTIVE_ASSIGNMENT,
    Absence,
    Assignment,
    AssignmentEventKind,
    AssignmentStatus,
    HouseholdTurn,
    HouseholdTurnStatus,
    Membership,
    MembershipStatus,
    RotaMode,
    Shift,
    ShiftType,
    Volunteer,
    VolunteerGroup,
)
from .rota import Tally

# The rota is filled at most this far ahead at a time.
MAX_FILL_DAYS = 400
MAX_ABSENCE_DAYS = 366
# Turns that count as served (or to be served) for the fair order of households.
COUNTED_TURNS = (HouseholdTurnStatus.DUE, HouseholdTurnStatus.DONE)


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _away(absences, day: date, attr: str) -> set[int]:
    return {getattr(a, attr) for a in absences if a.from_date <= day <= a.until_date}


def rota_households(group: VolunteerGroup):
    """The active households of the compound(s) under the group's place."""
    from linli.residents.models import Household

    return Household.objects.filter(
        tree.subtree_q(group.place.path, "place__path"), is_active=True
    ).order_by("pk")


def rota_members(shift_type: ShiftType):
    """The group's approved members who qualify for the shift type (its skills)."""
    members = Membership.objects.filter(
        group_id=shift_type.group_id, status=MembershipStatus.APPROVED
    ).values("volunteer_id")
    qs = Volunteer.objects.filter(pk__in=members).order_by("pk")
    volunteers = list(qs)
    if shift_type.skills:
        wanted = set(shift_type.skills)
        volunteers = [v for v in volunteers if wanted & set(v.skills)]
    return volunteers


def member_tally(shift_type: ShiftType) -> Tally:
    """Each member's hours on the shift type's shifts (past and planned) and their last."""
    tally = Tally()
    rows = Assignment.objects.filter(
        shift__shift_type=shift_type, status__in=ACTIVE_ASSIGNMENT
    ).values_list("volunteer_id", "shift__start", "shift__end")
    for volunteer_id, start, end in rows:
        tally.add(volunteer_id, _hours(start, end), start)
    return tally


def household_tally(shift_type: ShiftType) -> Tally:
    tally = Tally()
    rows = HouseholdTurn.objects.filter(
        shift__shift_type=shift_type, status__in=COUNTED_TURNS
    ).values_list("household_id", "shift__start", "shift__end")
    for household_id, start, end in rows:
        tally.add(household_id, _hours(start, end), start)
    return tally


@transaction.atomic
def rota_fill(
    *,
    actor,
    shift_type: ShiftType,
    until: date,
    now: datetime | None = None,
    skip: frozenset = frozenset(),
) -> int:
    """Fill the shift type's shifts from ``now`` up to ``until`` (its date) by the rota;
    returns how many places (or households' turns) were given. A shift already full is left
    as it is; a member the limits refuse on a shift is passed over for the next in turn."""
    check_perm(
        actor,
        "volunteers.fill_rota",
        shift_type,
        message=_("Only the group's coordinators may fill its rota."),
    )
    if shift_type.rota not in (RotaMode.MEMBERS, RotaMode.HOUSEHOLDS):
        raise ConflictError(
            _("%(name)s is not on a rota; its volunteers sign up.") % {"name": shift_type.name},
            code="not_a_rota",
        )
    now = now or timezone.now()
    if (until - _day(now)).days > MAX_FILL_DAYS:
        raise ValidationError({"until": _("At most about a year at a time.")})
    end = services._local(until + timedelta(days=1), datetime.min.time())
    shifts = list(
        Shift.objects.filter(shift_type=shift_type, start__gt=now, start__lt=end)
        .select_related("shift_type__group__place")
        .order_by("start", "id")
    )
    if not shifts:
        return 0
    first, last = _day(shifts[0].start), _day(shifts[-1].start)
    absences = list(
        Absence.objects.filter(
            group_id=shift_type.group_id, from_date__lte=last, until_date__gte=first
        )
    )
    if shift_type.rota == RotaMode.MEMBERS:
        made = _fill_members(actor, shift_type, shifts, absences, skip)
    else:
        made = _fill_households(shift_type, shifts, absences, skip)
    if made:
        audit_record(
            actor=actor,
            action="volunteers.rota_fill",
            obj=shift_type,
            details={"made": made, "until": until.isoformat()},
        )
    return made


def _fill_members(actor, shift_type, shifts, absences, skip) -> int:
    members = {v.pk: v for v in rota_members(shift_type)}
    tally = member_tally(shift_type)
    on = {}
    for shift_id, volunteer_id in Assignment.objects.filter(
        shift__in=shifts, status__in=ACTIVE_ASSIGNMENT
    ).values_list("shift_id", "volunteer_id"):
        on.setdefault(shift_id, set()).add(volunteer_id)
    made = 0
    for shift in shifts:
        there = on.get(shift.pk, set())
        gap = shift.needed - len(there)
        if gap <= 0:
            continue
        away = _away(absences, _day(shift.start), "volunteer_id") | there | set(skip)
        for volunteer_id in tally.order([k for k in members if k not in away]):
            if gap <= 0:
                break
            try:
                _rota_place(actor, members[volunteer_id], shift)
            except LinliError:
                continue  # an overlap or the limit in a row: the next in turn
            tally.add(volunteer_id, _hours(shift.start, shift.end), shift.start)
            gap -= 1
            made += 1
    return made


def _rota_place(actor, volunteer: Volunteer, shift: Shift) -> Assignment:
    volunteer, locked = services._lock_pair(volunteer, shift)
    services._check_qualified(volunteer, locked)
    services._check_overlap(volunteer, locked)
    services._check_consecutive(volunteer, locked)
    taken = Assignment.objects.filter(shift=locked, status__in=ACTIVE_ASSIGNMENT).count()
    if taken >= locked.needed:
        raise ConflictError(_("The shift is full."), code="shift_full")
    assignment = Assignment(
        shift=locked, volunteer=volunteer, by_rota=True, created_by=user_or_none(actor)
    )
    validated(assignment)
    assignment.save()
    services.ASSIGNMENT.record(
        obj=assignment, kind=AssignmentEventKind.ROTA, actor=actor, to_status=assignment.status
    )
    return assignment


def _fill_households(shift_type, shifts, absences, skip) -> int:
    households = list(rota_households(shift_type.group).values_list("pk", flat=True))
    tally = household_tally(shift_type)
    on = {}
    for shift_id, household_id in HouseholdTurn.objects.filter(shift__in=shifts).values_list(
        "shift_id", "household_id"
    ):
        on.setdefault(shift_id, set()).add(household_id)
    rows = []
    for shift in shifts:
        there = on.get(shift.pk, set())
        gap = shift.needed - len(there)
        if gap <= 0:
            continue
        away = _away(absences, _day(shift.start), "household_id") | there | set(skip)
        for household_id in tally.order([k for k in households if k not in away])[:gap]:
            rows.append(HouseholdTurn(shift=shift, household_id=household_id))
            tally.add(household_id, _hours(shift.start, shift.end), shift.start)
    HouseholdTurn.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def rota_fill_all(*, actor, until: date, now: datetime | None = None) -> int:
    """The weekly job: every rota of every group, each in its own transaction."""
    made = 0
    for shift_type in ShiftType.objects.filter(
        is_active=True, rota__in=(RotaMode.MEMBERS, RotaMode.HOUSEHOLDS)
    ).select_related("group__place"):
        made += rota_fill(actor=actor, shift_type=shift_type, until=until, now=now)
    return made


# -- households' turns ------------------------------------------------------------------------


@transaction.atomic
def turn_mark(
    *, actor, turn: HouseholdTurn, status: str, note: str = "", now: datetime | None = None
) -> HouseholdTurn:
    """A coordinator marks a household's turn done or missed, once its shift has begun."""
    check_perm(
        actor,
        "volunteers.mark_turn",
        turn,
        message=_("Only the group's coordinators may mark the households' turns."),
    )
    if status not in (HouseholdTurnStatus.DONE, HouseholdTurnStatus.MISSED):
        raise ValidationError({"status": _("Mark the turn done or missed.")})
    turn = (
        HouseholdTurn.objects.select_for_update(of=("self",))
        .select_related("shift__shift_type__group__place")
        .get(pk=turn.pk)
    )
    if turn.status != HouseholdTurnStatus.DUE:
        raise ConflictError(
            _("This turn is already marked %(status)s.") % {"status": turn.get_status_display()},
            code="already_marked",
        )
    now = now or timezone.now()
    if turn.shift.start > now:
        raise ConflictError(_("The turn has not come yet."), code="not_yet")
    turn.status = status
    turn.note = (note or "").strip()[:200]
    turn.recorded_at = now
    turn.recorded_by = user_or_none(actor)
    validated(turn, fields=["status", "note"])
    turn.save(update_fields=["status", "note", "recorded_at", "recorded_by"])
    audit_record(actor=actor, action="volunteers.turn_mark", obj=turn, details={"status": status})
    return turn


# -- absences ---------------------------------------------------------------------------------


@transaction.atomic
def absence_record(
    *,
    actor,
    group: VolunteerGroup,
    from_date: date,
    until_date: date,
    volunteer: Volunteer | None = None,
    household=None,
    reason: str = "",
    now: datetime | None = None,
) -> Absence:
    """A member (or a household of the compound) is away between two dates: the rota
    passes over them, and the places it had given them then go to the next in turn."""
    absence = Absence(
        group=group,
        volunteer=volunteer,
        household=household,
        from_date=from_date,
        until_date=until_date,
        reason=(reason or "").strip()[:200],
        created_by=user_or_none(actor),
    )
    check_perm(
        actor,
        "volunteers.record_absence",
        absence,
        message=_("A member enters their own absence; a coordinator anyone's."),
    )
    if (volunteer is None) == (household is None):
        raise ValidationError(_("An absence is of one member or one household."))
    if until_date < from_date:
        raise ValidationError({"until_date": _("The last day is before the first.")})
    if (until_date - from_date).days >= MAX_ABSENCE_DAYS:
        raise ValidationError({"until_date": _("At most a year at a time.")})
    if (
        volunteer is not None
        and not Membership.objects.filter(group=group, volunteer=volunteer).exists()
    ):
        raise ConflictError(
            _("%(name)s is not a member of the group.") % {"name": volunteer.name},
            code="not_member",
        )
    if household is not None and not rota_households(group).filter(pk=household.pk).exists():
        raise ConflictError(
            _("The household is not one of the group's compound."), code="not_in_compound"
        )
    validated(absence)
    absence.save()
    audit_record(actor=actor, action="volunteers.absence_record", obj=absence)
    _release(actor, absence, now=now or timezone.now())
    return absence


def _release(actor, absence: Absence, *, now: datetime) -> None:
    """Give the absent one's coming rota places in the absence to the next in turn."""
    start = services._local(absence.from_date, datetime.min.time())
    end = services._local(absence.until_date + timedelta(days=1), datetime.min.time())
    period = Q(shift__start__gte=max(start, now), shift__start__lt=end)
    rota_types = Q(shift__shift_type__group=absence.group, shift__shift_type__is_active=True)
    if absence.volunteer_id is not None:
        released = list(
            Assignment.objects.select_for_update(of=("self",))
            .filter(period, rota_types, volunteer_id=absence.volunteer_id, by_rota=True)
            .filter(status=AssignmentStatus.ASSIGNED)
            .select_related("shift__shift_type")
        )
        for assignment in released:
            assignment.status = AssignmentStatus.CANCELLED
            assignment.save(update_fields=["status", "updated_at"])
            services.ASSIGNMENT.record(
                obj=assignment,
                kind=AssignmentEventKind.CANCELLED,
                actor=actor,
                from_status=AssignmentStatus.ASSIGNED,
                to_status=assignment.status,
                note=_("away: %(reason)s") % {"reason": absence.reason or "—"},
            )
        skip = frozenset({absence.volunteer_id})
    else:
        released = list(
            HouseholdTurn.objects.filter(
                period, rota_types, household_id=absence.household_id,
                status=HouseholdTurnStatus.DUE,
            ).select_related("shift__shift_type")
        )  # fmt: skip
        HouseholdTurn.objects.filter(pk__in=[t.pk for t in released]).delete()
        skip = frozenset({absence.household_id})
    for shift_type in {r.shift.shift_type for r in released}:
        last = max(_day(r.shift.start) for r in released if r.shift.shift_type == shift_type)
        if shift_type.rota in (RotaMode.MEMBERS, RotaMode.HOUSEHOLDS):
            rota_fill(actor=SYSTEM, shift_type=shift_type, until=last, now=now, skip=skip)


@transaction.atomic
def absence_remove(*, actor, absence: Absence) -> None:
    """Take an absence off (entered by mistake, or the trip called off)."""
    check_perm(
        actor,
        "volunteers.record_absence",
        absence,
        message=_("A member takes off their own absence; a coordinator anyone's."),
    )
    audit_record(actor=actor, action="volunteers.absence_remove", obj=absence)
    absence.delete()
