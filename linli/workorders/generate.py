"""Synthetic work orders for the generated city (``linli generate_orders``): three years of
what residents of an old city report, most of it handled and closed, the rest waiting in
every open state (many of those overdue), each order with its timeline, written in bulk for
load tests and benchmarks.

The orders belong to the city of ``linli generate --seed S`` (district ``合成市S{seed}``);
each compound gets its own property company, which the orders are dispatched to. Every
batch is one transaction with an audit event that counts it, so an interrupted run is
continued, and a finished one is never repeated, by running the command again."""

import json
import random
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, islice

from django.db import connection, transaction
from django.db.models import Count, DateTimeField, JSONField
from django.utils import timezone

from linli.core.actors import SYSTEM
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.workdays import UnknownCalendarYear, is_working_day
from linli.places import tree
from linli.places.models import Organisation, OrganisationKind, Place, PlaceKind
from linli.places.services import organisation_create
from linli.residents.generate import MAX_SEED, district_name, surname

from .models import Category, Channel, EventKind, Satisfaction, Status, WorkOrder, WorkOrderEvent
from .seed import seed_categories

DEFAULT_ORDERS = 2_000_000
YEARS = 3
BATCH_ACTION = "workorder.generate"  # one audit event per batch: {"seed", "first", "count"}
DONE_ACTION = "workorder.generate.done"  # one per finished run: {"orders", "added", "seconds"}
# The random stream restarts every BLOCK orders, so that what is drawn does not depend on
# the batch size and a continued run picks the stream up where the interrupted one stopped.
BLOCK = 10_000

# What residents report and where: (category code, weight, level of the place, titles).
TOPICS = [
    ("corridor-light", 14, PlaceKind.UNIT, "楼道灯不亮 楼道声控灯失灵 单元门口灯坏了 楼梯间灯常亮"),
    ("water-power", 10, PlaceKind.UNIT, "家里停水 暖气不热 楼道有煤气味 水管漏水 电表跳闸"),
    ("ebike-parking", 10, PlaceKind.BUILDING, "电动车停在楼道里 电动车私拉电线充电 车棚电动车乱停"),
    ("sanitation", 16, PlaceKind.COMPOUND, "垃圾桶满了没人清 楼道堆放杂物 绿化带有垃圾 化粪池外溢"),
    ("property-service", 18, PlaceKind.BUILDING, "单元门禁坏了 下水道堵了 屋顶漏雨 外墙皮脱落"),
    ("neighbour-dispute", 8, PlaceKind.UNIT, "楼上噪音扰民 邻居占用楼道 宠物扰民 空调外机滴水"),
    ("street-vending", 6, PlaceKind.COMPOUND, "小区门口占道经营 早市摊点堵路 夜市噪音油烟"),
    ("policy-question", 8, PlaceKind.COMPOUND, "低保怎么申请 高龄津贴何时发放 医保怎么缴费"),
]  # fmt: skip
_TOPIC_CUMULATIVE = list(accumulate(weight for _c, weight, _l, _t in TOPICS))

# How orders come in; 12345 transfers carry their ticket number.
CHANNELS = (
    (Channel.HOTLINE, 30),
    (Channel.ONLINE, 28),
    (Channel.COUNTER, 14),
    (Channel.PHONE, 16),
    (Channel.PATROL, 7),
    (Channel.INSPECTION, 3),
    (Channel.MEETING, 2),
)
_CHANNELS = [channel.value for channel, _w in CHANNELS]
_CHANNEL_CUMULATIVE = list(accumulate(w for _c, w in CHANNELS))

# Outcomes: rejected at once, stalled at some stage (and so still open, most of them
# overdue by now), or the whole way to closed. With the orders of the last days still on
# their way this leaves about 85% closed.
REJECTED = 0.015
STALLED = 0.125
STALLED_AT = (
    (Status.SUBMITTED, 10),
    (Status.ACCEPTED, 8),
    (Status.DISPATCHED, 12),
    (Status.IN_PROGRESS, 50),
    (Status.RESOLVED, 20),
)
_STALLED = [status.value for status, _w in STALLED_AT]
_STALLED_CUMULATIVE = list(accumulate(w for _s, w in STALLED_AT))
# The lifecycle, in order: the step's event, and the status it leads to.
LIFECYCLE = (
    (EventKind.FILED, Status.SUBMITTED),
    (EventKind.ACCEPTED, Status.ACCEPTED),
    (EventKind.DISPATCHED, Status.DISPATCHED),
    (EventKind.SIGNED, Status.IN_PROGRESS),
    (EventKind.RESOLVED, Status.RESOLVED),
    (EventKind.CLOSED, Status.CLOSED),
)
_STEPS = [(event.value, status.value) for event, status in LIFECYCLE]  # plain strings: faster
_STAGE = {status: index for index, (_e, status) in enumerate(_STEPS)}
# The hours of the day reports come in: from 6 in the morning, busiest in mid-morning.
HOURS = (0, 0, 0, 0, 0, 0, 1, 3, 9, 12, 11, 10, 6, 7, 9, 9, 8, 7, 5, 5, 4, 3, 2, 1)
_HOUR_CUMULATIVE = list(accumulate(HOURS))
ADDRESSING = ("先生", "女士", "阿姨", "大爷", "师傅")
# channels on which the reporter gives a name
NAMED = {c.value for c in (Channel.COUNTER, Channel.PHONE, Channel.HOTLINE, Channel.ONLINE)}
SATISFACTION = (
    (Satisfaction.SATISFIED, 7),
    (Satisfaction.FAIRLY, 2),
    (Satisfaction.UNSATISFIED, 1),
)
_SATISFACTION = [s.value for s, _w in SATISFACTION]
_SATISFACTION_CUMULATIVE = list(accumulate(w for _s, w in SATISFACTION))


class OrdersGenerateError(Exception):
    """The generator refuses (no such city, or more orders than asked for already)."""


_MISSING = object()


class _Table:
    """Writes rows of one model straight to its table: ``executemany`` on SQLite, ``COPY`` on
    PostgreSQL. ``bulk_create`` spends about 150 µs a row compiling SQL, which for the
    ~13 million rows of two million orders and their timelines would be half an hour. Rows
    are dicts by attribute name; a field a row leaves out takes its default, converted once
    as Django would. Values given must be what the column stores: plain strings, numbers,
    booleans, aware datetimes (converted here) and dicts for JSON fields (dumped here).
    Writing rows directly also keeps ``created_at`` and the events' ``at`` as given, where
    ``bulk_create`` would stamp ``auto_now_add`` fields with today."""

    def __init__(self, model, *, with_id: bool):
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.vendor = connection.vendor
        self.table = model._meta.db_table
        self.columns = [f.column for f in fields]
        self.spec = [
            (f.attname, f.get_db_prep_save(f.get_default(), connection), self._converter(f))
            for f in fields
        ]

    def _converter(self, field):
        if isinstance(field, JSONField):
            return lambda value: json.dumps(value) if value else "{}"
        if isinstance(field, DateTimeField) and self.vendor == "sqlite":
            # as Django's SQLite backend stores them: in UTC, without the offset
            return lambda value: str(value.astimezone(UTC).replace(tzinfo=None))
        return None

    def write(self, rows: list[dict]) -> None:
        values = []
        for row in rows:
            get = row.get
            values.append(
                tuple(
                    [
                        default
                        if (value := get(name, _MISSING)) is _MISSING
                        else convert(value)
                        if convert is not None and value is not None
                        else value
                        for name, default, convert in self.spec
                    ]
                )
            )
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608 (model names)
                cursor.executemany(sql, values)


def _reserve_ids(model, count: int) -> list[int]:
    """``count`` new primary keys for rows written with their ids (the events need them).
    Called inside the batch's transaction: on SQLite that holds the write lock, so the
    next ids are free; on PostgreSQL they are taken from the table's sequence."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        table = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))


class _WorkingDays:
    """``add_working_days`` for whole days, from a table: the generator needs millions of
    due dates, and asking the calendar day by day would take longer than the writing.
    Years the calendar does not know yet count Monday to Friday (as the demo does)."""

    def __init__(self, first: date, last: date):
        self.zone = timezone.get_current_timezone()
        self.days: list[int] = []
        day = first
        while day <= last:
            try:
                working = is_working_day(day)
            except UnknownCalendarYear:
                working = day.weekday() < 5
            if working:
                self.days.append(day.toordinal())
            day += timedelta(days=1)

    def add(self, start: datetime, days: int) -> datetime:
        local = start.astimezone(self.zone)
        if days <= 0:
            return local
        ordinal = local.date().toordinal()
        index = bisect_right(self.days, ordinal) + days - 1
        if index >= len(self.days):  # beyond the table: about 7 days to 5 working days
            return local + timedelta(days=round(days * 1.4))
        return local + timedelta(days=self.days[index] - ordinal)


@dataclass
class _Compound:
    place: Place
    organisation: Organisation
    buildings: list[int] = field(default_factory=list)  # place ids
    units: dict[int, list[int]] = field(default_factory=dict)  # building id -> unit ids


@dataclass
class GenerateOrdersResult:
    district: Place
    orders: int  # in the district now, generated
    added: int
    organisations_created: int
    events: int  # written by this run
    statuses: dict  # of the orders written by this run
    seconds: float


def generated_order_count(district: Place) -> int:
    """Orders generated into ``district`` so far, from the batches' audit events (orders
    filed there since, e.g. by the bench, are not counted)."""
    rows = AuditEvent.objects.filter(action=BATCH_ACTION, place_path=district.path)
    return sum(details.get("count", 0) for details in rows.values_list("details", flat=True))


def city_district(seed: int) -> Place:
    name = district_name(seed)
    district = Place.objects.filter(parent=None, name=name).first()
    if district is None:
        raise OrdersGenerateError(
            f"There is no generated city {name}: run `linli generate --residents N --seed "
            f"{seed}` first."
        )
    return district


def _property_companies(compounds: list[Place]) -> tuple[dict[int, Organisation], int]:
    """Each compound's property company, created ("<compound>物业") where it has none."""
    found: dict[int, Organisation] = {}
    ids = [c.pk for c in compounds]
    for start in range(0, len(ids), 5000):
        for org in Organisation.objects.filter(
            kind=OrganisationKind.PROPERTY_COMPANY, place_id__in=ids[start : start + 5000]
        ).order_by("id"):
            found.setdefault(org.place_id, org)
    created = 0
    with transaction.atomic():
        for compound in compounds:
            if compound.pk not in found:
                found[compound.pk] = organisation_create(
                    actor=SYSTEM,
                    name=f"{compound.name}物业",
                    kind=OrganisationKind.PROPERTY_COMPANY,
                    place=compound,
                )
                created += 1
    return found, created


def _city(district: Place) -> tuple[list[_Compound], list[int], int]:
    """The compounds with their buildings, units and property company; each compound's
    number of flats (bigger compounds report more); how many companies were created."""
    rows = list(
        Place.objects.filter(
            tree.subtree_q(district.path),
            kind__in=[PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT],
        )
        .order_by("path")
        .values_list("id", "kind", "parent_id")
    )
    compound_ids = [pk for pk, kind, _parent in rows if kind == PlaceKind.COMPOUND]
    compound_places = Place.objects.in_bulk(compound_ids)
    compounds = [compound_places[pk] for pk in compound_ids]
    organisations, created = _property_companies(compounds)
    by_id = {c.pk: _Compound(place=c, organisation=organisations[c.pk]) for c in compounds}
    building_of: dict[int, _Compound] = {}
    unit_compound: dict[int, _Compound] = {}
    for pk, kind, parent in rows:
        if kind == PlaceKind.BUILDING:
            compound = by_id[parent]
            compound.buildings.append(pk)
            compound.units[pk] = []
            building_of[pk] = compound
        elif kind == PlaceKind.UNIT:
            compound = building_of[parent]
            compound.units[parent].append(pk)
            unit_compound[pk] = compound
    flats = dict.fromkeys(by_id, 0)
    per_unit = (
        Place.objects.filter(tree.subtree_q(district.path), kind=PlaceKind.HOUSEHOLD)
        .values_list("parent_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    for unit, n in per_unit:
        if unit in unit_compound:
            flats[unit_compound[unit].place.pk] += n
    usable = [c for c in by_id.values() if all(c.units.values()) and c.buildings]
    if not usable:
        raise OrdersGenerateError(f"{district.name} has no compound with buildings and units.")
    return usable, [max(1, flats[c.place.pk]) for c in usable], created


@dataclass
class _Plan:
    order: dict  # WorkOrder fields by attribute name
    events: list[tuple[datetime, str, str, str, dict]]  # at, kind, from, to, data


class _Planner:
    """Draws order ``i`` of ``total``: when, what, where, by which channel, and how far it
    got by ``now``."""

    def __init__(self, *, seed, total, now, compounds, flats, categories):
        self.seed = seed
        self.total = total
        self.now = now
        self.start = now - timedelta(days=round(365.25 * YEARS))
        self.compounds = compounds
        self.flats_cumulative = list(accumulate(flats))
        self.categories = categories
        self.titles = {code: titles.split() for code, _w, _l, titles in TOPICS}
        self.zone = timezone.get_current_timezone()  # once: each lookup costs
        self.workdays = _WorkingDays(
            timezone.localtime(self.start).date() - timedelta(days=2),
            timezone.localtime(now).date() + timedelta(days=120),
        )

    def plans(self, first: int, count: int) -> Iterator[_Plan]:
        block = first // BLOCK
        rng = random.Random(f"linli-orders:{self.seed}:{block}")  # noqa: S311 (synthetic)
        for i in range(block * BLOCK, first + count):
            if i and i % BLOCK == 0:
                rng = random.Random(f"linli-orders:{self.seed}:{i // BLOCK}")  # noqa: S311
            plan = self._plan(rng, i)
            if i >= first:
                yield plan

    def _pick(self, rng: random.Random, items, cumulative):
        return items[bisect_right(cumulative, rng.random() * cumulative[-1])]

    def _plan(self, rng: random.Random, i: int) -> _Plan:
        # the day follows the order's number, so that ids grow with time as they do live
        day = self.start + (self.now - self.start) * (i / self.total)
        hour = self._pick(rng, range(24), _HOUR_CUMULATIVE)
        filed = day.astimezone(self.zone).replace(
            hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0
        )
        filed = min(filed, self.now - timedelta(minutes=rng.randrange(1, 120)))
        code, _w, level, _t = self._pick(rng, TOPICS, _TOPIC_CUMULATIVE)
        category = self.categories[code]
        compound = self._pick(rng, self.compounds, self.flats_cumulative)
        place_id = compound.place.pk
        if level != PlaceKind.COMPOUND:
            place_id = rng.choice(compound.buildings)
            if level == PlaceKind.UNIT:
                place_id = rng.choice(compound.units[place_id])
        channel = self._pick(rng, _CHANNELS, _CHANNEL_CUMULATIVE)
        ticket = f"12345-{filed:%Y%m%d}-{i % 1_000_000:06d}" if channel == Channel.HOTLINE else ""
        order = {
            "title": rng.choice(self.titles[code]),
            "category_id": category.pk,
            "appeal_kind": category.appeal_kind,
            "channel": channel,
            "external_ticket": ticket,
            "place_id": place_id,
            "reporter_name": surname(rng) + rng.choice(ADDRESSING) if channel in NAMED else "",
            "urgent": category.urgent,
            "status": Status.SUBMITTED.value,
            "created_at": filed,
        }
        filing = {"channel": channel, "external_ticket": ticket}
        events = [(filed, EventKind.FILED.value, "", order["status"], filing)]
        outcome = rng.random()
        if outcome < REJECTED:
            rejected = filed + timedelta(hours=rng.uniform(0.5, 30))
            if rejected < self.now:
                order.update(status=Status.REJECTED.value, closed_at=rejected)
                events.append(
                    (rejected, EventKind.REJECTED.value, events[0][3], order["status"], {})
                )
            order["updated_at"] = events[-1][0]
            return _Plan(order, events)
        last = Status.CLOSED.value
        if outcome < REJECTED + STALLED:
            last = self._pick(rng, _STALLED, _STALLED_CUMULATIVE)
        accepted = filed + timedelta(hours=rng.uniform(0.2, 8))
        dispatched = accepted + timedelta(hours=rng.uniform(0.1, 4))
        signed = dispatched + timedelta(hours=rng.uniform(0.5, 30))
        if category.urgent:
            due = signed + timedelta(hours=category.urgent_hours)
            resolved = signed + (due - signed) * rng.uniform(0.3, 1.3)
        else:
            due = self.workdays.add(signed, category.time_limit_days)
            resolved = signed + (due - signed) * rng.uniform(0.1, 1.12)
        closed = resolved + timedelta(hours=rng.uniform(2, 72))
        times = (filed, accepted, dispatched, signed, resolved, closed)
        organisation = compound.organisation
        for stage in range(1, _STAGE[last] + 1):
            at = times[stage]
            if at >= self.now:
                break
            kind, status = _STEPS[stage]
            data = {}
            if kind == EventKind.DISPATCHED:
                order["organisation_id"] = organisation.pk
                data = {"organisation": organisation.name}
            elif kind == EventKind.SIGNED:
                order.update(signed_at=signed, due_at=due)
                data = {"due_at": due.isoformat()}
            elif kind == EventKind.RESOLVED:
                order["resolved_at"] = resolved
            elif kind == EventKind.CLOSED:
                order["closed_at"] = closed
                if order["reporter_name"] and rng.random() < 0.7:
                    order["satisfaction"] = self._pick(rng, _SATISFACTION, _SATISFACTION_CUMULATIVE)
            events.append((at, kind, order["status"], status, data))
            order["status"] = status
        if "due_at" in order:
            order["overdue"] = order.get("resolved_at", self.now) > due
        order["updated_at"] = events[-1][0]
        return _Plan(order, events)


def orders_generate(
    *,
    seed: int,
    orders: int = DEFAULT_ORDERS,
    batch_size: int = 5000,
    now: datetime | None = None,
    progress: Callable[[int, float], None] | None = None,
    progress_every: int = 100_000,
) -> GenerateOrdersResult:
    """Add synthetic work orders to the generated city of ``seed`` until it holds
    ``orders`` generated ones (none if it does already), ``batch_size`` to a transaction,
    each with its timeline events. Refuses without the city, and when it holds more
    generated orders than asked for."""
    if not 0 <= seed <= MAX_SEED:
        raise OrdersGenerateError(f"The seed must be between 0 and {MAX_SEED}.")
    if orders < 0:
        raise OrdersGenerateError("The number of orders cannot be negative.")
    started = time.perf_counter()
    district = city_district(seed)
    existing = generated_order_count(district)
    if existing > orders:
        raise OrdersGenerateError(
            f"{district.name} holds {existing:,} generated orders already, more than "
            f"{orders:,}; generated orders are never removed. Ask for {existing} or more."
        )
    now = now or timezone.now()
    seed_categories()
    categories = {c.code: c for c in Category.objects.filter(code__in=[t[0] for t in TOPICS])}
    missing = sorted({t[0] for t in TOPICS} - set(categories))
    if missing:
        raise OrdersGenerateError(f"Categories are missing: {', '.join(missing)}.")
    compounds, flats, organisations_created = _city(district)
    if connection.vendor == "sqlite":
        # as for the residents: the indexes of millions of orders outgrow the default 2 MB
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
    planner = _Planner(
        seed=seed, total=orders, now=now, compounds=compounds, flats=flats, categories=categories
    )
    order_table = _Table(WorkOrder, with_id=True)
    event_table = _Table(WorkOrderEvent, with_id=False)
    statuses: dict[str, int] = {}
    events_written = 0
    written = existing
    next_report = (existing // progress_every + 1) * progress_every
    upcoming = planner.plans(existing, orders - existing)
    for first in range(existing, orders, batch_size):
        count = min(batch_size, orders - first)
        plans = list(islice(upcoming, count))
        with transaction.atomic():
            ids = _reserve_ids(WorkOrder, count)
            events = []
            for pk, plan in zip(ids, plans, strict=True):
                plan.order["id"] = pk
                events.extend(
                    {
                        "order_id": pk,
                        "at": at,
                        "kind": kind,
                        "from_status": before,
                        "to_status": after,
                        "data": data,
                    }
                    for at, kind, before, after, data in plan.events
                )
            order_table.write([plan.order for plan in plans])
            event_table.write(events)
            audit_record(
                action=BATCH_ACTION,
                place_path=district.path,
                details={"seed": seed, "first": first, "count": count},
            )
        for plan in plans:
            statuses[plan.order["status"]] = statuses.get(plan.order["status"], 0) + 1
        events_written += len(events)
        written += count
        while progress and written >= next_report:
            progress(written, time.perf_counter() - started)
            next_report += progress_every
    added = orders - existing
    if added:
        statistics_refresh()
    seconds = time.perf_counter() - started
    if progress and added and written % progress_every:
        progress(written, seconds)
    if added:
        audit_record(
            action=DONE_ACTION,
            place_path=district.path,
            details={
                "seed": seed,
                "orders": orders,
                "added": added,
                "events": events_written,
                "seconds": round(seconds, 1),
                "database": connection.vendor,
            },
        )
    return GenerateOrdersResult(
        district=district,
        orders=orders,
        added=added,
        organisations_created=organisations_created,
        events=events_written,
        statuses=statuses,
        seconds=seconds,
    )


def statistics_refresh() -> None:
    """Refresh the planner's statistics of the tables just filled (SQLite's ANALYZE covers
    the whole file; on PostgreSQL only the orders and their events need it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE workorders_workorder")
            cursor.execute("ANALYZE workorders_workorderevent")
        else:
            cursor.execute("ANALYZE")
