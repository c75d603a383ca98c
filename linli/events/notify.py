"""Telling a party its places are offered: the message links to the event's page, where the
offer is taken or declined before it lapses."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.core.notifications import Message, notify


def offer_made(pk: int) -> int:
    from .models import Registration, RegistrationStatus

    registration = (
        Registration.objects.select_related("event", "contact__user", "registered_by")
        .filter(pk=pk, status=RegistrationStatus.OFFERED)
        .first()
    )
    if registration is None:
        return 0
    user = registration.contact.user or registration.registered_by
    if user is None:
        return 0
    with override("zh-hans"):
        title = _("A place is free for you: %(event)s") % {"event": registration.event.title}
        body = _("Take it or decline it by %(until)s; then it passes to the next in line.") % {
            "until": f"{timezone.localtime(registration.offer_expires_at):%Y-%m-%d %H:%M}"
        }
    url = reverse("events:event-detail", args=[registration.event_id])
    return notify([user], Message(kind="events.offer", title=title, body=body, url=url))
