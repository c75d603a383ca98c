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

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext_lazy

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.images import photo_attach, refuse
from linli.core.lifecycle import Lifecycle, Step, check_perm
from linli.core.locking import lock_row
from linli.places.models import Place
from linli.residents.nearby import compound_of, lives_near, resident_household

from .models import (
    ACTIVE_STATUSES,
    ITEM_PLACE_KINDS,
    MAX_LOAN_DAYS,
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
)

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
    held = _units_held(item)
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
    item.refresh_from_db(fields=["quantity", "units_out"])
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


def _move_units(item: Item, *, out: int = 0, owned: int = 0) -> None:
    """Move the item's counters; the database's CHECK refuses an over-lent item."""
    try:
        with transaction.atomic():
            Item.objects.filter(pk=item.pk).update(
                units_out=F("units_out") + out, quantity=F("quantity") + owned
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("Not enough units of “%(name)s” are free at the moment.") % {"name": item.name},
            code="not_available",
        ) from exc


def _not_available(item: Item, available: int, asked: int) -> ConflictError:
    if available > 0:
        return ConflictError(
            _("Only %(available)s of “%(name)s” are free at the moment; you asked for %(asked)s.")
            % {"available": available, "name": item.name, "asked": asked},
            code="not_available",
        )
    next_due = (
        Loan.objects.filter(item=item, status=LoanStatus.OUT, due_on__isnull=False)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    if next_due is None:
        return ConflictError(
            _("All of “%(name)s” are lent out or promised at the moment.") % {"name": item.name},
            code="not_available",
        )
    return ConflictError(
        _("All of “%(name)s” are lent out at the moment; the next is due back on %(date)s.")
        % {"name": item.name, "date": next_due.isoformat()},
        code="not_available",
    )


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


def _check_lend(*, item: Item, quantity: int, borrower_user, today: date) -> None:
    """The rules of a loan, one by one, each refusal with its own message; the item is
    locked by the caller."""
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
    available = item.quantity - _units_held(item)
    if quantity > available:
        raise _not_available(item, max(available, 0), quantity)


def _due(item: Item, today: date, days: int | None) -> date:
    days = item.loan_days if days is None else days
    if not 1 <= days <= MAX_LOAN_DAYS:
        raise LinliError(
            _("A loan runs for 1 to %(days)s days.") % {"days": MAX_LOAN_DAYS}, code="loan_days"
        )
    return today + timedelta(days=days)


def _insert(*, actor, item: Item, quantity: int, status: str, now: datetime, **fields) -> Loan:
    loan = Loan(
        item=item, quantity=quantity, status=status, created_by=user_or_none(actor), **fields
    )
    loan.borrower_name = loan.borrower_name.strip()[:100]
    loan.full_clean()
    loan.save()
    _move_units(item, out=quantity)
    kind = LoanEventKind.REQUESTED if status == LoanStatus.REQUESTED else LoanEventKind.LENT
    LOAN.record(obj=loan, kind=kind, actor=actor, to_status=status)
    audit_record(actor=actor, action=f"lending.loan.{kind}", obj=loan)
    return loan


@transaction.atomic
def loan_request(
    *, actor, item: Item, quantity: int = 1, note: str = "", now: datetime | None = None
) -> Loan:
    """A resident asks to borrow online. The request holds its units until the duty
    volunteer hands the item over (the loan period starts then) or it is cancelled."""
    item = lock_row(Item, item.pk, select_related=("place",))
    now = now or timezone.now()
    try:
        check_perm(actor, "lending.borrow_item", item)
    except ForbiddenError:
        # The refusal names the compound (read only when refused: it costs a query).
        raise ForbiddenError(
            _("Only residents of %(place)s may ask to borrow from this shelf.")
            % {"place": compound_of(item.place).name},
            code="not_resident",
        ) from None
    _check_lend(item=item, quantity=quantity, borrower_user=actor, today=_today(now))
    return _insert(
        actor=actor,
        item=item,
        quantity=quantity,
        status=LoanStatus.REQUESTED,
        now=now,
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
    _check_lend(item=item, quantity=quantity, borrower_user=borrower_user, today=today)
    return _insert(
        actor=actor,
        item=item,
        quantity=quantity,
        status=LoanStatus.OUT,
        now=now,
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

    return _take("return", actor=actor, loan=loan, now=now, note=note.strip(), change=change)


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

    return _take("cancel", actor=actor, loan=loan, now=now, note=reason.strip(), change=change)


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
