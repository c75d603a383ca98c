"""The deadline reminders of the desk's cases: a case due by the next working day is told to
its worker and the desk's staff once, before a holiday too; an overdue one once more; none
at night, none for a case done or due later, and nobody but the job may take the step."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.models import Notification
from linli.servicedesk import services
from linli.servicedesk.models import Case, CaseEvent, CaseEventKind
from linli.servicedesk.notify import cases_remind
from linli.servicedesk.tasks import cases_remind_task
from tests.test_servicedesk_cases import matter, open_case, resident, step, tick_all  # noqa: F401

pytestmark = pytest.mark.django_db
ZONE = timezone.get_default_timezone()


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


@pytest.fixture
def accepted(demo, matter, resident):  # noqa: F811
    """An accepted case of the demo resident, handled by the compound's community worker."""
    case = open_case(demo, matter, resident)
    tick_all(demo, case)
    return step(demo, case, "accept")


def due(case, day: date) -> Case:
    Case.objects.filter(pk=case.pk).update(due_on=day)
    return Case.objects.get(pk=case.pk)


def reminders(kind: str | None = None):
    notes = Notification.objects.filter(kind__startswith="servicedesk.case.")
    return notes.filter(kind=f"servicedesk.case.{kind}") if kind else notes


def test_a_case_due_after_the_national_day_holiday_is_reminded_before_it(demo, accepted):
    # 30 September 2026 is the last working day before the holiday; 8 October the next.
    case = due(accepted, date(2026, 10, 8))
    assert cases_remind(now=at(date(2026, 9, 29))) == 0  # two working days ahead: not yet
    assert cases_remind(now=at(date(2026, 9, 30))) == 1
    told = {n.user.username for n in reminders("due")}
    assert {"community", "secretary"} <= told
    assert "property" not in told and "resident" not in told
    note = reminders("due").first()
    assert case.number in note.title and "2026-10-08" in note.title
    assert note.url == f"/servicedesk/cases/{case.pk}/"
    # A second run, or a second worker, finds the reminder taken.
    assert cases_remind(now=at(date(2026, 9, 30), 15)) == 0
    assert reminders("due").count() == len(told)
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.REMINDED)
    assert event.actor is None and event.data["reminder"] == "due"


def test_an_overdue_case_is_reminded_once_more(demo, accepted):
    case = due(accepted, date(2026, 10, 8))
    cases_remind(now=at(date(2026, 10, 8)))
    assert reminders("due").exists() and not reminders("overdue").exists()
    assert cases_remind(now=at(date(2026, 10, 9))) == 1
    assert reminders("overdue").exists()
    assert cases_remind(now=at(date(2026, 10, 12))) == 0
    kinds = list(
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.REMINDED).values_list(
            "data__reminder", flat=True
        )
    )
    assert kinds == ["due", "overdue"]


def test_a_new_due_date_is_reminded_again(demo, accepted):
    due(accepted, date(2026, 10, 8))
    assert cases_remind(now=at(date(2026, 10, 8))) == 1
    due(accepted, date(2026, 10, 9))  # e.g. the department asked for a day more
    assert cases_remind(now=at(date(2026, 10, 8))) == 1


def test_nothing_is_sent_at_night_or_for_cases_not_due(demo, accepted):
    case = due(accepted, date(2026, 10, 8))
    assert cases_remind(now=at(date(2026, 9, 30), 22)) == 0
    assert cases_remind(now=at(date(2026, 9, 30), 6)) == 0
    assert cases_remind(now=at(date(2026, 9, 1))) == 0  # due weeks later
    step(demo, case, "approve")
    assert cases_remind(now=at(date(2026, 10, 9))) == 0  # decided: no deadline to keep
    assert not reminders().exists()


def test_only_the_job_may_remind_and_only_when_a_reminder_is_owed(demo, accepted):
    case = due(accepted, timezone.localdate())
    with pytest.raises(ForbiddenError):
        services.case_remind(actor=demo.user("community"), case=case)
    later = due(case, date(2099, 1, 5))
    with pytest.raises(ConflictError) as refused:
        services.case_remind(actor=SYSTEM, case=later)
    assert refused.value.code == "no_reminder"
    assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.REMINDED).exists()


def test_the_periodic_task_runs_the_reminders(demo, accepted):
    case = due(accepted, timezone.localdate())
    sent = cases_remind_task.call()
    reminded = CaseEvent.objects.filter(case=case, kind=CaseEventKind.REMINDED).exists()
    if 8 <= timezone.localtime().hour < 20:
        assert sent >= 1 and reminded
    else:
        assert sent == 0 and not reminded
