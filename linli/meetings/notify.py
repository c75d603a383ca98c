"""Telling the standing participants that the agenda is out, with each topic's background
(the linked orders and where they stand); the meeting page has the rest (photos, history)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.accounts.models import User
from linli.accounts.roles import MANAGE_MEETINGS
from linli.accounts.selectors import users_with_roles_over
from linli.core.notifications import Message, notify

from .models import Meeting
from .selectors import agenda


def participants_of(meeting: Meeting) -> list[User]:
    participants = meeting.series.participants.filter(left_at__isnull=True)
    user_ids = {p.user_id for p in participants if p.user_id}
    organisation_ids = {p.organisation_id for p in participants if p.organisation_id}
    users = User.objects.filter(is_active=True).filter(pk__in=user_ids) | User.objects.filter(
        is_active=True, memberships__organisation_id__in=organisation_ids
    )
    return list(users.distinct().order_by("pk"))


def notify_agenda(meeting_id: int, *, actor_id: int | None = None) -> int:
    meeting = Meeting.objects.select_related("series", "place").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    lines = []
    with override("zh-hans"):  # messages go out in the users' default language
        for item in agenda(meeting):
            orders = ", ".join(
                f"{o.number} {o.get_status_display()}" for o in item.topic.orders.all()
            )
            lines.append(
                f"{item.position}. {item.topic.title}" + (f"（{orders}）" if orders else "")
            )
        message = Message(
            kind="meetings.agenda",
            title=_("Agenda of %(name)s on %(start)s")
            % {
                "name": meeting.title,
                "start": timezone.localtime(meeting.start).strftime("%Y-%m-%d %H:%M"),
            },
            body="\n".join([meeting.venue, *lines]),
            url=reverse("meetings:meeting-detail", args=[meeting.pk]),
        )
    recipients = [u for u in participants_of(meeting) if u.pk != actor_id]
    return notify(recipients, message)


def notify_hall_taken(meeting: Meeting, reason: str) -> int:
    """The series' hall could not be held for a meeting: its organisers arrange a room."""
    with override("zh-hans"):
        message = Message(
            kind="meetings.hall_taken",
            title=_("The hall is not free for %(name)s on %(start)s")
            % {
                "name": meeting.title,
                "start": timezone.localtime(meeting.start).strftime("%Y-%m-%d %H:%M"),
            },
            body=reason,
            url=reverse("meetings:meeting-detail", args=[meeting.pk]),
        )
    return notify(users_with_roles_over(meeting.place.path, MANAGE_MEETINGS), message)
