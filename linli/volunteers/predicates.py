"""Who may see and act on volunteers, groups and shifts: the community worker and the branch
secretary over a group's place, the group's own coordinators (volunteers it marks as duty
managers), and a volunteer for their own record, memberships and assignments."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import COORDINATE_VOLUNTEERS


def group_of(obj):
    """The group an object belongs to (a group, a membership, a shift type, a rule, a shift,
    an assignment, a swap, an absence, a household's turn)."""
    from .models import VolunteerGroup

    while not isinstance(obj, VolunteerGroup):
        for attr in ("group", "shift_type", "shift", "rule", "assignment"):
            inner = getattr(obj, attr, None)
            if inner is not None:
                obj = inner
                break
        else:
            raise TypeError(f"{obj!r} belongs to no volunteer group")
    return obj


def _place_of(obj):
    return group_of(obj).place


staff_coordinates = role_in_scope(
    "staff_coordinates_volunteers", COORDINATE_VOLUNTEERS, place_of=_place_of
)


def _coordinated_group_ids(user) -> set[int]:
    """The groups the user coordinates as a volunteer, read once per user object."""
    cached = getattr(user, "_volunteer_coordinated", None)
    if cached is None:
        from .models import Membership, MembershipStatus

        cached = set()
        if user.pk and not getattr(user, "is_system", False):
            cached = set(
                Membership.objects.filter(
                    volunteer__user_id=user.pk,
                    status=MembershipStatus.APPROVED,
                    is_coordinator=True,
                ).values_list("group_id", flat=True)
            )
        user._volunteer_coordinated = cached
    return cached


@rules.predicate
def is_group_coordinator(user, obj=None):
    if obj is None:
        return bool(_coordinated_group_ids(user))
    return group_of(obj).pk in _coordinated_group_ids(user)


def _volunteer_of(obj):
    from .models import Volunteer

    if isinstance(obj, Volunteer):
        return obj
    return getattr(obj, "volunteer", None)


@rules.predicate
def is_own(user, obj):
    """The volunteer record, membership or assignment is the user's own."""
    volunteer = _volunteer_of(obj)
    return bool(user.pk and volunteer is not None and volunteer.user_id == user.pk)


@rules.predicate
def coordinates_volunteer(user, volunteer):
    """The user coordinates a group the volunteer belongs to or applied to."""
    from .models import Membership

    if getattr(user, "is_system", False) or not user.pk:
        return False
    group_ids = set(
        Membership.objects.filter(volunteer=volunteer).values_list("group_id", flat=True)
    )
    if group_ids & _coordinated_group_ids(user):
        return True
    from .models import VolunteerGroup

    for group in VolunteerGroup.objects.filter(pk__in=group_ids).select_related("place"):
        if staff_coordinates.test(user, group):
            return True
    return False


@rules.predicate
def is_volunteer(user):
    return bool(user.pk) and hasattr(user, "volunteer") and user.volunteer is not None


coordinates = staff_coordinates | is_group_coordinator
