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
from .selectors import agenda, participant_users


def participants_of(meeting: Meeting) -> list[User]:
    return participant_users(meeting)


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
