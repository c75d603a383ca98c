"""Matrix specs of the shelf of donated items (see lifecycle_matrix). A loan: one unit of a
new item of the demo compound's shelf, borrowed by the demo resident and due back tomorrow
(so that it may be renewed, and reminded). A wait-list entry: the demo resident's, on a new
one-unit item whose unit is free (so that it may be held for them) while waiting, held for
them since before its hold lapsed while offered."""

from datetime import timedelta

from django.utils import timezone

from linli.lending import services
from linli.lending.models import ACTIVE_STATUSES, Item, Loan, LoanStatus, WaitEntry, WaitStatus
from linli.places.models import Place

from .lifecycle_matrix import MatrixSpec, actor_named

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
S = LoanStatus


def _loan(status: str) -> Loan:
    item = services.item_create(
        actor=actor_named("secretary"),
        place=Place.objects.get(name_path=COMPOUND),
        name="矩阵测试",
        quantity=2,
    )
    resident = actor_named("resident")
    now = timezone.now()
    fields = {}
    if status != S.REQUESTED:
        fields.update(lent_at=now - timedelta(days=6), due_on=timezone.localdate() + timedelta(1))
    loan = Loan.objects.create(
        item=item,
        quantity=1,
        status=status,
        borrower_user=resident,
        borrower_name=resident.display_name,
        requested_at=now - timedelta(days=7),
        **fields,
    )
    if status in ACTIVE_STATUSES:  # the units its request or loan holds
        Item.objects.filter(pk=item.pk).update(units_out=1)
    return Loan.objects.select_related("item__place").get(pk=loan.pk)


def _take(step: str, actor, loan: Loan):
    if step == "remind":
        return services.loan_remind(actor=actor, loan=loan)
    if step == "return":
        return services.loan_return(actor=actor, loan=loan, condition="good", note="矩阵测试")
    if step == "mark_lost":
        return services.loan_mark_lost(actor=actor, loan=loan, note="矩阵测试")
    if step == "cancel":
        return services.loan_cancel(actor=actor, loan=loan, reason="矩阵测试")
    return services.STEP_FUNCTIONS[step](actor=actor, loan=loan)


# Those who run the compound's shelf: its community worker, branch secretary and volunteer.
MANAGERS = {"community", "secretary", "volunteer"}
LOAN_SPEC = MatrixSpec(
    lifecycle=services.LOAN,
    make=_loan,
    take=_take,
    holders={
        "lending.manage_loan": MANAGERS,
        "lending.renew_loan": MANAGERS | {"resident"},
        "lending.cancel_loan": MANAGERS | {"resident"},
        # Only the reminder job.
        "lending.remind_loan": {"SYSTEM"},
    },
)


def _entry(status: str) -> WaitEntry:
    item = services.item_create(
        actor=actor_named("secretary"),
        place=Place.objects.get(name_path=COMPOUND),
        name="矩阵等候",
        quantity=1,
    )
    now = timezone.now()
    fields = {}
    if status != WaitStatus.WAITING:
        fields.update(offered_at=now - timedelta(days=3), hold_until=now - timedelta(minutes=5))
    entry = WaitEntry.objects.create(
        item=item,
        user=actor_named("resident"),
        status=status,
        joined_at=now - timedelta(days=5),
        **fields,
    )
    if status == WaitStatus.OFFERED:  # the unit held for it
        Item.objects.filter(pk=item.pk).update(units_on_hold=1)
    return WaitEntry.objects.select_related("item__place").get(pk=entry.pk)


def _take_wait(step: str, actor, entry: WaitEntry):
    if step == "offer":
        return services.wait_offer(actor=actor, entry=entry)
    if step == "expire":
        return services.wait_expire(actor=actor, entry=entry)
    return services.wait_leave(actor=actor, entry=entry)


WAIT_SPEC = MatrixSpec(
    lifecycle=services.WAIT,
    make=_entry,
    take=_take_wait,
    holders={
        "lending.leave_wait": MANAGERS | {"resident"},
        "lending.hold_unit": {"SYSTEM"},
        "lending.borrow_held": MANAGERS | {"resident"},
    },
    skip={
        "borrow": "taken only inside a loan (loan_request, loan_lend) of the unit held for "
        "the waiter: tests/test_lending_waitlist.py",
    },
)
SPECS = [LOAN_SPEC, WAIT_SPEC]
