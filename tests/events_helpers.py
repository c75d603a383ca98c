"""Data for the events tests: an event of the demo compound (南官房小区) made and published by
its branch secretary through the services, and residents of the compound with accounts and
resident grants, each household at a door of its own."""

import itertools
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import grant_create
from linli.core.actors import SYSTEM
from linli.events import services
from linli.places.models import Place

from .factories import make_resident

COMPOUND = "平城区/鹿苑街道/站东社区/南官房小区"
_numbers = itertools.count(1)


def user(username: str) -> User:
    return User.objects.get(username=username)


def compound() -> Place:
    return Place.objects.get(name_path=COMPOUND)


def doors(n: int) -> list[Place]:
    c = compound()
    return list(
        Place.objects.filter(kind="household", path__startswith=c.path).order_by("path")[:n]
    )


def make_person(door: Place, *, name=None, birth=date(1980, 5, 1), account=True):
    """A resident living at ``door``; with an account holding the resident's grant there."""
    n = next(_numbers)
    account_user = None
    if account:
        account_user = User.objects.create(username=f"ev{n}", full_name=name or f"报名居民{n}")
        grant_create(actor=SYSTEM, user=account_user, role="resident", place=door)
    return make_resident(
        user("secretary"), door, name=name or f"报名居民{n}", birth=birth, user=account_user
    )


def make_event(*, capacity=10, publish=True, days=3, actor=None, **extra):
    now = timezone.now()
    day = timezone.localdate(now) + timedelta(days=days)
    start = datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())
    fields = {
        "place": compound(),
        "title": f"测试读书会{next(_numbers)}",
        "kind": "activity",
        "venue": "南官房小区居民会客厅",
        "start": start,
        "end": start + timedelta(hours=2),
        "capacity": capacity,
        "audience": [compound()],
        "registration_opens": now - timedelta(hours=1),
        "registration_closes": start - timedelta(hours=1),
        "cancel_until": start - timedelta(days=1),
    }
    fields.update(extra)
    event = services.event_create(actor=actor or user("secretary"), **fields)
    if publish:
        event = services.event_publish(actor=actor or user("secretary"), event=event)
    return event


def register(person, event, *, people=None, **kwargs):
    return services.registration_create(
        actor=person.user, event=event, people=people or [person], **kwargs
    )
