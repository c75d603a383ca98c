"""Messages of summer tutoring, through the project's notification backends: the guardian
told who collected their child (when it was someone else); the coordinators told of a coming
session below the ratio; the session's tutors and coordinators alerted about a child not
collected 15 minutes after the end, with a link to the day's attendance and its call list.
The jobs claim each session or child first (as SYSTEM), so nobody is told twice."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.core.actors import SYSTEM
from linli.core.notifications import Message, notify

# Sessions below the ratio are flagged this many days ahead.
RATIO_DAYS = 2


def _span(session) -> str:
    start, end = timezone.localtime(session.start), timezone.localtime(session.end)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def pickup_notify(event_id: int) -> int:
    from .models import TutoringAttendanceEvent

    event = (
        TutoringAttendanceEvent.objects.filter(pk=event_id)
        .select_related(
            "attendance__child__guardian", "attendance__collector", "attendance__session"
        )
        .first()
    )
    if event is None:
        return 0
    attendance = event.attendance
    collector = attendance.collector
    if collector is None or collector.is_guardian:
        return 0
    with override("zh-hans"):  # messages go out in the users' default language
        title = _("%(child)s was collected by %(name)s (%(relation)s)") % {
            "child": attendance.child.name,
            "name": collector.name,
            "relation": collector.get_relation_display(),
        }
        picked = timezone.localtime(attendance.picked_up_at or timezone.now())
        body = _("Picked up at %(time)s from the summer tutoring session of %(span)s.") % {
            "time": f"{picked:%H:%M}",
            "span": _span(attendance.session),
        }
    return notify(
        [attendance.child.guardian],
        Message(kind="tutoring.picked_up", title=title, body=body, url=reverse("tutoring:home")),
    )


def _people_of(session) -> list:
    from linli.volunteers.selectors import coordinators_of

    from .selectors import session_tutor_users

    return coordinators_of(group=session.programme.group) + session_tutor_users(session=session)


def ratio_notify(*, now=None, days: int = RATIO_DAYS) -> int:
    """Tell the coordinators of every session starting within ``days`` below the ratio."""
    from linli.volunteers.selectors import coordinators_of

    from .selectors import sessions_below_ratio
    from .services import session_ratio_claim

    now = now or timezone.now()
    told = 0
    for session in sessions_below_ratio(now=now, days=days):
        with transaction.atomic():
            if not session_ratio_claim(actor=SYSTEM, session=session, now=now):
                continue
        with override("zh-hans"):
            title = _("Tutoring %(span)s: %(tutors)s tutors for %(children)s children") % {
                "span": _span(session),
                "tutors": session.tutors,
                "children": session.children,
            }
            body = _("%(programme)s needs one tutor per %(ratio)s children: assign more.") % {
                "programme": session.programme.name,
                "ratio": session.programme.ratio,
            }
        notify(
            coordinators_of(group=session.programme.group),
            Message(
                kind="tutoring.below_ratio",
                title=title,
                body=body,
                url=reverse("tutoring:programme-detail", args=[session.programme_id]),
            ),
        )
        told += 1
    return told


def uncollected_alert(*, now=None) -> int:
    """Alert the session's people about every child not collected in time, once each."""
    from .selectors import uncollected
    from .services import attendance_alert_claim

    now = now or timezone.now()
    alerted = 0
    for attendance in uncollected(now=now):
        with transaction.atomic():
            if not attendance_alert_claim(actor=SYSTEM, attendance=attendance, now=now):
                continue
        session = attendance.session
        with override("zh-hans"):
            title = _("%(child)s has not been collected (session ended %(time)s)") % {
                "child": attendance.child.name,
                "time": f"{timezone.localtime(session.end):%H:%M}",
            }
            body = _(
                "Call the guardian, then the authorised collectors: the call list is on "
                "the day's attendance."
            )
        notify(
            _people_of(session),
            Message(
                kind="tutoring.uncollected",
                title=title,
                body=body,
                url=reverse("tutoring:session-attendance", args=[session.pk]),
            ),
        )
        alerted += 1
    return alerted
