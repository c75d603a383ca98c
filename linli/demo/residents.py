"""The fictitious residents of 南官房小区: about a thousand people in realistic households of an
old compound (many elderly), with valid Datong ID numbers. Deterministic, so that every demo
database holds the same people."""

import random
from datetime import date

from django.db import transaction

from linli.accounts.models import User
from linli.core.actors import SYSTEM
from linli.places import tree
from linli.places.models import Place, PlaceKind
from linli.residents.generate import (
    MOBILE_PREFIXES,
    default_as_of,
    household_members,
    wants_phone,
)
from linli.residents.idnumbers import make_id_number
from linli.residents.models import Resident
from linli.residents.services import resident_clean, residents_bulk_create

from . import world


def _weighted(rng: random.Random, table) -> str:
    codes, weights = zip(*table, strict=True)
    return rng.choices(codes, weights=weights)[0]


class _Numbers:
    """Unique ID and mobile numbers for the demo's people."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: set[str] = set()
        # the demo accounts' numbers belong to their users (周桂兰 brings her own)
        self.phones: set[str] = {mobile for _u, _n, mobile, *_ in world.ACCOUNTS if mobile}

    def id_number(self, birth: date, gender: str, region: str | None = None) -> str:
        rng = self.rng
        if region is None:
            table = (
                world.DATONG_REGIONS_NEW
                if birth.year >= world.NEW_CODES_FROM
                else world.DATONG_REGIONS_OLD
            )
            region = _weighted(rng, table)
        while True:
            # the sequence's last digit is the gender: odd for men, even for women
            sequence = rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            number = make_id_number(region, birth, sequence)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


def _fixed_member(spec: dict, numbers: _Numbers) -> tuple[dict, str | None]:
    spec = dict(spec)
    username = spec.pop("user", None)
    region = spec.pop("region", None)
    spec["birth_date"] = date.fromisoformat(spec["birth_date"])
    spec["id_number"] = numbers.id_number(spec["birth_date"], spec["gender"], region)
    if "phone" in spec:
        numbers.phones.add(spec["phone"])
    elif spec["birth_date"].year < 2008:
        spec["phone"] = numbers.phone()
    return spec, username


def demo_resident_rows(
    flats: list[tuple[tuple[str, str, str], object]],
    *,
    as_of: date,
    seed: int = world.RESIDENTS_SEED,
):
    """(flat, resident_clean values, username or None) for every demo resident, in flat
    order. ``flats`` are ((building, unit, door), flat) pairs; another ``seed`` gives other
    people (for the small compounds of other communities)."""
    rng = random.Random(seed)  # noqa: S311 (fictitious people, not secrets)
    numbers = _Numbers(rng)
    rows = []
    for address, flat in flats:
        if address in world.FIXED_HOUSEHOLDS:
            for spec in world.FIXED_HOUSEHOLDS[address]:
                values, username = _fixed_member(spec, numbers)
                rows.append((flat, values, username))
            continue
        if rng.random() < world.VACANT_SHARE:
            continue
        for member in household_members(rng, as_of):
            values = member._asdict()
            values["id_number"] = numbers.id_number(member.birth_date, member.gender)
            if wants_phone(rng, member.age(as_of)):
                values["phone"] = numbers.phone()
            rows.append((flat, values, None))
    return rows


@transaction.atomic
def demo_residents(compound: Place, *, seed: int = world.RESIDENTS_SEED) -> int:
    """Register the compound's residents (one household per flat, as many as it has flats),
    unless it has residents already. Returns how many were added."""
    if Resident.objects.filter(tree.subtree_q(compound.path, "place__path")).exists():
        return 0
    flats = (
        Place.objects.filter(tree.subtree_q(compound.path), kind=PlaceKind.HOUSEHOLD)
        .select_related("parent__parent")
        .order_by("path")
    )
    addresses = [
        ((flat.parent.parent.name, flat.parent.name, flat.name), flat)
        for flat in flats
        if flat.parent.kind == PlaceKind.UNIT
    ]
    rows = demo_resident_rows(addresses, as_of=default_as_of(), seed=seed)
    # A register imported into this database may hold one of the numbers already: such a
    # (fictitious) person is left out rather than failing the whole demo.
    cleaned = [(flat, resident_clean(**values)) for flat, values, _u in rows]
    hashes = [clean.id_number_hash for _f, clean in cleaned]
    taken = set()
    for start in range(0, len(hashes), 500):  # within any database's parameter limit
        taken.update(
            Resident.objects.filter(id_number_hash__in=hashes[start : start + 500]).values_list(
                "id_number_hash", flat=True
            )
        )
    if taken:
        keep = [clean.id_number_hash not in taken for _f, clean in cleaned]
        rows = [row for row, ok in zip(rows, keep, strict=True) if ok]
        cleaned = [row for row, ok in zip(cleaned, keep, strict=True) if ok]
    residents = residents_bulk_create(actor=SYSTEM, rows=cleaned, action="resident.demo")
    for resident, (_flat, _values, username) in zip(residents, rows, strict=True):
        if username is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is not None and not Resident.objects.filter(user=user).exists():
            Resident.objects.filter(pk=resident.pk).update(user=user)
    return len(residents)
