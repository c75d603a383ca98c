"""Swaps and cover: offering one's shift, taking another's (the sign-up checks), the
coordinator's approval where the group asks for it, withdrawing, declining, lapsing; the
hand-over and take-over on the assignments' timelines; the pages and who is told."""

from datetime import timedelta

import pytest
from django.urls import reverse

from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.volunteers import services, services_swaps
from linli.volunteers.models import (
    Assignment,
    AssignmentEventKind,
    AssignmentStatus,
    SwapEventKind,
    SwapStatus,
    VolunteerGroup,
)

from .volunteers_helpers import join, make_group, make_shift, make_type, make_user, make_volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(demo):
    group = make_group(name="换班测试小组")
    shift_type = make_type(group, needed=1, skills=["room_keeping"])
    offerer = make_volunteer(user=make_user("swapper"), name="张一", skills=["room_keeping"])
    taker = make_volunteer(user=make_user("taker"), name="李二", skills=["room_keeping"])
    join(offerer, group)
    join(taker, group)
    shift = make_shift(shift_type, day=3)
    assignment = services.shift_sign_up(actor=offerer.user, shift=shift)
    return group, shift_type, offerer, taker, shift, assignment


def test_offer_taken_at_once_hands_the_place_over(duty, django_capture_on_commit_callbacks):
    group, _t, offerer, taker, shift, assignment = duty
    with django_capture_on_commit_callbacks(execute=True):
        swap = services_swaps.swap_offer(actor=offerer.user, assignment=assignment, note="出差")
    swap = services_swaps.swap_take(actor=taker.user, swap=swap)
    assert swap.status == SwapStatus.DONE and swap.taker == taker
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.HANDED_OVER
    new = swap.new_assignment
    assert new.volunteer == taker and new.status == AssignmentStatus.ASSIGNED
    # the shift needs one: still one person on it
    active = Assignment.objects.filter(shift=shift, status__in=["assigned", "on_duty", "served"])
    assert list(active) == [new]
    assert list(assignment.events.values_list("kind", flat=True))[-1] == (
        AssignmentEventKind.HANDED_OVER
    )
    assert new.events.get().kind == AssignmentEventKind.TAKEN_OVER
    assert [e.kind for e in swap.events.all()] == [SwapEventKind.OFFERED, SwapEventKind.TAKEN]


def test_the_offer_is_told_to_who_could_take_it(duty, django_capture_on_commit_callbacks):
    from linli.core.models import Notification

    _g, _t, offerer, taker, _s, assignment = duty
    with django_capture_on_commit_callbacks(execute=True):
        services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    told = set(
        Notification.objects.filter(kind="volunteers.swap_offered").values_list(
            "user__username", flat=True
        )
    )
    assert "taker" in told and "secretary" in told and "swapper" not in told


def test_with_approval_the_take_waits_for_the_coordinator(duty):
    group, _t, offerer, taker, shift, assignment = duty
    VolunteerGroup.objects.filter(pk=group.pk).update(swap_needs_approval=True)
    swap = services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    swap = services_swaps.swap_take(actor=taker.user, swap=swap)
    assert swap.status == SwapStatus.PENDING
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED  # nothing changed hands yet
    with pytest.raises(ForbiddenError):
        services_swaps.swap_approve(actor=taker.user, swap=swap)
    swap = services_swaps.swap_approve(actor=make_secretary(), swap=swap)
    assert swap.status == SwapStatus.DONE
    assert swap.new_assignment.volunteer == taker
    assert [e.kind for e in swap.events.all()][-1] == SwapEventKind.APPROVED


def make_secretary():
    from .volunteers_helpers import secretary

    return secretary()


def test_decline_and_withdraw_keep_the_offerer_on_the_shift(duty):
    group, _t, offerer, taker, shift, assignment = duty
    VolunteerGroup.objects.filter(pk=group.pk).update(swap_needs_approval=True)
    swap = services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    services_swaps.swap_take(actor=taker.user, swap=swap)
    swap = services_swaps.swap_decline(actor=make_secretary(), swap=swap, note="人手已排")
    assert swap.status == SwapStatus.DECLINED
    again = services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    again = services_swaps.swap_withdraw(actor=offerer.user, swap=again)
    assert again.status == SwapStatus.WITHDRAWN
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED
    with pytest.raises(ConflictError) as refused:
        services_swaps.swap_take(actor=taker.user, swap=again)
    assert refused.value.code == "illegal_step"


def test_a_taker_is_checked_like_a_sign_up(duty):
    group, shift_type, offerer, taker, shift, assignment = duty
    swap = services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    unskilled = make_volunteer(name="王三")
    join(unskilled, group)
    with pytest.raises(ConflictError) as refused:
        services_swaps.swap_take(actor=unskilled.user, swap=swap)
    assert refused.value.code == "missing_skill"
    outsider = make_volunteer(name="赵四", skills=["room_keeping"])
    with pytest.raises(ConflictError) as refused:
        services_swaps.swap_take(actor=outsider.user, swap=swap)
    assert refused.value.code == "not_member"
    # the taker is on another shift at the same time: an overlap
    other = make_type(group, needed=1, name="借用台")
    clash = services.shift_create(
        actor=make_secretary(), shift_type=other, start=shift.start, end=shift.end
    )
    services.shift_sign_up(actor=taker.user, shift=clash)
    with pytest.raises(ConflictError) as refused:
        services_swaps.swap_take(actor=taker.user, swap=swap)
    assert refused.value.code == "overlap"
    with pytest.raises(ForbiddenError):
        services_swaps.swap_take(actor=offerer.user, swap=swap)
    swap.refresh_from_db()
    assert swap.status == SwapStatus.OFFERED and swap.taker is None


def test_offers_of_started_shifts_lapse_and_cannot_be_taken(duty):
    _g, _t, offerer, taker, shift, assignment = duty
    swap = services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    later = shift.start + timedelta(minutes=5)
    with pytest.raises(ConflictError) as refused:
        services_swaps.swap_take(actor=taker.user, swap=swap, now=later)
    assert refused.value.code == "shift_started"
    with pytest.raises(ForbiddenError):
        services_swaps.swap_lapse(actor=make_secretary(), swap=swap, now=later)
    services_swaps.swaps_lapse(actor=SYSTEM, now=shift.start - timedelta(hours=1))
    swap.refresh_from_db()
    assert swap.status == SwapStatus.OFFERED  # its shift has not begun
    assert services_swaps.swaps_lapse(actor=SYSTEM, now=later) >= 1
    swap.refresh_from_db()
    assert swap.status == SwapStatus.LAPSED


def test_only_ones_own_coming_place_is_offered(duty):
    _g, _t, offerer, taker, shift, assignment = duty
    with pytest.raises(ForbiddenError):
        services_swaps.swap_offer(actor=taker.user, assignment=assignment)
    services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    with pytest.raises(ConflictError) as refused:
        services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    assert refused.value.code == "already_offered"


def test_pages_offer_take_and_timeline(duty, client_for, django_assert_max_num_queries):
    _g, _t, offerer, taker, shift, assignment = duty
    mine = client_for("swapper")
    page = mine.get(reverse("volunteers:shift-mine")).content.decode()
    assert 'data-testid="offer"' in page
    mine.post(reverse("volunteers:assignment-offer", args=[assignment.pk]))
    page = mine.get(reverse("volunteers:shift-mine")).content.decode()
    assert 'data-testid="withdraw"' in page
    other = client_for("taker")
    with django_assert_max_num_queries(25):
        listing = other.get(reverse("volunteers:swaps"))
    assert listing.content.decode().count('data-testid="open-swap"') == 1
    swap = assignment.swaps.get()
    other.post(reverse("volunteers:swap-step", args=[swap.pk]), {"step": "take"})
    swap.refresh_from_db()
    assert swap.status == SwapStatus.DONE
    detail = mine.get(reverse("volunteers:swap-detail", args=[swap.pk])).content.decode()
    assert detail.count('data-testid="swap-event"') == 2 and "李二" in detail
    # someone with no part in it: 404
    stranger = make_volunteer(user=make_user("stranger"))
    assert stranger
    response = client_for("stranger").get(reverse("volunteers:swap-detail", args=[swap.pk]))
    assert response.status_code == 404


def test_an_offer_of_a_place_given_up_lapses(duty):
    _g, _t, offerer, taker, shift, assignment = duty
    swap = services_swaps.swap_offer(actor=offerer.user, assignment=assignment)
    services.assignment_cancel(actor=offerer.user, assignment=assignment)
    with pytest.raises(ConflictError) as refused:
        services_swaps.swap_take(actor=taker.user, swap=swap)
    assert refused.value.code == "offer_stale"
    services_swaps.swaps_lapse(actor=SYSTEM)
    swap.refresh_from_db()
    assert swap.status == SwapStatus.LAPSED
