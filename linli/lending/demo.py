"""Nanguanfang's shelf of donated items (the demo world): chess sets, waist drums, fans for
the dance team, folding chairs and a wheelchair, given by neighbours (some anonymously) and
thanked in notices; a few loans — one returned, one out, one overdue — a resident's
request waiting at the desk, and the resident on the wait list of the overdue wheelchair.

Everything goes through the services, in the order it happened; afterwards the times the
services set to "now" are moved back to when each step took place."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.notices.models import Notice
from linli.places.models import Place
from linli.residents.models import Resident

from . import services
from .models import Category, Condition, Donation, Item, Loan, LoanEvent, LoanEventKind

LOCATION = "党支部服务中心 会客厅东侧储物柜"

# name, English name, category, units, condition, loan days, donor, days ago, note.
# Donor: "resident" is the demo resident's account, an int the n-th neighbour of the
# register, None an anonymous donor.
SHELF = [
    ("象棋", "Chinese chess set", Category.CHESS_CARDS, 4, Condition.GOOD, 14, 0, 300, ""),
    ("腰鼓", "Waist drum", Category.INSTRUMENTS, 6, Condition.GOOD, 30, None, 240, "秧歌队用"),
    ("扇子", "Dance fans", Category.FANS, 20, Condition.GOOD, 30, "resident", 200, "舞蹈队用"),
    ("折叠椅", "Folding chair", Category.FURNITURE, 10, Condition.WORN, 7, 1, 150, ""),
    ("轮椅", "Wheelchair", Category.MOBILITY, 1, Condition.GOOD, 30, None, 90, "家中老人用过"),
]
FALLBACK_NEIGHBOURS = ["王建国", "李秀英"]


def _neighbours(compound: Place) -> list[str]:
    names = list(
        Resident.objects.filter(place__path__startswith=compound.path, user__isnull=True)
        .order_by("pk")
        .values_list("name", flat=True)[:2]
    )
    return names + FALLBACK_NEIGHBOURS[len(names) :]


def _backdate_loan(loan: Loan, *, lent, due=None, returned=None) -> None:
    fields = {"lent_at": lent, "created_at": lent}
    if loan.requested_at:
        fields["requested_at"] = lent
    if due is not None:
        fields["due_on"] = due
    if returned is not None:
        fields["returned_at"] = returned
    Loan.objects.filter(pk=loan.pk).update(**fields)
    events = LoanEvent.objects.filter(loan=loan)
    events.filter(kind__in=[LoanEventKind.REQUESTED, LoanEventKind.LENT]).update(at=lent)
    if returned is not None:
        events.filter(kind=LoanEventKind.RETURNED).update(at=returned)


def demo_lending(compound: Place) -> int:
    """Idempotent: a compound with items on its shelf gets nothing new. Returns how many
    items were added."""
    if Item.objects.filter(place=compound).exists():
        return 0
    secretary = User.objects.get(username="secretary")
    volunteer = User.objects.get(username="volunteer")
    resident = User.objects.get(username="resident")
    now = timezone.now()
    today = timezone.localdate(now)
    neighbours = _neighbours(compound)
    with transaction.atomic():
        items = {}
        for name, name_en, category, units, condition, days, donor, ago, note in SHELF:
            donor_user = resident if donor == "resident" else None
            donor_name = neighbours[donor] if isinstance(donor, int) else ""
            donation = services.donation_record(
                actor=secretary,
                place=compound,
                name=name,
                category=category,
                condition=condition,
                location=LOCATION,
                loan_days=days,
                quantity=units,
                donor_name=donor_name,
                donor_user=donor_user,
                anonymous=donor is None,
                donated_on=today - timedelta(days=ago),
                note=note,
            )
            item = donation.item
            services.item_update(actor=secretary, item=item, name_en=name_en)
            when = now - timedelta(days=ago)
            Donation.objects.filter(pk=donation.pk).update(created_at=when)
            Notice.objects.filter(pk=donation.notice_id).update(published_at=when)
            items[name] = item

        # Returned: the dance fans, lent to the demo resident for the summer show.
        fans = services.loan_lend(
            actor=volunteer, item=items["扇子"], quantity=8, borrower_user=resident
        )
        lent = now - timedelta(days=60)
        _backdate_loan(fans, lent=lent, due=timezone.localdate(lent) + timedelta(days=30))
        fans = services.loan_return(
            actor=volunteer, loan=fans, condition=Condition.GOOD, note="完好归还"
        )
        _backdate_loan(fans, lent=lent, returned=lent + timedelta(days=25))

        # Out: a chess set with the demo resident, due in a week.
        chess = services.loan_lend(actor=volunteer, item=items["象棋"], borrower_user=resident)
        lent = now - timedelta(days=7)
        _backdate_loan(chess, lent=lent, due=timezone.localdate(lent) + timedelta(days=14))

        # Overdue: the wheelchair, lent at the counter to a neighbour after a fall.
        wheelchair = services.loan_lend(
            actor=volunteer,
            item=items["轮椅"],
            borrower_name=f"{neighbours[1]}（3号楼2单元）",
            note="摔伤后暂用",
        )
        lent = now - timedelta(days=40)
        _backdate_loan(wheelchair, lent=lent, due=timezone.localdate(lent) + timedelta(days=30))

        # Waiting at the desk: the demo resident asked for two folding chairs.
        services.loan_request(actor=resident, item=items["折叠椅"], quantity=2, note="周六家宴")

        # On the wait list: the demo resident waits for the wheelchair that is overdue.
        services.wait_join(actor=resident, item=items["轮椅"], now=now - timedelta(days=2))
    return len(items)
