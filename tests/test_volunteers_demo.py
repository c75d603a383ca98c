"""The demo's volunteers: Nanguanfang's self-management group with its duty managers and
shifts over past and coming weeks (a skipped date, a moved one, some gaps), the university
team of outsiders, and the demo volunteer's view of them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.volunteers import selectors
from linli.volunteers.demo import SELF_MANAGEMENT, UNIVERSITY
from linli.volunteers.models import Membership, Shift, ShiftRuleException, VolunteerGroup

pytestmark = pytest.mark.django_db


def test_the_demo_has_groups_shifts_and_gaps(demo):
    group = VolunteerGroup.objects.get(name=SELF_MANAGEMENT)
    team = VolunteerGroup.objects.get(name=UNIVERSITY)
    managers = Membership.objects.filter(group=group, is_coordinator=True, status="approved")
    assert managers.count() == 2
    assert all(m.volunteer.resident_id for m in managers)
    assert all(m.volunteer.is_outsider for m in Membership.objects.filter(group=team))
    now = timezone.now()
    shifts = Shift.objects.filter(shift_type__group=group)
    assert shifts.filter(start__lt=now).exists() and shifts.filter(start__gt=now).exists()
    assert ShiftRuleException.objects.filter(rule__shift_type__group=group).count() == 2
    coming = selectors.coordinated_shifts(
        user=demo.user("secretary"), start=now, end=now + timezone.timedelta(weeks=2)
    )
    assert any(s.taken < s.needed for s in coming)
    assert Membership.objects.filter(group=group, status="applied").exists()


def test_the_demo_volunteer_sees_her_shifts_and_the_open_ones(client_for):
    client = client_for("volunteer")
    assert client.get(reverse("volunteers:shift-mine")).status_code == 200
    page = client.get(reverse("volunteers:shift-open")).content.decode()
    assert 'data-testid="open-shift"' in page
    board = client_for("secretary").get(reverse("volunteers:board")).content.decode()
    assert SELF_MANAGEMENT in board and 'data-testid="board-shift"' in board
