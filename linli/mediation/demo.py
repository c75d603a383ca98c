"""Nanguanfang's mediations (the demo world): a leak from the flat above settled by an
agreement that the follow-up visit found carried out; a quarrel over a parking space that
ended without agreement and was referred to the court; and, from a neighbour-dispute work
order of the demo's history, one accepted and in mediation.

Everything goes through the services, as the branch secretary; afterwards the times the
services set to "now" are moved back to when each step took place."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.places.models import Place
from linli.residents.models import Resident
from linli.workorders.models import WorkOrder

from . import services
from .models import DisputeKind, Mediation, MediationEvent, MediationSession, Referral


def _at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())


def _just_held(minutes: int):
    """A moment a few minutes ago, but today: a session is not recorded as held before the
    mediation it belongs to was registered (this morning, loaded just after midnight)."""
    now = timezone.now()
    return max(now - timedelta(minutes=minutes), _at(timezone.localdate(now), 0))


def _neighbours(compound: Place) -> list[Resident]:
    """Four residents of different flats: the first two a flat and the one right above it
    (a leak comes from upstairs), the others from further along the register."""
    residents = (
        Resident.objects.filter(place__path__startswith=compound.path, place__kind="household")
        .select_related("place")
        .order_by("place__path", "pk")
    )
    one_per_flat = {}
    for resident in residents[:400]:
        one_per_flat.setdefault(resident.place_id, resident)
    flats = list(one_per_flat.values())
    by_place = {(r.place.parent_id, r.place.name): r for r in flats}
    for below in flats:
        name = below.place.name
        above = (
            by_place.get((below.place.parent_id, str(int(name) + 100))) if name.isdigit() else None
        )
        if above is not None:
            rest = [r for r in flats if r.pk not in (below.pk, above.pk)]
            return [below, above, *rest[:2]]
    return flats[:4]


def _backdate(mediation: Mediation, days_ago: list[int]) -> None:
    """Move the mediation's times back: its events, in the order they were written, to
    these days ago (the first is when it was registered)."""
    today = timezone.localdate()
    Mediation.objects.filter(pk=mediation.pk).update(
        created_at=_at(today - timedelta(days=days_ago[0]), 9)
    )
    events = MediationEvent.objects.filter(mediation=mediation).order_by("id")
    for hour, (event, days) in enumerate(zip(events, days_ago, strict=False)):
        MediationEvent.objects.filter(pk=event.pk).update(
            at=_at(today - timedelta(days=days), 9 + hour)
        )


@transaction.atomic
def demo_mediation(compound: Place) -> int:
    if Mediation.objects.filter(place=compound).exists():
        return 0  # loaded already: the demo is idempotent
    secretary = User.objects.get(username="secretary")
    people = _neighbours(compound)
    if len(people) < 3:
        return 0
    today = timezone.localdate()
    made = 0

    # 1. A leak from the flat above: agreed, carried out, closed after the follow-up visit.
    leak = services.mediation_open(
        actor=secretary,
        place=compound,
        kind=DisputeKind.NEIGHBOURS,
        subject="楼上漏水",
        facts="楼上卫生间防水层老化，三个月来渗水至楼下天花板，墙皮脱落发霉；"
        "楼下多次上门协商未果，双方发生争吵。",
        parties=[
            {"side": "a", "resident": people[0], "details": "受损方"},
            {"side": "b", "resident": people[1], "details": "楼上住户"},
        ],
        mediators=[secretary],
    )
    services.mediation_accept(actor=secretary, mediation=leak)
    session_at = _just_held(30)
    services.mediation_session_record(
        actor=secretary,
        mediation=leak,
        held_at=session_at,
        venue="党支部服务中心 议事厅",
        attendees="双方当事人、物业维修人员、赵晓红",
        notes="现场查看渗水位置；物业确认防水层破损。双方同意先修后赔。",
    )
    services.mediation_agree(
        actor=secretary,
        mediation=leak,
        agreed_on=today,
        facts="楼上卫生间防水层破损，致楼下天花板渗水、墙皮脱落。",
        matters="漏水的维修及楼下的损失。楼上住户负全部责任。",
        terms="楼上住户于两周内请物业修好防水层，并赔偿楼下粉刷费800元。",
        method="维修由物业施工，网格员验收；赔偿款在服务中心当面现金交付。",
        due=today + timedelta(days=14),
    )
    services.mediation_follow_up(
        actor=secretary,
        mediation=leak,
        visited_on=today,
        carried_out=True,
        note="回访：防水层已修好，不再渗水；800元已付清，双方满意。",
    )
    _backdate(leak, [75, 74, 64, 60, 40])
    Mediation.objects.filter(pk=leak.pk).update(
        agreed_on=today - timedelta(days=60),
        performance_due=today - timedelta(days=46),
        followed_up_on=today - timedelta(days=40),
    )
    MediationSession.objects.filter(mediation=leak).update(
        held_at=_at(today - timedelta(days=64), 15)
    )
    made += 1

    # 2. A parking space: no agreement, referred to the court.
    parking = services.mediation_open(
        actor=secretary,
        place=compound,
        kind=DisputeKind.DAMAGES,
        subject="车位纠纷刮蹭",
        facts="双方因楼前停车位争执，一方车辆被刮蹭，对修车费数额各执一词。",
        parties=[
            {"side": "a", "resident": people[2], "details": "车主"},
            {"side": "b", "name": "孟德胜", "phone": "13935201234", "details": "男，外来车主"},
        ],
        mediators=[secretary],
    )
    services.mediation_accept(actor=secretary, mediation=parking)
    services.mediation_session_record(
        actor=secretary,
        mediation=parking,
        held_at=_just_held(20),
        venue="党支部服务中心 会客厅",
        attendees="双方当事人、赵晓红",
        notes="乙方不认可维修报价，要求第三方定损；甲方拒绝。",
    )
    services.mediation_fail(
        actor=secretary,
        mediation=parking,
        failed_on=today,
        referral=Referral.COURT,
        note="双方对赔偿数额分歧较大，告知可向平城区人民法院起诉，或申请交警部门定损。",
    )
    _backdate(parking, [30, 29, 26, 24])
    Mediation.objects.filter(pk=parking.pk).update(failed_on=today - timedelta(days=24))
    MediationSession.objects.filter(mediation=parking).update(
        held_at=_at(today - timedelta(days=26), 15)
    )
    made += 1

    # 3. From a neighbour-dispute work order of the demo's history, if there is one.
    order = (
        WorkOrder.objects.filter(
            category__code="neighbour-dispute", place__path__startswith=compound.path
        )
        .select_related("place")
        .order_by("-created_at", "-pk")
        .first()
    )
    if order is not None:
        reporter = (
            Resident.objects.select_related("place")
            .filter(user_id=order.reporter_id, place__path__startswith=compound.path)
            .first()
            if order.reporter_id
            else None
        )
        from_order = services.mediation_open(
            actor=secretary,
            place=compound,
            kind=DisputeKind.NEIGHBOURS,
            subject=order.title[:100],
            facts=order.description or order.title,
            parties=[
                {"side": "a", "resident": reporter, "details": "报事人"}
                if reporter is not None
                else {"side": "a", "name": order.reporter_name or "报事居民", "details": "报事人"},
                {"side": "b", "resident": people[3] if len(people) > 3 else people[1]},
            ],
            mediators=[secretary],
            source_order=order,
        )
        services.mediation_accept(actor=secretary, mediation=from_order)
        made += 1
    return made
