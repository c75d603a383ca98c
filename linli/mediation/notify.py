"""The reminder of an agreement's deadline for judicial confirmation (人民调解法 art. 33):
a few days before the last day, its mediators and the parties with an account are told
once. The reminder is claimed first (``services.mediation_remind``, as SYSTEM), so that a
second run or a second worker finds it taken."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.core.actors import SYSTEM
from linli.core.errors import LinliError
from linli.core.notifications import Message, notify

from .models import CONFIRMATION_DAYS, CONFIRMATION_REMIND_DAYS, Mediation


def _message(mediation: Mediation) -> Message:
    with override("zh-hans"):  # messages go out in the users' default language
        title = _("Mediation %(number)s: judicial confirmation by %(date)s") % {
            "number": mediation.number,
            "date": mediation.confirmation_last_day.isoformat(),
        }
        body = _(
            "The parties may ask the people's court together to confirm the agreement until "
            "%(date)s (人民调解法 art. 33)."
        ) % {"date": mediation.confirmation_last_day.isoformat()}
    return Message(
        kind="mediation.confirmation",
        title=title,
        body=body,
        url=reverse("mediation:mediation-detail", args=[mediation.pk]),
    )


def confirmations_remind(*, now=None) -> int:
    """Remind every agreement whose confirmation deadline is near; returns how many."""
    from .selectors import confirmations_due
    from .services import mediation_remind

    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for mediation in confirmations_due(
        today=today, remind_days=CONFIRMATION_REMIND_DAYS, days=CONFIRMATION_DAYS
    ):
        try:
            with transaction.atomic():
                mediation_remind(actor=SYSTEM, mediation=mediation, now=now)
        except LinliError:
            continue  # claimed by another run, or no longer due
        users = list(mediation.mediators.all()) + [
            p.resident.user for p in mediation.parties.all() if p.resident and p.resident.user
        ]
        notify(users, _message(mediation))
        sent += 1
    return sent
