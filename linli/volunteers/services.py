"""Every change of volunteers and their shifts: registering a volunteer (a resident of the
register or an outsider, whose numbers are stored encrypted), their profile and training;
groups and their memberships as one ``core.lifecycle`` table (applied → approved or
declined; approved → paused → approved; leaving and applying again); shift types, weekly
rules with their skipped or moved dates, generating the coming weeks' shifts; signing up
and assigning within the limits (qualification, no overlap, at most N back-to-back shifts,
the places a shift needs — under a lock of the shift's row, so that two volunteers taking
the last place at once give one assignment); cancelling an assignment, and the claim of a
shift still short of people by the job that tells the coordinators. A refusal raises the
project's error with a code and changes nothing."""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.lifecycle import Lifecycle, Step, check_perm, validated
from linli.core.locking import lock_row
from linli.core.validators import normalise_mobile
from linli.places import tree

from .models import (
    ACTIVE_ASSIGNMENT,
    Assignment,
    AssignmentEvent,
    AssignmentEventKind,
    AssignmentStatus,
    HoursEntry,
    HoursKind,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    MembershipStatus,
    RotaMode,
    Shift,
    ShiftKind,
    ShiftRule,
    ShiftRuleException,
    ShiftType,
    Training,
    Volunteer,
    VolunteerGroup,
    VolunteerGroupKind,
    VolunteerRecord,
    VolunteerSkill,
)

S = MembershipStatus
K = MembershipEventKind
# Shifts this close (end of one to start of the next) count as back to back.
CONSECUTIVE_GAP = timedelta(hours=1)
MAX_NEEDED = 50
MAX_GENERATE_DAYS = 400
MAX_AVAILABILITY = 21


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def _span(start: datetime, end: datetime) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _skills(skills) -> list[str]:
    skills = list(dict.fromkeys(skills or []))
    unknown = [s for s in skills if s not in VolunteerSkill.values]
    if unknown:
        raise ValidationError({"skills": _("Choose the skills from the list.")})
    return skills


def _availability(rows) -> list[dict]:
    cleaned = []
    for row in rows or []:
        try:
            weekday = int(row["weekday"])
            start = time.fromisoformat(str(row["start"]))
            end = time.fromisoformat(str(row["end"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                {"availability": _("Give each time as a weekday with from and until.")}
            ) from exc
        if not 0 <= weekday <= 6 or end <= start:
            raise ValidationError(
                {"availability": _("Each time needs a weekday and an end after its start.")}
            )
        cleaned.append({"weekday": weekday, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"})
    if len(cleaned) > MAX_AVAILABILITY:
        raise ValidationError({"availability": _("Too many times.")})
    return sorted(cleaned, key=lambda r: (r["weekday"], r["start"]))


# -- groups -----------------------------------------------------------------------------------


@transaction.atomic
def group_create(
    *,
    actor,
    place,
    name: str,
    kind: str,
    max_consecutive: int = 2,
    organisation=None,
    swap_needs_approval: bool = False,
) -> VolunteerGroup:
    """A volunteer group serving ``place`` (a compound or a community)."""
    check_perm(
        actor,
        "volunteers.manage_groups",
        VolunteerGroup(place=place),
        message=_("Only the staff of this place may set up its volunteer groups."),
    )
    if place.kind not in ("community", "compound"):
        raise ValidationError({"place": _("A volunteer group serves a community or a compound.")})
    if kind not in VolunteerGroupKind.values:
        raise ValidationError({"kind": _("Choose the kind of group from the list.")})
    if not 1 <= int(max_consecutive) <= 10:
        raise ValidationError({"max_consecutive": _("Between 1 and 10 shifts in a row.")})
    group = VolunteerGroup(
        place=place,
        name=(name or "").strip(),
        kind=kind,
        max_consecutive=max_consecutive,
        organisation=organisation,
        swap_needs_approval=bool(swap_needs_approval),
    )
    group.full_clean()
    group.save()
    audit_record(actor=actor, action="volunteers.group_create", obj=group)
    return group


@transaction.atomic
def membership_set_coordinator(*, actor, membership: Membership, on: bool) -> Membership:
    """Mark an approved member as a coordinator (duty manager) of the group, or unmark."""
    check_perm(
        actor,
        "volunteers.manage_groups",
        membership.group,
        message=_("Only the staff of this place may choose the group's coordinators."),
    )
    membership = lock_membership(membership)
    if on and membership.status != S.APPROVED:
        raise ConflictError(
            _("Only an approved member can coordinate the group."), code="not_approved"
        )
    if membership.is_coordinator != on:
        Membership.objects.filter(pk=membership.pk).update(is_coordinator=on)
        membership.is_coordinator = on
        audit_record(
            actor=actor,
            action="volunteers.coordinator_set",
            obj=membership,
            details={"on": bool(on)},
        )
    return membership


# -- volunteers -------------------------------------------------------------------------------


@transaction.atomic
def volunteer_register(
    *,
    actor,
    user=None,
    resident=None,
    name: str = "",
    school: str = "",
    team: str = "",
    phone: str = "",
    id_number: str = "",
    skills=(),
    availability=(),
) -> Volunteer:
    """Register a volunteer: oneself (``user`` is the actor; a resident of the register is
    linked to their record), or by a coordinator. A resident's name and numbers are the
    register's; an outsider's are given here, the numbers stored encrypted."""
    from linli.residents.idnumbers import parse_id_number

    self_service = user is not None and getattr(user, "pk", None) == getattr(actor, "pk", -1)
    if not self_service:
        check_perm(
            actor,
            "volunteers.coordinate",
            message=_("Only a group's coordinators may register other volunteers."),
        )
    if user is not None:
        if Volunteer.objects.filter(user=user).exists():
            raise ConflictError(_("This account is already a volunteer."), code="already_volunteer")
        if resident is None:
            resident = getattr(user, "resident", None)
    if resident is not None:
        if Volunteer.objects.filter(resident=resident).exists():
            raise ConflictError(
                _("%(name)s is already a volunteer.") % {"name": resident.name},
                code="already_volunteer",
            )
        name, phone, id_number = resident.name, "", ""
    else:
        name = (name or "").strip()
        if not name:
            raise ValidationError({"name": _("Give the volunteer's name.")})
        if phone:
            try:
                phone = normalise_mobile(phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from exc
        if id_number:
            try:
                id_number = parse_id_number(id_number).value
            except ValidationError as exc:
                raise ValidationError({"id_number": exc.messages}) from exc
    volunteer = Volunteer(
        user=user,
        resident=resident,
        name=name[:50],
        school=(school or "").strip()[:100],
        team=(team or "").strip()[:100],
        phone=phone,
        id_number=id_number,
        skills=_skills(skills),
        availability=_availability(availability),
        created_by=user_or_none(actor),
    )
    validated(volunteer)
    volunteer.save()
    audit_record(actor=actor, action="volunteers.register", obj=volunteer)
    return volunteer


@transaction.atomic
def volunteer_update(
    *, actor, volunteer: Volunteer, skills=None, availability=None, school=None, team=None
) -> Volunteer:
    """Change a volunteer's skills, availability, school or team."""
    check_perm(actor, "volunteers.edit_volunteer", volunteer)
    volunteer = lock_row(Volunteer, volunteer.pk, select_related=("resident",))
    changed = []
    if skills is not None:
        volunteer.skills = _skills(skills)
        changed.append("skills")
    if availability is not None:
        volunteer.availability = _availability(availability)
        changed.append("availability")
    if school is not None:
        volunteer.school = school.strip()[:100]
        changed.append("school")
    if team is not None:
        volunteer.team = team.strip()[:100]
        changed.append("team")
    if changed:
        validated(volunteer, fields=changed)
        volunteer.save(update_fields=changed)
        audit_record(
            actor=actor, action="volunteers.update", obj=volunteer, details={"fields": changed}
        )
    return volunteer


@transaction.atomic
def training_record(
    *, actor, volunteer: Volunteer, subject: str, held_on: date, provider: str = "", hours=None
) -> Training:
    """Record a training the volunteer received (what, when, by whom)."""
    check_perm(
        actor,
        "volunteers.record_training",
        volunteer,
        message=_("Only a coordinator of the volunteer's group may record their training."),
    )
    training = Training(
        volunteer=volunteer,
        subject=(subject or "").strip(),
        held_on=held_on,
        provider=(provider or "").strip(),
        hours=hours,
        recorded_by=user_or_none(actor),
    )
    training.full_clean()
    training.save()
    audit_record(actor=actor, action="volunteers.training_record", obj=volunteer)
    return training


# -- memberships ------------------------------------------------------------------------------


def lock_membership(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("group__place", "volunteer")
        .get(pk=membership.pk)
    )


MEMBERSHIP = Lifecycle(
    name="volunteers.membership",
    model=Membership,
    event_model=MembershipEvent,
    subject="membership",
    event_kinds=MembershipEventKind,
    illegal_message=gettext_lazy("This membership is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy("Only the group's coordinators may do this."),
    select_related=("group__place", "volunteer"),
    audit_prefix="volunteers.membership",
    steps={
        "approve": Step(
            frozenset({S.APPLIED}), S.APPROVED, "volunteers.decide_membership", K.APPROVED,
            gettext_lazy("approved"),
        ),
        "decline": Step(
            frozenset({S.APPLIED}), S.DECLINED, "volunteers.decide_membership", K.DECLINED,
            gettext_lazy("declined"),
        ),
        "pause": Step(
            frozenset({S.APPROVED}), S.PAUSED, "volunteers.decide_membership", K.PAUSED,
            gettext_lazy("paused"),
        ),
        "resume": Step(
            frozenset({S.PAUSED}), S.APPROVED, "volunteers.decide_membership", K.RESUMED,
            gettext_lazy("resumed"),
        ),
        "leave": Step(
            frozenset({S.APPLIED, S.APPROVED, S.PAUSED}), S.LEFT,
            "volunteers.leave_membership", K.LEFT, gettext_lazy("ended"),
        ),
        "reapply": Step(
            frozenset({S.DECLINED, S.LEFT}), S.APPLIED, "volunteers.reapply_membership",
            K.REAPPLIED, gettext_lazy("applied for again"),
        ),
    },
)  # fmt: skip


def membership_steps(*, user, membership: Membership) -> list[str]:
    return MEMBERSHIP.allowed(user=user, obj=membership)


@transaction.atomic
def membership_apply(*, actor, volunteer: Volunteer, group: VolunteerGroup, note: str = ""):
    """The volunteer applies to join ``group`` (themselves, or a coordinator of the group on
    their behalf); the group's coordinators approve or decline. After a decline or leaving,
    applying again reopens the same membership."""
    if volunteer.user_id != getattr(actor, "pk", None):
        check_perm(
            actor,
            "volunteers.coordinate",
            group,
            message=_("Only the volunteer or the group's coordinators may apply."),
        )
    existing = Membership.objects.filter(volunteer=volunteer, group=group).first()
    if existing is not None:
        if existing.status in (S.DECLINED, S.LEFT):
            if volunteer.user_id != getattr(actor, "pk", None):
                raise ConflictError(
                    _("%(name)s applies again themselves.") % {"name": volunteer.name},
                    code="already_member",
                )
            return MEMBERSHIP.take("reapply", actor=actor, obj=existing, note=note)
        raise ConflictError(
            _("%(name)s has already applied to or joined %(group)s.")
            % {"name": volunteer.name, "group": group.name},
            code="already_member",
        )
    membership = Membership(volunteer=volunteer, group=group, note=(note or "").strip()[:200])
    validated(membership)
    membership.save()
    MEMBERSHIP.record(
        obj=membership, kind=K.APPLIED, actor=actor, to_status=membership.status, note=note
    )
    audit_record(actor=actor, action="volunteers.membership.apply", obj=membership)
    return membership


@transaction.atomic
def membership_approve(*, actor, membership: Membership, note: str = "") -> Membership:
    return MEMBERSHIP.take("approve", actor=actor, obj=membership, note=note)


@transaction.atomic
def membership_decline(*, actor, membership: Membership, note: str = "") -> Membership:
    return MEMBERSHIP.take("decline", actor=actor, obj=membership, note=note)


@transaction.atomic
def membership_pause(*, actor, membership: Membership, note: str = "") -> Membership:
    return MEMBERSHIP.take("pause", actor=actor, obj=membership, note=note)


@transaction.atomic
def membership_resume(*, actor, membership: Membership, note: str = "") -> Membership:
    return MEMBERSHIP.take("resume", actor=actor, obj=membership, note=note)


@transaction.atomic
def membership_leave(
    *, actor, membership: Membership, note: str = "", now: datetime | None = None
) -> Membership:
    """Leave the group (or be taken off it): the member's coming shifts of the group are
    cancelled, so that the gaps show on the board."""
    membership = MEMBERSHIP.take(
        "leave",
        actor=actor,
        obj=membership,
        note=note,
        change=lambda m: setattr(m, "is_coordinator", False),
    )
    coming = Assignment.objects.filter(
        volunteer_id=membership.volunteer_id,
        status=AssignmentStatus.ASSIGNED,
        shift__shift_type__group_id=membership.group_id,
        shift__start__gt=_now(now),
    ).select_related("shift__shift_type__group__place", "volunteer")
    for assignment in coming:
        ASSIGNMENT.take(
            "cancel",
            actor=actor,
            obj=assignment,
            note=_("Left the group."),
            context={"now": now, "leaving": True},
        )
    return membership


@transaction.atomic
def membership_reapply(*, actor, membership: Membership, note: str = "") -> Membership:
    return MEMBERSHIP.take("reapply", actor=actor, obj=membership, note=note)


# -- shift types, rules, shifts ---------------------------------------------------------------


@transaction.atomic
def shift_type_create(
    *,
    actor,
    group: VolunteerGroup,
    kind: str,
    name: str,
    needed: int,
    place=None,
    room=None,
    skills=(),
    other_groups=(),
    rota: str = "",
) -> ShiftType:
    """A kind of shift of the group: at a place of the group's (or in a room of the
    bookings there), needing ``needed`` people, open to the group's members (and those of
    ``other_groups``) with any one of ``skills`` (none: no skill needed)."""
    check_perm(
        actor,
        "volunteers.manage_shifts",
        group,
        message=_("Only the group's coordinators may set up its shifts."),
    )
    if kind not in ShiftKind.values:
        raise ValidationError({"kind": _("Choose the kind of shift from the list.")})
    if rota not in RotaMode.values:
        raise ValidationError({"rota": _("Choose from the list who serves on the shifts.")})
    if rota == RotaMode.HOUSEHOLDS and group.place.kind != "compound":
        raise ValidationError(
            {"rota": _("A rota over households is for a group serving one compound.")}
        )
    if room is not None and place is None:
        place = room.place
    place = place or group.place
    if not tree.in_subtree(place.path, group.place.path):
        raise ValidationError({"place": _("The shift's place is not one the group serves.")})
    if room is not None and not tree.in_subtree(room.place.path, group.place.path):
        raise ValidationError({"room": _("The room is not one the group serves.")})
    if not 1 <= int(needed) <= MAX_NEEDED:
        raise ValidationError(
            {"needed": _("Between 1 and %(count)s people.") % {"count": MAX_NEEDED}}
        )
    shift_type = ShiftType(
        group=group,
        kind=kind,
        name=(name or "").strip(),
        place=place,
        room=room,
        needed=needed,
        skills=_skills(skills),
        rota=rota,
    )
    shift_type.full_clean()
    shift_type.save()
    others = [g for g in other_groups if g.pk != group.pk]
    if others:
        shift_type.other_groups.set(others)
    audit_record(actor=actor, action="volunteers.shift_type_create", obj=shift_type)
    return shift_type


@transaction.atomic
def shift_rule_create(
    *,
    actor,
    shift_type: ShiftType,
    weekday: int,
    start_time: time,
    end_time: time,
    from_date: date,
    until_date: date | None = None,
) -> ShiftRule:
    """Every week on ``weekday`` (Monday 0) from ``start_time`` to ``end_time``."""
    check_perm(
        actor,
        "volunteers.manage_shifts",
        shift_type,
        message=_("Only the group's coordinators may set up its shifts."),
    )
    if not 0 <= int(weekday) <= 6:
        raise ValidationError({"weekday": _("Choose a weekday.")})
    if end_time <= start_time:
        raise ValidationError({"end_time": _("A shift ends after it starts.")})
    if until_date is not None and until_date < from_date:
        raise ValidationError({"until_date": _("The last date is before the first.")})
    rule = ShiftRule(
        shift_type=shift_type,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        from_date=from_date,
        until_date=until_date,
    )
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="volunteers.shift_rule_create", obj=rule)
    return rule


def _occurrence(rule: ShiftRule, day: date, exceptions: dict) -> tuple[datetime, datetime] | None:
    exception = exceptions.get(day)
    if exception is not None:
        if exception.moved_start is None:
            return None
        return exception.moved_start, exception.moved_end
    return _local(day, rule.start_time), _local(day, rule.end_time)


@transaction.atomic
def shift_rule_except(
    *,
    actor,
    rule: ShiftRule,
    on_date: date,
    reason: str,
    moved_start: datetime | None = None,
    moved_end: datetime | None = None,
) -> ShiftRuleException:
    """Skip one date of a weekly rule, or move it to another time. A shift already
    generated for it goes (skipped) or moves — refused while people are on it: they are
    taken off first, so that nobody finds their shift gone or moved without a word."""
    check_perm(
        actor,
        "volunteers.manage_shifts",
        rule,
        message=_("Only the group's coordinators may change its shifts."),
    )
    if (
        on_date.weekday() != rule.weekday
        or on_date < rule.from_date
        or (rule.until_date is not None and on_date > rule.until_date)
    ):
        raise ValidationError({"on_date": _("The rule has no shift on this date.")})
    if (moved_start is None) != (moved_end is None):
        raise ValidationError({"moved_end": _("A moved shift needs its start and its end.")})
    if moved_start is not None and moved_end <= moved_start:
        raise ValidationError({"moved_end": _("A shift ends after it starts.")})
    if ShiftRuleException.objects.filter(rule=rule, on_date=on_date).exists():
        raise ConflictError(
            _("This date of the rule is already skipped or moved."), code="already_excepted"
        )
    shift = Shift.objects.select_for_update().filter(rule=rule, rule_date=on_date).first()
    if shift is not None:
        if shift.assignments.filter(status__in=ACTIVE_ASSIGNMENT).exists():
            raise ConflictError(
                _("People are on the shift of %(span)s; take them off it first.")
                % {"span": _span(shift.start, shift.end)},
                code="shift_has_people",
            )
        if moved_start is None:
            shift.delete()
        else:
            shift.start, shift.end = moved_start, moved_end
            validated(shift, fields=["start", "end"])
            shift.save(update_fields=["start", "end"])
    exception = ShiftRuleException(
        rule=rule,
        on_date=on_date,
        moved_start=moved_start,
        moved_end=moved_end,
        reason=(reason or "").strip(),
    )
    exception.full_clean()
    exception.save()
    audit_record(actor=actor, action="volunteers.shift_rule_except", obj=rule)
    return exception


@transaction.atomic
def shifts_generate(*, actor, group: VolunteerGroup, until: date, start: date | None = None) -> int:
    """Generate the shifts of the group's weekly rules from ``start`` (today by default)
    up to ``until``, skipping and moving the dates their exceptions say; a date already
    generated is left as it is. Returns how many shifts were made."""
    check_perm(
        actor,
        "volunteers.generate_shifts",
        group,
        message=_("Only the group's coordinators may generate its shifts."),
    )
    start = start or timezone.localdate()
    if (until - start).days > MAX_GENERATE_DAYS:
        raise ValidationError({"until": _("At most about a year at a time.")})
    rules = list(
        ShiftRule.objects.filter(shift_type__group=group, shift_type__is_active=True)
        .select_related("shift_type")
        .prefetch_related("exceptions")
    )
    done = set(
        Shift.objects.filter(
            rule__in=rules, rule_date__gte=start, rule_date__lte=until
        ).values_list("rule_id", "rule_date")
    )
    rows = []
    for rule in rules:
        exceptions = {e.on_date: e for e in rule.exceptions.all()}
        first = max(start, rule.from_date)
        last = min(until, rule.until_date) if rule.until_date else until
        day = first + timedelta(days=(rule.weekday - first.weekday()) % 7)
        while day <= last:
            span = None if (rule.pk, day) in done else _occurrence(rule, day, exceptions)
            if span is not None:
                shift = Shift(
                    shift_type=rule.shift_type,
                    rule=rule,
                    rule_date=day,
                    start=span[0],
                    end=span[1],
                    needed=rule.shift_type.needed,
                )
                validated(shift, fields=["start", "end", "needed"])
                rows.append(shift)
            day += timedelta(days=7)
    Shift.objects.bulk_create(rows, batch_size=500)
    return len(rows)


@transaction.atomic
def shift_create(
    *, actor, shift_type: ShiftType, start: datetime, end: datetime, needed: int | None = None
) -> Shift:
    """One shift outside the weekly rules (an event's extra desk duty)."""
    check_perm(
        actor,
        "volunteers.manage_shifts",
        shift_type,
        message=_("Only the group's coordinators may set up its shifts."),
    )
    if end <= start:
        raise ValidationError({"end": _("A shift ends after it starts.")})
    needed = shift_type.needed if needed is None else needed
    if not 1 <= int(needed) <= MAX_NEEDED:
        raise ValidationError(
            {"needed": _("Between 1 and %(count)s people.") % {"count": MAX_NEEDED}}
        )
    shift = Shift(shift_type=shift_type, start=start, end=end, needed=needed)
    shift.full_clean()
    shift.save()
    audit_record(actor=actor, action="volunteers.shift_create", obj=shift)
    return shift


# -- signing up and assigning -----------------------------------------------------------------


def qualifying_group_ids(shift_type: ShiftType) -> set[int]:
    return {shift_type.group_id} | {g.pk for g in shift_type.other_groups.all()}


def _check_qualified(volunteer: Volunteer, shift: Shift) -> None:
    shift_type = shift.shift_type
    groups = qualifying_group_ids(shift_type)
    statuses = dict(
        Membership.objects.filter(volunteer=volunteer, group_id__in=groups).values_list(
            "group_id", "status"
        )
    )
    if S.APPROVED not in statuses.values():
        if S.PAUSED in statuses.values():
            raise ConflictError(
                _("%(name)s's membership of the group is paused.") % {"name": volunteer.name},
                code="membership_paused",
            )
        raise ConflictError(
            _("%(name)s is not an approved member of a group this shift is for.")
            % {"name": volunteer.name},
            code="not_member",
        )
    if shift_type.skills and not set(shift_type.skills) & set(volunteer.skills):
        needs = "、".join(str(VolunteerSkill(s).label) for s in shift_type.skills)
        raise ConflictError(
            _("This shift needs one of these skills: %(skills)s.") % {"skills": needs},
            code="missing_skill",
        )


def _active(volunteer: Volunteer):
    return Assignment.objects.filter(volunteer=volunteer, status__in=ACTIVE_ASSIGNMENT)


def _check_overlap(volunteer: Volunteer, shift: Shift) -> None:
    clash = (
        _active(volunteer)
        .filter(shift__start__lt=shift.end, shift__end__gt=shift.start)
        .exclude(shift=shift)
        .select_related("shift__shift_type")
        .first()
    )
    if clash is not None:
        raise ConflictError(
            _("%(name)s is already on %(shift)s at %(span)s.")
            % {
                "name": volunteer.name,
                "shift": clash.shift.shift_type.name,
                "span": _span(clash.shift.start, clash.shift.end),
            },
            code="overlap",
        )


def consecutive_run(volunteer: Volunteer, shift: Shift) -> int:
    """How many back-to-back shifts the volunteer would serve in a row with ``shift``."""
    limit = shift.shift_type.group.max_consecutive
    reach = (CONSECUTIVE_GAP + (shift.end - shift.start)) * (limit + 2)
    spans = sorted(
        _active(volunteer)
        .filter(shift__start__lt=shift.end + reach, shift__end__gt=shift.start - reach)
        .exclude(shift=shift)
        .values_list("shift__start", "shift__end")
    )
    run, edge = 1, shift.start
    for start, end in reversed([s for s in spans if s[1] <= shift.start]):
        if edge - end > CONSECUTIVE_GAP:
            break
        run, edge = run + 1, start
    edge = shift.end
    for start, end in [s for s in spans if s[0] >= shift.end]:
        if start - edge > CONSECUTIVE_GAP:
            break
        run, edge = run + 1, end
    return run


def _check_consecutive(volunteer: Volunteer, shift: Shift) -> None:
    limit = shift.shift_type.group.max_consecutive
    if consecutive_run(volunteer, shift) > limit:
        raise ConflictError(
            _(
                "That would be more than %(count)s shifts in a row for %(name)s; the group "
                "asks for a rest between."
            )
            % {"count": limit, "name": volunteer.name},
            code="too_many_consecutive",
        )


def _lock_pair(volunteer: Volunteer, shift: Shift) -> tuple[Volunteer, Shift]:
    # Always the volunteer first, then the shift: two steps never wait on each other.
    volunteer = lock_row(Volunteer, volunteer.pk)
    shift = lock_row(Shift, shift.pk, select_related=("shift_type__group__place",))
    return volunteer, shift


def _take_place(*, actor, volunteer, shift, by_coordinator: bool) -> Assignment:
    volunteer, shift = _lock_pair(volunteer, shift)
    if _active(volunteer).filter(shift=shift).exists():
        raise ConflictError(
            _("%(name)s is already on this shift.") % {"name": volunteer.name},
            code="already_assigned",
        )
    _check_qualified(volunteer, shift)
    _check_overlap(volunteer, shift)
    _check_consecutive(volunteer, shift)
    taken = Assignment.objects.filter(shift=shift, status__in=ACTIVE_ASSIGNMENT).count()
    if taken >= shift.needed:
        raise ConflictError(
            _("The shift of %(span)s is full.") % {"span": _span(shift.start, shift.end)},
            code="shift_full",
        )
    assignment = Assignment(
        shift=shift,
        volunteer=volunteer,
        by_coordinator=by_coordinator,
        created_by=user_or_none(actor),
    )
    validated(assignment)
    assignment.save()
    ASSIGNMENT.record(
        obj=assignment,
        kind=AssignmentEventKind.ASSIGNED if by_coordinator else AssignmentEventKind.SIGNED_UP,
        actor=actor,
        to_status=assignment.status,
    )
    return assignment


@transaction.atomic
def shift_sign_up(*, actor, shift: Shift, now: datetime | None = None) -> Assignment:
    """The volunteer takes a place on ``shift`` themselves: before it starts, as an approved
    member of a group it is for, with a qualifying skill, without overlapping another of
    their shifts or serving more than the group's limit of shifts in a row, while places
    are left."""
    volunteer = Volunteer.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if volunteer is None:
        raise ForbiddenError(_("Only volunteers sign up for shifts."), code="not_volunteer")
    if volunteer.signup_paused_at is not None:  # -- sign-in -- repeated no-shows
        raise ConflictError(
            _(
                "Your own sign-up is paused after repeated no-shows; a coordinator of your "
                "group can put you on shifts and lift the pause."
            ),
            code="signup_paused",
        )
    if shift.start <= _now(now):
        raise ConflictError(_("This shift has already started."), code="shift_started")
    return _take_place(actor=actor, volunteer=volunteer, shift=shift, by_coordinator=False)


@transaction.atomic
def shift_assign(
    *, actor, shift: Shift, volunteer: Volunteer, now: datetime | None = None
) -> Assignment:
    """A coordinator puts a volunteer on ``shift`` (fills a gap), within the same limits;
    until the shift ends."""
    check_perm(
        actor,
        "volunteers.manage_shifts",
        shift,
        message=_("Only the group's coordinators may assign people to its shifts."),
    )
    if shift.end <= _now(now):
        raise ConflictError(_("This shift is over."), code="shift_over")
    return _take_place(actor=actor, volunteer=volunteer, shift=shift, by_coordinator=True)


def _assignment_guard(name: str, assignment: Assignment, *, now=None, **context) -> None:
    if name == "cancel" and assignment.shift.start <= _now(now):
        raise ConflictError(_("This shift has already started."), code="shift_started")
    _attendance_guard(name, assignment, now=_now(now), **context)  # -- sign-in --


ASSIGNMENT = Lifecycle(
    name="volunteers.assignment",
    model=Assignment,
    event_model=AssignmentEvent,
    subject="assignment",
    event_kinds=AssignmentEventKind,
    illegal_message=gettext_lazy("This assignment is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy("Only the volunteer or the group's coordinators may do this."),
    select_related=("shift__shift_type__group__place", "volunteer"),
    guard=_assignment_guard,
    audit_prefix="volunteers.assignment",
    steps={
        "cancel": Step(
            frozenset({AssignmentStatus.ASSIGNED}), AssignmentStatus.CANCELLED,
            "volunteers.cancel_assignment", AssignmentEventKind.CANCELLED,
            gettext_lazy("cancelled"),
        ),
        # -- sign-in -- (the QR poster in the room, or the coordinator with a time)
        "sign_in": Step(
            frozenset({AssignmentStatus.ASSIGNED}), AssignmentStatus.ON_DUTY,
            "volunteers.sign_in", AssignmentEventKind.SIGNED_IN, gettext_lazy("signed in"),
        ),
        "sign_out": Step(
            frozenset({AssignmentStatus.ON_DUTY}), AssignmentStatus.SERVED,
            "volunteers.sign_in", AssignmentEventKind.SIGNED_OUT, gettext_lazy("signed out"),
        ),
        "no_show": Step(
            frozenset({AssignmentStatus.ASSIGNED}), AssignmentStatus.NO_SHOW,
            "volunteers.record_no_show", AssignmentEventKind.NO_SHOW,
            gettext_lazy("recorded as not come"),
        ),
        "no_show_auto": Step(
            frozenset({AssignmentStatus.ASSIGNED}), AssignmentStatus.NO_SHOW,
            "volunteers.no_show_auto", AssignmentEventKind.NO_SHOW,
            gettext_lazy("recorded as not come"),
        ),
        # -- hours ledger -- (the status stays served; a ledger entry is written)
        "confirm": Step(
            frozenset({AssignmentStatus.SERVED}), None, "volunteers.confirm_hours",
            AssignmentEventKind.HOURS_CONFIRMED, gettext_lazy("confirmed"),
        ),
    },
)  # fmt: skip


@transaction.atomic
def assignment_cancel(
    *, actor, assignment: Assignment, reason: str = "", now: datetime | None = None
) -> Assignment:
    """Take the volunteer off the shift (themselves, or a coordinator), before it starts."""
    return ASSIGNMENT.take(
        "cancel", actor=actor, obj=assignment, note=(reason or "").strip()[:500],
        context={"now": now},
    )  # fmt: skip


@transaction.atomic
def shift_uncovered_claim(*, actor, shift: Shift, now: datetime | None = None) -> bool:
    """The gap job claims a shift short of people, once: True if this call claimed it (and
    the coordinators are to be told), False if it was claimed before or is covered."""
    check_perm(actor, "volunteers.notify_uncovered", shift)
    shift = lock_row(Shift, shift.pk)
    taken = Assignment.objects.filter(shift=shift, status__in=ACTIVE_ASSIGNMENT).count()
    if shift.uncovered_notified_at is not None or taken >= shift.needed:
        return False
    Shift.objects.filter(pk=shift.pk).update(uncovered_notified_at=_now(now))
    return True


# -- sign-in ----------------------------------------------------------------------------------

# Signing in opens this long before a shift starts and closes when it ends.
SIGN_IN_EARLY = timedelta(minutes=30)
# A sign-in later than this after the start is flagged late, with the minutes.
LATE_GRACE = timedelta(minutes=10)
# A sign-out time at most this long after the end (later: the coordinator gives the time).
SIGN_OUT_LATE = timedelta(hours=4)
# The no-shows of this many days count towards pausing self sign-up.
NO_SHOW_DAYS = 60


def sign_in_window(shift: Shift) -> tuple[datetime, datetime]:
    return shift.start - SIGN_IN_EARLY, shift.end


def late_minutes(shift: Shift, at: datetime) -> int | None:
    """Minutes after the start for a sign-in past the grace; None when on time."""
    if at <= shift.start + LATE_GRACE:
        return None
    return int((at - shift.start).total_seconds() // 60)


def _attendance_guard(name: str, assignment: Assignment, *, now, at=None, **context) -> None:
    shift = assignment.shift
    if name in ("sign_in", "sign_out"):
        at = at or now
        if at > now + timedelta(minutes=1):
            raise ConflictError(_("The time cannot be in the future."), code="time_in_future")
    if name == "sign_in":
        opens, closes = sign_in_window(shift)
        if not opens <= at <= closes:
            raise ConflictError(
                _(
                    "Signing in for the shift of %(span)s opens 30 minutes before it starts "
                    "and closes when it ends."
                )
                % {"span": _span(shift.start, shift.end)},
                code="outside_window",
            )
    elif name == "sign_out":
        if assignment.signed_in_at is not None and at <= assignment.signed_in_at:
            raise ConflictError(_("Signing out must come after signing in."), code="before_sign_in")
        if at > shift.end + SIGN_OUT_LATE:
            raise ConflictError(
                _("It is too late to sign out here; the coordinator records the time."),
                code="outside_window",
            )
    elif name == "no_show" and now < shift.start + LATE_GRACE:
        raise ConflictError(
            _("A no-show is recorded once the shift has begun."), code="shift_not_started"
        )
    elif name == "no_show_auto" and now < shift.end:
        raise ConflictError(_("The shift has not ended yet."), code="shift_not_over")
    elif name == "confirm" and assignment.hours_confirmed_at is not None:
        raise ConflictError(_("These hours are already confirmed."), code="already_confirmed")


def _given_time(actor, assignment: Assignment, at: datetime | None) -> None:
    # Only a coordinator records another time than now (the volunteer signs in as they come).
    if at is not None and not actor.has_perm("volunteers.manage_shifts", assignment):
        raise ForbiddenError(
            _("Only the group's coordinators record a sign-in at another time."),
            code="forbidden",
        )


@transaction.atomic
def assignment_sign_in(
    *, actor, assignment: Assignment, at: datetime | None = None, now: datetime | None = None
) -> Assignment:
    """The volunteer signs in to their shift (by the QR poster in the room), or a coordinator
    signs them in at ``at``: from 30 minutes before the start until the end. Later than 10
    minutes after the start is flagged late, with the minutes."""
    _given_time(actor, assignment, at)
    now = _now(now)
    when = at or now

    def change(a):
        a.signed_in_at = when
        a.minutes_late = late_minutes(a.shift, when)

    assignment = ASSIGNMENT.take(
        "sign_in", actor=actor, obj=assignment, change=change,
        data={"at": when.isoformat()}, context={"now": now, "at": when},
    )  # fmt: skip
    return assignment


@transaction.atomic
def assignment_sign_out(
    *, actor, assignment: Assignment, at: datetime | None = None, now: datetime | None = None
) -> Assignment:
    """Sign out (the volunteer, or a coordinator at ``at``): the assignment is served and its
    hours wait for the coordinator's confirmation."""
    _given_time(actor, assignment, at)
    now = _now(now)
    when = at or now
    return ASSIGNMENT.take(
        "sign_out", actor=actor, obj=assignment,
        change=lambda a: setattr(a, "signed_out_at", when),
        data={"at": when.isoformat()}, context={"now": now, "at": when},
    )  # fmt: skip


def _pause_if_repeated(assignment: Assignment, *, actor, now: datetime) -> bool:
    """After a no-show: pause the volunteer's self sign-up once the no-shows since the
    last lift, within NO_SHOW_DAYS, reach the group's limit."""
    volunteer = lock_row(Volunteer, assignment.volunteer_id)
    if volunteer.signup_paused_at is not None:
        return False
    since = now - timedelta(days=NO_SHOW_DAYS)
    if volunteer.signup_pause_lifted_at is not None:
        since = max(since, volunteer.signup_pause_lifted_at)
    count = Assignment.objects.filter(
        volunteer=volunteer, status=AssignmentStatus.NO_SHOW, shift__start__gte=since
    ).count()
    if count < assignment.shift.shift_type.group.no_show_limit:
        return False
    Volunteer.objects.filter(pk=volunteer.pk).update(signup_paused_at=now)
    audit_record(
        actor=actor, action="volunteers.signup_pause", obj=volunteer, details={"no_shows": count}
    )
    return True


@transaction.atomic
def assignment_no_show(
    *, actor, assignment: Assignment, note: str = "", now: datetime | None = None
) -> Assignment:
    """A coordinator records that the volunteer did not come (from 10 minutes after the
    start). Repeated no-shows pause the volunteer's own sign-up."""
    now = _now(now)
    assignment = ASSIGNMENT.take(
        "no_show", actor=actor, obj=assignment, note=(note or "").strip()[:500],
        context={"now": now},
    )  # fmt: skip
    _pause_if_repeated(assignment, actor=actor, now=now)
    return assignment


@transaction.atomic
def assignment_no_show_auto(
    *, actor, assignment: Assignment, now: datetime | None = None
) -> Assignment:
    """The job (SYSTEM) records a no-show for a shift that ended without a sign-in."""
    now = _now(now)
    assignment = ASSIGNMENT.take(
        "no_show_auto", actor=actor, obj=assignment, note=_("No sign-in by the end."),
        context={"now": now},
    )  # fmt: skip
    _pause_if_repeated(assignment, actor=actor, now=now)
    return assignment


@transaction.atomic
def volunteer_lift_pause(*, actor, volunteer: Volunteer, now: datetime | None = None):
    """A coordinator of the volunteer's group lets them sign up themselves again; only
    no-shows after this count towards another pause."""
    check_perm(
        actor,
        "volunteers.lift_pause",
        volunteer,
        message=_("Only a coordinator of the volunteer's group may lift the pause."),
    )
    volunteer = lock_row(Volunteer, volunteer.pk, select_related=("resident",))
    if volunteer.signup_paused_at is None:
        raise ConflictError(
            _("%(name)s's sign-up is not paused.") % {"name": volunteer.name}, code="not_paused"
        )
    volunteer.signup_paused_at, volunteer.signup_pause_lifted_at = None, _now(now)
    Volunteer.objects.filter(pk=volunteer.pk).update(
        signup_paused_at=None, signup_pause_lifted_at=volunteer.signup_pause_lifted_at
    )
    audit_record(actor=actor, action="volunteers.signup_pause_lift", obj=volunteer)
    return volunteer


@transaction.atomic
def shift_type_sign_in_token(*, actor, shift_type: ShiftType) -> str:
    """The secret of the shift type's QR poster, made the first time it is printed."""
    import secrets

    check_perm(
        actor,
        "volunteers.manage_shifts",
        shift_type,
        message=_("Only the group's coordinators print the sign-in poster."),
    )
    shift_type = ShiftType.objects.select_for_update().get(pk=shift_type.pk)
    if not shift_type.sign_in_token:
        shift_type.sign_in_token = secrets.token_urlsafe(24)
        ShiftType.objects.filter(pk=shift_type.pk).update(sign_in_token=shift_type.sign_in_token)
        audit_record(actor=actor, action="volunteers.sign_in_poster", obj=shift_type)
    return shift_type.sign_in_token


def sign_in_assignment(*, volunteer: Volunteer | None, shift_type: ShiftType, now: datetime):
    """The volunteer's assignment the QR poster of ``shift_type`` acts on: the one they are
    signed in to, else their current or next shift of the type."""
    if volunteer is None:
        return None
    qs = Assignment.objects.filter(
        volunteer=volunteer, shift__shift_type=shift_type
    ).select_related("shift__shift_type__group__place", "volunteer")
    on_duty = qs.filter(status=AssignmentStatus.ON_DUTY).order_by("-shift__start").first()
    if on_duty is not None:
        return on_duty
    return (
        qs.filter(status=AssignmentStatus.ASSIGNED, shift__end__gt=now)
        .order_by("shift__start", "id")
        .first()
    )


@transaction.atomic
def sign_in_by_poster(*, actor, shift_type: ShiftType, now: datetime | None = None):
    """Scanning the poster: sign in to the current shift of the type (or out of the one
    signed in to). Refused for someone not on such a shift, or outside its window."""
    now = _now(now)
    volunteer = Volunteer.objects.filter(user_id=getattr(actor, "pk", None)).first()
    assignment = sign_in_assignment(volunteer=volunteer, shift_type=shift_type, now=now)
    if assignment is None:
        raise ConflictError(
            _("You are not on a shift of %(type)s.") % {"type": shift_type.name},
            code="not_on_shift",
        )
    if assignment.status == AssignmentStatus.ON_DUTY:
        return assignment_sign_out(actor=actor, assignment=assignment, now=now)
    return assignment_sign_in(actor=actor, assignment=assignment, now=now)


# -- hours ledger -----------------------------------------------------------------------------

MAX_CORRECTION = Decimal("100")


def served_hours(assignment: Assignment) -> Decimal:
    """The hours between signing in and signing out, to the hundredth."""
    if assignment.signed_in_at is None or assignment.signed_out_at is None:
        return Decimal("0")
    seconds = Decimal((assignment.signed_out_at - assignment.signed_in_at).total_seconds())
    return max(seconds / Decimal(3600), Decimal("0")).quantize(Decimal("0.01"), ROUND_HALF_UP)


@transaction.atomic
def assignment_confirm_hours(
    *, actor, assignment: Assignment, note: str = "", now: datetime | None = None
) -> HoursEntry:
    """A coordinator (never for themselves) confirms a served assignment: its hours from
    signing in to signing out go into the ledger, once."""
    now = _now(now)
    assignment = ASSIGNMENT.take(
        "confirm", actor=actor, obj=assignment, note=(note or "").strip()[:500],
        change=lambda a: setattr(a, "hours_confirmed_at", now), context={"now": now},
    )  # fmt: skip
    entry = HoursEntry(
        volunteer_id=assignment.volunteer_id,
        group=assignment.shift.shift_type.group,
        assignment=assignment,
        kind=HoursKind.SERVICE,
        hours=served_hours(assignment),
        entered_by=user_or_none(actor),
    )
    validated(entry)
    entry.save()
    return entry


@transaction.atomic
def hours_correct(*, actor, entry: HoursEntry, hours, reason: str) -> HoursEntry:
    """Correct an entry of the ledger by a new one of ``hours`` (plus or minus) with its
    reason; the original stays as it was. The corrected hours never go below zero."""
    check_perm(
        actor,
        "volunteers.correct_hours",
        entry,
        message=_("Only a coordinator of the group may correct these hours (not their own)."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except (ArithmeticError, ValueError) as exc:
        raise ValidationError({"hours": _("Give the hours as a number.")}) from exc
    if hours == 0 or abs(hours) > MAX_CORRECTION:
        raise ValidationError(
            {"hours": _("A correction is between -100 and 100 hours, and not zero.")}
        )
    lock_row(Volunteer, entry.volunteer_id)
    original = entry.corrects if entry.corrects_id else entry
    chain = [original.hours] + list(
        HoursEntry.objects.filter(corrects=original).values_list("hours", flat=True)
    )
    if sum(chain) + hours < 0:
        raise ValidationError({"hours": _("The corrected hours would be below zero.")})
    correction = HoursEntry(
        volunteer_id=original.volunteer_id,
        group_id=original.group_id,
        assignment_id=original.assignment_id,
        kind=HoursKind.CORRECTION,
        hours=hours,
        corrects=original,
        reason=reason[:300],
        entered_by=user_or_none(actor),
    )
    validated(correction)
    correction.save()
    audit_record(
        actor=actor,
        action="volunteers.hours_correct",
        obj=correction,
        details={"corrects": original.pk, "hours": str(hours)},
    )
    return correction


RECORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _record_number(group: VolunteerGroup, today: date) -> str:
    count = VolunteerRecord.objects.filter(group=group, issued_on__year=today.year).count()
    return f"ZY{today:%Y}{group.pk:04d}{count + 1:05d}"


@transaction.atomic
def record_issue(
    *, actor, volunteer: Volunteer, group: VolunteerGroup, now: datetime | None = None
) -> VolunteerRecord:
    """Issue the record of the volunteer's service in ``group`` (志愿服务记录证明): name and
    masked ID number, the kinds of shift and the period, the total of the ledger, the
    issuer and its place, a number and a verification code — fixed as issued."""
    import secrets

    check_perm(
        actor,
        "volunteers.issue_record",
        group,
        message=_("Only the group's coordinators may issue its service records."),
    )
    if volunteer.user_id is not None and volunteer.user_id == getattr(actor, "pk", None):
        raise ForbiddenError(
            _("A coordinator does not issue their own service record."), code="forbidden"
        )
    group = (
        VolunteerGroup.objects.select_for_update(of=("self",))
        .select_related("place", "organisation")
        .get(pk=group.pk)
    )
    entries = HoursEntry.objects.filter(volunteer=volunteer, group=group)
    total = sum(entries.values_list("hours", flat=True), Decimal("0"))
    if total <= 0:
        raise ConflictError(
            _("%(name)s has no confirmed hours in %(group)s.")
            % {"name": volunteer.name, "group": group.name},
            code="no_hours",
        )
    served = Assignment.objects.filter(
        pk__in=entries.exclude(assignment=None).values("assignment_id")
    ).select_related("shift__shift_type")
    starts = sorted(timezone.localtime(a.shift.start).date() for a in served)
    kinds = sorted({str(ShiftKind(a.shift.shift_type.kind).label) for a in served})
    names = sorted({a.shift.shift_type.name for a in served})
    today = timezone.localdate(_now(now))
    record = VolunteerRecord(
        volunteer=volunteer,
        group=group,
        number=_record_number(group, today),
        code="".join(secrets.choice(RECORD_ALPHABET) for _i in range(10)),
        name=volunteer.name,
        id_number_masked=volunteer.id_number_masked,
        issuer=group.organisation.name if group.organisation_id else group.name,
        issuer_place=(group.place.name_path or group.place.name).replace("/", ""),
        service={
            "groups": [group.name],
            "kinds": kinds,
            "shift_types": names,
            "shifts": len(starts),
        },
        period_from=starts[0] if starts else None,
        period_until=starts[-1] if starts else None,
        total_hours=total,
        issued_on=today,
        issued_by=user_or_none(actor),
    )
    validated(record)
    record.save()
    audit_record(actor=actor, action="volunteers.record_issue", obj=record)
    return record


def record_verify(*, number: str, code: str) -> VolunteerRecord | None:
    """The issued record with this number and code (anyone may check), else None."""
    import hmac

    number, code = (number or "").strip().upper(), (code or "").strip().upper()
    if not number or not code or len(number) > 32 or len(code) > 16:
        return None
    record = VolunteerRecord.objects.filter(number=number).first()
    if record is None or not hmac.compare_digest(record.code.encode(), code.encode()):
        return None
    return record


def volunteer_reveal_id(*, actor, volunteer: Volunteer, request=None) -> str:
    """The full ID number for the printed record (the volunteer or their coordinator);
    every reveal is audited."""
    check_perm(
        actor,
        "volunteers.reveal_id",
        volunteer,
        message=_("Only the volunteer or a coordinator of their group may see it in full."),
    )
    audit_record(actor=actor, action="volunteers.id_reveal", obj=volunteer, request=request)
    return volunteer._number("id_number")
