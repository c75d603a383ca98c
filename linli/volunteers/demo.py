"""Nanguanfang's volunteers (the demo world): the self-management group (自治自管小组) of
residents with its two duty managers, keeping the residents' reception hall (room duty) and
the lending desk of donated items, their weekly rules generated for the past eight weeks
and the coming four (with a date skipped and one moved, and a few places still to fill);
the party members' service team; and the university volunteer team of 大同大学 with
outsiders (students, their numbers stored encrypted), one of them the demo's volunteer
account, and one student's application waiting for the duty managers.

Everything goes through the services (as the branch secretary and the volunteers with an
account themselves); past shifts are filled as of the day before each, as they were filled
then."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.core.errors import LinliError
from linli.places.models import Organisation, Place
from linli.residents.idnumbers import make_id_number
from linli.residents.models import Resident

from . import services
from .models import Shift, Volunteer, VolunteerGroup

WEEKS_BACK = 8
WEEKS_AHEAD = 4
SELF_MANAGEMENT = "南官房小区自治自管小组"
UNIVERSITY = "大同大学志愿者服务队"
PARTY = "南官房小区党员志愿服务队"
# The students of 大同大学 (fictitious), with their fictitious mobile numbers.
STUDENTS = [
    ("王思远", "13834520101", date(2004, 3, 12), 11),
    ("陈佳怡", "13834520102", date(2005, 7, 2), 22),
    ("刘子涵", "13834520103", date(2004, 11, 23), 31),
    ("赵一鸣", "13834520104", date(2003, 9, 8), 45),
]
APPLICANT = ("孙雨桐", "13834520105", date(2005, 1, 17), 52)


def _residents(compound: Place) -> list[Resident]:
    """Residents who volunteer (the register's tag first), one per flat, adults only."""
    today = timezone.localdate()
    adult = date(today.year - 18, today.month, 1)
    qs = (
        Resident.objects.filter(
            place__path__startswith=compound.path, birth_date__lte=adult, user__isnull=True
        )
        .exclude(volunteer_profile__isnull=False)
        .order_by("-volunteer", "-party_member", "place__path", "pk")
    )
    picked, flats = [], set()
    for resident in qs[:300]:
        if resident.place_id not in flats:
            flats.add(resident.place_id)
            picked.append(resident)
        if len(picked) == 12:
            break
    return picked


def _student(secretary, name, phone, birth, sequence, *, user=None) -> Volunteer:
    return services.volunteer_register(
        actor=user or secretary,
        user=user,
        name=name,
        school="大同大学",
        team="大学生志愿者服务队",
        phone=phone,
        id_number=make_id_number("140203", birth, sequence),
        skills=["tutoring", "computer"],
        availability=[
            {"weekday": 5, "start": "08:30", "end": "12:00"},
            {"weekday": 6, "start": "08:30", "end": "12:00"},
        ],
    )


def _rules(secretary, group, compound, start: date) -> list:
    from linli.bookings.models import Room

    hall = Room.objects.filter(place__path__startswith=compound.path, name="居民会客厅").first()
    room_duty = services.shift_type_create(
        actor=secretary,
        group=group,
        kind="room_duty",
        name="会客厅值班",
        room=hall,
        needed=2,
        skills=[],
    )
    lending = services.shift_type_create(
        actor=secretary,
        group=group,
        kind="lending_desk",
        name="爱心物品借用台",
        room=hall,
        needed=1,
        skills=["lending"],
    )
    monday = start - timedelta(days=start.weekday())
    rules = []
    for weekday, begin, end in ((0, 9, 12), (2, 9, 12), (4, 9, 12), (1, 14, 17), (3, 14, 17)):
        rules.append(
            services.shift_rule_create(
                actor=secretary,
                shift_type=room_duty,
                weekday=weekday,
                start_time=time(begin),
                end_time=time(end),
                from_date=monday,
            )
        )
    for weekday, begin, end in ((5, time(9), time(11, 30)), (2, time(15), time(17))):
        rules.append(
            services.shift_rule_create(
                actor=secretary,
                shift_type=lending,
                weekday=weekday,
                start_time=begin,
                end_time=end,
                from_date=monday,
            )
        )
    return rules


def _exceptions(secretary, rules, today: date) -> None:
    tz = timezone.get_default_timezone()
    monday_rule = rules[0]
    past = today - timedelta(days=today.weekday() + 21)  # a Monday three weeks ago
    services.shift_rule_except(
        actor=secretary, rule=monday_rule, on_date=past, reason="会客厅停电检修"
    )
    coming = today + timedelta(days=7 - today.weekday() + 7)  # the Monday after next
    moved = timezone.make_aware(datetime.combine(coming + timedelta(days=1), time(9)), tz)
    services.shift_rule_except(
        actor=secretary,
        rule=monday_rule,
        on_date=coming,
        reason="周一会客厅有议事会，改到周二上午",
        moved_start=moved,
        moved_end=moved + timedelta(hours=3),
    )


def _fill(manager, shifts, members, *, leave_gaps: bool) -> int:
    """Put members on each shift in turn (as the duty manager, the day before); every
    seventh shift is left a person short when ``leave_gaps``."""
    filled, turn = 0, 0
    for number, shift in enumerate(shifts):
        wanted = shift.needed - (1 if leave_gaps and number % 7 == 3 else 0)
        for _attempt in range(len(members)):
            if wanted <= 0:
                break
            volunteer = members[turn % len(members)]
            turn += 1
            try:
                with transaction.atomic():
                    services.shift_assign(
                        actor=manager,
                        shift=shift,
                        volunteer=volunteer,
                        now=shift.start - timedelta(days=1),
                    )
            except LinliError:
                continue  # overlap, a skill or the limit in a row: the next member
            wanted -= 1
            filled += 1
    return filled


@transaction.atomic
def demo_volunteers(compound: Place) -> int:
    """Idempotent: a compound with volunteer groups gets nothing new. Returns how many
    volunteers were registered."""
    if VolunteerGroup.objects.filter(place=compound).exists():
        return 0
    secretary = User.objects.get(username="secretary")
    today = timezone.localdate()
    residents = _residents(compound)
    if len(residents) < 6:
        return 0
    self_management = services.group_create(
        actor=secretary,
        place=compound,
        name=SELF_MANAGEMENT,
        kind="self_management",
        max_consecutive=2,
        organisation=Organisation.objects.filter(name=SELF_MANAGEMENT).first(),
    )
    university = services.group_create(
        actor=secretary,
        place=compound,
        name=UNIVERSITY,
        kind="university_team",
        max_consecutive=3,
        organisation=Organisation.objects.filter(name="大学生志愿者服务队").first(),
    )
    party = services.group_create(
        actor=secretary, place=compound, name=PARTY, kind="party_service", max_consecutive=2
    )

    # The residents of the self-management group: the first two are its duty managers.
    members = []
    for number, resident in enumerate(residents[:8]):
        skills = ["room_keeping", "reception"] + (["lending"] if number % 2 == 0 else [])
        volunteer = services.volunteer_register(
            actor=secretary,
            resident=resident,
            skills=skills,
            availability=[{"weekday": number % 5, "start": "09:00", "end": "17:00"}],
        )
        membership = services.membership_apply(
            actor=secretary, volunteer=volunteer, group=self_management
        )
        membership = services.membership_approve(actor=secretary, membership=membership)
        if number < 2:
            services.membership_set_coordinator(actor=secretary, membership=membership, on=True)
        members.append(volunteer)
    for resident in residents[8:12]:
        volunteer = services.volunteer_register(
            actor=secretary, resident=resident, skills=["reception", "first_aid"]
        )
        membership = services.membership_apply(actor=secretary, volunteer=volunteer, group=party)
        services.membership_approve(actor=secretary, membership=membership)
    for volunteer in members[:2]:
        services.training_record(
            actor=secretary,
            volunteer=volunteer,
            subject="值班负责人培训：会客厅开关门、登记与安全",
            held_on=today - timedelta(weeks=10),
            provider="站东社区居委会",
            hours=2,
        )

    # The university team: outsiders, one of them the demo's volunteer account (林小雨).
    students = [_student(secretary, *row) for row in STUDENTS]
    lin = User.objects.filter(username="volunteer").first()
    if lin is not None and not Volunteer.objects.filter(user=lin).exists():
        students.insert(
            0,
            _student(secretary, lin.display_name, "", date(2004, 5, 20), 62, user=lin),
        )
    for student in students:
        membership = services.membership_apply(
            actor=student.user or secretary, volunteer=student, group=university
        )
        services.membership_approve(actor=secretary, membership=membership)
        services.training_record(
            actor=secretary,
            volunteer=student,
            subject="暑期托管志愿者岗前培训（儿童安全与急救）",
            held_on=today - timedelta(weeks=6),
            provider="大同大学团委",
            hours=4,
        )
    # 林小雨 also keeps the hall with the self-management group.
    if students and students[0].user_id:
        membership = services.membership_apply(
            actor=students[0].user, volunteer=students[0], group=self_management
        )
        services.membership_approve(actor=secretary, membership=membership)
        members.append(students[0])
    applicant = _student(secretary, *APPLICANT)
    services.membership_apply(
        actor=secretary, volunteer=applicant, group=self_management, note="想在周末参加会客厅值班"
    )

    # Shifts: eight weeks back and four ahead, the duty managers filling them.
    start = today - timedelta(weeks=WEEKS_BACK)
    rules = _rules(secretary, self_management, compound, start)
    services.shifts_generate(
        actor=secretary,
        group=self_management,
        start=start - timedelta(days=start.weekday()),
        until=today + timedelta(weeks=WEEKS_AHEAD),
    )
    _exceptions(secretary, rules, today)
    manager = members[0]
    manager_user = User.objects.filter(pk=manager.user_id).first() or secretary
    shifts = list(
        Shift.objects.filter(shift_type__group=self_management)
        .select_related("shift_type__group")
        .order_by("start", "id")
    )
    now = timezone.now()
    past = [s for s in shifts if s.start <= now]
    coming = [s for s in shifts if s.start > now]
    _fill(manager_user, past, members, leave_gaps=False)
    # The coming weeks: the first two filled but for a few gaps, the rest left open.
    soon = [s for s in coming if s.start <= now + timedelta(weeks=2)]
    _fill(manager_user, soon, members, leave_gaps=True)
    # -- rota and swaps --: a year of duty, the cleaning rotas, a few swaps (demo_rota)
    from .demo_rota import demo_rota_and_swaps

    demo_rota_and_swaps(
        secretary=secretary,
        group=self_management,
        compound=compound,
        members=members,
        manager_user=manager_user,
    )
    # -- sign-in -- / -- hours ledger --: the year's sign-ins, no-shows, confirmed hours
    from .demo_attendance import demo_attendance

    demo_attendance(
        secretary=secretary, group=self_management, members=members, manager_user=manager_user
    )
    return len(members) + len(students) + 5
