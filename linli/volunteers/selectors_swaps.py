"""Reads of swaps and of the rota for the asking user. A swap is seen by its offerer and its
taker, by the group's coordinators, and — while it is open — by the volunteers who could
take it (approved members of a group its shift is for). The rota is seen by the members of
its group and its coordinators, and by the residents of the compound whose households take
turns. Each read is a bounded number of queries."""

from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from linli.accounts.models import User
from linli.core.access import access_by_id
from linli.places import tree

from .models import (
    ACTIVE_ASSIGNMENT,
    Absence,
    Assignment,
    HouseholdTurn,
    Membership,
    MembershipStatus,
    RotaMode,
    Shift,
    ShiftType,
    SwapEvent,
    SwapOffer,
    SwapStatus,
    VolunteerGroup,
)
from .selectors import (
    _member_group_ids,
    coordinated_groups_q,
    coordinators_of,
    volunteer_of,
)

OPEN = (SwapStatus.OFFERED, SwapStatus.PENDING)
SWAP_RELATED = (
    "assignment__shift__shift_type__group__place",
    "assignment__shift__shift_type__room",
    "assignment__shift__shift_type__place",
    "assignment__volunteer",
    "taker",
)


def _qualifying_types(volunteer) -> QuerySet:
    groups = _member_group_ids(volunteer)
    return ShiftType.objects.filter(Q(group_id__in=groups) | Q(other_groups__in=groups)).values(
        "pk"
    )


def swap_visible_q(user) -> Q:
    coordinated = VolunteerGroup.objects.filter(coordinated_groups_q(user)).values("pk")
    condition = Q(assignment__shift__shift_type__group__in=coordinated)
    volunteer = volunteer_of(user=user)
    if volunteer is not None:
        condition |= Q(assignment__volunteer=volunteer) | Q(taker=volunteer)
        condition |= Q(
            status=SwapStatus.OFFERED,
            assignment__shift__shift_type__in=_qualifying_types(volunteer),
        )
    return condition


def swap_get(*, user, pk) -> SwapOffer:
    """One swap the user may see (404 otherwise), with its timeline."""
    qs = (
        SwapOffer.objects.filter(swap_visible_q(user))
        .select_related(*SWAP_RELATED)
        .prefetch_related(
            Prefetch("events", queryset=SwapEvent.objects.select_related("actor").order_by("at"))
        )
    )
    return access_by_id(qs, pk=pk, user=user, perm=None)


def open_swaps(*, user, now: datetime | None = None) -> QuerySet:
    """The offers the user could take: open, of coming shifts of a group they are an
    approved member of (or that their group qualifies for), not their own, not of a shift
    they are on already."""
    volunteer = volunteer_of(user=user)
    if volunteer is None:
        return SwapOffer.objects.none()
    now = now or timezone.now()
    mine = Assignment.objects.filter(volunteer=volunteer, status__in=ACTIVE_ASSIGNMENT)
    return (
        SwapOffer.objects.filter(
            status=SwapStatus.OFFERED,
            assignment__status="assigned",
            assignment__shift__start__gt=now,
            assignment__shift__shift_type__in=_qualifying_types(volunteer),
        )
        .exclude(assignment__volunteer=volunteer)
        .exclude(assignment__shift__in=mine.values("shift_id"))
        .select_related(*SWAP_RELATED)
        .order_by("assignment__shift__start", "id")
    )


def my_swaps(*, user, now: datetime | None = None) -> QuerySet:
    """The user's own offers and the ones they took, of shifts from a week back."""
    volunteer = volunteer_of(user=user)
    if volunteer is None:
        return SwapOffer.objects.none()
    now = now or timezone.now()
    return (
        SwapOffer.objects.filter(Q(assignment__volunteer=volunteer) | Q(taker=volunteer))
        .filter(assignment__shift__start__gt=now - timedelta(days=7))
        .select_related(*SWAP_RELATED)
        .order_by("assignment__shift__start", "id")
    )


def swap_approvals(*, user) -> QuerySet:
    """Swaps waiting for the approval of a coordinator of the group (not the user's own)."""
    return (
        SwapOffer.objects.filter(
            status=SwapStatus.PENDING,
            assignment__shift__shift_type__group__in=VolunteerGroup.objects.filter(
                coordinated_groups_q(user)
            ),
        )
        .exclude(assignment__volunteer__user_id=user.pk or 0)
        .exclude(taker__user_id=user.pk or 0)
        .select_related(*SWAP_RELATED)
        .order_by("assignment__shift__start", "id")
    )


def open_swap_by_assignment(assignment_ids) -> dict[int, SwapOffer]:
    """The open offer of each of these assignments (my shifts' buttons)."""
    return {
        s.assignment_id: s
        for s in SwapOffer.objects.filter(assignment_id__in=list(assignment_ids), status__in=OPEN)
    }


def swap_notify_users(swap: SwapOffer) -> list[User]:
    """Who is told of an offer: the volunteers with an account who could take it (approved
    members of a group its shift is for, with a qualifying skill, not on it) and the group's
    coordinators."""
    shift = swap.assignment.shift
    shift_type = shift.shift_type
    groups = {shift_type.group_id} | set(shift_type.other_groups.values_list("pk", flat=True))
    members = Membership.objects.filter(group_id__in=groups, status=MembershipStatus.APPROVED)
    on = Assignment.objects.filter(shift=shift, status__in=ACTIVE_ASSIGNMENT)
    candidates = (
        User.objects.filter(is_active=True, volunteer__in=members.values("volunteer_id"))
        .exclude(volunteer__in=on.values("volunteer_id"))
        .exclude(pk=swap.assignment.volunteer.user_id or 0)
        .select_related("volunteer")
    )
    wanted = set(shift_type.skills)
    users = [u for u in candidates if not wanted or wanted & set(u.volunteer.skills)]
    return users + coordinators_of(group=shift_type.group)


# -- the rota ---------------------------------------------------------------------------------


def _household_of(user):
    resident = getattr(user, "resident", None) if getattr(user, "pk", None) else None
    return resident.household if resident is not None and resident.household_id else None


def rota_types(*, user) -> QuerySet:
    """The rotas the user may see: of the groups they are an approved member of or
    coordinate, and the households' rotas of the compound they live in."""
    coordinated = VolunteerGroup.objects.filter(coordinated_groups_q(user)).values("pk")
    condition = Q(group__in=coordinated)
    volunteer = volunteer_of(user=user)
    if volunteer is not None:
        condition |= Q(group_id__in=_member_group_ids(volunteer))
    household = _household_of(user)
    if household is not None:
        path = household.place.path
        ancestors = [path[:end] for end in range(tree.SEGMENT, len(path) + 1, tree.SEGMENT)]
        condition |= Q(rota=RotaMode.HOUSEHOLDS, group__place__path__in=ancestors)
    return (
        ShiftType.objects.filter(condition, is_active=True)
        .exclude(rota=RotaMode.SIGN_UP)
        .select_related("group__place", "room", "place")
        .order_by("group__name", "name", "id")
    )


def rota_type_get(*, user, pk) -> ShiftType:
    return access_by_id(rota_types(user=user), pk=pk, user=user, perm=None)


def rota_shifts(*, shift_types, start: date, days: int = 14) -> list[Shift]:
    """The shifts of ``shift_types`` over ``days`` from ``start``, each with its people
    (``active_assignments``) and its households' turns (``turns``)."""
    tz = timezone.get_default_timezone()
    begin = timezone.make_aware(datetime.combine(start, datetime.min.time()), tz)
    return list(
        Shift.objects.filter(
            shift_type__in=shift_types, start__gte=begin, start__lt=begin + timedelta(days=days)
        )
        .select_related("shift_type__group", "shift_type__room", "shift_type__place")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(status__in=ACTIVE_ASSIGNMENT).select_related(
                    "volunteer"
                ),
                to_attr="active_assignments",
            ),
            Prefetch(
                "household_turns",
                queryset=HouseholdTurn.objects.select_related("household__place"),
                to_attr="turns",
            ),
        )
        .order_by("start", "id")
    )


def absence_list(*, user, since: date | None = None) -> QuerySet:
    """The absences the user may see: of the groups they coordinate, their own, their
    household's; ending on or after ``since``."""
    coordinated = VolunteerGroup.objects.filter(coordinated_groups_q(user)).values("pk")
    condition = Q(group__in=coordinated) | Q(volunteer__user_id=user.pk or 0)
    household = _household_of(user)
    if household is not None:
        condition |= Q(household=household)
    qs = Absence.objects.filter(condition)
    if since is not None:
        qs = qs.filter(until_date__gte=since)
    return qs.select_related("group", "volunteer", "household__place").order_by("from_date", "id")


def absence_get(*, user, pk) -> Absence:
    return access_by_id(absence_list(user=user), pk=pk, user=user, perm=None)


def turn_get(*, user, pk) -> HouseholdTurn:
    qs = HouseholdTurn.objects.filter(shift__shift_type__in=rota_types(user=user)).select_related(
        "shift__shift_type__group__place", "household__place"
    )
    return access_by_id(qs, pk=pk, user=user, perm=None)


def absence_groups(*, user) -> list[VolunteerGroup]:
    """The groups with a rota where the user may enter an absence (as a member for
    themself, as a coordinator for anyone, as a resident for their household)."""
    types = rota_types(user=user)
    return list(
        VolunteerGroup.objects.filter(pk__in=types.values("group_id"))
        .select_related("place")
        .order_by("name", "id")
    )
