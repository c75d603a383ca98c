"""The deadline reminders of the desk's cases: an accepted or forwarded case due by the next
working day, and again once it is overdue, is told to the worker who handles it and to the
desk's staff over its compound, once each. The reminder is claimed first
(``services.case_remind``, as SYSTEM), so that a second run or a second worker finds it
taken. Sent in the daytime only."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.accounts.roles import SERVE_DESK
from linli.accounts.selectors import users_with_roles_over
from linli.core.actors import SYSTEM
from linli.core.errors import LinliError
from linli.core.notifications import Message, notify

from .models import Case

SEND_FROM_HOUR, SEND_UNTIL_HOUR = 8, 20


def _message(case: Case, kind: str) -> Message:
    with override("zh-hans"):  # messages go out in the users' default language
        values = {
            "number": case.number,
            "matter": case.version.name,
            "resident": case.resident.name,
            "date": case.due_on.isoformat(),
        }
        if kind == "overdue":
            title = _("Case %(number)s is overdue (due %(date)s)") % values
        else:
            title = _("Case %(number)s is due on %(date)s") % values
        body = _("%(matter)s for %(resident)s.") % values
    return Message(
        kind=f"servicedesk.case.{kind}",
        title=title,
        body=body,
        url=reverse("servicedesk:case-detail", args=[case.pk]),
    )


def cases_remind(*, now=None) -> int:
    """Remind the desk of every case due by the next working day or overdue, once each;
    returns how many cases were reminded (none outside the daytime hours)."""
    from .selectors import cases_to_remind
    from .services import case_remind

    now = now or timezone.now()
    if not SEND_FROM_HOUR <= timezone.localtime(now).hour < SEND_UNTIL_HOUR:
        return 0
    sent = 0
    for case in cases_to_remind(today=timezone.localdate(now)):
        try:
            with transaction.atomic():
                case, kind = case_remind(actor=SYSTEM, case=case, now=now)
        except LinliError:
            continue  # claimed by another run, or no longer due
        users = [case.handled_by, *users_with_roles_over(case.place.path, SERVE_DESK)]
        notify(users, _message(case, kind))
        sent += 1
    return sent
