"""Nanguanfang's summer tutoring (the demo world): 大同大学志愿者服务队 tutors 20 children of
the compound's residents on the Wednesday mornings of July and August in the residents'
reception hall, on the hall's weekly booking of the bookings demo — one session per
occurrence, each with its own tutoring shift and four of the students on it (one week only
three: below the ratio of one tutor per five children). The guardians are residents of the
register (周桂兰, the demo resident, for her grandchild), enrolled at the desk with their
recorded consent and a grandparent or relative as a second collector. The summer is over by
the time the demo runs, so its attendance is written as it happened (dropped off, picked
up, a few absent, one child collected by a grandparent and the guardian told) and the
tutors' log is backdated, as the bookings demo backdates its bookings."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import user_create
from linli.bookings.models import BookingSeries, Purpose, Room, RoomKind
from linli.core.actors import SYSTEM
from linli.core.crypto import lookup_hash
from linli.core.errors import LinliError
from linli.places.models import Place
from linli.residents.models import Resident
from linli.volunteers import services as volunteer_services
from linli.volunteers.models import Membership, MembershipStatus, Volunteer, VolunteerGroup

from . import notify, services
from .models import (
    AttendanceEventKind,
    AttendanceStatus,
    TutoringAttendance,
    TutoringAttendanceEvent,
    TutoringLogEntry,
    TutoringProgramme,
)

UNIVERSITY = "大同大学志愿者服务队"
CHILDREN = 20
GIVEN = [
    "子轩",
    "梓涵",
    "浩然",
    "欣怡",
    "宇航",
    "诗涵",
    "俊杰",
    "雨萱",
    "博文",
    "思琪",
    "一诺",
    "若曦",
    "天佑",
    "可馨",
    "嘉懿",
    "沐阳",
    "语桐",
    "铭泽",
    "佳琪",
    "晨曦",
]
GRANDPARENTS = ["奶奶", "姥姥", "爷爷", "姥爷"]
LOGS = [
    "上午先写暑假作业，再读绘本《小王子》，孩子们分组讲故事。",
    "数学口算练习和手工折纸；提醒家长明天带水杯。",
    "书法入门：横竖撇捺；两个孩子有点感冒，已告知家长。",
    "科学小实验：会变色的花；结束前整理了会客厅。",
]


def _guardians(compound: Place) -> list[tuple[Resident, Resident | None]]:
    """(a guardian, their household's child under 14 or None) for up to 20 households: the
    demo resident's first, then other flats' adults of parents' age."""
    today = timezone.localdate()
    adult = date(today.year - 25, 1, 1)
    young = date(today.year - 55, 1, 1)
    child_born = date(today.year - 13, 1, 1)
    picked, households = [], set()
    resident = Resident.objects.filter(user__username="resident").select_related("place").first()
    candidates = Resident.objects.filter(
        place__path__startswith=compound.path,
        birth_date__lte=adult,
        birth_date__gte=young,
        household__isnull=False,
        user__isnull=True,
        status="living",
    ).order_by("place__path", "pk")
    rows = ([resident] if resident is not None else []) + list(candidates[:400])
    kids = {
        r.household_id: r
        for r in Resident.objects.filter(
            place__path__startswith=compound.path, birth_date__gt=child_born, status="living"
        ).order_by("-birth_date")
    }
    for guardian in rows:
        if guardian.household_id in households:
            continue
        households.add(guardian.household_id)
        picked.append((guardian, kids.get(guardian.household_id)))
        if len(picked) == CHILDREN:
            break
    return picked


def _account(guardian: Resident, number: int) -> User:
    if guardian.user_id is not None:
        return guardian.user
    mobile = guardian.phone or ""
    if mobile and User.objects.filter(mobile_hash=lookup_hash(mobile)).exists():
        mobile = ""
    user = user_create(
        actor=SYSTEM,
        username=f"guardian{number:02d}",
        password=None,
        full_name=guardian.name,
        mobile=mobile,
    )
    Resident.objects.filter(pk=guardian.pk).update(user=user)
    return User.objects.select_related("resident__place").get(pk=user.pk)


def _history(row, kind, actor, at, **changes):
    """One step of a past day, as it happened (the programme is over: no door is open)."""
    before = row.status
    TutoringAttendance.objects.filter(pk=row.pk).update(**changes)
    row.refresh_from_db()
    event = services.ATTENDANCE.record(
        obj=row, kind=kind, actor=actor, from_status=before, to_status=row.status
    )
    TutoringAttendanceEvent.objects.filter(pk=event.pk).update(at=at)
    return event


def demo_tutoring(compound: Place) -> int:
    """Idempotent: a compound with a tutoring programme gets nothing new. Returns how many
    children were enrolled."""
    group = VolunteerGroup.objects.filter(place=compound, name=UNIVERSITY).first()
    hall = Room.objects.filter(place=compound, kind=RoomKind.RECEPTION_HALL).first()
    if group is None or hall is None or TutoringProgramme.objects.filter(group=group).exists():
        return 0
    series = (
        BookingSeries.objects.filter(room=hall, purpose=Purpose.TUTORING)
        .order_by("from_date")
        .first()
    )
    if series is None:
        return 0
    with transaction.atomic():
        return _load(compound, group, hall, series)


def _load(compound, group, hall, series) -> int:
    secretary = User.objects.get(username="secretary")
    year = series.from_date.year
    shift_type = volunteer_services.shift_type_create(
        actor=secretary,
        group=group,
        kind="tutoring",
        name="暑期托管辅导",
        needed=4,
        room=hall,
        skills=["tutoring"],
    )
    programme = services.programme_create(
        actor=secretary,
        group=group,
        shift_type=shift_type,
        name=f"{year}年暑期托管（南官房小区居民会客厅）",
        starts_on=date(year, 7, 1),
        ends_on=date(year, 8, 31),
        ratio=5,
        description="大同大学志愿者服务队每周三上午在居民会客厅辅导功课、读书、做手工。",
    )
    enrol_at = datetime.combine(
        series.from_date - timedelta(days=10), time(10), tzinfo=timezone.get_default_timezone()
    )
    children = []
    for number, (guardian, kid) in enumerate(_guardians(compound)):
        user = _account(guardian, number)
        surname = guardian.name[0]
        name = kid.name if kid is not None else f"{surname}{GIVEN[number % len(GIVEN)]}"
        birth = (
            kid.birth_date if kid is not None else date(year - 7 - number % 5, 1 + number % 12, 10)
        )
        collectors = [
            {
                "name": f"{surname}{GRANDPARENTS[number % len(GRANDPARENTS)]}",
                "relation": "grandparent",
                "phone": f"1380352{number:04d}",
            }
        ]
        children.append(
            services.child_enrol(
                actor=secretary,
                programme=programme,
                guardian=user,
                name=name,
                birth_date=birth,
                allergies="花生过敏" if number % 6 == 0 else "",
                medical_notes="轻度哮喘，书包里有喷雾" if number % 9 == 4 else "",
                consent=True,
                consent_version=services.CONSENT_VERSION,
                collectors=collectors,
                now=enrol_at,
            )
        )
    services.sessions_from_bookings(actor=secretary, programme=programme, series=series)
    members = Membership.objects.filter(group=group, status=MembershipStatus.APPROVED)
    students = [
        v
        for v in Volunteer.objects.filter(pk__in=members.values("volunteer_id")).order_by("pk")
        if "tutoring" in v.skills
    ]
    lin = User.objects.filter(username="volunteer").first()
    sessions = list(programme.sessions.select_related("shift").order_by("start"))
    for index, session in enumerate(sessions):
        team = students[index % 2 :] + students[: index % 2]
        # The third week one student was ill: three tutors for twenty children.
        wanted, taken = (3 if index == 2 else 4), 0
        for volunteer in team:
            if taken == wanted:
                break
            try:
                volunteer_services.shift_assign(
                    actor=secretary,
                    shift=session.shift,
                    volunteer=volunteer,
                    now=session.start - timedelta(days=3),
                )
            except LinliError:
                continue  # on another duty that morning
            taken += 1
        _day(session, index, children, lin)
    return len(children)


def _day(session, index, children, lin) -> None:
    """The session's attendance as it went, and a line in its log."""
    tutor = lin or SYSTEM
    rows = {r.child_id: r for r in session.attendance.all()}
    for number, child in enumerate(children):
        row = rows.get(child.pk)
        if row is None:
            continue
        if (number + index) % 7 == 3:
            _history(
                row,
                AttendanceEventKind.ABSENT,
                tutor,
                session.start,
                status=AttendanceStatus.ABSENT,
            )
            continue
        arrived = session.start - timedelta(minutes=10 - number % 10)
        _history(
            row,
            AttendanceEventKind.DROPPED_OFF,
            tutor,
            arrived,
            status=AttendanceStatus.DROPPED_OFF,
            code=services.new_code(),
            dropped_off_at=arrived,
            dropped_off_by=lin,
        )
        collectors = list(child.collectors.order_by("-is_guardian", "id"))
        # The second week 南官房's second child went home with a grandparent.
        by = (
            collectors[1] if (index == 1 and number == 1 and len(collectors) > 1) else collectors[0]
        )
        left = session.end + timedelta(minutes=number % 9)
        event = _history(
            row,
            AttendanceEventKind.PICKED_UP,
            tutor,
            left,
            status=AttendanceStatus.PICKED_UP,
            picked_up_at=left,
            picked_up_by=lin,
            collector=by,
        )
        if not by.is_guardian:
            notify.pickup_notify(event.pk)
    if (
        lin is not None
        and index < len(LOGS)
        and session.shift.assignments.filter(volunteer__user=lin).exists()
    ):
        # Written that day (the summer is over: the log is closed to the tutors now).
        entry = TutoringLogEntry.objects.create(session=session, author=lin, text=LOGS[index])
        TutoringLogEntry.objects.filter(pk=entry.pk).update(created_at=session.end)
