"""Reads of the shelf and its loans within the asking user's scope: the catalogue (staff who
oversee the shelf, residents who live nearby), loans (the borrower's own, all of the shelves
one oversees), the overdue list and the usage report per item, each in a bounded number of
queries."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.roles import MANAGE_LENDING, VIEW_LENDING
from linli.accounts.scope import scope_of
from linli.core.access import access_by_id
from linli.places import selectors as place_selectors
from linli.places.selectors import within_place
from linli.residents.nearby import lives_near, nearby_q

from .models import (
    ACTIVE_STATUSES,
    OPEN_WAIT_STATUSES,
    Condition,
    Donation,
    Item,
    ItemPhoto,
    Loan,
    LoanStatus,
    WaitEntry,
    WaitStatus,
)

# The longest range the usage report covers at once.
MAX_REPORT_DAYS = 366 * 3


def _item_q(user, field: str = "place__path") -> Q:
    """Shelves the user oversees, and those near where the user lives (the compound's or
    one of its buildings', or the community's above it)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    return scope.q(roles=VIEW_LENDING, field=field) | nearby_q(user, field)


def item_list(
    *,
    user,
    place: int | None = None,
    category: str | None = None,
    active_only: bool = False,
    search: str = "",
) -> QuerySet:
    qs = Item.objects.filter(_item_q(user))
    if place is not None:
        qs = within_place(qs, place, "place__path")
    if category:
        qs = qs.filter(category=category)
    if active_only:
        qs = qs.filter(is_active=True)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(name_en__icontains=search))
    return qs.select_related("place").order_by("place__path", "name", "id")


def item_get(*, user, pk) -> Item:
    return access_by_id(
        Item.objects.select_related("place"), pk=pk, user=user, perm="lending.view_item"
    )


def item_photos(item: Item) -> list[ItemPhoto]:
    return list(ItemPhoto.objects.filter(item=item).order_by("uploaded_at", "id"))


def item_photo_get(*, user, item_pk, pk) -> ItemPhoto:
    """A photo of an item the user may see; 404 alike for missing and not visible."""
    item = item_get(user=user, pk=item_pk)
    return access_by_id(ItemPhoto.objects.filter(item=item), pk=pk, user=user, perm=None)


def may_see_donor(user, item: Item) -> bool:
    """Anonymous donors are named only to the staff who oversee the shelf."""
    return user.has_perm("lending.oversee_loans", item)


def donation_list(*, item: Item) -> QuerySet:
    return Donation.objects.filter(item=item).order_by("-donated_on", "-id")


def _loan_q(user) -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    return Q(borrower_user_id=user.pk) | scope.q(roles=VIEW_LENDING, field="item__place__path")


def loan_list(
    *,
    user,
    item: Item | int | None = None,
    place: int | None = None,
    mine: bool = False,
    status: str | None = None,
    active_only: bool = False,
    overdue: bool | None = None,
    today: date | None = None,
) -> QuerySet:
    """Loans the user may see: their own; all of the shelves they oversee."""
    qs = Loan.objects.filter(_loan_q(user))
    if item is not None:
        qs = qs.filter(item_id=getattr(item, "pk", item))
    if place is not None:
        qs = within_place(qs, place, "item__place__path")
    if mine:
        qs = qs.filter(borrower_user_id=user.pk)
    if status:
        qs = qs.filter(status=status)
    elif active_only:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    if overdue is not None:
        today = today or timezone.localdate()
        late = Q(status=LoanStatus.OUT, due_on__lt=today)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs.select_related("item__place", "borrower_user", "household__place").order_by(
        "-created_at", "-id"
    )


def overdue_list(*, user, place: int | None = None, today: date | None = None) -> QuerySet:
    """Overdue loans the user oversees (a borrower sees their own), longest overdue first."""
    return loan_list(user=user, place=place, overdue=True, today=today).order_by("due_on", "id")


def loan_get(*, user, pk) -> Loan:
    return access_by_id(
        Loan.objects.select_related("item__place", "borrower_user", "household__place"),
        pk=pk,
        user=user,
        perm="lending.view_loan",
    )


def desk(*, user, place: int | None = None, today: date | None = None) -> dict:
    """What the lending desk works through: requests to hand over, items out (the overdue
    ones first)."""
    today = today or timezone.localdate()
    qs = loan_list(user=user, place=place).filter(
        scope_of(user).q(roles=VIEW_LENDING, field="item__place__path")
    )
    return {
        "requests": qs.filter(status=LoanStatus.REQUESTED).order_by("requested_at", "id"),
        "out": qs.filter(status=LoanStatus.OUT).order_by("due_on", "id"),
        "today": today,
    }


def item_next_back(*, item: Item, today: date) -> tuple[date | None, int]:
    """When the item's units lent out are expected back: the earliest due date from today
    on (None when there is none), and how many are overdue. One query."""
    row = Loan.objects.filter(item=item, status=LoanStatus.OUT).aggregate(
        next_due=Min("due_on", filter=Q(due_on__gte=today)),
        overdue=Count("id", filter=Q(due_on__lt=today)),
    )
    return row["next_due"], row["overdue"]


# -- the wait list ----------------------------------------------------------------------------


def _wait_q(user) -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    return Q(user_id=user.pk) | scope.q(roles=VIEW_LENDING, field="item__place__path")


def _with_position(qs: QuerySet) -> QuerySet:
    """Each waiting entry's place in its item's queue (1: the next to be offered a unit)."""
    ahead = (
        WaitEntry.objects.filter(item_id=OuterRef("item_id"), status=WaitStatus.WAITING)
        .filter(
            Q(joined_at__lt=OuterRef("joined_at"))
            | Q(joined_at=OuterRef("joined_at"), id__lte=OuterRef("id"))
        )
        .order_by()
        .values("item_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(queue_position=Subquery(ahead))


def wait_list(
    *,
    user,
    item: Item | int | None = None,
    place: int | None = None,
    mine: bool = False,
    status: str | None = None,
    open_only: bool = False,
) -> QuerySet:
    """Wait-list entries the user may see: their own; all of the shelves they oversee;
    first come first first."""
    qs = WaitEntry.objects.filter(_wait_q(user))
    if item is not None:
        qs = qs.filter(item_id=getattr(item, "pk", item))
    if place is not None:
        qs = within_place(qs, place, "item__place__path")
    if mine:
        qs = qs.filter(user_id=user.pk)
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.filter(status__in=OPEN_WAIT_STATUSES)
    qs = qs.select_related("item__place", "user", "household__place")
    return _with_position(qs).order_by("item__place__path", "item__name", "joined_at", "id")


def wait_get(*, user, pk) -> WaitEntry:
    return access_by_id(
        _with_position(WaitEntry.objects.select_related("item__place", "user", "household__place")),
        pk=pk,
        user=user,
        perm="lending.view_wait",
    )


def has_waiters(item: Item) -> bool:
    return WaitEntry.objects.filter(item=item, status=WaitStatus.WAITING).exists()


def my_wait(*, user, item: Item) -> WaitEntry | None:
    """The user's open entry on the item's wait list, with its place in the queue."""
    qs = WaitEntry.objects.filter(item=item, user_id=user.pk, status__in=OPEN_WAIT_STATUSES)
    return _with_position(qs).first()


def desk_waits(*, user, place: int | None = None) -> QuerySet:
    """The open wait lists of the shelves the user oversees (the desk's own view)."""
    return wait_list(user=user, place=place, open_only=True).filter(
        scope_of(user).q(roles=VIEW_LENDING, field="item__place__path")
    )


def item_lendable(item: Item) -> bool:
    """Whether the item is being lent: active and not waiting for repair. Nothing is held
    for the wait list of an item that is not (``services._offer_free_units``)."""
    return item.is_active and item.condition != Condition.NEEDS_REPAIR


# The same, of an entry's item, as a filter.
NOT_LENDABLE_Q = Q(item__is_active=False) | Q(item__condition=Condition.NEEDS_REPAIR)


def waits_held_up(*, user, place: int | None = None) -> QuerySet:
    """Open wait-list entries that only the desk can move on, of the shelves the user runs:
    those of an item not being lent (withdrawn, or needing repair). A unit that comes back
    to an item being lent is held for the next waiter by the services themselves, and a
    hold is taken up by the waiter or lapses by the system; but while an item is not being
    lent nothing is held, and the neighbours wait until someone mends it, lends it again or
    takes them off the list."""
    return desk_waits(user=user, place=place).filter(
        NOT_LENDABLE_Q, scope_of(user).q(roles=MANAGE_LENDING, field="item__place__path")
    )


def wait_timeline(*, entry: WaitEntry) -> list:
    """The entry's events, oldest first, with who took each step (none: the system)."""
    return list(entry.events.select_related("actor").order_by("at", "id"))


# -- choices of the desk ----------------------------------------------------------------------

# The shelves a new item is offered on (a building's shelf is set in the admin).
DONATION_PLACE_KINDS = ("community", "compound")
DONATION_PLACES_SHOWN = 200


def donation_item_choices(*, user) -> list[Item]:
    """The items a donation may be added to: those of the shelves the user runs."""
    return list(
        item_list(user=user).filter(scope_of(user).q(roles=MANAGE_LENDING, field="place__path"))
    )


def donation_place_choices(*, user) -> list:
    """The places a new item may be shelved at: the communities and compounds the user runs
    a shelf in."""
    return list(
        place_selectors.place_list(user=user)
        .filter(scope_of(user).q(roles=MANAGE_LENDING, field="path"))
        .filter(kind__in=DONATION_PLACE_KINDS)
        .order_by("path")[:DONATION_PLACES_SHOWN]
    )


def desk_account_get(*, user, shelf, username: str | None = None, pk: int | None = None):
    """An account the desk may name as a borrower or a donor at ``shelf`` (the item's place,
    or the place a new item is shelved at), by user name on the pages, by id in the API:
    the active account of a resident who lives near the shelf, for a user who runs it. None
    for every other account — one that does not exist, one elsewhere, staff — so that the
    answer never tells an account that exists from one that does not."""
    if shelf is None or not user.has_perm("lending.manage_item", shelf):
        return None
    accounts = User.objects.filter(is_active=True)
    if username is not None:
        account = accounts.filter(username=username).first()
    else:
        account = accounts.filter(pk=pk).first()
    if account is None or not lives_near(account, shelf):
        return None
    return account


# -- the usage report -----------------------------------------------------------------------


@dataclass
class UsageRow:
    item: Item
    loans: int = 0
    units: int = 0
    days_out: int = 0
    overdue: int = 0
    lost: int = 0
    borrowers: set = field(default_factory=set)


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def usage_report(
    *, user, start: date, end: date, place: int | None = None, now: datetime | None = None
) -> list[UsageRow]:
    """Per item the user oversees: loans that were out during ``start``–``end`` (both
    included), the units lent, the days its units were out within the range (unit-days),
    how many of those loans were late (returned after or still out past their due date) and
    lost. Two queries, whatever the number of items and loans."""
    if end < start:
        raise ValidationError({"end": _("The end date must not be before the start date.")})
    if (end - start).days > MAX_REPORT_DAYS:
        raise ValidationError(
            {"end": _("The report covers at most %(days)s days.") % {"days": MAX_REPORT_DAYS}}
        )
    now = now or timezone.now()
    range_start, range_end = _day_bounds(start, end)
    items = Item.objects.filter(scope_of(user).q(roles=VIEW_LENDING, field="place__path"))
    if place is not None:
        items = within_place(items, place, "place__path")
    rows = {item.pk: UsageRow(item=item) for item in items.select_related("place")}
    loans = Loan.objects.filter(
        item_id__in=list(rows),
        lent_at__isnull=False,
        lent_at__lt=range_end,
    ).filter(Q(returned_at__isnull=True) | Q(returned_at__gte=range_start))
    for loan in loans.only(
        "item_id", "quantity", "status", "lent_at", "returned_at", "due_on", "borrower_name"
    ):
        row = rows[loan.item_id]
        row.loans += 1
        row.units += loan.quantity
        row.borrowers.add(loan.borrower_name)
        until = loan.returned_at or now
        overlap = min(until, range_end) - max(loan.lent_at, range_start)
        if overlap.total_seconds() > 0:
            row.days_out += loan.quantity * -(-int(overlap.total_seconds()) // 86400)
        back = timezone.localdate(loan.returned_at) if loan.returned_at else timezone.localdate(now)
        if loan.due_on is not None and back > loan.due_on:
            row.overdue += 1
        if loan.status == LoanStatus.LOST:
            row.lost += 1
    return sorted(rows.values(), key=lambda r: (r.item.place.path, r.item.name, r.item.pk))


def donations_in_scope(*, user) -> QuerySet:
    """The donations to the shelves the user may see (the admin's list)."""
    return Donation.objects.filter(item__in=item_list(user=user)).select_related("item")
