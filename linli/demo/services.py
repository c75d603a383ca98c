"""Loading the demo world. Idempotent: what exists is found again, nothing is duplicated."""

from django.db import transaction

from linli.accounts.models import User
from linli.accounts.services import grant_create, user_create
from linli.bookings.demo import demo_rooms
from linli.core.actors import SYSTEM
from linli.events.demo import demo_events
from linli.health.demo import demo_health
from linli.lending.demo import demo_lending
from linli.mediation.demo import demo_mediation
from linli.meetings.demo import demo_meetings
from linli.places.models import Organisation, Place, PlaceKind
from linli.places.services import (
    membership_add,
    organisation_create,
    place_create,
    places_bulk_create,
)
from linli.servicedesk.demo import (
    demo_cases,
    demo_catalogue,
    demo_consultations,
    demo_proxies,
    demo_year,
)
from linli.tutoring.demo import demo_tutoring
from linli.volunteers.demo import demo_volunteers
from linli.workorders.demo import demo_orders

from . import world
from .residents import demo_residents


def _place(*, kind, name, parent, **extra) -> Place:
    existing = Place.objects.filter(parent=parent, name=name).first()
    if existing:
        return existing
    return place_create(actor=SYSTEM, kind=kind, name=name, parent=parent, **extra)


def _households(unit: Place) -> None:
    if Place.objects.filter(parent=unit).exists():
        return
    names = [
        f"{floor}{door:02d}"
        for floor in range(1, world.FLOORS + 1)
        for door in range(1, world.DOORS_PER_FLOOR + 1)
    ]
    places_bulk_create(actor=SYSTEM, parent=unit, kind=PlaceKind.HOUSEHOLD, names=names)


@transaction.atomic
def demo_places() -> dict[str, Place]:
    by_name: dict[str, Place] = {}
    district = _place(kind=PlaceKind.DISTRICT, parent=None, **world.DISTRICT)
    by_name[district.name] = district
    for index, (street_name, street_en, code, communities) in enumerate(world.STREETS):
        street = _place(
            kind=PlaceKind.STREET,
            name=street_name,
            name_en=street_en,
            code=f"{world.DISTRICT['code']}{code}000",
            parent=district,
            sort_key=index,
        )
        by_name[street.name] = street
        for c_index, (community_name, community_en) in enumerate(communities):
            community = _place(
                kind=PlaceKind.COMMUNITY,
                name=community_name,
                name_en=community_en,
                code=f"{world.DISTRICT['code']}{code}{c_index + 1:03d}",
                parent=street,
                sort_key=c_index,
            )
            by_name[community.name] = community
    compound = _place(
        kind=PlaceKind.COMPOUND,
        name=world.COMPOUND["name"],
        name_en=world.COMPOUND["name_en"],
        address=world.COMPOUND["address"],
        parent=by_name[world.COMPOUND["community"]],
    )
    by_name[compound.name] = compound
    for number in range(1, world.BUILDINGS + 1):
        building = _place(
            kind=PlaceKind.BUILDING,
            name=f"{number}号楼",
            name_en=f"Building {number}",
            parent=compound,
            sort_key=number,
        )
        for unit_number in range(1, world.UNITS_PER_BUILDING + 1):
            unit = _place(
                kind=PlaceKind.UNIT,
                name=f"{unit_number}单元",
                name_en=f"Unit {unit_number}",
                parent=building,
                sort_key=unit_number,
            )
            _households(unit)
    centre = _place(
        kind=PlaceKind.BUILDING, parent=compound, sort_key=world.BUILDINGS + 1, **world.CENTRE
    )
    by_name[centre.name] = centre
    return by_name


def _find_place(by_name, ref) -> Place:
    if isinstance(ref, tuple):  # a household: (building, unit, door) under the compound
        building, unit, door = ref
        return Place.objects.get(
            parent__parent__parent=by_name[world.COMPOUND["name"]],
            parent__parent__name=building,
            parent__name=unit,
            name=door,
        )
    return by_name[ref]


@transaction.atomic
def demo_organisations(by_name) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for name, name_en, kind, place_name, parent_name in world.ORGANISATIONS:
        place = by_name[place_name]
        existing = Organisation.objects.filter(place=place, name=name).first()
        orgs[name] = existing or organisation_create(
            actor=SYSTEM,
            name=name,
            name_en=name_en,
            kind=kind,
            place=place,
            parent=orgs.get(parent_name) if parent_name else None,
        )
    return orgs


@transaction.atomic
def demo_accounts(by_name, orgs) -> list[User]:
    users = []
    for username, full_name, mobile, role, place_ref, org_name, title in world.ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=SYSTEM,
                username=username,
                password=world.DEMO_PASSWORD,
                full_name=full_name,
                mobile=mobile,
                is_superuser=role is None,
            )
        if role:
            grant_create(
                actor=SYSTEM,
                user=user,
                role=role,
                place=_find_place(by_name, place_ref),
                organisation=orgs.get(org_name) if org_name else None,
            )
        if org_name:
            membership_add(actor=SYSTEM, user=user, organisation=orgs[org_name], title=title)
        users.append(user)
    return users


def demo_load() -> dict:
    by_name = demo_places()
    orgs = demo_organisations(by_name)
    users = demo_accounts(by_name, orgs)
    compound = by_name[world.COMPOUND["name"]]
    added = demo_residents(compound)
    orders = demo_orders(compound)
    rooms = demo_rooms(compound)
    meetings = demo_meetings(compound)
    items = demo_lending(compound)
    cards = demo_health(compound)
    matters = demo_catalogue()
    mediations = demo_mediation(compound)
    cases = demo_cases(compound)
    cases += demo_year(compound)
    demo_consultations(compound)  # policy consultations, a few turned into cases
    demo_proxies(compound)  # 代办 for elderly residents living alone
    volunteers = demo_volunteers(compound)
    children = demo_tutoring(compound)  # the university team's summer tutoring
    events = demo_events(compound)  # the seed's events of Mid-Autumn and National Day
    return {
        "places": Place.objects.count(),
        "organisations": len(orgs),
        "accounts": len(users),
        "residents": added,
        "orders": orders,
        "meetings": meetings,
        "rooms": rooms,
        "items": items,
        "cards": cards,
        "matters": matters,
        "mediations": mediations,
        "cases": cases,
        "volunteers": volunteers,
        "tutoring_children": children,
        "events": events,
    }


def demo_logins() -> list[tuple[str, str]]:
    return [(username, world.ROLE_LABELS_EN[role]) for username, _n, _m, role, *_ in world.ACCOUNTS]
