"""Reads of sign-in and the hours ledger for the asking user: their own ledger and records;
a group's coordinators see the group's ledger, records and the served assignments waiting
for confirmation; anyone else nothing (404)."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from linli.core.access import access_by_id

from .models import (
    Assignment,
    AssignmentStatus,
    HoursEntry,
    ShiftType,
    VolunteerGroup,
    VolunteerRecord,
)
from .selectors import coordinated_groups_q


def _coordinated(user) -> QuerySet:
    return VolunteerGroup.objects.filter(coordinated_groups_q(user))


def hours_entries(*, user, group: VolunteerGroup | None = None) -> QuerySet:
    """Ledger entries the user may see: their own, and those of the groups they
    coordinate (only ``group``'s when given)."""
    condition = Q(volunteer__user_id=user.pk or 0) | Q(group__in=_coordinated(user))
    qs = HoursEntry.objects.filter(condition)
    if group is not None:
        qs = qs.filter(group=group)
    return qs.select_related(
        "volunteer", "group__place", "assignment__shift__shift_type", "corrects", "entered_by"
    ).order_by("-at", "-id")


def my_hours(*, user) -> QuerySet:
    return hours_entries(user=user).filter(volunteer__user_id=user.pk or 0)


def hours_entry_get(*, user, pk) -> HoursEntry:
    return access_by_id(hours_entries(user=user), pk=pk, user=user, perm=None)


def total_hours(entries: QuerySet) -> Decimal:
    return entries.order_by().aggregate(total=Sum("hours"))["total"] or Decimal("0")


def to_confirm(*, group: VolunteerGroup) -> QuerySet:
    """The group's served assignments whose hours wait for the coordinator."""
    return (
        Assignment.objects.filter(
            shift__shift_type__group=group,
            status=AssignmentStatus.SERVED,
            hours_confirmed_at=None,
        )
        .select_related("shift__shift_type__group__place", "volunteer")
        .order_by("shift__start", "id")
    )


def records(*, user) -> QuerySet:
    condition = Q(volunteer__user_id=user.pk or 0) | Q(group__in=_coordinated(user))
    return (
        VolunteerRecord.objects.filter(condition)
        .select_related("volunteer__resident", "group__place")
        .order_by("-issued_at", "-id")
    )


def record_get(*, user, pk) -> VolunteerRecord:
    return access_by_id(records(user=user), pk=pk, user=user, perm=None)


def coordinated_shift_type(*, user, pk) -> ShiftType:
    qs = ShiftType.objects.filter(group__in=_coordinated(user)).select_related("group__place")
    return access_by_id(qs, pk=pk, user=user, perm="volunteers.manage_shifts")


def shift_type_by_token(token: str) -> ShiftType | None:
    if not token or len(token) > 43:
        return None
    return (
        ShiftType.objects.filter(sign_in_token=token, is_active=True)
        .select_related("group__place", "room", "place")
        .first()
    )
