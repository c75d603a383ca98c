"""The demo's year of the self-management group of Nanguanfang (called from ``demo``): room
duty and the lending desk a year back (the weeks before the eight the services filled, as
the duty managers filled them then: bulk-written, the rows the services write), the
cleaning of the reception hall every Saturday by the rota over the members for a year and
the coming weeks (through the service, a few members away for some weeks), the stairs'
cleaning by the rota over the compound's households (the past turns marked), and a few
swaps: one approved, one awaiting the duty managers, one still offered, one withdrawn and
one that lapsed when its shift began untaken."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from linli.core.actors import SYSTEM
from linli.core.errors import LinliError

from . import services, services_rota, services_swaps
from .models import (
    Assignment,
    AssignmentEvent,
    AssignmentEventKind,
    AssignmentStatus,
    HouseholdTurn,
    RotaMode,
    Shift,
    ShiftRule,
    ShiftType,
    VolunteerGroup,
)

YEAR_WEEKS = 52
AHEAD_WEEKS = 4
STAIRS_WEEKS_BACK = 6


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def _year_of_duty(group, members, manager_user, first_monday: date) -> int:
    """Room duty and the lending desk from ``first_monday`` up to where the weekly rules
    began: the shifts each rule generates, each filled by the members in turn (the lending
    desk by those who lend), as assigned by the duty manager."""
    rules = list(
        ShiftRule.objects.filter(shift_type__group=group, from_date__gt=first_monday)
        .exclude(shift_type__rota__in=(RotaMode.MEMBERS, RotaMode.HOUSEHOLDS))
        .select_related("shift_type")
    )
    shifts = []
    for rule in rules:
        day = first_monday + timedelta(days=rule.weekday)
        while day < rule.from_date:
            shifts.append(
                Shift(
                    shift_type=rule.shift_type,
                    rule=rule,
                    rule_date=day,
                    start=_local(day, rule.start_time),
                    end=_local(day, rule.end_time),
                    needed=rule.shift_type.needed,
                )
            )
            day += timedelta(days=7)
    ShiftRule.objects.filter(pk__in=[r.pk for r in rules]).update(from_date=first_monday)
    shifts = Shift.objects.bulk_create(sorted(shifts, key=lambda s: s.start), batch_size=500)
    # the members with an account (the students) joined lately: the residents kept it then
    members = [m for m in members if m.user_id is None]
    rows, turn = [], 0
    for shift in shifts:
        wanted = set(shift.shift_type.skills)
        qualified = [m for m in members if not wanted or wanted & set(m.skills)]
        chosen = []
        for _n in range(len(qualified)):
            volunteer = qualified[turn % len(qualified)]
            turn += 1
            if volunteer not in chosen:
                chosen.append(volunteer)
            if len(chosen) == shift.needed:
                break
        for volunteer in chosen:
            rows.append(
                Assignment(
                    shift=shift,
                    volunteer=volunteer,
                    by_coordinator=True,
                    created_by=manager_user,
                )
            )
    rows = Assignment.objects.bulk_create(rows, batch_size=500)
    AssignmentEvent.objects.bulk_create(
        [
            AssignmentEvent(
                assignment=a,
                kind=AssignmentEventKind.ASSIGNED,
                actor=manager_user,
                to_status=AssignmentStatus.ASSIGNED,
            )
            for a in rows
        ],
        batch_size=500,
    )
    return len(rows)


def _cleaning(secretary, group, hall, members, first_monday: date, today: date) -> ShiftType:
    """Cleaning the hall every Saturday afternoon, by the rota over the members, a year
    back and the coming weeks; three members away for a while in that year."""
    cleaning = services.shift_type_create(
        actor=secretary, group=group, kind="cleaning", name="会客厅保洁", room=hall, needed=1
    )
    ShiftType.objects.filter(pk=cleaning.pk).update(rota=RotaMode.MEMBERS)
    cleaning.rota = RotaMode.MEMBERS
    services.shift_rule_create(
        actor=secretary,
        shift_type=cleaning,
        weekday=5,
        start_time=time(16),
        end_time=time(17),
        from_date=first_monday,
    )
    services.shifts_generate(
        actor=secretary,
        group=group,
        start=first_monday,
        until=today + timedelta(weeks=AHEAD_WEEKS),
    )
    begin = _local(first_monday, time(0))
    for number, (weeks_in, weeks_long, reason) in enumerate(
        ((10, 3, "回老家探亲"), (24, 2, "住院治疗"), (40, 4, "去外地带孙子"))
    ):
        volunteer = members[(number * 3 + 2) % len(members)]
        away = first_monday + timedelta(weeks=weeks_in)
        services_rota.absence_record(
            actor=secretary,
            group=group,
            volunteer=volunteer,
            from_date=away,
            until_date=away + timedelta(weeks=weeks_long, days=-1),
            reason=reason,
            now=begin,
        )
    # the students tutor the children over the summer (暑期托管): away from the rota then
    summer = date(today.year if today.month > 8 else today.year - 1, 7, 1)
    for volunteer in members:
        if volunteer.user_id is not None and summer >= first_monday:
            services_rota.absence_record(
                actor=secretary,
                group=group,
                volunteer=volunteer,
                from_date=summer,
                until_date=date(summer.year, 8, 31),
                reason="暑期托管志愿服务",
                now=begin,
            )
    # the rota as the weekly job filled it, a year ago onwards (the same order as week by week)
    services_rota.rota_fill(
        actor=SYSTEM,
        shift_type=cleaning,
        until=today + timedelta(weeks=2),
        now=begin,
    )
    return cleaning


def _stairs(secretary, group, compound, today: date) -> None:
    """The stairs cleaned every Sunday morning by two households in turn; the past turns
    marked done, one missed."""
    stairs = services.shift_type_create(
        actor=secretary, group=group, kind="cleaning", name="楼道保洁", place=compound, needed=2
    )
    ShiftType.objects.filter(pk=stairs.pk).update(rota=RotaMode.HOUSEHOLDS)
    stairs.rota = RotaMode.HOUSEHOLDS
    start = today - timedelta(weeks=STAIRS_WEEKS_BACK)
    start -= timedelta(days=start.weekday())
    services.shift_rule_create(
        actor=secretary,
        shift_type=stairs,
        weekday=6,
        start_time=time(8),
        end_time=time(9),
        from_date=start,
    )
    services.shifts_generate(
        actor=secretary, group=group, start=start, until=today + timedelta(weeks=AHEAD_WEEKS)
    )
    services_rota.rota_fill(
        actor=SYSTEM,
        shift_type=stairs,
        until=today + timedelta(weeks=2),
        now=_local(start, time(0)),
    )
    now = timezone.now()
    turns = HouseholdTurn.objects.filter(shift__shift_type=stairs, shift__end__lte=now)
    for number, turn in enumerate(turns.select_related("shift").order_by("shift__start", "id")):
        status = "missed" if number == 3 else "done"
        services_rota.turn_mark(
            actor=secretary, turn=turn, status=status, now=turn.shift.end + timedelta(hours=1)
        )


def _take(swap, members, *, now) -> object:
    for volunteer in members:
        if volunteer.user_id is None:
            continue
        try:
            with transaction.atomic():
                return services_swaps.swap_take(actor=volunteer.user, swap=swap, now=now)
        except LinliError:
            continue
    return None


def _swaps(secretary, group, members, manager_user) -> int:
    """A few swaps of the room duty's coming shifts, among the members with an account."""
    now = timezone.now()
    with_accounts = [m for m in members if m.user_id]
    coming = list(
        Assignment.objects.filter(
            shift__shift_type__group=group,
            shift__shift_type__rota="",
            shift__start__gt=now + timedelta(days=1),
            status=AssignmentStatus.ASSIGNED,
        )
        .select_related("volunteer__user", "shift")
        .order_by("shift__start", "id")[:40]
    )
    made = 0
    plans = ["approved", "pending", "offered", "withdrawn"]
    for assignment in coming:
        if not plans:
            break
        plan = plans[0]
        offerer = assignment.volunteer
        if offerer.user_id is not None:
            continue  # 林小雨's own shifts are hers to offer
        # the members without an account ask the duty manager to offer it for them
        actor = manager_user
        notes = {"approved": "那天要去医院复查", "pending": "孙子开家长会", "offered": "临时出差"}
        try:
            with transaction.atomic():
                swap = services_swaps.swap_offer(
                    actor=actor, assignment=assignment, note=notes.get(plan, "")
                )
                if plan == "withdrawn":
                    services_swaps.swap_withdraw(actor=actor, swap=swap, note="能去了")
                elif plan in ("approved", "pending"):
                    takers = [m for m in with_accounts if m.pk != offerer.pk]
                    if _take(swap, takers, now=now) is None:
                        raise LinliError("nobody could take it")
                    if plan == "approved":
                        services_swaps.swap_approve(actor=secretary, swap=swap)
        except LinliError:
            continue
        plans.pop(0)
        made += 1
    # one offered a while ago for a shift that began untaken: lapsed by the job
    past = (
        Assignment.objects.filter(
            shift__shift_type__group=group,
            shift__shift_type__rota="",
            shift__start__lt=now - timedelta(days=3),
            status=AssignmentStatus.ASSIGNED,
        )
        .select_related("volunteer__user", "shift")
        .order_by("-shift__start", "-id")
        .first()
    )
    if past is not None:
        swap = services_swaps.swap_offer(
            actor=manager_user,
            assignment=past,
            note="周末有事",
            now=past.shift.start - timedelta(days=2),
        )
        services_swaps.swap_lapse(actor=SYSTEM, swap=swap, now=past.shift.start)
        made += 1
    return made


@transaction.atomic
def demo_rota_and_swaps(*, secretary, group: VolunteerGroup, compound, members, manager_user):
    """The year of duty, the cleaning rotas and the swaps (see the module)."""
    from linli.bookings.models import Room

    today = timezone.localdate()
    first_monday = today - timedelta(weeks=YEAR_WEEKS)
    first_monday -= timedelta(days=first_monday.weekday())
    hall = Room.objects.filter(place__path__startswith=compound.path, name="居民会客厅").first()
    _year_of_duty(group, members, manager_user, first_monday)
    _cleaning(secretary, group, hall, members, first_monday, today)
    _stairs(secretary, group, compound, today)
    VolunteerGroup.objects.filter(pk=group.pk).update(swap_needs_approval=True)
    group.swap_needs_approval = True
    _swaps(secretary, group, members, manager_user)
