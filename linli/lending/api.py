"""/api/v1/lending: the catalogue of donated items with how many units are free, loans
(a resident's request or a loan made at the desk) and their steps, donations, and the wait
list of an item with nothing free — under the same permissions as the pages (residents
never see who has borrowed or waits for what)."""

from datetime import date, datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from linli.api.pagination import Pagination
from linli.api.schemas import (
    ACTION_ERRORS,
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    Error,
    Id,
    InputSchema,
    PlaceRef,
    Text,
)
from linli.core.errors import LinliError

from . import selectors, services
from .models import (
    MAX_LOAN_DAYS,
    Category,
    Condition,
    Item,
    Loan,
    LoanStatus,
    WaitEntry,
    WaitStatus,
)

router = Router(tags=["lending"])

# Writes that may meet a conflict: not enough units free, a step the loan's status forbids.
STEP_ERRORS = {**WRITE_ERRORS, 409: Error}
ACTION_STEP_ERRORS = {**ACTION_ERRORS, 409: Error}


# -- output ---------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    name: str
    name_en: str
    place: PlaceRef
    category: Category
    quantity: int = Field(..., description="Units the shelf owns")
    available: int = Field(..., description="Units free to borrow now")
    condition: Condition
    location: str
    loan_days: int = Field(..., description="The loan period")
    is_active: bool


class ItemPhotoOut(Schema):
    id: int
    caption: str
    url: str
    thumbnail_url: str


class DonationRef(Schema):
    donor: str = Field(..., description="“a kind neighbour” for an anonymous donor")
    quantity: int
    donated_on: date


class ItemDetailOut(ItemOut):
    description: str
    photos: list[ItemPhotoOut] = Field(..., alias="photo_list")
    donations: list[DonationRef] = Field(..., alias="donation_list")


class ItemRef(Schema):
    id: int
    name: str


class LoanOut(Schema):
    id: int
    item: ItemRef
    quantity: int
    status: LoanStatus
    borrower: str = Field(..., alias="borrower_name")
    mine: bool = Field(..., description="You are the borrower")
    requested_at: datetime | None
    lent_at: datetime | None
    due_on: date | None = Field(..., description="Due back on")
    renewals: int
    overdue: bool
    returned_at: datetime | None
    return_condition: Condition | None
    return_note: str
    steps: list[str] = Field(..., description="The steps you may take now")

    @staticmethod
    def resolve_item(loan):
        return {"id": loan.item_id, "name": loan.item.name}

    @staticmethod
    def resolve_mine(loan, context):
        return loan.borrower_user_id is not None and loan.borrower_user_id == (
            context["request"].user.pk
        )

    @staticmethod
    def resolve_requested_at(loan):
        return timezone.localtime(loan.requested_at) if loan.requested_at else None

    @staticmethod
    def resolve_lent_at(loan):
        return timezone.localtime(loan.lent_at) if loan.lent_at else None

    @staticmethod
    def resolve_returned_at(loan):
        return timezone.localtime(loan.returned_at) if loan.returned_at else None

    @staticmethod
    def resolve_overdue(loan):
        return loan.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_return_condition(loan):
        return loan.return_condition or None

    @staticmethod
    def resolve_steps(loan, context):
        return services.allowed_steps(user=context["request"].user, loan=loan)


class DonationOut(Schema):
    id: int
    item: ItemRef
    quantity: int
    donor: str = Field(..., description="“a kind neighbour” for an anonymous donor")
    anonymous: bool
    donated_on: date
    notice: int | None = Field(None, alias="notice_id", description="The thank-you notice")

    @staticmethod
    def resolve_item(donation):
        return {"id": donation.item_id, "name": donation.item.name}

    @staticmethod
    def resolve_donor(donation):
        # An anonymous donor is named in no answer, not even to the desk that recorded it.
        return services.donor_label(name=donation.donor_name, anonymous=donation.anonymous)


class WaitOut(Schema):
    id: int
    item: ItemRef
    status: WaitStatus
    waiter: str = Field(..., description="The resident on the wait list")
    mine: bool = Field(..., description="You are the waiter")
    position: int | None = Field(
        ..., description="Place in the queue while waiting (1: the next to be held a unit)"
    )
    joined_at: datetime
    offered_at: datetime | None = Field(..., description="When a unit was held for the waiter")
    hold_until: datetime | None = Field(
        ..., description="The unit is held for the waiter until then; then it goes to the next"
    )
    steps: list[str] = Field(..., description="What you may do now: leave")

    @staticmethod
    def resolve_item(entry):
        return {"id": entry.item_id, "name": entry.item.name}

    @staticmethod
    def resolve_waiter(entry):
        return entry.user.display_name

    @staticmethod
    def resolve_mine(entry, context):
        return entry.user_id == context["request"].user.pk

    @staticmethod
    def resolve_position(entry):
        if entry.status != WaitStatus.WAITING:
            return None
        return getattr(entry, "queue_position", None)

    @staticmethod
    def resolve_joined_at(entry):
        return timezone.localtime(entry.joined_at)

    @staticmethod
    def resolve_offered_at(entry):
        return timezone.localtime(entry.offered_at) if entry.offered_at else None

    @staticmethod
    def resolve_hold_until(entry):
        return timezone.localtime(entry.hold_until) if entry.hold_until else None

    @staticmethod
    def resolve_steps(entry, context):
        return services.wait_steps(user=context["request"].user, entry=entry)


def _photo_url(item_id, photo_id, variant):
    return reverse("lending:item-photo", args=[item_id, photo_id, variant])


def _detail(request, item: Item) -> Item:
    show_donor = selectors.may_see_donor(request.user, item)
    item.photo_list = [
        {
            "id": p.pk,
            "caption": p.caption,
            "url": _photo_url(item.pk, p.pk, "full"),
            "thumbnail_url": _photo_url(item.pk, p.pk, "thumb"),
        }
        for p in selectors.item_photos(item)
    ]
    item.donation_list = [
        {
            "donor": d.donor_name
            if show_donor and d.donor_name
            else services.donor_label(name=d.donor_name, anonymous=d.anonymous),
            "quantity": d.quantity,
            "donated_on": d.donated_on,
        }
        for d in selectors.donation_list(item=item)[:50]
    ]
    return item


# -- input ----------------------------------------------------------------------------------


class ItemFilters(Schema):
    place: Id | None = Field(None, description="Items on shelves anywhere in this subtree")
    category: Category | None = None
    q: Text(50) = Field("", description="Part of the name")
    active: bool = Field(True, description="Only items being lent")


class LoanFilters(Schema):
    mine: bool = Field(False, description="Only your own loans")
    overdue: bool | None = Field(None, description="true: only overdue; false: none overdue")
    status: LoanStatus | None = None
    item: Id | None = None
    place: Id | None = Field(None, description="Loans of shelves anywhere in this subtree")


class WaitFilters(Schema):
    mine: bool = Field(False, description="Only your own entries")
    item: Id | None = None
    status: WaitStatus | None = None
    open: bool = Field(False, description="Only entries waiting or holding a unit")


class LoanIn(InputSchema):
    quantity: int = Field(1, ge=1, le=1000)
    note: Text(500) = ""
    borrower_user: Id | None = Field(
        None,
        description="Staff: the account of a resident near the shelf, lent to (reminded when "
        "due); any other id answers 400 `no_account`",
    )
    borrower_name: Text(100) = Field("", description="Staff: the person named at the counter")
    days: int | None = Field(
        None, ge=1, le=MAX_LOAN_DAYS, description="Staff: the loan period; the item's own"
    )


class ReturnIn(InputSchema):
    condition: Condition | None = Field(None, description="The item's condition seen on return")
    note: Text(500) = ""


class LoanCancelIn(InputSchema):
    reason: Text(200) = ""


class DonationIn(InputSchema):
    quantity: int = Field(..., ge=1, le=1000)
    donor_name: Text(100) = ""
    donor_user: Id | None = Field(
        None,
        description="The account of a resident near the shelf who gave it; any other id "
        "answers 400 `no_account`",
    )
    anonymous: bool = Field(False, description="Never named to residents")
    donated_on: date | None = Field(None, description="Today when omitted; never ahead")
    note: Text(500) = ""


# -- items ----------------------------------------------------------------------------------


@router.get("/items", response={200: list[ItemOut], **LIST_ERRORS}, summary="The catalogue")
@paginate(Pagination)
def items_list(request: HttpRequest, filters: Query[ItemFilters]):
    return selectors.item_list(
        user=request.user,
        place=filters.place,
        category=filters.category,
        active_only=filters.active,
        search=filters.q.strip(),
    )


@router.get(
    "/items/{item_id}",
    response={200: ItemDetailOut, **READ_ERRORS},
    summary="One item with its photos and donors",
)
def items_get(request: HttpRequest, item_id: int = Path(..., ge=1, le=MAX_ID)):
    return _detail(request, selectors.item_get(user=request.user, pk=item_id))


def _user_by_id(request, pk: int | None, item: Item):
    """An account the desk names at the item's shelf (a borrower or donor): one of the
    residents nearby. Every other id — missing, elsewhere, staff — gets the same answer."""
    if pk is None:
        return None
    user = selectors.desk_account_get(user=request.user, shelf=item.place, pk=pk)
    if user is None:
        raise LinliError(_("There is no such account."), code="no_account")
    return user


@router.post(
    "/items/{item_id}/loans",
    response={201: LoanOut, **STEP_ERRORS},
    summary="Ask to borrow (residents) or lend at the desk (staff)",
    description="A resident's loan is `requested` until the desk hands it over; staff who "
    "run the shelf lend at once (`out`). 409 when not enough units are free, 400 for a "
    "rule (the item needs repair, the borrower has an overdue loan, …).",
)
def items_loan(request: HttpRequest, payload: LoanIn, item_id: int = Path(..., ge=1, le=MAX_ID)):
    item = selectors.item_get(user=request.user, pk=item_id)
    is_staff = request.user.has_perm("lending.manage_item", item)
    borrower = _user_by_id(request, payload.borrower_user, item) if is_staff else None
    loan = services.loan_create(
        actor=request.user,
        item=item,
        quantity=payload.quantity,
        note=payload.note,
        borrower_user=borrower if is_staff else payload.borrower_user,
        borrower_name=payload.borrower_name,
        days=payload.days,
    )
    return Status(201, selectors.loan_get(user=request.user, pk=loan.pk))


@router.post(
    "/items/{item_id}/donations",
    response={201: DonationOut, **WRITE_ERRORS},
    summary="Record a donation (staff); the compound is thanked in a notice",
    description="For those who run the shelf (the duty volunteer, the branch secretary, the "
    "community worker). One thank-you notice per donation; an anonymous donor is named in "
    "neither the answer nor the notice.",
)
def items_donate(
    request: HttpRequest, payload: DonationIn, item_id: int = Path(..., ge=1, le=MAX_ID)
):
    item = selectors.item_get(user=request.user, pk=item_id)
    donation = services.donation_record(
        actor=request.user,
        item=item,
        quantity=payload.quantity,
        donor_name=payload.donor_name,
        # Only the desk names accounts; anyone else is refused by the service.
        donor_user=_user_by_id(request, payload.donor_user, item)
        if request.user.has_perm("lending.manage_item", item)
        else None,
        anonymous=payload.anonymous,
        donated_on=payload.donated_on,
        note=payload.note,
        request=request,
    )
    return Status(201, donation)


# -- loans ----------------------------------------------------------------------------------


@router.get("/loans", response={200: list[LoanOut], **LIST_ERRORS}, summary="Loans you may see")
@paginate(Pagination)
def loans_list(request: HttpRequest, filters: Query[LoanFilters]):
    """Your own loans, and every loan of the shelves you oversee."""
    loans = selectors.loan_list(
        user=request.user,
        item=filters.item,
        place=filters.place,
        mine=filters.mine,
        status=filters.status,
        overdue=filters.overdue,
    )
    if filters.overdue:
        loans = loans.order_by("due_on", "id")
    return loans


@router.get("/loans/{loan_id}", response={200: LoanOut, **READ_ERRORS}, summary="One loan")
def loans_get(request: HttpRequest, loan_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.loan_get(user=request.user, pk=loan_id)


def _step(request, loan_id: int, step: str, **kwargs) -> Loan:
    loan = selectors.loan_get(user=request.user, pk=loan_id)
    services.STEP_FUNCTIONS[step](actor=request.user, loan=loan, **kwargs)
    return selectors.loan_get(user=request.user, pk=loan_id)


@router.post(
    "/loans/{loan_id}/handover",
    response={200: LoanOut, **ACTION_STEP_ERRORS},
    summary="Hand a requested item over (staff); the loan period starts",
)
def loans_hand_over(request: HttpRequest, loan_id: int = Path(..., ge=1, le=MAX_ID)):
    return _step(request, loan_id, "hand_over")


@router.post(
    "/loans/{loan_id}/return",
    response={200: LoanOut, **STEP_ERRORS},
    summary="Take the item back (staff), with its condition",
)
def loans_return(
    request: HttpRequest, payload: ReturnIn, loan_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _step(request, loan_id, "return", condition=payload.condition or "", note=payload.note)


@router.post(
    "/loans/{loan_id}/renew",
    response={200: LoanOut, **ACTION_STEP_ERRORS},
    summary="Renew for another loan period (not when overdue; at most twice)",
)
def loans_renew(request: HttpRequest, loan_id: int = Path(..., ge=1, le=MAX_ID)):
    return _step(request, loan_id, "renew")


@router.post(
    "/loans/{loan_id}/cancel",
    response={200: LoanOut, **STEP_ERRORS},
    summary="Withdraw a request (the borrower or staff)",
)
def loans_cancel(
    request: HttpRequest, payload: LoanCancelIn, loan_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _step(request, loan_id, "cancel", reason=payload.reason)


@router.post(
    "/loans/{loan_id}/lost",
    response={200: LoanOut, **STEP_ERRORS},
    summary="Mark as lost (staff): the shelf owns that many fewer",
)
def loans_lost(
    request: HttpRequest, payload: LoanCancelIn, loan_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _step(request, loan_id, "mark_lost", note=payload.reason)


# -- the wait list --------------------------------------------------------------------------


@router.post(
    "/items/{item_id}/waitlist",
    response={201: WaitOut, **ACTION_STEP_ERRORS},
    summary="Join the wait list of an item with nothing free (residents nearby)",
    description="First come, first served: when a unit comes back it is held for the first "
    "waiter, who is told, for the hold time; then for the next. 403 `not_resident` for "
    "those who may not borrow from the shelf; 409 `available` when a unit is free (ask to "
    "borrow it instead), `already_waiting`, `already_borrowed`, `inactive`.",
)
def items_wait(request: HttpRequest, item_id: int = Path(..., ge=1, le=MAX_ID)):
    item = selectors.item_get(user=request.user, pk=item_id)
    entry = services.wait_join(actor=request.user, item=item)
    return Status(201, selectors.wait_get(user=request.user, pk=entry.pk))


@router.get(
    "/waits", response={200: list[WaitOut], **LIST_ERRORS}, summary="Wait-list entries you may see"
)
@paginate(Pagination)
def waits_list(request: HttpRequest, filters: Query[WaitFilters]):
    """Your own entries, and those of the shelves you oversee."""
    return selectors.wait_list(
        user=request.user,
        item=filters.item,
        mine=filters.mine,
        status=filters.status,
        open_only=filters.open,
    )


@router.get("/waits/{wait_id}", response={200: WaitOut, **READ_ERRORS}, summary="One entry")
def waits_get(request: HttpRequest, wait_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.wait_get(user=request.user, pk=wait_id)


@router.post(
    "/waits/{wait_id}/leave",
    response={200: WaitOut, **ACTION_STEP_ERRORS},
    summary="Leave the wait list (the waiter), or take someone off it (the desk)",
    description="A unit held for the entry goes to the next waiter. 409 once the entry "
    "has left, lapsed or borrowed.",
)
def waits_leave(request: HttpRequest, wait_id: int = Path(..., ge=1, le=MAX_ID)):
    entry: WaitEntry = selectors.wait_get(user=request.user, pk=wait_id)
    services.wait_leave(actor=request.user, entry=entry)
    return selectors.wait_get(user=request.user, pk=wait_id)
