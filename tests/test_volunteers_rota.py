"""The cleaning rota: the fair choice (fewest hours first, then longest ago, then the id;
absences passed over) as a pure calculator, and over a simulated year of weekly cleaning
shifts through the service no member serves more than one shift above the mean; the rota
over households writes their turns; absences give a member's places to the next in turn;
the rota page shows this week and next."""

from datetime import datetime, timedelta
from statistics import mean

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.volunteers import rota, services, services_rota
from linli.volunteers.models import (
    Assignment,
    AssignmentStatus,
    HouseholdTurn,
    HouseholdTurnStatus,
    ShiftType,
)

from .volunteers_helpers import (
    SH,
    at,
    join,
    make_group,
    make_type,
    make_user,
    make_volunteer,
    secretary,
)

T0 = datetime(2026, 1, 5, 9, tzinfo=SH)


# -- the pure choice --------------------------------------------------------------------------


def test_the_order_is_fewest_hours_then_longest_ago_then_key():
    tally = rota.Tally()
    tally.add(1, 2, T0)
    tally.add(2, 2, T0 - timedelta(days=7))
    tally.add(3, 4, T0 - timedelta(days=30))
    assert rota.choose(tally, [3, 2, 1, 4], needed=3) == [4, 2, 1]
    assert rota.choose(tally, [3, 2, 1, 4], needed=2, away={4}) == [2, 1]
    assert rota.choose(tally, [1], needed=0) == []


def _year(members: int, needed: int, absences) -> tuple[dict, dict]:
    """52 weekly shifts of ``needed`` people chosen by the rota: each member's count, and
    the weeks each was away."""
    tally = rota.Tally()
    counts, missed = dict.fromkeys(range(members), 0), dict.fromkeys(range(members), 0)
    for week in range(52):
        away = {m for m, start, weeks in absences if start <= week < start + weeks}
        for member in away & set(missed):
            missed[member] += 1
        for member in rota.choose(tally, range(members), needed=needed, away=away):
            tally.add(member, 2, T0 + timedelta(weeks=week))
            counts[member] += 1
    return counts, missed


@settings(max_examples=60, deadline=None)
@given(members=st.integers(min_value=2, max_value=12), needed=st.integers(1, 3))
def test_over_a_year_nobody_serves_more_than_one_above_the_mean(members, needed):
    counts, _missed = _year(members, needed, ())
    assert max(counts.values()) <= mean(counts.values()) + 1, counts


@settings(max_examples=60, deadline=None)
@given(
    members=st.integers(min_value=2, max_value=12),
    needed=st.integers(min_value=1, max_value=3),
    absences=st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 51), st.integers(1, 4)), max_size=4
    ),
)
def test_absences_are_the_only_reason_anyone_serves_more(members, needed, absences):
    """Whoever was away may have served less (a week away late in the year cannot be made
    up), but never by more than one shift beyond the weeks they were away; those never away
    are within one shift of each other."""
    counts, missed = _year(members, needed, absences)
    for a in counts:
        for b in counts:
            assert counts[a] - counts[b] <= 1 + missed[b], (counts, missed)
    always = [counts[m] for m in counts if not missed[m]]
    assert not always or max(always) - min(always) <= 1, (counts, missed)


# -- the service ------------------------------------------------------------------------------


@pytest.fixture
def cleaning(demo):
    group = make_group(name="轮值测试小组")
    shift_type = make_type(group, needed=1, kind="cleaning", name="会客厅保洁")
    ShiftType.objects.filter(pk=shift_type.pk).update(rota="members")
    shift_type.refresh_from_db()
    members = []
    for number in range(7):
        volunteer = make_volunteer(user=make_user(f"rota{number}"), name=f"轮值{number}")
        join(volunteer, group)
        members.append(volunteer)
    return group, shift_type, members


def _weekly(shift_type, weeks: int, *, first=None):
    first = first or at(1, 19)
    return [
        services.shift_create(
            actor=secretary(),
            shift_type=shift_type,
            start=first + timedelta(weeks=w),
            end=first + timedelta(weeks=w, hours=1),
        )
        for w in range(weeks)
    ]


def test_a_simulated_year_of_the_rota_is_fair(cleaning):
    """MUST SHOW: 52 weeks of weekly cleaning shifts, a few absences; nobody serves more
    than one shift above the mean, and nobody is put on a shift while away."""
    group, shift_type, members = cleaning
    shifts = _weekly(shift_type, 52)
    away = {
        members[0].pk: (shifts[3].start.date(), shifts[8].start.date()),
        members[4].pk: (shifts[20].start.date(), shifts[21].start.date()),
        members[6].pk: (shifts[40].start.date(), shifts[47].start.date()),
    }
    for volunteer in members:
        if volunteer.pk in away:
            services_rota.absence_record(
                actor=secretary(), group=group, volunteer=volunteer,
                from_date=away[volunteer.pk][0], until_date=away[volunteer.pk][1],
                reason="回老家",
            )  # fmt: skip
    made = services_rota.rota_fill(
        actor=SYSTEM, shift_type=shift_type, until=shifts[-1].start.date()
    )
    assert made == 52
    rows = Assignment.objects.filter(shift__shift_type=shift_type, status="assigned")
    counts = {v.pk: 0 for v in members}
    for volunteer_id, start in rows.values_list("volunteer_id", "shift__start"):
        counts[volunteer_id] += 1
        if volunteer_id in away:
            first, last = away[volunteer_id]
            assert not first <= start.date() <= last
    assert max(counts.values()) <= mean(counts.values()) + 1, counts
    assert all(rows.values_list("by_rota", flat=True))


def test_fewest_hours_first_counts_served_shifts_not_no_shows(cleaning):
    group, shift_type, members = cleaning
    past = services.shift_create(
        actor=secretary(), shift_type=shift_type, start=at(-6, 19), end=at(-6, 21)
    )
    for volunteer in members[:5]:
        Assignment.objects.create(shift=past, volunteer=volunteer, status="served")
    Assignment.objects.create(shift=past, volunteer=members[5], status="no_show")
    coming = _weekly(shift_type, 2)
    services_rota.rota_fill(actor=secretary(), shift_type=shift_type, until=coming[-1].start.date())
    chosen = [
        a.volunteer_id
        for a in Assignment.objects.filter(shift__in=coming, status="assigned").order_by(
            "shift__start"
        )
    ]
    # the no-show served no hours: they and the one never on it come first (by id)
    assert chosen == sorted([members[5].pk, members[6].pk])


def test_the_rota_respects_overlap_and_only_coordinators_fill_it(cleaning):
    group, shift_type, members = cleaning
    shifts = _weekly(shift_type, 1)
    other = make_type(group, needed=1, name="值班")
    clash = services.shift_create(
        actor=secretary(), shift_type=other, start=shifts[0].start, end=shifts[0].end
    )
    services.shift_sign_up(actor=members[0].user, shift=clash)
    with pytest.raises(ForbiddenError):
        services_rota.rota_fill(
            actor=members[1].user, shift_type=shift_type, until=at(10, 0).date()
        )
    services_rota.rota_fill(actor=secretary(), shift_type=shift_type, until=at(10, 0).date())
    taken = Assignment.objects.get(shift=shifts[0], status="assigned")
    assert taken.volunteer == members[1]  # the first in turn overlaps: the next one
    with pytest.raises(ConflictError) as refused:
        services_rota.rota_fill(actor=secretary(), shift_type=other, until=at(10, 0).date())
    assert refused.value.code == "not_a_rota"


def test_an_absence_gives_the_members_places_to_the_next(cleaning):
    group, shift_type, members = cleaning
    shifts = _weekly(shift_type, 1)
    services_rota.rota_fill(actor=secretary(), shift_type=shift_type, until=at(10, 0).date())
    first = Assignment.objects.get(shift=shifts[0], status="assigned")
    day = shifts[0].start.astimezone(SH).date()
    with pytest.raises(ForbiddenError):
        services_rota.absence_record(
            actor=members[6].user, group=group, volunteer=first.volunteer,
            from_date=day, until_date=day,
        )  # fmt: skip
    services_rota.absence_record(
        actor=first.volunteer.user, group=group, volunteer=first.volunteer,
        from_date=day, until_date=day, reason="出差",
    )  # fmt: skip
    first.refresh_from_db()
    assert first.status == AssignmentStatus.CANCELLED
    now_on = Assignment.objects.get(shift=shifts[0], status="assigned")
    assert now_on.volunteer != first.volunteer and now_on.by_rota


def _compound_with_households():
    from linli.residents.models import Household

    from .volunteers_helpers import compound

    place = compound()
    households = list(
        Household.objects.filter(place__path__startswith=place.path, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    return place, households


def test_the_rota_over_households_writes_their_turns(demo):
    place, households = _compound_with_households()
    assert len(households) >= 3
    group = make_group(name="楼道保洁轮值")
    shift_type = make_type(group, needed=1, kind="cleaning", name="楼道保洁")
    ShiftType.objects.filter(pk=shift_type.pk).update(rota="households")
    shift_type.refresh_from_db()
    shifts = _weekly(shift_type, 3)
    made = services_rota.rota_fill(
        actor=secretary(), shift_type=shift_type, until=shifts[-1].start.date()
    )
    assert made == 3
    turns = list(HouseholdTurn.objects.filter(shift__in=shifts).order_by("shift__start"))
    assert [t.household_id for t in turns] == households[:3]
    with pytest.raises(ConflictError) as refused:
        services_rota.turn_mark(actor=secretary(), turn=turns[0], status="done")
    assert refused.value.code == "not_yet"
    later = shifts[0].end + timedelta(minutes=1)
    turn = services_rota.turn_mark(actor=secretary(), turn=turns[0], status="missed", now=later)
    assert turn.status == HouseholdTurnStatus.MISSED


def test_the_rota_page_shows_this_week_and_next(
    cleaning, client_for, django_assert_max_num_queries
):
    group, shift_type, members = cleaning
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    first = datetime(monday.year, monday.month, monday.day, 19, tzinfo=SH) + timedelta(days=2)
    shifts = _weekly(shift_type, 3, first=first)
    services_rota.rota_fill(
        actor=SYSTEM, shift_type=shift_type, until=shifts[-1].start.date(),
        now=first - timedelta(days=3),
    )  # fmt: skip
    mine = Assignment.objects.filter(shift__in=shifts[:2], status="assigned").first()
    client = client_for(mine.volunteer.user.username)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("volunteers:rota") + f"?week={monday}")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="rota-shift"') == 2  # this week and next, not the third
    assert 'data-testid="my-turn"' in html
    coordinator = client_for("secretary").get(reverse("volunteers:rota")).content.decode()
    assert 'data-testid="rota-fill"' in coordinator
    absences = client.get(reverse("volunteers:absences"))
    assert absences.status_code == 200
    outsider = make_volunteer(user=make_user("norota"))
    assert outsider
    assert client_for("norota").get(reverse("volunteers:absences")).status_code == 404


def test_a_resident_sees_their_households_turn(demo, client_for):
    """The rota over the compound's households is shown to its residents: their own turn
    marked; a coordinator marks it once the shift has begun."""
    resident = demo.user("resident").resident
    group = make_group(name="楼道轮值页面")
    shift_type = make_type(group, needed=1, kind="cleaning", name="楼道保洁")
    ShiftType.objects.filter(pk=shift_type.pk).update(rota="households")
    shift_type.refresh_from_db()
    shift = _weekly(shift_type, 1)[0]
    _place, households = _compound_with_households()
    others = frozenset(h for h in households if h != resident.household_id)
    made = services_rota.rota_fill(
        actor=secretary(), shift_type=shift_type, until=at(10, 0).date(), skip=others
    )
    assert made == 1
    assert HouseholdTurn.objects.get(shift=shift).household_id == resident.household_id
    page = client_for("resident").get(reverse("volunteers:rota"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="our-turn"' in html and 'data-testid="turn-done"' not in html
