"""The demo's year of the self-management group: room duty and the lending desk a year back,
the hall's cleaning by the rota over the members (fair over the year, nobody on while away),
the stairs by the rota over the households (past turns marked), and a few swaps on their
timelines; the demo volunteer sees the rota and an offer she could take."""

from statistics import mean

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.volunteers.demo import SELF_MANAGEMENT
from linli.volunteers.models import (
    Absence,
    Assignment,
    HouseholdTurn,
    Shift,
    SwapOffer,
    SwapStatus,
)

pytestmark = pytest.mark.django_db


def test_a_year_of_duty_and_cleaning_by_the_rota(demo):
    now = timezone.now()
    shifts = Shift.objects.filter(shift_type__group__name=SELF_MANAGEMENT)
    first = shifts.order_by("start").first().start
    assert (now - first).days >= 360
    room = shifts.filter(shift_type__kind="room_duty", start__lt=now)
    assert room.count() >= 250
    cleaning = Assignment.objects.filter(
        shift__shift_type__name="会客厅保洁", shift__shift_type__group__name=SELF_MANAGEMENT
    ).exclude(status="cancelled")
    assert cleaning.count() >= 52 and all(cleaning.values_list("by_rota", flat=True))
    counts = {}
    for volunteer_id in cleaning.values_list("volunteer_id", flat=True):
        counts[volunteer_id] = counts.get(volunteer_id, 0) + 1
    assert max(counts.values()) <= mean(counts.values()) + 1, counts
    for absence in Absence.objects.filter(group__name=SELF_MANAGEMENT, volunteer__isnull=False):
        days = [
            timezone.localtime(s).date()
            for s in cleaning.filter(volunteer=absence.volunteer).values_list(
                "shift__start", flat=True
            )
        ]
        assert not any(absence.from_date <= d <= absence.until_date for d in days)
    turns = HouseholdTurn.objects.filter(shift__shift_type__name="楼道保洁")
    assert turns.filter(status="done").exists() and turns.filter(status="missed").count() == 1
    assert turns.filter(status="due").exists()


def test_a_few_swaps_and_the_volunteers_view(demo, client_for):
    statuses = set(
        SwapOffer.objects.filter(
            assignment__shift__shift_type__group__name=SELF_MANAGEMENT
        ).values_list("status", flat=True)
    )
    assert {SwapStatus.DONE, SwapStatus.PENDING, SwapStatus.OFFERED} <= statuses
    assert {SwapStatus.WITHDRAWN, SwapStatus.LAPSED} <= statuses
    done = SwapOffer.objects.filter(status=SwapStatus.DONE).first()
    assert done.assignment.status == "handed_over" and done.new_assignment.status == "assigned"
    client = client_for("volunteer")
    rota = client.get(reverse("volunteers:rota"))
    assert rota.status_code == 200 and 'data-testid="rota-shift"' in rota.content.decode()
    swaps = client.get(reverse("volunteers:swaps")).content.decode()
    assert 'data-testid="open-swap"' in swaps
    approvals = client_for("secretary").get(reverse("volunteers:swaps")).content.decode()
    assert 'data-testid="swap-approval"' in approvals
