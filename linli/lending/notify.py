"""Reminders of loans: each borrower with an account is told the day before their loan is
due and every day it is overdue — at most once a day per loan (``Loan.last_reminded_at``) —
and the lending staff get one digest a day of the overdue loans of the shelves they run,
including those lent to people named at the counter. The claims that keep each to once a
day are written by services (as SYSTEM); this module only chooses whom to tell and tells
them."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.accounts.models import RoleGrant
from linli.accounts.roles import MANAGE_LENDING
from linli.core.actors import SYSTEM
from linli.core.errors import LinliError
from linli.core.notifications import Message, notify
from linli.places import tree

from .models import Loan, LoanStatus, WaitEvent, WaitEventKind, WaitStatus

# Reminders go out in the daytime only: many borrowers are elderly.
SEND_FROM_HOUR = 8
SEND_UNTIL_HOUR = 20
BATCH = 5000


@dataclass
class RemindResult:
    borrowers: int = 0
    digests: int = 0


def _not_today_q(start_of_day: datetime) -> Q:
    return Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=start_of_day)


def _borrower_message(loan: Loan, today) -> Message:
    item = loan.item
    with override("zh-hans"):  # messages go out in the users' default language
        if loan.due_on < today:
            title = _("“%(name)s” was due back on %(date)s") % {
                "name": item.name,
                "date": loan.due_on.isoformat(),
            }
            body = _("Please bring it back to the lending desk (%(location)s). Thank you!")
        else:
            title = _("“%(name)s” is due back tomorrow") % {"name": item.name}
            body = _(
                "Please bring it back to the lending desk (%(location)s), or renew the loan "
                "if you need it longer."
            )
        body = body % {"location": item.location or item.place.name}
    return Message(
        kind="lending.reminder", title=title, body=body, url=reverse("lending:loan-list")
    )


def remind_borrowers(*, now: datetime, today) -> int:
    """Remind each borrower whose loan is due tomorrow or overdue, once a day per loan: the
    day's reminder is claimed first (``services.loan_remind``, as SYSTEM), so that a second
    run (or a second worker) finds it taken."""
    from .services import loan_remind

    start_of_day = datetime.combine(today, time.min, tzinfo=timezone.get_default_timezone())
    due = (
        Loan.objects.filter(
            status=LoanStatus.OUT,
            due_on__lte=today + timedelta(days=1),
            borrower_user__isnull=False,
        )
        .exclude(due_on=today)
        .filter(_not_today_q(start_of_day))
        .select_related("item__place", "borrower_user")
        .order_by("due_on", "id")
    )
    sent = 0
    for loan in due[:BATCH]:
        try:
            loan_remind(actor=SYSTEM, loan=loan, now=now)
        except LinliError:
            continue  # claimed by another run, or no longer due
        sent += notify([loan.borrower_user], _borrower_message(loan, today))
    return sent


def send_digests(*, today) -> int:
    """One message a day to each member of the lending staff whose shelves have overdue
    loans. Three queries, then one claim per recipient."""
    from .services import overdue_digest_claim

    overdue = list(
        Loan.objects.filter(status=LoanStatus.OUT, due_on__lt=today)
        .select_related("item__place")
        .order_by("due_on", "id")[:BATCH]
    )
    if not overdue:
        return 0
    grants = RoleGrant.objects.active().filter(role__in=MANAGE_LENDING, user__is_active=True)
    by_user: dict[int, tuple] = {}
    for grant in grants.select_related("user", "place"):
        loans = [
            loan for loan in overdue if tree.in_subtree(loan.item.place.path, grant.place.path)
        ]
        if loans:
            user, seen = by_user.get(grant.user_id, (grant.user, {}))
            seen.update({loan.pk: loan for loan in loans})
            by_user[grant.user_id] = (user, seen)
    sent = 0
    for user, seen in by_user.values():
        loans = sorted(seen.values(), key=lambda loan: (loan.due_on, loan.pk))
        if not overdue_digest_claim(actor=SYSTEM, user=user, day=today, loans=len(loans)):
            continue  # already sent today
        with override("zh-hans"):
            lines = [
                _("%(item)s ×%(quantity)s — %(borrower)s — due %(date)s")
                % {
                    "item": loan.item.name,
                    "quantity": loan.quantity,
                    "borrower": loan.borrower_name,
                    "date": loan.due_on.isoformat(),
                }
                for loan in loans
            ]
            message = Message(
                kind="lending.overdue_digest",
                title=_("%(count)s overdue loan(s) at the lending desk") % {"count": len(loans)},
                body="\n".join(lines),
                url=reverse("lending:overdue-list"),
            )
        sent += notify([user], message)
    return sent


def loans_remind(*, now: datetime | None = None) -> RemindResult:
    """The day's reminders and digests; nothing outside the daytime hours."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if not SEND_FROM_HOUR <= local.hour < SEND_UNTIL_HOUR:
        return RemindResult()
    today = local.date()
    return RemindResult(
        borrowers=remind_borrowers(now=now, today=today), digests=send_digests(today=today)
    )


def notify_wait_event(event_id: int) -> int:
    """Tell the first waiter that a unit is held for them (after the step's commit, re-read:
    by now it may have been borrowed, left or lapsed, and then nothing is sent)."""
    event = (
        WaitEvent.objects.select_related("entry__item__place", "entry__user")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.kind != WaitEventKind.OFFERED:
        return 0
    entry = event.entry
    if entry.status != WaitStatus.OFFERED or entry.hold_until is None:
        return 0
    item = entry.item
    until = timezone.localtime(entry.hold_until)
    with override("zh-hans"):  # messages go out in the users' default language
        title = _("“%(name)s” is back: one is held for you until %(until)s") % {
            "name": item.name,
            "until": f"{until:%Y-%m-%d %H:%M}",
        }
        body = _(
            "Ask to borrow it online or fetch it at the lending desk (%(location)s). After "
            "that it goes to the next neighbour on the wait list."
        ) % {"location": item.location or item.place.name}
    return notify(
        [entry.user],
        Message(
            kind="lending.wait_offered",
            title=title,
            body=body,
            url=reverse("lending:item-detail", args=[item.pk]),
        ),
    )
