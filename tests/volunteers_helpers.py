"""Data for the volunteer tests: a group at the demo compound, volunteers with accounts, and
shifts of a shift type, made through the services as the branch secretary."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from linli.accounts.models import User
from linli.places.models import Place
from linli.volunteers import services
from linli.volunteers.models import Volunteer

SH = ZoneInfo("Asia/Shanghai")
COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
_numbers = itertools.count(1)


def secretary() -> User:
    return User.objects.get(username="secretary")


def compound() -> Place:
    return Place.objects.get(name_path=COMPOUND)


def make_group(*, name=None, max_consecutive=2, place=None, kind="self_management"):
    return services.group_create(
        actor=secretary(),
        place=place or compound(),
        name=name or f"测试小组{next(_numbers)}",
        kind=kind,
        max_consecutive=max_consecutive,
    )


def make_user(username=None) -> User:
    return User.objects.create(username=username or f"vol{next(_numbers)}", full_name="测试志愿者")


def make_volunteer(*, user=None, name="测试志愿者", skills=(), **kwargs) -> Volunteer:
    user = user or make_user()
    existing = Volunteer.objects.filter(user=user).first()
    if existing is not None:
        return existing
    return services.volunteer_register(
        actor=user, user=user, name=name, skills=list(skills), **kwargs
    )


def join(volunteer, group, *, coordinator=False):
    """An approved membership (approved by the secretary)."""
    membership = services.membership_apply(
        actor=volunteer.user or secretary(), volunteer=volunteer, group=group
    )
    membership = services.membership_approve(actor=secretary(), membership=membership)
    if coordinator:
        membership = services.membership_set_coordinator(
            actor=secretary(), membership=membership, on=True
        )
    return membership


def make_type(group, *, needed=2, skills=(), kind="room_duty", name="会客厅值班"):
    return services.shift_type_create(
        actor=secretary(), group=group, kind=kind, name=name, needed=needed, skills=list(skills)
    )


def at(day_offset: int, hour: int, minute: int = 0, *, base=None) -> datetime:
    base = base or datetime.now(SH).replace(hour=0, minute=0, second=0, microsecond=0)
    return (base + timedelta(days=day_offset)).replace(hour=hour, minute=minute)


def make_shift(shift_type, *, day=3, start=9, hours=3, needed=None):
    return services.shift_create(
        actor=secretary(),
        shift_type=shift_type,
        start=at(day, start),
        end=at(day, start) + timedelta(hours=hours),
        needed=needed,
    )
