"""Who may see and act on tutoring: the coordinators of the programme's volunteer group (the
staff over its place, its duty managers), the tutors (volunteers assigned to a session's
tutoring shift) while the programme runs, and a guardian for their own child. A child's data
is the guardian's, the coordinators' and — while the programme runs — its tutors'; nobody
else's."""

import rules

from linli.volunteers.predicates import coordinates as _coordinates_group


def programme_of(obj):
    """The programme an object belongs to (a programme, a session, a child, an attendance, a
    collector, a log entry)."""
    from .models import TutoringProgramme

    while not isinstance(obj, TutoringProgramme):
        for attr in ("programme", "session", "child"):
            inner = getattr(obj, attr, None)
            if inner is not None:
                obj = inner
                break
        else:
            raise TypeError(f"{obj!r} belongs to no tutoring programme")
    return obj


def session_of(obj):
    from .models import TutoringSession

    if isinstance(obj, TutoringSession):
        return obj
    return getattr(obj, "session", None)


def child_of(obj):
    from .models import TutoringChild

    if isinstance(obj, TutoringChild):
        return obj
    return getattr(obj, "child", None)


@rules.predicate
def coordinates_programme(user, obj):
    if getattr(user, "is_system", False) or not getattr(user, "pk", None):
        return False
    return _coordinates_group.test(user, programme_of(obj).group)


def _tutored_shift_ids(user, programme) -> set[int]:
    """The programme's shifts the user is assigned to, read once per user and programme."""
    cache = getattr(user, "_tutoring_shifts", None)
    if cache is None:
        cache = user._tutoring_shifts = {}
    if programme.pk not in cache:
        from linli.volunteers.models import Assignment, AssignmentStatus

        cache[programme.pk] = set(
            Assignment.objects.filter(
                volunteer__user_id=user.pk,
                status=AssignmentStatus.ASSIGNED,
                shift__tutoring_session__programme=programme,
            ).values_list("shift_id", flat=True)
        )
    return cache[programme.pk]


@rules.predicate
def is_tutor(user, obj):
    """Assigned to the session's shift (for a session, an attendance, a log entry); to any
    session of the programme (for a programme, a child, a collector)."""
    if getattr(user, "is_system", False) or not getattr(user, "pk", None):
        return False
    shifts = _tutored_shift_ids(user, programme_of(obj))
    session = session_of(obj)
    if session is not None:
        return session.shift_id in shifts
    return bool(shifts)


@rules.predicate
def is_guardian(user, obj):
    child = child_of(obj)
    return bool(getattr(user, "pk", None) and child is not None and child.guardian_id == user.pk)


@rules.predicate
def programme_running(user, obj):
    return programme_of(obj).is_running()


@rules.predicate
def programme_over(user, obj):
    return programme_of(obj).has_ended()


@rules.predicate
def lives_in_area(user, programme):
    """A resident of the register (with an account) living under the group's place."""
    from linli.places import tree

    resident = getattr(user, "resident", None) if getattr(user, "pk", None) else None
    if resident is None:
        return False
    return tree.in_subtree(resident.place.path, programme.group.place.path)
