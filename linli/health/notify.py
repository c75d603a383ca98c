"""Telling the care team of an alert. SMS and e-mail are not secure channels, so the message
says only that a resident of a compound needs attention and links to the card: never the
value, the kind of reading or any condition."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.accounts.roles import HEALTH_STAFF
from linli.accounts.scope import compound_path_of
from linli.accounts.selectors import users_with_roles_over
from linli.core.notifications import Message, notify
from linli.places.models import Place

from .models import Alert

KIND = "health.alert"


def card_url(card_id: int) -> str:
    try:
        return reverse("health:card-detail", args=[card_id])
    except NoReverseMatch:  # the pages are mounted by the health pages' urls
        return f"/health/cards/{card_id}/"


def recipients(alert: Alert) -> list:
    card = alert.card
    users = [card.responsible_worker, card.family_doctor]
    users.extend(users_with_roles_over(card.place.path, HEALTH_STAFF))
    skip = alert.reading.recorded_by_id if alert.reading_id else None
    return [u for u in users if u is not None and u.pk != skip]


def alert_message(alert: Alert) -> Message:
    compound = (
        Place.objects.filter(path=compound_path_of(alert.card.place.path))
        .values_list("name", flat=True)
        .first()
    ) or ""
    with override("zh-hans"):  # messages go out in the users' default language
        return Message(
            kind=KIND,
            title=_("Urgent: a resident of %(place)s needs attention") % {"place": compound},
            body=_("Please open the card and take care of the alert."),
            url=card_url(alert.card_id),
        )


def notify_alert(alert_id: int) -> int:
    alert = (
        Alert.objects.select_related(
            "card__place", "card__responsible_worker", "card__family_doctor", "reading"
        )
        .filter(pk=alert_id, acknowledged_at__isnull=True)
        .first()
    )
    if alert is None:
        return 0
    return notify(recipients(alert), alert_message(alert))
