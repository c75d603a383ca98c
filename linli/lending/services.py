"""Every change of the shelf of donated items: items and their photos, donations (each thanked
in a notice to the compound), and loans — a resident's request online, handed over by the
duty volunteer, or a loan made directly at the desk — with renewals, returns, losses and
cancellations as an explicit table of steps. Each refusal has its own message and code.

Never more units out than exist: every change of an item's loans first locks the item's row
(``core.locking.lock_row``), then counts the units of its active loans under that lock, and
moves the denormalised ``Item.units_out`` with an F() expression; the CHECK constraints on
``Item`` refuse an over-lent item in the database itself. Lock order is always the item,
then the loan, so that two steps never wait for each other."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext_lazy

from linli.core.actors import SYSTEM, user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.images import photo_attach, refuse
from linli.core.lifecycle import Lifecycle, Step, check_perm, validated
from linli.core.locking import lock_row
from linli.places.models import Place
from linli.residents.nearby import compound_of, lives_near, resident_household

from .models import (
    ACTIVE_STATUSES,
    ITEM_PLACE_KINDS,
    MAX_LOAN_DAYS,
    OPEN_WAIT_STATUSES,
    Category,
    Condition,
    Donation,
    Item,
    ItemPhoto,
    Loan,
    LoanEvent,
    LoanEventKind,
    LoanStatus,
    OverdueDigest,
    WaitEntry,
    WaitEvent,
    WaitEventKind,
    WaitStatus,
)
from .tasks import notify_wait_event_task

# A borrower (a resident's account) has at most this many loans active at once.
MAX_ACTIVE_LOANS = 3
MAX_RENEWALS = 2
MAX_PHOTOS_PER_ITEM = 9
# Donations are recorded as they happen, or soon after; not decades back.
EARLIEST_DONATION = date(1990, 1, 1)
NOTICE_KIND = "lending.donation"


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def _check_manage(actor, obj) -> None:
    check_perm(
        actor,
        "lending.manage_item",
        obj,
        message=_(
            "Only the duty volunteer, the community worker or the branch secretary may do this."
        ),
    )


# -- items ------------------------------------------------------------------------------------


ITEM_EDITABLE = frozenset(
    {
        "name",
        "name_en",
        "category",
        "description",
        "quantity",
        "condition",
        "location",
        "donor_name",
        "donor_user",
        "donor_anonymous",
        "loan_days",
        "is_active",
    }
)


def _item_save(item: Item) -> Item:
    item.name = item.name.strip()
    if item.place_id and item.place.kind not in ITEM_PLACE_KINDS:
        raise ValidationError(
            {"place": _("An item is kept on the shelf of a community, a compound or a building.")}
        )
    if item.donor_user_id and not item.donor_name:
        item.donor_name = item.donor_user.display_name
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def item_create(*, actor, place: Place, name: str, request=None, **fields) -> Item:
    unknown = set(fields) - ITEM_EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _check_manage(actor, place)
    item = _item_save(Item(place=place, name=name, **fields))
    audit_record(actor=actor, action="lending.item.create", obj=item, request=request)
    return item


@transaction.atomic
def item_update(*, actor, item: Item, request=None, **fields) -> Item:
    """Change an item's description, stock or condition. Fewer units than are lent or
    promised cannot be owned: those are taken back first."""
    unknown = set(fields) - ITEM_EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    item = lock_row(Item, item.pk, select_related=("place",))
    _check_manage(actor, item)
    for name, value in fields.items():
        setattr(item, name, value)
    held = _units_held(item) + _holds(item)
    if item.quantity < held:
        raise LinliError(
            _(
                "%(held)s unit(s) of “%(name)s” are lent or promised; the shelf cannot own "
                "fewer than that."
            )
            % {"held": held, "name": item.name},
            code="quantity_below_out",
        )
    _item_save(item)
    _offer_free_units(item)  # more units, mended or lent again: the wait list comes first
    audit_record(
        actor=actor,
        action="lending.item.change",
        obj=item,
        request=request,
        details={name: str(value) for name, value in fields.items()},
    )
    return item


def photo_may_add(*, user, item: Item) -> bool:
    return user.has_perm("lending.manage_item", item)


def _check_photo_room(item: Item) -> None:
    if ItemPhoto.objects.filter(item=item).count() >= MAX_PHOTOS_PER_ITEM:
        raise refuse(
            _("An item can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_ITEM}
        )


def item_photo_add(*, actor, item: Item, upload, caption: str = "", request=None) -> ItemPhoto:
    """Add a photo of an item (``core.images.photo_attach``)."""

    def check(item):
        _check_manage(actor, item)
        _check_photo_room(item)

    return photo_attach(
        record=item,
        upload=upload,
        check=check,
        lock=lambda item: lock_row(Item, item.pk, select_related=("place",)),
        make=lambda locked: ItemPhoto(
            item=locked, uploaded_by=user_or_none(actor), caption=caption.strip()
        ),
        audit=lambda locked, photo: audit_record(
            actor=actor,
            action="lending.item.photo_add",
            obj=locked,
            request=request,
            details={"photo": photo.pk},
        ),
    )


# -- donations --------------------------------------------------------------------------------


def donor_label(*, name: str, anonymous: bool) -> str:
    """How a donor is named to residents."""
    return str(_("a kind neighbour")) if anonymous or not name else name


@transaction.atomic
def donation_record(
    *,
    actor,
    quantity: int,
    item: Item | None = None,
    place: Place | None = None,
    name: str = "",
    category: str = Category.OTHER,
    condition: str = Condition.GOOD,
    location: str = "",
    loan_days: int | None = None,
    donor_name: str = "",
    donor_user=None,
    anonymous: bool = False,
    donated_on: date | None = None,
    note: str = "",
    now: datetime | None = None,
    request=None,
) -> Donation:
    """Record units given to the shelf: added to ``item``, or to the item of that ``name``
    on ``place`` (created when there is none yet). The compound is thanked in a notice; an
    anonymous donor is named "a kind neighbour"."""
    _check_manage(actor, item if item is not None else place)
    shelf = item.place if item is not None else place
    if donor_user is not None and shelf is not None and not lives_near(donor_user, shelf):
        # The desk names neighbours of the shelf only (selectors.desk_account_get); any
        # other account is answered as one that does not exist.
        raise LinliError(_("There is no such account."), code="no_account")
    now = now or timezone.now()
    donated_on = donated_on or _today(now)
    if not 1 <= quantity <= 1000:
        raise ValidationError({"quantity": _("Give between 1 and 1000 units.")})
    if donated_on > _today(now) or donated_on < EARLIEST_DONATION:
        raise ValidationError({"donated_on": _("The date of the donation must not be ahead.")})
    donor_name = donor_name.strip() or (donor_user.display_name if donor_user else "")
    if not anonymous and not donor_name:
        raise ValidationError(
            {"donor_name": _("Name the donor, or mark the donation as anonymous.")}
        )
    if item is None:
        if place is None or not name.strip():
            raise ValidationError({"name": _("Choose the item, or name a new one.")})
        _check_manage(actor, place)
        item = Item.objects.filter(place=place, name=name.strip()).first()
        if item is None:
            fields = {"loan_days": loan_days} if loan_days else {}
            item = _item_save(
                Item(
                    place=place,
                    name=name,
                    category=category,
                    condition=condition,
                    location=location.strip(),
                    quantity=0,
                    donor_name=donor_name,
                    donor_user=donor_user,
                    donor_anonymous=anonymous,
                    **fields,
                )
            )
            audit_record(actor=actor, action="lending.item.create", obj=item, request=request)
    item = lock_row(Item, item.pk, select_related=("place",))
    _check_manage(actor, item)
    donation = Donation(
        item=item,
        quantity=quantity,
        donor_name=donor_name,
        donor_user=donor_user,
        anonymous=anonymous,
        donated_on=donated_on,
        note=note.strip(),
        recorded_by=user_or_none(actor),
    )
    donation.full_clean()
    donation.save()
    Item.objects.filter(pk=item.pk).update(quantity=F("quantity") + quantity)
    item.refresh_from_db(fields=["quantity", "units_out", "units_on_hold"])
    _offer_free_units(item, now=now)
    donation.notice = _thank(actor=actor, donation=donation)
    donation.save(update_fields=["notice"])
    audit_record(
        actor=actor,
        action="lending.donation.record",
        obj=donation,
        request=request,
        details={"item": item.pk, "quantity": quantity, "anonymous": anonymous},
    )
    return donation


def _thank(*, actor, donation: Donation):
    from linli.notices.services import notice_publish

    item = donation.item
    compound = compound_of(item.place)
    with override("zh-hans"):  # notices go out in the residents' default language
        donor = donor_label(name=donation.donor_name, anonymous=donation.anonymous)
        what = f"{item.name} ×{donation.quantity}"
        title = _("Thank you, %(donor)s, for donating %(what)s") % {"donor": donor, "what": what}
        body = _(
            "%(donor)s gave %(what)s to the shelf of %(place)s. Neighbours may borrow it at "
            "the lending desk or ask for it online."
        ) % {"donor": donor, "what": what, "place": compound.name}
    return notice_publish(
        actor=actor,
        place=compound,
        kind=NOTICE_KIND,
        title=title,
        body=body,
        url=reverse("lending:item-detail", args=[item.pk]),
    )


# -- lending ----------------------------------------------------------------------------------


def _units_held(item: Item) -> int:
    """Units of the item's active loans, counted from the loans themselves."""
    held = Loan.objects.filter(item=item, status__in=ACTIVE_STATUSES).aggregate(n=Sum("quantity"))
    return held["n"] or 0


def _holds(item: Item) -> int:
    """Units held for waiters who were told one is back, counted from the wait list."""
    return WaitEntry.objects.filter(item=item, status=WaitStatus.OFFERED).count()


def _waiting(item: Item) -> int:
    return WaitEntry.objects.filter(item=item, status=WaitStatus.WAITING).count()


def _free_units(item: Item) -> int:
    """Units neither lent, promised nor held, counted under the item's lock."""
    return item.quantity - _units_held(item) - _holds(item)


def _lendable(item: Item) -> bool:
    return item.is_active and item.condition != Condition.NEEDS_REPAIR


def _move_units(item: Item, *, out: int = 0, owned: int = 0, hold: int = 0) -> None:
    """Move the item's counters; the database's CHECK refuses an over-lent item."""
    try:
        with transaction.atomic():
            Item.objects.filter(pk=item.pk).update(
                units_out=F("units_out") + out,
                quantity=F("quantity") + owned,
                units_on_hold=F("units_on_hold") + hold,
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("Not enough units of “%(name)s” are free at the moment.") % {"name": item.name},
            code="not_available",
        ) from exc


def expected_back(item: Item, today: date) -> str:
    """When a unit of an item with nothing free is expected back, as a resident reads it:
    the earliest due date from today on — never one that has passed. A unit past its due
    date is said to be overdue (the desk is reminded of it every day), with no date."""
    from .selectors import item_next_back

    next_due, overdue = item_next_back(item=item, today=today)
    name = item.name
    if overdue and next_due:
        return _(
            "All of “%(name)s” are lent out at the moment. One is overdue and the lending desk "
            "has been reminded to ask for it back; the next is due back on %(date)s."
        ) % {"name": name, "date": next_due.isoformat()}
    if overdue:
        return _(
            "All of “%(name)s” are lent out at the moment and overdue; the lending desk has "
            "been reminded to ask for them back."
        ) % {"name": name}
    if next_due:
        return _(
            "All of “%(name)s” are lent out at the moment; the next is due back on %(date)s."
        ) % {"name": name, "date": next_due.isoformat()}
    return _("All of “%(name)s” are lent out or promised at the moment.") % {"name": name}


def _not_available(item: Item, available: int, asked: int, today: date) -> ConflictError:
    if available > 0:
        return ConflictError(
            _("Only %(available)s of “%(name)s” are free at the moment; you asked for %(asked)s.")
            % {"available": available, "name": item.name, "asked": asked},
            code="not_available",
        )
    if _free_units(item) > 0:  # free, but held back for the neighbours who wait for it
        return ConflictError(
            _(
                "The free units of “%(name)s” go to the neighbours on its wait list first; "
                "join the wait list to be told when one is yours."
            )
            % {"name": item.name},
            code="not_available",
        )
    return ConflictError(expected_back(item, today), code="not_available")


def _check_borrower(*, item: Item, borrower_user, today: date) -> None:
    """A resident's own limits: nothing overdue, a few loans at once, one of each item."""
    loans = Loan.objects.filter(borrower_user=borrower_user, status__in=ACTIVE_STATUSES)
    if loans.filter(status=LoanStatus.OUT, due_on__lt=today).exists():
        raise LinliError(
            _("An item you borrowed is overdue; please return it before borrowing again."),
            code="overdue_borrower",
        )
    if loans.filter(item=item).exists():
        raise LinliError(
            _("You already have “%(name)s” borrowed or asked for.") % {"name": item.name},
            code="already_borrowed",
        )
    if loans.count() >= MAX_ACTIVE_LOANS:
        raise LinliError(
            _("At most %(limit)s loans at once; please return something first.")
            % {"limit": MAX_ACTIVE_LOANS},
            code="loan_limit",
        )


def _check_lend(
    *, item: Item, quantity: int, borrower_user, today: date, hold: bool = False
) -> None:
    """The rules of a loan, one by one, each refusal with its own message; the item is
    locked by the caller. Units held for waiters are not free, but the one ``hold`` of the
    borrower's own is; units free while neighbours wait go to them first."""
    if quantity < 1:
        raise LinliError(_("Ask for at least one unit."), code="quantity")
    if not item.is_active:
        raise LinliError(
            _("“%(name)s” is not being lent at the moment.") % {"name": item.name},
            code="inactive",
        )
    if item.condition == Condition.NEEDS_REPAIR:
        raise LinliError(
            _("“%(name)s” needs repair and is not lent until it is mended.") % {"name": item.name},
            code="needs_repair",
        )
    if quantity > item.quantity:
        raise LinliError(
            _("The shelf has only %(quantity)s of “%(name)s” in all.")
            % {"quantity": item.quantity, "name": item.name},
            code="more_than_owned",
        )
    if borrower_user is not None:
        _check_borrower(item=item, borrower_user=borrower_user, today=today)
    available = _free_units(item) + (1 if hold else 0) - _waiting(item)
    if quantity > available:
        raise _not_available(item, max(available, 0), quantity, today)


def _due(item: Item, today: date, days: int | None) -> date:
    days = item.loan_days if days is None else days
    if not 1 <= days <= MAX_LOAN_DAYS:
        raise LinliError(
            _("A loan runs for 1 to %(days)s days.") % {"days": MAX_LOAN_DAYS}, code="loan_days"
        )
    return today + timedelta(days=days)


def _insert(
    *, actor, item: Item, quantity: int, status: str, now: datetime, hold=None, **fields
) -> Loan:
    """Write the loan and move its units; a unit held for the borrower (``hold``, their
    wait-list entry) becomes one of them, and the entry is borrowed."""
    loan = Loan(
        item=item, quantity=quantity, status=status, created_by=user_or_none(actor), **fields
    )
    loan.borrower_name = loan.borrower_name.strip()[:100]
    loan.full_clean()
    loan.save()
    _move_units(item, out=quantity, hold=-1 if hold is not None else 0)
    kind = LoanEventKind.REQUESTED if status == LoanStatus.REQUESTED else LoanEventKind.LENT
    LOAN.record(obj=loan, kind=kind, actor=actor, to_status=status)
    audit_record(actor=actor, action=f"lending.loan.{kind}", obj=loan)
    if hold is not None:
        hold.item = item
        WAIT.take("borrow", actor=actor, obj=hold, loan=loan, context={"now": now})
    return loan


def _hold_of(item: Item, user) -> WaitEntry | None:
    """The unit held for ``user`` at ``item`` (their wait-list entry), if any."""
    if user is None:
        return None
    return WaitEntry.objects.filter(item=item, user=user, status=WaitStatus.OFFERED).first()


@transaction.atomic
def loan_request(
    *, actor, item: Item, quantity: int = 1, note: str = "", now: datetime | None = None
) -> Loan:
    """A resident asks to borrow online. The request holds its units until the duty
    volunteer hands the item over (the loan period starts then) or it is cancelled."""
    item = lock_row(Item, item.pk, select_related=("place",))
    now = now or timezone.now()
    _check_may_borrow(actor, item)
    hold = _hold_of(item, actor)
    _check_lend(
        item=item,
        quantity=quantity,
        borrower_user=actor,
        today=_today(now),
        hold=hold is not None,
    )
    return _insert(
        actor=actor,
        item=item,
        quantity=quantity,
        status=LoanStatus.REQUESTED,
        now=now,
        hold=hold,
        borrower_user=actor,
        household=resident_household(actor, item.place),
        borrower_name=actor.display_name,
        note=note.strip(),
        requested_at=now,
    )


@transaction.atomic
def loan_lend(
    *,
    actor,
    item: Item,
    quantity: int = 1,
    borrower_user=None,
    borrower_name: str = "",
    days: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Loan:
    """Staff lend at the desk: to a resident's account (their household is recorded, they
    are reminded) or to a person named at the counter. Out at once."""
    item = lock_row(Item, item.pk, select_related=("place",))
    now = now or timezone.now()
    _check_manage(actor, item)
    household = None
    if borrower_user is not None:
        if not lives_near(borrower_user, item.place):
            raise LinliError(
                _("This account is not a resident's of %(place)s; name the borrower instead.")
                % {"place": compound_of(item.place).name},
                code="not_resident",
            )
        household = resident_household(borrower_user, item.place)
        borrower_name = borrower_name.strip() or borrower_user.display_name
    if not borrower_name.strip():
        raise ValidationError({"borrower_name": _("Name the borrower.")})
    today = _today(now)
    hold = _hold_of(item, borrower_user)
    _check_lend(
        item=item,
        quantity=quantity,
        borrower_user=borrower_user,
        today=today,
        hold=hold is not None,
    )
    return _insert(
        actor=actor,
        item=item,
        quantity=quantity,
        status=LoanStatus.OUT,
        now=now,
        hold=hold,
        borrower_user=borrower_user,
        household=household,
        borrower_name=borrower_name,
        note=note.strip(),
        lent_at=now,
        lent_by=user_or_none(actor),
        due_on=_due(item, today, days),
    )


def loan_create(*, actor, item: Item, quantity: int = 1, **kwargs) -> Loan:
    """The API's one entry: staff who run the shelf lend at once, a resident asks."""
    if actor.has_perm("lending.manage_item", item):
        return loan_lend(actor=actor, item=item, quantity=quantity, **kwargs)
    staff_only = {"borrower_user", "borrower_name", "days"}
    if any(kwargs.get(name) for name in staff_only):
        raise ForbiddenError(
            _("Only the desk may lend to someone else or set the loan period."), code="staff_only"
        )
    note, now = kwargs.get("note", ""), kwargs.get("now")
    return loan_request(actor=actor, item=item, quantity=quantity, note=note, now=now)


# -- steps ------------------------------------------------------------------------------------


class RenewalRefused(ConflictError):
    """A renewal the loan's moment refuses (overdue, renewed enough): a conflict for the
    lifecycle (the button is not offered), answered 400 like any rule of a loan."""

    status = 400


def _check_renew(loan: Loan, today: date) -> None:
    if loan.due_on is not None and loan.due_on < today:
        raise RenewalRefused(
            _("This loan is overdue; please bring the item back to the desk instead."),
            code="overdue",
        )
    if loan.renewals >= MAX_RENEWALS:
        raise RenewalRefused(
            _("A loan can be renewed at most %(count)s times.") % {"count": MAX_RENEWALS},
            code="renewal_limit",
        )


def _start_of_day(today: date) -> datetime:
    return datetime.combine(today, time.min, tzinfo=timezone.get_default_timezone())


def _check_remind(loan: Loan, now: datetime) -> None:
    """A borrower with an account is reminded the day before the due date and every day
    the loan is overdue, at most once a day."""
    today = _today(now)
    if loan.borrower_user_id is None or loan.due_on is None:
        raise ConflictError(_("This loan has no one to remind."), code="no_reminder")
    if loan.due_on > today + timedelta(days=1) or loan.due_on == today:
        raise ConflictError(_("This loan is not due for a reminder."), code="no_reminder")
    if loan.last_reminded_at is not None and loan.last_reminded_at >= _start_of_day(today):
        raise ConflictError(_("This loan was already reminded today."), code="reminded")


def _guard(name: str, loan: Loan, *, now: datetime | None = None, **context) -> None:
    now = now or timezone.now()
    if name == "renew":
        _check_renew(loan, _today(now))
    elif name == "remind":
        _check_remind(loan, now)


def _lock(loan: Loan) -> Loan:
    """The item first, then the loan: the lock order of every change of an item's loans."""
    item = lock_row(Item, loan.item_id, select_related=("place",))
    loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan.pk)
    loan.item = item
    return loan


L = LoanStatus
MANAGE = "lending.manage_loan"
LOAN = Lifecycle(
    name="lending.loan",
    model=Loan,
    event_model=LoanEvent,
    subject="loan",
    event_kinds=LoanEventKind,
    illegal_message=gettext_lazy("This loan is %(status)s; it cannot be %(step)s now."),
    forbidden_message=gettext_lazy("This step is not yours to take on this loan."),
    lock=_lock,
    guard=_guard,
    audit_prefix="lending.loan",
    steps={
        "hand_over": Step(
            frozenset({L.REQUESTED}), L.OUT, MANAGE, LoanEventKind.LENT,
            gettext_lazy("handed over"),
        ),
        "renew": Step(
            frozenset({L.OUT}), L.OUT, "lending.renew_loan", LoanEventKind.RENEWED,
            gettext_lazy("renewed"),
        ),
        "return": Step(
            frozenset({L.OUT}), L.RETURNED, MANAGE, LoanEventKind.RETURNED,
            pgettext_lazy("loan", "returned"),
        ),
        "mark_lost": Step(
            frozenset({L.OUT}), L.LOST, MANAGE, LoanEventKind.LOST,
            gettext_lazy("marked as lost"),
        ),
        "cancel": Step(
            frozenset({L.REQUESTED}), L.CANCELLED, "lending.cancel_loan",
            LoanEventKind.CANCELLED, gettext_lazy("cancelled"),
        ),
        # The reminder job (SYSTEM) notes each day's reminder on the loan's timeline.
        "remind": Step(
            frozenset({L.OUT}), None, "lending.remind_loan", LoanEventKind.REMINDED,
            gettext_lazy("reminded"),
        ),
    },
)  # fmt: skip


def allowed_steps(*, user, loan: Loan, now: datetime | None = None) -> list[str]:
    """The steps this user may take on this loan now (for buttons and the API)."""
    names = LOAN.allowed(user=user, obj=loan, now=now or timezone.now())
    return [name for name in names if name != "remind"]


def _take(step_name: str, *, actor, loan: Loan, now=None, note="", change=None) -> Loan:
    """Take a step (``LOAN.take``: the item locked, then the loan). ``change(loan, item,
    today)`` makes the step's own changes and returns the change of the item's counters,
    moved once the loan is saved."""
    now = now or timezone.now()
    counters = {}

    def changed(loan):
        if change is not None:
            counters.update(change(loan, loan.item, _today(now)))

    loan = LOAN.take(
        step_name, actor=actor, obj=loan, note=note, change=changed, context={"now": now}
    )
    if counters:
        _move_units(loan.item, **counters)
    return loan


@transaction.atomic
def loan_hand_over(*, actor, loan: Loan, days: int | None = None, now=None) -> Loan:
    """The duty volunteer hands a requested item over; the loan period starts now. The
    units were held by the request, so nothing is counted twice."""
    now = now or timezone.now()

    def change(loan, item, today):
        if not item.is_active or item.condition == Condition.NEEDS_REPAIR:
            raise LinliError(
                _("“%(name)s” is not being lent at the moment; cancel the request instead.")
                % {"name": item.name},
                code="inactive",
            )
        loan.lent_at, loan.lent_by = now, user_or_none(actor)
        loan.due_on = _due(item, today, days)
        return {}

    return _take("hand_over", actor=actor, loan=loan, now=now, change=change)


@transaction.atomic
def loan_renew(*, actor, loan: Loan, now=None) -> Loan:
    """Another loan period, from the due date; not for an overdue loan, at most twice."""

    def change(loan, item, today):
        loan.due_on = max(loan.due_on or today, today) + timedelta(days=item.loan_days)
        loan.renewals += 1
        return {}

    return _take("renew", actor=actor, loan=loan, now=now, change=change)


@transaction.atomic
def loan_return(*, actor, loan: Loan, condition: str = "", note: str = "", now=None) -> Loan:
    """Take the item back, with its condition; the item's condition becomes the one seen
    on return when one is given."""
    if condition and condition not in Condition.values:
        raise ValidationError({"condition": _("Choose the condition from the list.")})
    now = now or timezone.now()

    def change(loan, item, today):
        loan.returned_at, loan.returned_to = now, user_or_none(actor)
        loan.return_condition, loan.return_note = condition, note.strip()[:500]
        if condition and condition != item.condition:
            Item.objects.filter(pk=item.pk).update(condition=condition)
        return {"out": -loan.quantity}

    loan = _take("return", actor=actor, loan=loan, now=now, note=note.strip(), change=change)
    _offer_free_units(lock_row(Item, loan.item_id, select_related=("place",)), now=now)
    return loan


@transaction.atomic
def loan_mark_lost(*, actor, loan: Loan, note: str = "", now=None) -> Loan:
    """The units are gone: the shelf owns that many fewer."""
    now = now or timezone.now()

    def change(loan, item, today):
        loan.returned_at, loan.returned_to = now, user_or_none(actor)
        loan.return_note = note.strip()[:500]
        return {"out": -loan.quantity, "owned": -loan.quantity}

    return _take("mark_lost", actor=actor, loan=loan, now=now, note=note.strip(), change=change)


@transaction.atomic
def loan_cancel(*, actor, loan: Loan, reason: str = "", now=None) -> Loan:
    """The borrower or the desk withdraws a request; its units are free again."""

    def change(loan, item, today):
        loan.cancel_reason = reason.strip()[:200]
        return {"out": -loan.quantity}

    now = now or timezone.now()
    loan = _take("cancel", actor=actor, loan=loan, now=now, note=reason.strip(), change=change)
    _offer_free_units(lock_row(Item, loan.item_id, select_related=("place",)), now=now)
    return loan


@transaction.atomic
def loan_remind(*, actor, loan: Loan, now: datetime | None = None) -> Loan:
    """Claim the day's reminder of a loan (the reminder job, as SYSTEM): its timeline notes
    it, and ``last_reminded_at`` keeps a second run (or a second worker) from sending it
    again — refused with a ConflictError when already claimed or not due."""
    now = now or timezone.now()
    return LOAN.take(
        "remind",
        actor=actor,
        obj=loan,
        note=loan.due_on.isoformat() if loan.due_on else "",
        context={"now": now},
        last_reminded_at=now,
    )


@transaction.atomic
def overdue_digest_claim(*, actor, user, day: date, loans: int) -> bool:
    """Claim the day's overdue digest for a member of staff (the reminder job, as SYSTEM):
    False when it was already sent that day."""
    check_perm(actor, "lending.remind_loan")
    try:
        with transaction.atomic():
            digest = OverdueDigest(user=user, day=day, loans=loans)
            digest.full_clean(validate_unique=False, validate_constraints=False)
            digest.save()
    except IntegrityError:
        return False
    return True


STEP_FUNCTIONS = {
    "hand_over": loan_hand_over,
    "renew": loan_renew,
    "return": loan_return,
    "mark_lost": loan_mark_lost,
    "cancel": loan_cancel,
}


# -- the wait list ----------------------------------------------------------------------------
# An item with nothing free has a wait list, first come first served. Whenever a unit comes
# back (returned, a request cancelled, a donation, the item mended) it is held for the first
# waiter, who is told after commit (``notify.notify_wait_event``) and may borrow it until
# ``hold_until``; then the hold lapses (``holds_expire``, the periodic task) and passes on.


def hold_hours() -> int:
    """How long a unit is held for a waiter (``settings.LINLI_LENDING_HOLD_HOURS``)."""
    return max(int(getattr(settings, "LINLI_LENDING_HOLD_HOURS", 48)), 1)


def _check_may_borrow(actor, item: Item) -> None:
    try:
        check_perm(actor, "lending.borrow_item", item)
    except ForbiddenError:
        # The refusal names the compound (read only when refused: it costs a query).
        raise ForbiddenError(
            _("Only residents of %(place)s may ask to borrow from this shelf.")
            % {"place": compound_of(item.place).name},
            code="not_resident",
        ) from None


@transaction.atomic
def wait_join(*, actor, item: Item, now: datetime | None = None) -> WaitEntry:
    """A resident nearby joins the wait list of an item with nothing free, once."""
    item = lock_row(Item, item.pk, select_related=("place",))
    now = now or timezone.now()
    _check_may_borrow(actor, item)
    if not _lendable(item):
        raise ConflictError(
            _("“%(name)s” is not being lent at the moment.") % {"name": item.name},
            code="inactive",
        )
    if WaitEntry.objects.filter(item=item, user=actor, status__in=OPEN_WAIT_STATUSES).exists():
        raise ConflictError(
            _("You are already on the wait list of “%(name)s”.") % {"name": item.name},
            code="already_waiting",
        )
    if Loan.objects.filter(item=item, borrower_user=actor, status__in=ACTIVE_STATUSES).exists():
        raise ConflictError(
            _("You already have “%(name)s” borrowed or asked for.") % {"name": item.name},
            code="already_borrowed",
        )
    if _free_units(item) - _waiting(item) > 0:
        raise ConflictError(
            _("A unit of “%(name)s” is free now: ask to borrow it instead.") % {"name": item.name},
            code="available",
        )
    entry = WaitEntry(
        item=item,
        user=actor,
        household=resident_household(actor, item.place),
        joined_at=now,
    )
    validated(entry)
    entry.save()
    WAIT.record(obj=entry, kind=WaitEventKind.JOINED, actor=actor, to_status=WaitStatus.WAITING)
    audit_record(actor=actor, action="lending.wait.join", obj=entry)
    return entry


def _offer_free_units(item: Item, *, now: datetime | None = None) -> list[WaitEntry]:
    """Hold each free unit for the next waiter, as the system; the item is locked by the
    caller. Nothing is held for an item that is not being lent."""
    if not _lendable(item):
        return []
    free = _free_units(item)
    if free <= 0:
        return []
    now = now or timezone.now()
    waiting = WaitEntry.objects.filter(item=item, status=WaitStatus.WAITING)
    return [
        wait_offer(actor=SYSTEM, entry=entry, now=now)
        for entry in waiting.order_by("joined_at", "id")[:free]
    ]


@transaction.atomic
def wait_offer(*, actor, entry: WaitEntry, now: datetime | None = None) -> WaitEntry:
    """Hold a free unit for the first waiter (the system only) and tell them, after commit."""
    now = now or timezone.now()
    entry = WAIT.take(
        "offer",
        actor=actor,
        obj=entry,
        context={"now": now},
        offered_at=now,
        hold_until=now + timedelta(hours=hold_hours()),
    )
    _move_units(entry.item, hold=1)
    return entry


@transaction.atomic
def wait_expire(*, actor, entry: WaitEntry, now: datetime | None = None) -> WaitEntry:
    """A hold not taken up in time lapses (the system only); the unit goes to the next."""
    now = now or timezone.now()
    entry = WAIT.take("expire", actor=actor, obj=entry, context={"now": now})
    _move_units(entry.item, hold=-1)
    _offer_free_units(lock_row(Item, entry.item_id, select_related=("place",)), now=now)
    return entry


@transaction.atomic
def wait_leave(*, actor, entry: WaitEntry, now: datetime | None = None) -> WaitEntry:
    """The waiter (or the desk) takes the entry off the wait list; a unit held for it goes
    to the next."""
    now = now or timezone.now()
    held = {}

    def change(entry):
        held["unit"] = entry.status == WaitStatus.OFFERED

    entry = WAIT.take("leave", actor=actor, obj=entry, change=change, context={"now": now})
    if held["unit"]:
        _move_units(entry.item, hold=-1)
        _offer_free_units(lock_row(Item, entry.item_id, select_related=("place",)), now=now)
    return entry


def holds_expire(*, now: datetime | None = None) -> int:
    """The periodic sweep (as SYSTEM): lapse the holds whose time is up, each passing its
    unit on; then hold the units that are free while neighbours wait. Returns the holds
    that lapsed."""
    now = now or timezone.now()
    lapsed = 0
    due = WaitEntry.objects.filter(status=WaitStatus.OFFERED, hold_until__lte=now)
    for entry in due.order_by("hold_until", "id")[:1000]:
        try:
            wait_expire(actor=SYSTEM, entry=entry, now=now)
        except LinliError:
            continue  # taken up or lapsed by another run meanwhile
        lapsed += 1
    waited = WaitEntry.objects.filter(status=WaitStatus.WAITING).values_list("item_id", flat=True)
    for item_id in sorted(set(waited[:5000])):
        with transaction.atomic():
            _offer_free_units(lock_row(Item, item_id, select_related=("place",)), now=now)
    return lapsed


def _lock_entry(entry: WaitEntry) -> WaitEntry:
    """The item first, then the entry: the lock order of every change of an item's units."""
    item = lock_row(Item, entry.item_id, select_related=("place",))
    entry = WaitEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    entry.item = item
    return entry


def _wait_guard(name: str, entry: WaitEntry, *, now: datetime | None = None, **context) -> None:
    now = now or timezone.now()
    if name == "offer":
        item = entry.item
        if not _lendable(item) or _free_units(item) < 1:
            raise ConflictError(
                _("No unit of “%(name)s” is free to hold.") % {"name": item.name},
                code="nothing_free",
            )
        earlier = WaitEntry.objects.filter(item=item, status=WaitStatus.WAITING).filter(
            Q(joined_at__lt=entry.joined_at) | Q(joined_at=entry.joined_at, pk__lt=entry.pk)
        )
        if earlier.exists():
            raise ConflictError(
                _("Someone joined the wait list earlier; the unit is theirs first."),
                code="not_first",
            )
    elif name == "expire" and (entry.hold_until is None or entry.hold_until > now):
        raise ConflictError(_("The unit is still held for this neighbour."), code="held")


WS = WaitStatus
WAIT = Lifecycle(
    name="lending.wait",
    model=WaitEntry,
    event_model=WaitEvent,
    subject="entry",
    event_kinds=WaitEventKind,
    illegal_message=gettext_lazy(
        "This wait-list entry is %(status)s; it cannot be %(step)s now."
    ),
    forbidden_message=gettext_lazy("This step is not yours to take on this wait-list entry."),
    lock=_lock_entry,
    guard=_wait_guard,
    notify_task=notify_wait_event_task,
    notify=frozenset({WaitEventKind.OFFERED}),
    audit_prefix="lending.wait",
    steps={
        "offer": Step(
            frozenset({WS.WAITING}), WS.OFFERED, "lending.hold_unit", WaitEventKind.OFFERED,
            gettext_lazy("held for the waiter"),
        ),
        "borrow": Step(
            frozenset({WS.OFFERED}), WS.BORROWED, "lending.borrow_held",
            WaitEventKind.BORROWED, gettext_lazy("borrowed"),
        ),
        "expire": Step(
            frozenset({WS.OFFERED}), WS.EXPIRED, "lending.hold_unit", WaitEventKind.EXPIRED,
            gettext_lazy("let lapse"),
        ),
        "leave": Step(
            frozenset({WS.WAITING, WS.OFFERED}), WS.LEFT, "lending.leave_wait",
            WaitEventKind.LEFT, gettext_lazy("taken off the wait list"),
        ),
    },
)  # fmt: skip


def wait_steps(*, user, entry: WaitEntry) -> list[str]:
    """The wait-list steps this user may take now (for buttons and the API): leaving it;
    borrowing the held unit is asking to borrow the item."""
    return [name for name in WAIT.allowed(user=user, obj=entry) if name == "leave"]


def wait_page_steps(*, user, entry: WaitEntry) -> list[str]:
    """The steps this user may take on the entry's own page: leaving the list (the desk:
    taking the neighbour off it), and borrowing the unit held for the entry — the waiter
    asks for it, the desk lends it to them — while the item is being lent."""
    names = WAIT.allowed(user=user, obj=entry)
    return [
        name for name in names if name == "leave" or (name == "borrow" and _lendable(entry.item))
    ]
