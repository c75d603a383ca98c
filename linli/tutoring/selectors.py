"""Reads of summer tutoring for the asking user: coordinators see their groups' programmes,
tutors the programmes they tutor in, guardians their own children; each object is fetched
with its permission (404 for everyone else). Each read is a bounded number of queries."""

from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from linli.accounts.models import User
from linli.core.access import access_by_id
from linli.places import tree
from linli.volunteers.models import Assignment, AssignmentStatus, VolunteerGroup
from linli.volunteers.selectors import coordinated_groups_q

from .models import (
    AttendanceStatus,
    ChildStatus,
    TutoringAttendance,
    TutoringChild,
    TutoringCollector,
    TutoringProgramme,
    TutoringSession,
)

ASSIGNED = AssignmentStatus.ASSIGNED
PROGRAMME_RELATED = ("group__place", "room__place", "shift_type")


def _ancestors(path: str) -> list[str]:
    return [path[:end] for end in range(tree.SEGMENT, len(path) + 1, tree.SEGMENT)]


def _tutored_programmes(user):
    return TutoringSession.objects.filter(
        shift__assignments__volunteer__user_id=user.pk or 0, shift__assignments__status=ASSIGNED
    ).values("programme_id")


def programme_list(*, user) -> QuerySet:
    """The programmes of the groups the user coordinates and those running that they tutor
    in."""
    if not getattr(user, "pk", None):
        return TutoringProgramme.objects.none()
    coordinated = VolunteerGroup.objects.filter(coordinated_groups_q(user)).values("pk")
    today = timezone.localdate()
    running = Q(starts_on__lte=today, ends_on__gte=today)
    return (
        TutoringProgramme.objects.filter(
            Q(group__in=coordinated) | (Q(pk__in=_tutored_programmes(user)) & running)
        )
        .select_related(*PROGRAMME_RELATED)
        .order_by("-starts_on", "id")
    )


def programme_get(*, user, pk) -> TutoringProgramme:
    return access_by_id(programme_list(user=user), pk=pk, user=user, perm="tutoring.view_programme")


def programmes_to_enrol(*, user, today=None) -> QuerySet:
    """Programmes not over yet of the groups serving the place the user lives at (a
    resident's), and those the user coordinates."""
    today = today or timezone.localdate()
    condition = Q(pk__in=[])
    resident = getattr(user, "resident", None) if getattr(user, "pk", None) else None
    if resident is not None:
        condition |= Q(group__place__path__in=_ancestors(resident.place.path))
    if getattr(user, "pk", None):
        condition |= Q(group__in=VolunteerGroup.objects.filter(coordinated_groups_q(user)))
    return (
        TutoringProgramme.objects.filter(condition, ends_on__gte=today)
        .select_related(*PROGRAMME_RELATED)
        .order_by("starts_on", "id")
    )


def programme_for_enrolment(*, user, pk) -> TutoringProgramme:
    return access_by_id(
        programmes_to_enrol(user=user), pk=pk, user=user, perm="tutoring.enrol_child"
    )


def _with_counts(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        children=Count(
            "attendance",
            filter=~Q(attendance__status=AttendanceStatus.ABSENT),
            distinct=True,
        ),
        tutors=Count(
            "shift__assignments", filter=Q(shift__assignments__status=ASSIGNED), distinct=True
        ),
    )


def session_rows(*, programme: TutoringProgramme) -> list[TutoringSession]:
    """The programme's sessions with their counts, ``needed`` tutors and the ratio flag."""
    from .services import below_ratio, tutors_needed

    rows = list(
        _with_counts(programme.sessions.all())
        .select_related("booking", "shift")
        .order_by("start", "id")[:200]
    )
    for s in rows:
        s.needed = tutors_needed(s.children, programme.ratio)
        s.below_ratio = below_ratio(children=s.children, tutors=s.tutors, ratio=programme.ratio)
    return rows


def session_get(*, user, pk) -> TutoringSession:
    qs = TutoringSession.objects.select_related(
        *(f"programme__{r}" for r in PROGRAMME_RELATED), "booking", "shift"
    )
    return access_by_id(qs, pk=pk, user=user, perm="tutoring.view_session")


def session_tutors(*, session: TutoringSession) -> list:
    """The volunteers on the session's shift."""
    return [
        a.volunteer
        for a in Assignment.objects.filter(shift_id=session.shift_id, status=ASSIGNED)
        .select_related("volunteer")
        .order_by("volunteer__name", "id")
    ]


def session_tutor_users(*, session: TutoringSession) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            volunteer__assignments__shift_id=session.shift_id,
            volunteer__assignments__status=ASSIGNED,
        ).distinct()
    )


def _collectors():
    return Prefetch(
        "child__collectors",
        queryset=TutoringCollector.objects.filter(is_active=True).order_by("-is_guardian", "id"),
    )


def attendance_list(*, session: TutoringSession, q: str = "") -> QuerySet:
    """The session's children (a name search at the door), with their collectors."""
    qs = session.attendance.select_related("child__guardian", "collector").prefetch_related(
        _collectors()
    )
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(child__name__icontains=q)
    return qs.order_by("child__name", "id")


def attendance_get(*, user, pk) -> TutoringAttendance:
    qs = TutoringAttendance.objects.select_related(
        "session__programme__group__place",
        "session__programme__room__place",
        "child__guardian",
        "collector",
    ).prefetch_related(_collectors())
    return access_by_id(qs, pk=pk, user=user, perm="tutoring.view_session")


def children_of(*, programme: TutoringProgramme) -> QuerySet:
    return programme.children.select_related("guardian").order_by("status", "name", "id")


def child_get(*, user, pk) -> TutoringChild:
    qs = TutoringChild.objects.select_related(
        "programme__group__place", "programme__room__place", "guardian"
    ).prefetch_related(
        Prefetch("collectors", queryset=TutoringCollector.objects.order_by("-is_guardian", "id")),
        "consents",
    )
    return access_by_id(qs, pk=pk, user=user, perm="tutoring.view_child")


def collector_get(*, user, pk) -> TutoringCollector:
    qs = TutoringCollector.objects.select_related(
        "child__programme__group__place", "child__programme__room__place", "child__guardian"
    )
    collector = qs.filter(pk=pk).first() if str(pk).isdigit() else None
    if collector is None or not user.has_perm("tutoring.view_child", collector.child):
        from django.http import Http404

        raise Http404("Not found.")
    return collector


def my_children(*, user, today=None) -> list[TutoringChild]:
    """The user's own children with today's attendance (the code of the day)."""
    today = today or timezone.localdate()
    tz = timezone.get_default_timezone()
    start = datetime.combine(today, datetime.min.time(), tzinfo=tz)
    children = list(
        TutoringChild.objects.filter(guardian_id=user.pk or 0)
        .select_related("programme__room", "programme__group")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=TutoringAttendance.objects.filter(
                    session__start__gte=start, session__start__lt=start + timedelta(days=1)
                )
                .select_related("session", "collector")
                .order_by("session__start"),
                to_attr="today",
            )
        )
        .order_by("-created_at", "id")[:50]
    )
    return children


def sessions_below_ratio(*, now: datetime, days: int) -> list[TutoringSession]:
    """Sessions starting within ``days`` below the ratio, not flagged to anyone yet."""
    qs = _with_counts(
        TutoringSession.objects.filter(
            start__gt=now, start__lt=now + timedelta(days=days), ratio_notified_at=None
        )
    ).select_related("programme__group__place")
    from .services import below_ratio

    return [
        s
        for s in qs.order_by("start", "id")[:500]
        if below_ratio(children=s.children, tutors=s.tutors, ratio=s.programme.ratio)
    ]


def uncollected(*, now: datetime) -> QuerySet:
    """Children still dropped off 15 minutes after their session's end, not alerted yet."""
    from .services import UNCOLLECTED_AFTER

    return (
        TutoringAttendance.objects.filter(
            status=AttendanceStatus.DROPPED_OFF,
            alert_raised_at=None,
            session__end__lte=now - UNCOLLECTED_AFTER,
        )
        .select_related("session__programme__group__place", "child")
        .order_by("session__end", "id")[:500]
    )


def enrolled_count(*, programme: TutoringProgramme) -> int:
    return programme.children.filter(status=ChildStatus.ENROLLED).count()


def children_in_scope(*, user) -> QuerySet:
    """The children of the programmes whose group the user coordinates (the admin's list)."""
    if not getattr(user, "pk", None):
        return TutoringChild.objects.none()
    coordinated = VolunteerGroup.objects.filter(coordinated_groups_q(user)).values("pk")
    return TutoringChild.objects.filter(programme__group__in=coordinated).select_related(
        "programme__group__place", "programme__room__place", "guardian"
    )
