"""The demo's sign-ins and hours: a year of past shifts signed in and out (a few late), a
few no-shows with one member's sign-up paused, the ledger adding up to the sign-in records
with one correction, and 林小雨's issued record that anyone can check."""

from decimal import Decimal

import pytest
from django.urls import reverse

from linli.volunteers.demo import SELF_MANAGEMENT
from linli.volunteers.models import (
    Assignment,
    AssignmentStatus,
    HoursEntry,
    HoursKind,
    Volunteer,
    VolunteerRecord,
)
from linli.volunteers.services import served_hours

pytestmark = pytest.mark.django_db


def test_the_demo_ledger_adds_up_to_the_sign_ins(demo):
    group = f"{SELF_MANAGEMENT}"
    served = Assignment.objects.filter(shift__shift_type__group__name=group)
    assert served.filter(status=AssignmentStatus.SERVED).count() > 300
    assert served.filter(minutes_late__isnull=False).exists()
    assert served.filter(status=AssignmentStatus.NO_SHOW).count() >= 3
    confirmed = served.filter(hours_confirmed_at__isnull=False)
    service = HoursEntry.objects.filter(group__name=group, kind=HoursKind.SERVICE)
    assert service.count() == confirmed.count()
    assert sum(e.hours for e in service) == sum(served_hours(a) for a in confirmed)
    correction = HoursEntry.objects.get(group__name=group, kind=HoursKind.CORRECTION)
    assert correction.corrects.kind == HoursKind.SERVICE and correction.hours == Decimal("-0.50")
    assert Volunteer.objects.filter(signup_paused_at__isnull=False).count() == 1
    # the last week's served shifts wait for the coordinator
    assert served.filter(status=AssignmentStatus.SERVED, hours_confirmed_at=None).exists()


def test_the_demo_record_is_checked_by_anyone(demo, client_for):
    record = VolunteerRecord.objects.get(volunteer__user__username="volunteer")
    page = client_for("volunteer").get(reverse("volunteers:hours-mine")).content.decode()
    assert record.number in page
    anonymous = client_for("volunteer")
    anonymous.logout()
    checked = anonymous.get(
        reverse("volunteers:verify"), {"number": record.number, "code": record.code}
    ).content.decode()
    assert 'data-testid="verified"' in checked and str(record.total_hours) in checked
