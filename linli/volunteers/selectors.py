"""Reads of volunteers, groups and shifts for the asking user: a volunteer sees their own
record and shifts and the shifts of the groups they are an approved member of; a group's
coordinators (the staff over its place, its duty managers) see its members, applications
and board; anyone else sees nothing. Each read is a bounded number of queries."""

from datetime import date, datetime, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from linli.accounts.models import RoleGrant, User
from linli.accounts.roles import COORDINATE_VOLUNTEERS
from linli.accounts.scope import scope_of
from linli.core.access import access_by_id
from linli.places import tree

from .models import (
    ACTIVE_ASSIGNMENT,
    Assignment,
    Membership,
    MembershipStatus,
    Shift,
    ShiftType,
    Volunteer,
    VolunteerGroup,
)
from .predicates import _coordinated_group_ids

ACTIVE = ACTIVE_ASSIGNMENT


def _ancestors(path: str) -> list[str]:
    return [path[:end] for end in range(tree.SEGMENT, len(path) + 1, tree.SEGMENT)]


def volunteer_of(*, user) -> Volunteer | None:
    if not getattr(user, "pk", None):
        return None
    return Volunteer.objects.filter(user_id=user.pk).select_related("resident").first()


def coordinated_groups_q(user) -> Q:
    """Groups the user coordinates: as staff over the group's place, or as its duty
    manager."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    return scope.q(roles=COORDINATE_VOLUNTEERS) | Q(pk__in=_coordinated_group_ids(user))


def group_list(*, user) -> QuerySet:
    """The groups the user coordinates."""
    return (
        VolunteerGroup.objects.filter(coordinated_groups_q(user))
        .select_related("place", "organisation")
        .order_by("place__path", "name", "id")
    )


def group_get(*, user, pk) -> VolunteerGroup:
    return access_by_id(group_list(user=user), pk=pk, user=user, perm=None)


def groups_with_shift_types(*, groups) -> set[int]:
    """Which of ``groups`` have shifts set up (the board opens on the first of them)."""
    return set(
        ShiftType.objects.filter(group__in=groups, is_active=True).values_list(
            "group_id", flat=True
        )
    )


def groups_to_join(*, user) -> QuerySet:
    """Groups a volunteer may apply to: those serving a place their grants or household
    are in, and those they already belong to (to show their status)."""
    volunteer = volunteer_of(user=user)
    scope = scope_of(user)
    condition = Q(pk__in=[])
    for grant in scope.grants:
        # a group serves a community or a compound: the grant's place is in it, or under it
        condition |= tree.subtree_q(grant.path, "place__path") | Q(
            place__path__in=_ancestors(grant.path)
        )
    if volunteer is not None:
        condition |= Q(memberships__volunteer=volunteer)
    return VolunteerGroup.objects.filter(condition).distinct().select_related("place")


def membership_of(*, volunteer, groups) -> dict[int, Membership]:
    if volunteer is None:
        return {}
    return {m.group_id: m for m in Membership.objects.filter(volunteer=volunteer, group__in=groups)}


def _member_group_ids(volunteer) -> list[int]:
    return list(
        Membership.objects.filter(
            volunteer=volunteer, status=MembershipStatus.APPROVED
        ).values_list("group_id", flat=True)
    )


def _with_counts(qs: QuerySet) -> QuerySet:
    return qs.select_related(
        "shift_type__group__place", "shift_type__room", "shift_type__place"
    ).annotate(taken=Count("assignments", filter=Q(assignments__status__in=ACTIVE)))


def my_assignments(*, user, since: datetime | None = None) -> QuerySet:
    """The user's own assignments (on shifts ending after ``since``; all when None)."""
    qs = Assignment.objects.filter(volunteer__user_id=user.pk or 0, status__in=ACTIVE)
    if since is not None:
        qs = qs.filter(shift__end__gt=since)
    return qs.select_related(
        "shift__shift_type__group", "shift__shift_type__room", "shift__shift_type__place"
    ).order_by("shift__start", "id")


def open_shifts(*, user, now: datetime | None = None, days: int = 28) -> QuerySet:
    """The coming shifts of the groups the user is an approved member of (or qualifies for
    through another group), with how many places are taken and whether the user is on it."""
    volunteer = volunteer_of(user=user)
    if volunteer is None:
        return Shift.objects.none()
    now = now or timezone.now()
    groups = _member_group_ids(volunteer)
    qualifying = ShiftType.objects.filter(
        Q(group_id__in=groups) | Q(other_groups__in=groups)
    ).values("pk")
    qs = Shift.objects.filter(
        shift_type__in=qualifying, start__gt=now, start__lt=now + timedelta(days=days)
    )
    return (
        _with_counts(qs)
        .annotate(
            mine=Count(
                "assignments",
                filter=Q(assignments__status__in=ACTIVE, assignments__volunteer=volunteer),
            )
        )
        .order_by("start", "id")
    )


def shift_visible_q(user) -> Q:
    """Shifts of the groups the user coordinates or is an approved member of (or qualifies
    for through another group), and those they are or were on. Subqueries, not joins: a
    join through the qualifying groups would repeat a shift and inflate its counts."""
    volunteer = volunteer_of(user=user)
    coordinated = VolunteerGroup.objects.filter(coordinated_groups_q(user)).values("pk")
    condition = Q(shift_type__group__in=coordinated)
    if volunteer is not None:
        groups = _member_group_ids(volunteer)
        qualifying = ShiftType.objects.filter(
            Q(group_id__in=groups) | Q(other_groups__in=groups)
        ).values("pk")
        condition |= Q(shift_type__in=qualifying)
        condition |= Q(pk__in=Assignment.objects.filter(volunteer=volunteer).values("shift_id"))
    return condition


def shift_list(*, user, now: datetime | None = None, days: int = 28) -> QuerySet:
    """The coming ``days``' shifts the user may see, with their counts."""
    now = now or timezone.now()
    qs = Shift.objects.filter(
        shift_visible_q(user), start__gt=now, start__lt=now + timedelta(days=days)
    )
    return _with_counts(qs).order_by("start", "id")


def shift_get(*, user, pk) -> Shift:
    """One shift the user may see (404 otherwise), with its people."""
    qs = _with_counts(Shift.objects.filter(shift_visible_q(user))).prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(status__in=ACTIVE).select_related("volunteer"),
            to_attr="active_assignments",
        )
    )
    return access_by_id(qs, pk=pk, user=user, perm=None)


def coordinated_shifts(*, user, start: datetime, end: datetime) -> QuerySet:
    """The shifts of the groups the user coordinates starting between two moments."""
    groups = VolunteerGroup.objects.filter(coordinated_groups_q(user))
    qs = Shift.objects.filter(shift_type__group__in=groups, start__gte=start, start__lt=end)
    return _with_counts(qs).order_by("start", "id")


def board(*, group: VolunteerGroup, week_start: date) -> QuerySet:
    """The group's shifts of the week from ``week_start``, with their people."""
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(week_start, datetime.min.time()), tz)
    qs = Shift.objects.filter(
        shift_type__group=group, start__gte=start, start__lt=start + timedelta(days=7)
    )
    return (
        _with_counts(qs)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(status__in=ACTIVE).select_related("volunteer"),
                to_attr="active_assignments",
            )
        )
        .order_by("start", "id")
    )


def assignment_get(*, user, pk) -> Assignment:
    return access_by_id(assignment_list(user=user), pk=pk, user=user, perm=None)


def assignment_list(*, user) -> QuerySet:
    """The assignments the user may cancel or see: their own, and those of the groups they
    coordinate."""
    return Assignment.objects.filter(
        Q(volunteer__user_id=user.pk or 0)
        | Q(shift__shift_type__group__in=VolunteerGroup.objects.filter(coordinated_groups_q(user)))
    ).select_related("shift__shift_type__group__place", "volunteer")


def volunteer_list(*, user, group: VolunteerGroup | None = None) -> QuerySet:
    """The volunteers of the groups the user coordinates (members and applicants)."""
    groups = VolunteerGroup.objects.filter(coordinated_groups_q(user))
    if group is not None:
        groups = groups.filter(pk=group.pk)
    memberships = Membership.objects.filter(group__in=groups)
    return (
        Volunteer.objects.filter(pk__in=memberships.values("volunteer_id"))
        .select_related("resident")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(group__in=groups).select_related("group"),
                to_attr="shown_memberships",
            )
        )
        .order_by("name", "id")
    )


def volunteer_get(*, user, pk) -> Volunteer:
    qs = Volunteer.objects.select_related("resident").prefetch_related(
        "trainings", Prefetch("memberships", queryset=Membership.objects.select_related("group"))
    )
    return access_by_id(qs, pk=pk, user=user, perm="volunteers.view_volunteer")


def eligible_volunteers(*, shift: Shift) -> QuerySet:
    """Approved members of the groups the shift is for (the coordinator's choice list)."""
    groups = {shift.shift_type.group_id} | set(
        shift.shift_type.other_groups.values_list("pk", flat=True)
    )
    members = Membership.objects.filter(group_id__in=groups, status=MembershipStatus.APPROVED)
    return Volunteer.objects.filter(pk__in=members.values("volunteer_id")).order_by("name", "id")


def eligible_members(*, group: VolunteerGroup) -> QuerySet:
    """The group's approved members (the board's choice list)."""
    members = Membership.objects.filter(group=group, status=MembershipStatus.APPROVED)
    return Volunteer.objects.filter(pk__in=members.values("volunteer_id")).order_by("name", "id")


def applications(*, user) -> QuerySet:
    """Applications waiting in the groups the user coordinates (not their own)."""
    return (
        Membership.objects.filter(
            status=MembershipStatus.APPLIED,
            group__in=VolunteerGroup.objects.filter(coordinated_groups_q(user)),
        )
        .exclude(volunteer__user_id=user.pk or 0)
        .select_related("volunteer__resident", "group__place")
        .order_by("created_at", "id")
    )


def membership_get(*, user, pk) -> Membership:
    return access_by_id(membership_list(user=user), pk=pk, user=user, perm=None)


def membership_list(*, user) -> QuerySet:
    """The user's own memberships and those of the groups they coordinate."""
    return Membership.objects.filter(
        Q(volunteer__user_id=user.pk or 0)
        | Q(group__in=VolunteerGroup.objects.filter(coordinated_groups_q(user)))
    ).select_related("volunteer__resident", "group__place")


def uncovered_shifts(*, now: datetime, days: int) -> QuerySet:
    """Shifts starting within ``days`` that still need people and whose coordinators were
    not told yet (the gap job)."""
    return (
        _with_counts(
            Shift.objects.filter(
                start__gt=now, start__lt=now + timedelta(days=days), uncovered_notified_at=None
            )
        )
        .filter(taken__lt=F("needed"))
        .order_by("start", "id")
    )


def coordinators_of(*, group: VolunteerGroup) -> list[User]:
    """Who is told about the group's gaps: its duty managers with an account and the staff
    who coordinate over its place."""
    grants = RoleGrant.objects.active().filter(
        role__in=COORDINATE_VOLUNTEERS, place__path__in=_ancestors(group.place.path)
    )
    managers = Membership.objects.filter(
        group=group, status=MembershipStatus.APPROVED, is_coordinator=True
    ).values("volunteer__user_id")
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=grants.values("user_id")) | Q(pk__in=managers))
        .order_by("pk")
    )


# -- setting up groups, shift types and weekly rules --------------------------------------------


def group_places(*, user) -> QuerySet:
    """The communities and compounds where the user may set up a volunteer group (the staff
    who coordinate volunteers over them): the new group form's choice list."""
    from linli.places.models import Place

    return Place.objects.filter(
        scope_of(user).q(roles=COORDINATE_VOLUNTEERS, field="path"),
        kind__in=("community", "compound"),
    ).order_by("path")


def group_setup(*, group: VolunteerGroup) -> dict:
    """A group's set-up page: its shift types with their weekly rules and the dates skipped
    or moved, its approved members (coordinators first). A fixed number of queries."""
    from .models import ShiftRule

    shift_types = list(
        ShiftType.objects.filter(group=group)
        .select_related("place", "room")
        .prefetch_related(
            "other_groups",
            Prefetch(
                "rules",
                queryset=ShiftRule.objects.prefetch_related("exceptions").order_by(
                    "weekday", "start_time", "id"
                ),
            ),
        )
        .order_by("-is_active", "name", "id")
    )
    members = list(
        Membership.objects.filter(group=group, status=MembershipStatus.APPROVED)
        .select_related("volunteer")
        .order_by("-is_coordinator", "volunteer__name", "id")
    )
    return {"shift_types": shift_types, "members": members}


def group_rooms(*, group: VolunteerGroup) -> QuerySet:
    """The rooms of the bookings module at the group's place (a shift type's room)."""
    from linli.bookings.models import Room

    return (
        Room.objects.filter(tree.subtree_q(group.place.path, "place__path"))
        .select_related("place")
        .order_by("place__path", "name", "id")
    )


def shift_type_get(*, user, pk) -> ShiftType:
    """A shift type of a group the user coordinates, or 404."""
    qs = ShiftType.objects.filter(
        group__in=VolunteerGroup.objects.filter(coordinated_groups_q(user))
    ).select_related("group__place")
    return access_by_id(qs, pk=pk, user=user, perm="volunteers.manage_shifts")


def shift_rule_get(*, user, pk):
    """A weekly rule of a group the user coordinates, or 404."""
    from .models import ShiftRule

    qs = ShiftRule.objects.filter(
        shift_type__group__in=VolunteerGroup.objects.filter(coordinated_groups_q(user))
    ).select_related("shift_type__group__place")
    return access_by_id(qs, pk=pk, user=user, perm="volunteers.manage_shifts")
