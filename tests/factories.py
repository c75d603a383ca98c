"""Small helpers to make residents in tests (ID numbers from Beijing's 110101 region, so
they never clash with the demo's Datong ones)."""

import itertools
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from linli.core.actors import SYSTEM
from linli.residents.idnumbers import make_id_number
from linli.residents.services import resident_clean, resident_create, residents_bulk_create

_sequence = itertools.count(100)


def id_number(birth=date(1950, 3, 1), male=True) -> str:
    """A valid, unique number for that birth date (sequences run out after 500 a day, so
    the region code moves on instead)."""
    n = next(_sequence)
    seq = (n % 500) * 2 + (1 if male else 0)
    region = 110101 + n // 500
    return make_id_number(str(region), birth, seq)


def make_resident(actor, place, *, name="测试居民", birth=date(1950, 3, 1), male=True, **extra):
    return resident_create(
        actor=actor, place=place, name=name, id_number=id_number(birth, male), **extra
    )


def make_many(place, n, *, name="批量居民", birth=date(1980, 1, 1)):
    rows = [
        (place, resident_clean(name=f"{name}{i}", id_number=id_number(birth, male=i % 2 == 0)))
        for i in range(n)
    ]
    return residents_bulk_create(actor=SYSTEM, rows=rows)


def earlier_today():
    """An hour ago, but today: a session held before the day its mediation was registered
    (just after midnight) is refused."""
    now = timezone.now()
    zone = timezone.get_current_timezone()
    midnight = datetime.combine(timezone.localdate(now), time(0), tzinfo=zone)
    return max(now - timedelta(hours=1), midnight)
