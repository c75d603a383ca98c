"""Lending of donated items: donations and their thank-you notice, every rule of a loan refused
on its own with its own message, the steps and their refusals, the unit counter and its
database constraint, the reminders, the usage report, the demo shelf, and who may do what."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.models import AuditEvent, Notification
from linli.lending import selectors, services
from linli.lending.demo import demo_lending
from linli.lending.models import (
    Category,
    Condition,
    Donation,
    Item,
    Loan,
    LoanEvent,
    LoanStatus,
    OverdueDigest,
    WaitEntry,
)
from linli.lending.notify import loans_remind
from linli.lending.tasks import loans_remind_task
from linli.notices.models import Notice

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2031, 6, 2, 10, 0, tzinfo=SH)
TODAY = NOW.date()
COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
UNIT = COMPOUND + "/6号楼/1单元"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The messages are checked by their English ids."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def without_demo_shelf(db):
    """These tests stock their own shelf: the demo world's items and loans are set aside
    (the test's transaction brings them back)."""
    LoanEvent.objects.all().delete()
    Loan.objects.all().delete()
    Donation.objects.all().delete()
    WaitEntry.objects.all().delete()  # the wait list of the demo shelf
    Item.objects.all().delete()
    Notice.objects.filter(kind="lending.donation").delete()


def donate(demo, name="轮椅", quantity=1, **kwargs):
    kwargs.setdefault("donor_name", "王建国")
    kwargs.setdefault("category", Category.MOBILITY)
    return services.donation_record(
        actor=demo.user("secretary"),
        place=demo.nanguanfang,
        name=name,
        quantity=quantity,
        location="会客厅东侧储物柜",
        donated_on=TODAY,
        now=NOW,
        **kwargs,
    )


@pytest.fixture
def chairs(demo):
    """Three folding chairs on the shelf, lent for a week."""
    return donate(demo, "折叠椅", 3, category=Category.FURNITURE, loan_days=7).item


@pytest.fixture
def neighbour(demo):
    """A second resident of the compound."""
    user = user_create(actor=SYSTEM, username="neighbour", password=None, full_name="邻居")
    grant_create(actor=SYSTEM, user=user, role="resident", place=demo.place(UNIT + "/201"))
    return user


def lend(demo, item, quantity=1, *, now=NOW, **kwargs):
    kwargs.setdefault("borrower_name", "王大爷")
    return services.loan_lend(
        actor=demo.user("volunteer"), item=item, quantity=quantity, now=now, **kwargs
    )


def ask(user, item, quantity=1, now=NOW):
    return services.loan_request(actor=user, item=item, quantity=quantity, now=now)


def fresh(item):
    return Item.objects.get(pk=item.pk)


# -- donations ------------------------------------------------------------------------------


def test_a_donation_creates_the_item_and_thanks_the_donor_in_a_notice(demo):
    donation = donate(demo, "腰鼓", 6, category=Category.INSTRUMENTS)
    item = donation.item
    assert (item.name, item.quantity, item.units_out, item.place) == (
        "腰鼓",
        6,
        0,
        demo.nanguanfang,
    )
    assert item.donor_name == "王建国" and item.location == "会客厅东侧储物柜"
    notice = Notice.objects.get(pk=donation.notice_id)
    assert notice.place == demo.nanguanfang and notice.kind == "lending.donation"
    assert "王建国" in notice.title and "腰鼓 ×6" in notice.title
    assert notice.url == f"/lending/items/{item.pk}/"
    assert AuditEvent.objects.filter(action="lending.donation.record", object_id=str(donation.pk))


def test_a_second_donation_adds_units_to_the_item(demo, chairs):
    donation = donate(demo, "折叠椅", 2, donor_user=demo.user("resident"), donor_name="")
    assert donation.item == chairs and fresh(chairs).quantity == 5
    assert donation.donor_name == "周桂兰"
    assert Donation.objects.filter(item=chairs).count() == 2


def test_an_anonymous_donor_is_a_kind_neighbour_in_the_notice(demo):
    donation = donate(demo, "扇子", 20, donor_name="", anonymous=True)
    notice = Notice.objects.get(pk=donation.notice_id)
    # Notices are written in the residents' language.
    assert notice.title.startswith("感谢一位热心邻居捐赠扇子")
    assert "王建国" not in notice.title + notice.body


def test_donation_refusals(demo, chairs):
    with pytest.raises(ValidationError, match="Name the donor"):
        donate(demo, "折叠椅", 1, donor_name="")
    with pytest.raises(ValidationError, match="between 1 and 1000"):
        donate(demo, "折叠椅", 0)
    with pytest.raises(ValidationError, match="must not be ahead"):
        services.donation_record(
            actor=demo.user("secretary"),
            item=chairs,
            quantity=1,
            donor_name="王",
            donated_on=TODAY + timedelta(days=1),
            now=NOW,
        )
    for username in ("district", "resident", "property"):
        with pytest.raises(ForbiddenError):
            services.donation_record(
                actor=demo.user(username), item=chairs, quantity=1, donor_name="王"
            )
    assert fresh(chairs).quantity == 3


# -- lending and its rules ------------------------------------------------------------------


def test_staff_lend_at_the_desk_for_the_item_s_loan_period(demo, chairs):
    loan = lend(demo, chairs, 2)
    assert loan.status == LoanStatus.OUT and loan.lent_at == NOW
    assert loan.due_on == TODAY + timedelta(days=7)
    assert loan.lent_by == demo.user("volunteer") and loan.borrower_user is None
    item = fresh(chairs)
    assert (item.units_out, item.available) == (2, 1)
    assert list(LoanEvent.objects.filter(loan=loan).values_list("kind", flat=True)) == ["lent"]


def test_staff_lend_to_a_resident_s_account_records_the_household(demo, chairs):
    loan = lend(demo, chairs, borrower_user=demo.user("resident"), borrower_name="", days=3)
    assert loan.borrower_name == "周桂兰"
    assert loan.household.place == demo.resident_household
    assert loan.due_on == TODAY + timedelta(days=3)


def test_a_resident_asks_and_the_volunteer_hands_over(demo, chairs):
    resident = demo.user("resident")
    loan = ask(resident, chairs, 2)
    assert loan.status == LoanStatus.REQUESTED and loan.due_on is None
    assert loan.household.place == demo.resident_household
    assert fresh(chairs).available == 1  # the request holds its units
    later = NOW + timedelta(days=1)
    loan = services.loan_hand_over(actor=demo.user("volunteer"), loan=loan, now=later)
    assert loan.status == LoanStatus.OUT and loan.lent_at == later
    assert loan.due_on == later.date() + timedelta(days=7)
    assert fresh(chairs).units_out == 2


def test_rule_not_enough_units_free(demo, chairs):
    lend(demo, chairs, 2)
    with pytest.raises(ConflictError) as exc:
        lend(demo, chairs, 2)
    assert exc.value.code == "not_available"
    assert exc.value.message == "Only 1 of “折叠椅” are free at the moment; you asked for 2."
    lend(demo, chairs, 1)
    with pytest.raises(ConflictError) as exc:
        lend(demo, chairs, 1)
    assert exc.value.message == (
        "All of “折叠椅” are lent out at the moment; the next is due back on "
        f"{(TODAY + timedelta(days=7)).isoformat()}."
    )
    assert fresh(chairs).units_out == 3


def test_rule_all_promised_to_requests(demo, chairs):
    ask(demo.user("resident"), chairs, 3)
    with pytest.raises(ConflictError, match="lent out or promised") as exc:
        lend(demo, chairs)
    assert exc.value.code == "not_available"


def test_rule_more_than_the_shelf_owns(demo, chairs):
    with pytest.raises(LinliError) as exc:
        lend(demo, chairs, 4)
    assert (exc.value.code, exc.value.status) == ("more_than_owned", 400)
    assert exc.value.message == "The shelf has only 3 of “折叠椅” in all."


def test_rule_needs_repair(demo, chairs):
    services.item_update(
        actor=demo.user("secretary"), item=chairs, condition=Condition.NEEDS_REPAIR
    )
    with pytest.raises(LinliError, match="needs repair and is not lent") as exc:
        ask(demo.user("resident"), chairs)
    assert exc.value.code == "needs_repair"


def test_rule_inactive(demo, chairs):
    services.item_update(actor=demo.user("secretary"), item=chairs, is_active=False)
    with pytest.raises(LinliError, match="not being lent") as exc:
        lend(demo, chairs)
    assert exc.value.code == "inactive"


def test_rule_quantity_at_least_one(demo, chairs):
    with pytest.raises(LinliError, match="at least one unit") as exc:
        lend(demo, chairs, 0)
    assert exc.value.code == "quantity"


def test_rule_loan_period_at_most_sixty_days(demo, chairs):
    with pytest.raises(LinliError, match="1 to 60 days") as exc:
        lend(demo, chairs, days=61)
    assert exc.value.code == "loan_days"
    assert fresh(chairs).units_out == 0


def test_rule_borrower_with_an_overdue_loan(demo, chairs):
    resident = demo.user("resident")
    fans = donate(demo, "扇子", 5, category=Category.FANS).item
    lend(demo, fans, borrower_user=resident, now=NOW - timedelta(days=40))
    with pytest.raises(LinliError) as exc:
        ask(resident, chairs)
    assert exc.value.code == "overdue_borrower"
    assert exc.value.message == (
        "An item you borrowed is overdue; please return it before borrowing again."
    )


def test_rule_one_of_each_item_and_at_most_three_loans(demo, chairs):
    resident = demo.user("resident")
    ask(resident, chairs)
    with pytest.raises(LinliError, match="already have “折叠椅”") as exc:
        ask(resident, chairs)
    assert exc.value.code == "already_borrowed"
    for name in ("扇子", "象棋"):
        ask(resident, donate(demo, name, 2).item)
    with pytest.raises(LinliError, match="At most 3 loans at once") as exc:
        ask(resident, donate(demo, "腰鼓", 2).item)
    assert exc.value.code == "loan_limit"


def test_rule_only_residents_of_the_compound_ask(demo, chairs):
    outsider = user_create(actor=SYSTEM, username="outsider", password=None, full_name="外人")
    for username in ("district", "property", "doctor", "volunteer"):
        with pytest.raises(ForbiddenError, match="Only residents of 南官房小区") as exc:
            ask(demo.user(username), chairs)
        assert exc.value.code == "not_resident"
    with pytest.raises(ForbiddenError):
        ask(outsider, chairs)


def test_staff_lend_refusals(demo, chairs):
    with pytest.raises(ValidationError, match="Name the borrower"):
        lend(demo, chairs, borrower_name="  ")
    with pytest.raises(LinliError, match="not a resident's of 南官房小区") as exc:
        lend(demo, chairs, borrower_user=demo.user("doctor"), borrower_name="")
    assert exc.value.code == "not_resident"
    for username in ("district", "street", "property", "resident"):
        with pytest.raises(ForbiddenError):
            services.loan_lend(
                actor=demo.user(username), item=chairs, borrower_name="王大爷", now=NOW
            )


# -- steps ----------------------------------------------------------------------------------


def test_return_with_condition_frees_the_units_and_updates_the_item(demo, chairs):
    loan = lend(demo, chairs, 2)
    loan = services.loan_return(
        actor=demo.user("volunteer"),
        loan=loan,
        condition=Condition.NEEDS_REPAIR,
        note="一把椅子腿松了",
        now=NOW + timedelta(days=3),
    )
    assert loan.status == LoanStatus.RETURNED and loan.return_note == "一把椅子腿松了"
    assert loan.return_condition == Condition.NEEDS_REPAIR
    item = fresh(chairs)
    assert (item.units_out, item.condition) == (0, Condition.NEEDS_REPAIR)
    with pytest.raises(ConflictError, match="This loan is returned; it cannot be returned now"):
        services.loan_return(actor=demo.user("volunteer"), loan=loan)


def test_only_staff_take_back(demo, chairs):
    loan = lend(demo, chairs, borrower_user=demo.user("resident"))
    with pytest.raises(ForbiddenError, match="not yours to take"):
        services.loan_return(actor=demo.user("resident"), loan=loan)
    with pytest.raises(ForbiddenError):
        services.loan_return(actor=demo.user("district"), loan=loan)


def test_renew_extends_by_the_loan_period_at_most_twice(demo, chairs):
    resident = demo.user("resident")
    loan = lend(demo, chairs, borrower_user=resident)
    due = loan.due_on
    loan = services.loan_renew(actor=resident, loan=loan, now=NOW + timedelta(days=5))
    assert (loan.due_on, loan.renewals) == (due + timedelta(days=7), 1)
    loan = services.loan_renew(actor=demo.user("volunteer"), loan=loan, now=NOW)
    assert (loan.due_on, loan.renewals) == (due + timedelta(days=14), 2)
    assert "renew" not in services.allowed_steps(user=resident, loan=loan, now=NOW)
    with pytest.raises(LinliError, match="renewed at most 2 times") as exc:
        services.loan_renew(actor=resident, loan=loan, now=NOW)
    assert exc.value.code == "renewal_limit"


def test_an_overdue_loan_is_not_renewed(demo, chairs):
    resident = demo.user("resident")
    loan = lend(demo, chairs, borrower_user=resident)
    with pytest.raises(LinliError, match="This loan is overdue") as exc:
        services.loan_renew(actor=resident, loan=loan, now=NOW + timedelta(days=8))
    assert exc.value.code == "overdue"


def test_a_neighbour_may_not_renew_or_cancel_someone_else_s_loan(demo, chairs, neighbour):
    loan = ask(demo.user("resident"), chairs)
    with pytest.raises(ForbiddenError):
        services.loan_cancel(actor=neighbour, loan=loan)
    assert services.allowed_steps(user=neighbour, loan=loan) == []
    assert services.allowed_steps(user=demo.user("resident"), loan=loan) == ["cancel"]
    assert services.allowed_steps(user=demo.user("volunteer"), loan=loan) == [
        "hand_over",
        "cancel",
    ]
    assert services.allowed_steps(user=demo.user("district"), loan=loan) == []


def test_cancel_frees_the_units(demo, chairs):
    loan = ask(demo.user("resident"), chairs, 3)
    loan = services.loan_cancel(actor=demo.user("resident"), loan=loan, reason="不用了")
    assert loan.status == LoanStatus.CANCELLED and loan.cancel_reason == "不用了"
    assert fresh(chairs).available == 3
    with pytest.raises(ConflictError, match="cannot be handed over now") as exc:
        services.loan_hand_over(actor=demo.user("volunteer"), loan=loan)
    assert exc.value.code == "illegal_step"


def test_lost_units_leave_the_shelf(demo, chairs):
    loan = lend(demo, chairs, 2)
    services.loan_mark_lost(actor=demo.user("secretary"), loan=loan, note="搬家时丢了")
    item = fresh(chairs)
    assert (item.quantity, item.units_out, item.available) == (1, 0, 1)


def test_fewer_units_than_are_out_cannot_be_owned(demo, chairs):
    lend(demo, chairs, 2)
    with pytest.raises(LinliError, match="2 unit\\(s\\) of “折叠椅” are lent or promised") as exc:
        services.item_update(actor=demo.user("secretary"), item=chairs, quantity=1)
    assert exc.value.code == "quantity_below_out"
    services.item_update(actor=demo.user("secretary"), item=chairs, quantity=2)
    assert fresh(chairs).available == 0


def test_the_database_refuses_an_over_lent_item(demo, chairs):
    """The CHECK constraint holds even for a write that skips the services."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=chairs.pk).update(units_out=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=chairs.pk).update(quantity=0, units_out=1)
    assert fresh(chairs).units_out == 0


# -- reminders ------------------------------------------------------------------------------


def _notes(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).order_by("id"))


def test_reminders_go_to_overdue_and_due_tomorrow_borrowers_once_a_day(demo, chairs, neighbour):
    resident = demo.user("resident")
    late = lend(demo, chairs, borrower_user=resident, now=NOW - timedelta(days=10))
    tomorrow = lend(demo, chairs, borrower_user=neighbour, now=NOW - timedelta(days=6))
    counter = lend(demo, chairs, borrower_name="王大爷", now=NOW - timedelta(days=9))

    result = loans_remind(now=NOW)
    assert result.borrowers == 2
    (overdue_note,) = _notes(resident, "lending.reminder")
    with translation.override("en"):
        assert "折叠椅" in overdue_note.title
    assert overdue_note.url == "/lending/loans/"
    assert len(_notes(neighbour, "lending.reminder")) == 1
    assert Loan.objects.get(pk=late.pk).last_reminded_at == NOW
    assert Loan.objects.get(pk=tomorrow.pk).last_reminded_at == NOW
    assert Loan.objects.get(pk=counter.pk).last_reminded_at is None

    # Later the same day: nothing again.
    assert loans_remind(now=NOW + timedelta(hours=3)).borrowers == 0
    assert len(_notes(resident, "lending.reminder")) == 1
    # The next day: the overdue loan again (the other is due today, not reminded).
    assert loans_remind(now=NOW + timedelta(days=1)).borrowers == 1
    assert len(_notes(resident, "lending.reminder")) == 2
    assert len(_notes(neighbour, "lending.reminder")) == 1


def test_a_returned_loan_is_not_reminded_and_nights_are_quiet(demo, chairs):
    loan = lend(demo, chairs, borrower_user=demo.user("resident"), now=NOW - timedelta(days=10))
    assert loans_remind(now=NOW.replace(hour=3)).borrowers == 0
    services.loan_return(actor=demo.user("volunteer"), loan=loan)
    assert loans_remind(now=NOW).borrowers == 0
    assert not _notes(demo.user("resident"), "lending.reminder")


def test_the_reminder_is_the_systems_step_and_written_once_a_day(demo, chairs):
    loan = lend(demo, chairs, borrower_user=demo.user("resident"), now=NOW - timedelta(days=10))
    for username in ("volunteer", "resident"):
        with pytest.raises(ForbiddenError):
            services.loan_remind(actor=demo.user(username), loan=loan, now=NOW)
    with pytest.raises(ForbiddenError):
        services.overdue_digest_claim(
            actor=demo.user("volunteer"), user=demo.user("volunteer"), day=TODAY, loans=1
        )
    services.loan_remind(actor=SYSTEM, loan=loan, now=NOW)
    with pytest.raises(ConflictError) as again:
        services.loan_remind(actor=SYSTEM, loan=loan, now=NOW + timedelta(hours=1))
    assert again.value.code == "reminded"
    (event,) = LoanEvent.objects.filter(loan=loan, kind="reminded")
    assert event.actor is None and event.note == loan.due_on.isoformat()
    counter = lend(demo, chairs, borrower_name="王大爷", now=NOW - timedelta(days=10))
    with pytest.raises(ConflictError) as nobody:
        services.loan_remind(actor=SYSTEM, loan=counter, now=NOW)
    assert nobody.value.code == "no_reminder"
    assert "remind" not in services.allowed_steps(user=demo.user("volunteer"), loan=loan)


def test_only_the_desk_names_accounts(demo):
    resident, shelf = demo.user("resident"), demo.nanguanfang
    volunteer = demo.user("volunteer")
    assert selectors.desk_account_get(user=volunteer, shelf=shelf, username="resident") == resident
    assert selectors.desk_account_get(user=volunteer, shelf=shelf, pk=resident.pk) == resident
    assert selectors.desk_account_get(user=resident, shelf=shelf, username="volunteer") is None
    assert (
        selectors.desk_account_get(user=demo.user("property"), shelf=shelf, pk=resident.pk) is None
    )
    # staff are not named as borrowers or donors, however near they work
    assert selectors.desk_account_get(user=volunteer, shelf=shelf, username="doctor") is None


def test_the_staff_digest_lists_overdue_loans_once_a_day(demo, chairs):
    lend(demo, chairs, borrower_name="王大爷", now=NOW - timedelta(days=9))
    lend(demo, chairs, borrower_name="李奶奶", now=NOW - timedelta(days=20))
    lend(demo, chairs, borrower_name="不迟", now=NOW)
    loans_remind(now=NOW)
    for username in ("volunteer", "secretary", "community"):
        (digest,) = _notes(demo.user(username), "lending.overdue_digest")
        assert "王大爷" in digest.body and "李奶奶" in digest.body and "不迟" not in digest.body
        assert digest.body.index("李奶奶") < digest.body.index("王大爷")  # longest late first
        assert digest.url == "/lending/overdue/"
    for username in ("district", "street", "property", "doctor", "resident"):
        assert not _notes(demo.user(username), "lending.overdue_digest")
    loans_remind(now=NOW + timedelta(hours=2))
    assert len(_notes(demo.user("volunteer"), "lending.overdue_digest")) == 1
    assert OverdueDigest.objects.filter(day=TODAY).count() == 3


def test_the_periodic_task_runs_the_reminders(demo, chairs):
    from linli.core.periodic import registered_jobs

    lend(
        demo,
        chairs,
        borrower_user=demo.user("resident"),
        now=timezone.now() - timedelta(days=30),
    )
    assert "linli.lending.tasks.loans_remind_task" in {j.name for j in registered_jobs()}
    hour = timezone.localtime().hour
    result = loans_remind_task.call()
    expected = 8 <= hour < 20
    assert (result > 0) == expected
    assert bool(_notes(demo.user("resident"), "lending.reminder")) == expected


# -- the usage report -----------------------------------------------------------------------


def test_usage_report_counts_loans_days_and_late_returns(demo, chairs):
    volunteer = demo.user("volunteer")
    start = NOW - timedelta(days=30)
    on_time = lend(demo, chairs, now=start)
    services.loan_return(actor=volunteer, loan=on_time, now=start + timedelta(days=5))
    late = lend(demo, chairs, 2, now=start)
    services.loan_return(actor=volunteer, loan=late, now=start + timedelta(days=10))
    lend(demo, chairs, now=NOW - timedelta(days=2))
    rows = selectors.usage_report(user=volunteer, start=start.date(), end=TODAY, now=NOW)
    (row,) = [r for r in rows if r.item == chairs]
    assert (row.loans, row.units, row.overdue, row.lost) == (3, 4, 1, 0)
    assert row.days_out == 5 + 2 * 10 + 2
    assert selectors.usage_report(user=demo.user("resident"), start=TODAY, end=TODAY) == []
    with pytest.raises(ValidationError):
        selectors.usage_report(user=volunteer, start=TODAY, end=TODAY - timedelta(days=1))


# -- the demo shelf -------------------------------------------------------------------------


def test_demo_shelf_is_stocked_once(demo):
    assert demo_lending(demo.nanguanfang) == 5
    assert demo_lending(demo.nanguanfang) == 0
    items = {i.name: i for i in Item.objects.filter(place=demo.nanguanfang)}
    assert set(items) == {"象棋", "腰鼓", "扇子", "折叠椅", "轮椅"}
    assert items["轮椅"].available == 0 and items["扇子"].available == 20
    assert items["扇子"].donor_user == demo.user("resident")
    assert items["腰鼓"].donor_anonymous
    today = timezone.localdate()
    loans = Loan.objects.filter(item__place=demo.nanguanfang)
    assert loans.filter(status=LoanStatus.RETURNED).count() == 1
    assert loans.filter(status=LoanStatus.OUT, due_on__lt=today).count() == 1
    assert loans.filter(status=LoanStatus.OUT, due_on__gte=today).count() == 1
    assert loans.filter(status=LoanStatus.REQUESTED).count() == 1
    thanks = Notice.objects.filter(kind="lending.donation", place=demo.nanguanfang)
    assert thanks.count() == 5
    for item in items.values():
        active = item.loans.filter(status__in=[LoanStatus.OUT, LoanStatus.REQUESTED])
        assert item.units_out == sum(loan.quantity for loan in active)
    assert items["折叠椅"].units_out == 2


# -- who may do what ------------------------------------------------------------------------

USERS = [
    "admin",
    "district",
    "street",
    "community",
    "secretary",
    "property",
    "resident",
    "doctor",
    "patrol",
    "inspector",
    "volunteer",
]
SEES = {"admin", "district", "street", "community", "secretary", "resident", "volunteer"}
MANAGES = {"admin", "community", "secretary", "volunteer"}


@pytest.mark.parametrize("username", USERS)
def test_each_role_sees_and_does_exactly_its_part(demo, username, neighbour):
    demo_lending(demo.nanguanfang)
    user = demo.user(username)
    item = Item.objects.get(place=demo.nanguanfang, name="象棋")
    own = Loan.objects.get(item=item, status=LoanStatus.OUT)  # the demo resident's
    theirs = lend(demo, item, borrower_user=neighbour, now=timezone.now())
    counter = Loan.objects.get(item__name="轮椅")

    assert user.has_perm("lending.view_item", item) == (username in SEES)
    assert user.has_perm("lending.manage_item", item) == (username in MANAGES)
    assert user.has_perm("lending.borrow_item", item) == (username in {"admin", "resident"})
    assert user.has_perm("lending.oversee_loans", item) == (username in SEES - {"resident"})
    assert user.has_perm("lending.view_loan", own) == (username in SEES)
    assert user.has_perm("lending.view_loan", theirs) == (username in SEES - {"resident"})
    assert user.has_perm("lending.renew_loan", own) == (username in MANAGES | {"resident"})
    assert user.has_perm("lending.manage_loan", own) == (username in MANAGES)

    # The lists agree with the single checks.
    items = set(selectors.item_list(user=user))
    assert (item in items) == (username in SEES)
    loans = set(selectors.loan_list(user=user))
    if username == "resident":
        assert loans == set(Loan.objects.filter(borrower_user=user))
        assert theirs not in loans and counter not in loans
    elif username in SEES:
        assert {own, theirs, counter} <= loans
    else:
        assert loans == set()
    for loan in Loan.objects.all():
        assert (loan in loans) == user.has_perm("lending.view_loan", loan)


def test_anonymous_donors_are_hidden_from_residents_only(demo):
    demo_lending(demo.nanguanfang)
    drums = Item.objects.get(place=demo.nanguanfang, name="腰鼓")
    assert not selectors.may_see_donor(demo.user("resident"), drums)
    assert selectors.may_see_donor(demo.user("volunteer"), drums)
    assert selectors.may_see_donor(demo.user("district"), drums)


def test_resident_household_is_the_granted_one(demo, chairs):
    household = services.resident_household(demo.user("resident"), chairs.place)
    assert household.place == demo.resident_household
    assert services.resident_household(demo.user("volunteer"), chairs.place) is None


def test_a_date_far_back_is_refused(demo, chairs):
    with pytest.raises(ValidationError):
        services.donation_record(
            actor=demo.user("secretary"),
            item=chairs,
            quantity=1,
            donor_name="王",
            donated_on=date(1, 1, 1),
        )
