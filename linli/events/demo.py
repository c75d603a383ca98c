"""The events of the seed newspaper page (the demo world), held over Mid-Autumn and National
Day 2026 by their real organisers: the district women's federation's visit of children and
their guardians to the Datong red-memory museum (registered at the desk, full, with a wait
list that moved: a cancellation, an offer that lapsed and passed on, one taken), 卧虎湾街道's
civilised-tourism campaign at the Yuxi motorway exit, the reading clubs of 翠泰花园社区 and
工农路社区, 恒大社区's hard-pen calligraphy class, and the city-management bureau's
waste-sorting campaign with 文瀛湖街道; plus an upcoming reading-club series of 站东社区 in
南官房小区 (four weekly sessions) that residents can still join (周桂兰 has enrolled)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.places.models import Organisation, Place
from linli.residents.models import Resident

from . import services, services_series
from .models import Event

FEDERATION = "平城区妇女联合会"
CITY_MANAGEMENT = "平城区城市管理局"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _place(name: str) -> Place:
    return Place.objects.get(name=name)


def _event(actor, *, day: date, hours: tuple, opens: date, **fields) -> Event:
    start, end = _at(day, *hours[0]), _at(day, *hours[1])
    event = services.event_create(
        actor=actor,
        start=start,
        end=end,
        registration_opens=_at(opens, 9),
        registration_closes=start - timedelta(days=1),
        cancel_until=start - timedelta(days=2),
        now=_at(opens, 8),
        **fields,
    )
    return services.event_publish(actor=actor, event=event)


def _families(compound: Place, day: date, n: int) -> list[tuple[Resident, Resident]]:
    """Pairs of a guardian and a child of 6–14 of one household of the compound."""
    youngest, oldest = date(day.year - 15, day.month, day.day), date(day.year - 6, day.month, 1)
    children = (
        Resident.objects.filter(
            place__path__startswith=compound.path,
            status="living",
            birth_date__gt=youngest,
            birth_date__lte=oldest,
            household__isnull=False,
        )
        .select_related("place")
        .order_by("place__path", "id")
    )
    pairs, seen = [], set()
    for child in children[:60]:
        if child.household_id in seen:
            continue
        guardian = (
            Resident.objects.filter(
                household_id=child.household_id,
                status="living",
                birth_date__lte=date(day.year - 25, 1, 1),
                birth_date__gte=date(day.year - 60, 1, 1),
            )
            .select_related("place")
            .first()
        )
        if guardian is not None:
            pairs.append((guardian, child))
            seen.add(child.household_id)
        if len(pairs) == n:
            break
    return pairs


def _museum(district: User, compound: Place) -> Event:
    day = date(2026, 10, 3)
    event = _event(
        district,
        day=day,
        hours=((9, 0), (11, 30)),
        opens=date(2026, 9, 20),
        organisation=Organisation.objects.get(name=FEDERATION),
        place=None,
        title="走进大同红色记忆馆：家庭文明建设活动",
        kind="visit",
        venue="大同红色记忆馆",
        capacity=10,
        audience=[_place("平城区")],
        age_min=6,
        age_max=14,
        with_guardian=True,
        offer_hours=24,
        description="国庆假期，少年儿童在家长陪同下参观“曙光初照”“共赴国难”“革命到底”"
        "“缅怀先烈”等单元，聆听讲解员讲解。",
    )
    families = _families(compound, day, 7)
    registrations = []
    for i, (guardian, child) in enumerate(families):
        registrations.append(
            services.registration_create(
                actor=district,
                event=event,
                people=[guardian, child],
                desk=True,
                now=_at(date(2026, 9, 21 + i // 5), 10, i),
            )
        )
    if len(registrations) == 7:
        # A family cannot come: the first on the wait list is offered the places, lets the
        # offer lapse, and it passes to the next, who takes it.
        services.registration_cancel(
            actor=district, registration=registrations[1], now=_at(date(2026, 9, 25), 9)
        )
        services.offers_expire(now=_at(date(2026, 9, 26), 10))
        offered = event.registrations.get(status="offered")
        services.registration_accept(
            actor=district, registration=offered, now=_at(date(2026, 9, 26), 15)
        )
    return services.event_mark_held(actor=district, event=event, now=_at(day, 12))


def demo_events(compound: Place) -> int:
    """Idempotent: a world with events gets nothing new. Returns how many were made."""
    if Event.objects.exists():
        return 0
    with transaction.atomic():
        return _load(compound)


def _load(compound: Place) -> int:
    district = User.objects.get(username="district")
    community = User.objects.get(username="community")
    held = [
        _museum(district, compound),
        _event(
            district,
            day=date(2026, 10, 1),
            hours=((9, 0), (17, 0)),
            opens=date(2026, 9, 20),
            place=_place("卧虎湾街道"),
            title="文明旅游宣传活动",
            kind="campaign",
            venue="御西高速口",
            capacity=20,
            audience=[_place("卧虎湾街道")],
            description="中秋、国庆“两节”期间，志愿者在御西高速口引导外地游客，发放饮用水、"
            "方便面、文明旅游宣传单和旅游地图。",
        ),
        _event(
            district,
            day=date(2026, 9, 26),
            hours=((15, 0), (16, 30)),
            opens=date(2026, 9, 15),
            place=_place("翠泰花园社区"),
            title="读书会：沉浸阅读",
            kind="activity",
            venue="辖区幼儿园",
            capacity=30,
            audience=[_place("翠泰花园社区")],
            description="工作人员给居民和小朋友讲解读书的好处，倡导沉浸阅读。",
        ),
        _event(
            district,
            day=date(2026, 9, 27),
            hours=((15, 0), (16, 30)),
            opens=date(2026, 9, 15),
            place=_place("工农路社区"),
            title="小区读书会",
            kind="activity",
            venue="工农路社区小区广场",
            capacity=30,
            audience=[_place("工农路社区")],
        ),
        _event(
            district,
            day=date(2026, 10, 4),
            hours=((9, 30), (11, 0)),
            opens=date(2026, 9, 20),
            place=_place("恒大社区"),
            title="硬笔书法公益课",
            kind="class",
            venue="恒大社区活动室",
            capacity=20,
            audience=[_place("恒大社区")],
            age_min=8,
            age_max=18,
            description="青少年学习汉字的历史、书写的方法和技巧，以及书写姿势、握笔、运笔。",
        ),
        _event(
            district,
            day=date(2026, 10, 6),
            hours=((9, 0), (11, 30)),
            opens=date(2026, 9, 25),
            organisation=Organisation.objects.get(name=CITY_MANAGEMENT),
            place=None,
            title="垃圾分类进社区：绿色环保入人心",
            kind="campaign",
            venue="文瀛湖街道",
            capacity=40,
            audience=[_place("文瀛湖街道")],
            description="平城区城市管理局与文瀛湖街道联合开展：摆放宣传展板，发放生活垃圾"
            "分类宣传册。",
        ),
    ]
    for event in held[1:]:
        services.event_mark_held(actor=district, event=event, now=event.end)
    # Coming up: a reading club of 站东社区 in the compound's reception room, still open.
    today = timezone.localdate()
    day = today + timedelta(days=10)
    now = timezone.now()
    club = services.event_create(
        actor=community,
        place=compound,
        title="南官房小区读书会",
        kind="activity",
        venue="南官房小区居民会客厅",
        start=_at(day, 19),
        end=_at(day, 20, 30),
        capacity=12,
        audience=[compound],
        registration_opens=now - timedelta(days=1),
        registration_closes=_at(day, 12),
        cancel_until=_at(day - timedelta(days=1), 20),
        description="四次读书分享（每周一次），报名即参加全部四次：带一本你喜欢的书来。",
        now=now - timedelta(days=1),
    )
    for week in range(4):
        services_series.series_session_add(
            actor=community,
            series=club,
            start=_at(day + timedelta(weeks=week), 19),
            end=_at(day + timedelta(weeks=week), 20, 30),
            now=now,
        )
    club = services.event_publish(actor=community, event=club)
    resident = Resident.objects.filter(user__username="resident").select_related("user").first()
    if resident is not None:
        services.registration_create(actor=resident.user, event=club, people=[resident])
    return len(held) + 1
