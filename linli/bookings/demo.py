"""The rooms of Nanguanfang's party-branch centre (the demo world), rebuilt in July 2023: the
residents' reception hall open all day, the culture and recreation room, the wellness room,
the deliberation hall and the micro-plaza, each with its rules. Their year: the hall booked
out a week ahead for the weddings and family gatherings of the National Day week, summer
tutoring by university volunteers as a weekly booking, and the coming weeks' requests.

Everything goes through the booking services with ``now`` set to when each step happened,
so the rules are checked as they were then; the timestamps the database set are moved back
afterwards."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.places.models import Place
from linli.residents.models import Household
from linli.residents.services import household_for_place

from . import services
from .models import Booking, BookingEvent, BookingEventKind, Purpose, Repeat, Room, RoomKind

ALL_DAY = {"opens": time(0), "closes": time(0)}

ROOMS = [
    {
        "name": "居民会客厅",
        "name_en": "Residents' reception hall",
        "kind": RoomKind.RECEPTION_HALL,
        "capacity": 60,
        "facilities": "圆桌8张、折叠椅60把、音响话筒、投影仪、茶水炉、空调",
        **ALL_DAY,
        "purposes": [
            Purpose.WEDDING,
            Purpose.FAMILY_GATHERING,
            Purpose.TUTORING,
            Purpose.ACTIVITY,
            Purpose.MEETING,
            Purpose.OTHER,
        ],
        "max_days_ahead": 30,
        "min_notice_hours": 24,
        "max_hours": 12,
        "max_active_per_household": 1,
        "approval_required": True,
    },
    {
        "name": "文化娱乐室",
        "name_en": "Culture and recreation room",
        "kind": RoomKind.RECREATION,
        "capacity": 30,
        "facilities": "棋牌桌6张、乒乓球台、书架（图书约800册）、电视",
        "opens": time(8),
        "closes": time(21),
        "purposes": [Purpose.ACTIVITY, Purpose.TUTORING, Purpose.MEETING],
        "max_days_ahead": 14,
        "min_notice_hours": 2,
        "max_hours": 3,
        "max_active_per_household": 2,
        "approval_required": False,
    },
    {
        "name": "康养室",
        "name_en": "Wellness room",
        "kind": RoomKind.WELLNESS,
        "capacity": 12,
        "facilities": "血压计、体重秤、按摩椅2台、理疗床、急救箱",
        "opens": time(8, 30),
        "closes": time(17, 30),
        "open_weekdays": [0, 1, 2, 3, 4, 5],
        "purposes": [Purpose.HEALTH, Purpose.ACTIVITY],
        "max_days_ahead": 14,
        "min_notice_hours": 24,
        "max_hours": 3,
        "max_active_per_household": 1,
        "approval_required": True,
    },
    {
        "name": "议事厅",
        "name_en": "Deliberation hall",
        "kind": RoomKind.DELIBERATION,
        "capacity": 24,
        "facilities": "会议桌、24座、投影仪、白板、党建资料柜",
        "opens": time(8),
        "closes": time(20),
        "bookable_by": "staff",
        "purposes": [Purpose.MEETING, Purpose.ACTIVITY],
        "max_days_ahead": 60,
        "min_notice_hours": 24,
        "max_hours": 4,
        "max_active_per_household": 1,
        "approval_required": True,
    },
    {
        "name": "微广场",
        "name_en": "Micro-plaza",
        "kind": RoomKind.PLAZA,
        "capacity": 100,
        "outdoor": True,
        "facilities": "露天场地约200平方米、健身器材、音响插座",
        "opens": time(6),
        "closes": time(21),
        "purposes": [Purpose.ACTIVITY, Purpose.FAMILY_GATHERING, Purpose.OTHER],
        "max_days_ahead": 14,
        "min_notice_hours": 2,
        "max_hours": 2,
        "max_active_per_household": 2,
        "approval_required": False,
    },
]

# The National Day week in the reception hall: day of October, hours, purpose, the
# household's flat (building, unit, flat) and what the family told the desk.
NATIONAL_DAY = [
    (1, (10, 21), Purpose.WEDDING, ("3号楼", "2单元", "402"), "婚宴答谢亲友"),
    (2, (10, 22), Purpose.WEDDING, ("5号楼", "1单元", "201"), "女儿出嫁回门宴"),
    (3, (9, 20), Purpose.FAMILY_GATHERING, ("2号楼", "3单元", "301"), "老人八十大寿"),
    (4, (10, 21), Purpose.WEDDING, ("7号楼", "2单元", "102"), "婚礼答谢宴"),
    (5, (11, 20), Purpose.FAMILY_GATHERING, ("1号楼", "1单元", "501"), "国庆家庭团聚"),
    (6, (10, 21), Purpose.WEDDING, ("4号楼", "1单元", "302"), "儿子结婚宴请"),
    (7, (9, 19), Purpose.FAMILY_GATHERING, ("8号楼", "2单元", "202"), "孙子满月酒"),
]
# All asked for at the desk between these days, "booked out a week ahead".
NATIONAL_DAY_ASKED = (date(2026, 9, 8), date(2026, 9, 23))

TUTORING = {
    "weekday": 2,  # Wednesdays
    "start_time": time(9),
    "end_time": time(11, 30),
    "from_date": date(2026, 7, 8),
    "until_date": date(2026, 8, 26),
    "title": "暑期托管·大学生志愿者辅导功课、读书",
    "skip": {date(2026, 8, 5): "志愿者返校培训，本周暂停"},
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_default_timezone())


class _Rooms:
    def __init__(self, compound: Place, now: datetime):
        self.compound = compound
        self.now = now
        self.worker = User.objects.get(username="community")
        self.secretary = User.objects.get(username="secretary")
        self.volunteer = User.objects.get(username="volunteer")
        self.resident = User.objects.get(username="resident")

    def past(self, at: datetime) -> datetime:
        return min(at, self.now)

    def flat(self, building: str, unit: str, flat: str) -> Household | None:
        place = Place.objects.filter(
            parent__parent__parent=self.compound,
            parent__parent__name=building,
            parent__name=unit,
            name=flat,
        ).first()
        return household_for_place(place=place) if place is not None else None

    def backdate(self, booking: Booking, asked: datetime) -> None:
        """Move the timestamps the database set to when each step happened."""
        booking.refresh_from_db()
        Booking.objects.filter(pk=booking.pk).update(created_at=asked)
        steps = {
            BookingEventKind.REQUESTED: asked,
            BookingEventKind.APPROVED: booking.decided_at,
            BookingEventKind.DECLINED: booking.decided_at,
            BookingEventKind.CHECKED_IN: booking.checked_in_at,
        }
        for kind, at in steps.items():
            if at is not None:
                BookingEvent.objects.filter(booking=booking, kind=kind).update(at=at)

    def run(self) -> int:
        rooms = {spec["kind"]: self.room(spec) for spec in ROOMS}
        self.blackouts(rooms)
        self.national_day(rooms[RoomKind.RECEPTION_HALL])
        self.tutoring(rooms[RoomKind.RECEPTION_HALL])
        self.coming_weeks(rooms)
        return len(rooms)

    def room(self, spec: dict) -> Room:
        spec = dict(spec)
        return services.room_create(
            actor=self.secretary,
            place=self.compound,
            name=spec.pop("name"),
            kind=spec.pop("kind"),
            **spec,
        )

    def blackouts(self, rooms: dict) -> None:
        services.recurring_blackout_create(
            actor=self.secretary,
            room=rooms[RoomKind.DELIBERATION],
            repeat=Repeat.MONTHLY,
            day_of_month=15,
            start_time=time(8, 30),
            end_time=time(12),
            reason="每月15日民情议事厅例会",
        )
        services.recurring_blackout_create(
            actor=self.worker,
            room=rooms[RoomKind.WELLNESS],
            repeat=Repeat.WEEKLY,
            weekday=3,
            start_time=time(8, 30),
            end_time=time(11, 30),
            reason="每周四上午家庭医生签约服务",
        )
        start = _at(self.now.date() + timedelta(days=24), 8)
        services.blackout_create(
            actor=self.worker,
            room=rooms[RoomKind.RECEPTION_HALL],
            start=start,
            end=start + timedelta(days=2),
            reason="冬季暖气管道检修",
        )

    def national_day(self, hall: Room) -> None:
        first, last = NATIONAL_DAY_ASKED
        span = (last - first).days
        for index, (day, (begin, end), purpose, flat, title) in enumerate(NATIONAL_DAY):
            asked = _at(first + timedelta(days=span * index // len(NATIONAL_DAY)), 9, 30)
            when = date(2026, 10, day)
            booking = services.booking_request(
                actor=self.worker,
                room=hall,
                start=_at(when, begin),
                end=_at(when, end),
                purpose=purpose,
                title=title,
                attendees=50 if purpose == Purpose.WEDDING else 30,
                household=self.flat(*flat),
                now=asked,
            )
            services.booking_check_in(actor=self.volunteer, booking=booking, now=_at(when, begin))
            self.backdate(booking, asked)

    def tutoring(self, hall: Room) -> None:
        asked = _at(date(2026, 6, 24), 15)
        result = services.booking_series_create(
            actor=self.volunteer,
            room=hall,
            weekday=TUTORING["weekday"],
            start_time=TUTORING["start_time"],
            end_time=TUTORING["end_time"],
            from_date=TUTORING["from_date"],
            until_date=TUTORING["until_date"],
            purpose=Purpose.TUTORING,
            title=TUTORING["title"],
            skip_dates=set(TUTORING["skip"]),
            now=asked,
        )
        series = result.series
        for entry in series.exceptions:
            entry["reason"] = TUTORING["skip"].get(date.fromisoformat(entry["date"]), "")
        series.save(update_fields=["exceptions"])
        for booking in result.bookings:
            if booking.start < self.now:
                services.booking_check_in(actor=self.volunteer, booking=booking, now=booking.start)
            self.backdate(booking, asked)

    def coming_weeks(self, rooms: dict) -> None:
        """Requests around today: one waiting for the duty volunteer, confirmed ones, one
        declined, and the dance team on the micro-plaza."""
        today = self.now.date()
        hall = rooms[RoomKind.RECEPTION_HALL]
        self.declined(hall, today)
        asked = self.now - timedelta(hours=20)
        # 周桂兰 asks online for her birthday lunch: waiting for approval.
        services.booking_request(
            actor=self.resident,
            room=hall,
            start=_at(today + timedelta(days=9), 11),
            end=_at(today + timedelta(days=9), 15),
            purpose=Purpose.FAMILY_GATHERING,
            title="老伴七十岁生日家宴",
            attendees=20,
            now=asked,
        )
        approved = services.booking_request(
            actor=self.worker,
            room=hall,
            start=_at(today + timedelta(days=3), 10),
            end=_at(today + timedelta(days=3), 20),
            purpose=Purpose.WEDDING,
            title="订婚宴",
            attendees=40,
            household=self.flat("6号楼", "2单元", "301"),
            now=asked,
        )
        self.backdate(approved, asked)
        recreation = rooms[RoomKind.RECREATION]
        for offset in (1, 8):
            services.booking_request(
                actor=self.volunteer,
                room=recreation,
                start=_at(today + timedelta(days=offset), 14),
                end=_at(today + timedelta(days=offset), 16, 30),
                purpose=Purpose.ACTIVITY,
                title="象棋兴趣小组活动",
                now=asked,
            )
        plaza = rooms[RoomKind.PLAZA]
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        services.booking_request(
            actor=self.volunteer,
            room=plaza,
            start=_at(saturday, 18, 30),
            end=_at(saturday, 20, 30),
            purpose=Purpose.ACTIVITY,
            title="广场舞队排练",
            now=asked,
        )
        # A wellness-room request this morning that was checked in.
        wellness = rooms[RoomKind.WELLNESS]
        day = today - timedelta(days=2 if today.weekday() == 0 else 1)
        morning = _at(day, 14)
        booking = services.booking_request(
            actor=self.worker,
            room=wellness,
            start=morning,
            end=morning + timedelta(hours=1),
            purpose=Purpose.HEALTH,
            title="老年人中医理疗讲座",
            now=morning - timedelta(days=2),
        )
        services.booking_check_in(actor=self.volunteer, booking=booking, now=morning)
        self.backdate(booking, morning - timedelta(days=2))

    def declined(self, hall: Room, today: date) -> None:
        """周桂兰 asked for the hall for a card party; the duty volunteer pointed her to the
        recreation room."""
        start = _at(today - timedelta(days=2), 9)
        asked = _at(today - timedelta(days=10), 19)
        booking = services.booking_request(
            actor=self.resident,
            room=hall,
            start=start,
            end=start + timedelta(hours=8),
            purpose=Purpose.OTHER,
            title="老姐妹聚会打牌",
            now=asked,
        )
        services.booking_decline(
            actor=self.volunteer,
            booking=booking,
            reason="会客厅不用于打牌娱乐，可预约文化娱乐室。",
            now=asked + timedelta(hours=14),
        )
        self.backdate(booking, asked)


def demo_rooms(compound: Place, now: datetime | None = None) -> int:
    """Idempotent: a compound with rooms gets nothing new. Returns how many rooms were
    added."""
    if Room.objects.filter(place=compound).exists():
        return 0
    with transaction.atomic():
        return _Rooms(compound, now or timezone.now()).run()
