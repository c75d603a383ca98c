"""``make bench``: measure the register, the place pages and the work queue on a synthetic
city of a million residents and two million work orders, as a street administrator, a
community worker and a property company's staff would use them, and filing orders through
the API of a real server under concurrency, and the API's write path (filing an order,
making a booking) as a share of a framework floor (a bare Django view that inserts one row,
on the same server); print a JSON report.

The city is written once by the generators (``linli generate``, ``linli generate_orders``)
into the bench database (``var/bench.sqlite3``, or ``DATABASE_URL`` for PostgreSQL) and
reused by later runs. Each measurement reports the median and 95th percentile time and the
number of SQL queries, which must not grow with the size of the city. Selectors are timed
directly, and the pages and API that serve them through the test client; filing, booking
and the floor go over HTTP to gunicorn on the loopback interface."""

import argparse
import contextlib
import http.client
import itertools
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

SECTIONS = ("places", "residents", "work_queue", "filing", "booking", "floor")


def percentile(sorted_times: list[float], share: float) -> float:
    return sorted_times[min(len(sorted_times) - 1, math.ceil(share * len(sorted_times)) - 1)]


def timed(call, repeat: int) -> dict:
    """Run ``call`` once to count its queries (and warm caches), then ``repeat`` times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        outcome = call()
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "queries": queries,
        **(outcome or {}),
    }


def measure_url(client, url: str, repeat: int, shown: str | None = None) -> dict:
    """A page or API call; one that does not answer 200 (not written yet, say) is reported,
    not timed. ``shown`` is the URL as the report prints it."""
    shown = shown or url
    try:
        response = client.get(url)
    except Exception as exc:  # noqa: BLE001 - the report says what failed
        return {"url": shown, "status": None, "error": f"{type(exc).__name__}: {exc}"[:300]}
    if response.status_code != 200:
        return {"url": shown, "status": response.status_code, "skipped": True}
    return {"url": shown, "status": 200, **timed(lambda: client.get(url) and None, repeat)}


def measure_selector(user, repeat: int, **filters) -> dict:
    """``resident_list`` as a page uses it: the first 50 rows and the total."""
    from linli.accounts.scope import forget_scope
    from linli.residents.selectors import resident_list

    def call():
        forget_scope(user)  # a page computes the scope once per request
        qs = resident_list(user=user, **filters)
        rows = list(qs[:50])
        return {"rows": len(rows), "count": qs.count()}

    return timed(call, repeat)


def data_set(*, residents: int, seed: int) -> tuple[dict, object]:
    """The generated city of ``seed``, written now if the bench database lacks it."""
    from django.db.models import Count

    from linli.core.models import AuditEvent
    from linli.places import tree
    from linli.places.models import Place
    from linli.residents.generate import city_generate, city_resident_count, district_name

    district = Place.objects.filter(parent=None, name=district_name(seed)).first()
    info: dict = {"seed": seed, "district": district_name(seed)}
    if district is None:

        def progress(written, seconds):
            print(f"generated {written:,} residents in {seconds:.1f}s", file=sys.stderr)

        result = city_generate(residents=residents, seed=seed, progress=progress)
        district = result.district
        info.update(generated_now=True, generation_seconds=round(result.seconds, 1))
    else:
        info["generated_now"] = False
        event = (
            AuditEvent.objects.filter(action="city.generate", place_path=district.path)
            .order_by("-at")
            .first()
        )
        if event is not None:
            info["generation_seconds"] = event.details.get("seconds")
            info["generated_at"] = event.at.isoformat()
        else:
            sys.exit(
                f"{district.name} exists but its generation did not finish; delete the bench "
                "database (or the district) and run again."
            )
    count = city_resident_count(district)
    if count != residents:
        sys.exit(
            f"The bench database holds {district.name} with {count:,} residents, not "
            f"{residents:,}: use --residents {count} or another --seed."
        )
    kinds = (
        Place.objects.filter(tree.subtree_q(district.path))
        .values_list("kind")
        .order_by()
        .annotate(n=Count("id"))
    )
    info.update(residents=count, places=dict(kinds))
    return info, district


def orders_data_set(*, district, orders: int, seed: int) -> dict:
    """The generated orders of the city, written now (or completed, after an interrupted
    run) if the bench database lacks them."""
    from django.db.models import Count

    from linli.core.models import AuditEvent
    from linli.places import tree
    from linli.workorders.generate import (
        DONE_ACTION,
        OrdersGenerateError,
        generated_order_count,
        orders_generate,
    )
    from linli.workorders.models import WorkOrder

    existing = generated_order_count(district)
    info: dict = {"orders": orders}
    if existing < orders:

        def progress(written, seconds):
            print(f"generated {written:,} work orders in {seconds:.1f}s", file=sys.stderr)

        try:
            result = orders_generate(seed=seed, orders=orders, batch_size=10_000, progress=progress)
        except OrdersGenerateError as exc:
            sys.exit(str(exc))
        info.update(
            generated_now=True,
            generated_before=existing,
            generation_seconds=round(result.seconds, 1),
            timeline_events_written=result.events,
        )
    elif existing > orders:
        sys.exit(
            f"The bench database holds {existing:,} generated orders in {district.name}, not "
            f"{orders:,}: use --orders {existing}."
        )
    else:
        info["generated_now"] = False
        event = (
            AuditEvent.objects.filter(action=DONE_ACTION, place_path=district.path)
            .order_by("-at")
            .first()
        )
        if event is not None:
            info["generation_seconds"] = event.details.get("seconds")
            info["generated_at"] = event.at.isoformat()
    statuses = (
        WorkOrder.objects.filter(tree.subtree_q(district.path, "place__path"))
        .values_list("status")
        .order_by()
        .annotate(n=Count("id"))
    )
    info["statuses_in_the_city"] = dict(sorted(statuses, key=lambda row: -row[1]))
    return info


def measure_api_list(client, url: str, repeat: int) -> dict:
    """An API list, with the number of rows it pages through."""
    entry = measure_url(client, url, repeat)
    if entry.get("status") == 200:
        entry["count"] = client.get(url).json().get("count")
    return entry


def measure_work_queue(*, users: dict, repeat: int) -> list[dict]:
    from django.test import Client

    lists = {
        "community_worker": [
            ("work queue page (open orders)", "/orders/"),
            ("work queue page, closed", "/orders/?status=closed"),
            ("API: open orders", "/api/v1/orders?open=true"),
            ("API: overdue orders in progress", "/api/v1/orders?status=in_progress&overdue=true"),
        ],
        "property_staff": [
            ("work queue page (open orders)", "/orders/"),
            ("API: open orders", "/api/v1/orders?open=true"),
        ],
    }
    entries = []
    for role, urls in lists.items():
        client = Client()
        client.force_login(users[role])
        for label, url in urls:
            measure = measure_api_list if url.startswith("/api/") else measure_url
            entries.append({"label": label, "as": role, **measure(client, url, repeat)})
            print(f"measured {label} as {role}", file=sys.stderr)
    return entries


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_call(port: int, method: str, path: str, *, body=None, token=None, timeout=60):
    """One request on a new connection (gunicorn's sync workers close each one): the
    status (None if the request failed), the time taken in ms and the start of the body."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        body = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        status, text = response.status, response.read()[:300]
    except OSError as exc:
        status, text = None, f"{type(exc).__name__}: {exc}".encode()
    finally:
        connection.close()
    return status, (time.perf_counter() - start) * 1000, text.decode(errors="replace")


def server_start(port: int, log, workers: int = 2) -> subprocess.Popen:
    """gunicorn with ``workers`` sync workers on the bench's settings and database (the
    environment is passed on, DATABASE_URL, LINLI_VAR_DIR and CONN_MAX_AGE included)."""
    env = dict(os.environ)  # DJANGO_SETTINGS_MODULE was set before django.setup()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "linli.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=Path(__file__).resolve().parent.parent, env=env, stdout=log, stderr=log
    )


def server_wait(server: subprocess.Popen, port: int, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode} before answering")
        status, _ms, _text = http_call(port, "GET", "/healthz", timeout=2)
        if status == 200:
            return
        time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer /healthz within {seconds:.0f}s")


def server_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@contextlib.contextmanager
def serving(user, purpose: str, workers: int = 2):
    """gunicorn on a free loopback port, warmed up, and an API token of ``user``: yields
    (port, secret); the server is stopped and the token revoked afterwards. The server's
    log is kept (its name in ``log_name``) only when the caller marks the run failed."""
    from linli.accounts.services import token_create, token_revoke
    from linli.core.actors import SYSTEM

    port = free_port()
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in the finally below
        prefix="linli-bench-gunicorn-", suffix=".log", delete=False
    )
    server = server_start(port, log, workers)
    token = None
    state = {"port": port, "log_name": log.name, "keep_log": False}
    try:
        try:
            server_wait(server, port)
        except RuntimeError as exc:
            state["keep_log"] = True
            raise RuntimeError(f"{exc}; its log: {log.name}") from exc
        token, secret = token_create(actor=SYSTEM, user=user, name=f"make bench {purpose}")
        state["secret"] = secret
        with ThreadPoolExecutor(max_workers=8) as pool:  # warm both workers up
            list(pool.map(lambda _i: http_call(port, "GET", "/healthz"), range(16)))
        yield state
    finally:
        server_stop(server)
        log.close()
        if token is not None:
            token_revoke(actor=SYSTEM, token=token)
        if not state["keep_log"]:
            os.unlink(log.name)


def latency(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "median": round(statistics.median(times), 1),
        "p95": round(percentile(times, 0.95), 1),
        "max": round(times[-1], 1),
    }


def filing_under_concurrency(
    *, worker, compound, filings: int, clients: int, workers: int = 2
) -> dict:
    """File ``filings`` orders through POST /api/v1/orders from ``clients`` threads against
    gunicorn, then check that exactly those orders exist, each with one "filed" event."""
    from django.db.models import Max

    from linli.workorders.models import EventKind, WorkOrder, WorkOrderEvent

    run = f"{time.time():.0f}"
    with serving(worker, f"filing {run}", workers) as server:
        port, secret = server["port"], server["secret"]
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(
                pool.map(
                    lambda _i: http_call(port, "GET", "/api/v1/categories", token=secret),
                    range(2 * clients),
                )
            )
        before = WorkOrder.objects.aggregate(last=Max("id"))["last"] or 0

        def file(i):
            body = {
                "category": "sanitation",
                "place": compound.pk,
                "title": f"压测工单 {run}-{i}",
                "channel": "counter",
                "reporter_name": "基准测试",
            }
            return http_call(port, "POST", "/api/v1/orders", body=body, token=secret)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            answers = list(pool.map(file, range(filings)))
        seconds = time.perf_counter() - started
        server["keep_log"] = any(status != 201 for status, _ms, _text in answers)

    statuses = Counter(str(status) for status, _ms, _text in answers)
    failures = [text for status, _ms, text in answers if status != 201]
    new = WorkOrder.objects.filter(id__gt=before)
    ours = new.filter(created_by=worker, title__startswith=f"压测工单 {run}-")
    filed = Counter(
        WorkOrderEvent.objects.filter(order__in=ours, kind=EventKind.FILED).values_list(
            "order_id", flat=True
        )
    )
    ours_count = ours.count()
    with_one = sum(1 for n in filed.values() if n == 1)
    verified = {
        "new_orders": new.count(),
        "new_orders_of_this_run": ours_count,
        "distinct_titles": ours.values("title").distinct().count(),
        "orders_with_exactly_one_filed_event": with_one,
    }
    ok = (
        not failures
        and verified["new_orders"] == verified["new_orders_of_this_run"] == filings
        and verified["distinct_titles"] == filings
        and with_one == filings == len(filed)
    )
    report = {
        "server": f"gunicorn, {workers} sync workers, loopback",
        "as": worker.username,
        "place": compound.name_path,
        "clients": clients,
        "filings": filings,
        "seconds": round(seconds, 2),
        "orders_per_second": round(filings / seconds, 1),
        "latency_ms": latency([ms for _status, ms, _text in answers]),
        "status_codes": dict(statuses),
        "non_201": len(failures),
        "verified": verified,
        "ok": ok,
    }
    if failures:
        report["first_failures"] = failures[:3]
        report["server_log"] = server["log_name"]
    return report


def booking_under_concurrency(
    *, worker, compound, slots: int, per_slot: int, clients: int, workers: int = 2
):
    """Ask for ``slots`` one-hour slots of a new room, each ``per_slot`` times at once,
    through POST /api/v1/rooms/{id}/bookings from ``clients`` threads against gunicorn; then
    check that each slot was booked exactly once (one 201, the others 409) and that no two
    active bookings of the room overlap. Also time the room's free slots for a month."""
    from datetime import datetime, timedelta
    from datetime import time as clock

    from django.utils import timezone

    from linli.bookings.models import ACTIVE_STATUSES, Booking, Purpose, RoomKind
    from linli.bookings.services import room_create

    run = f"{time.time():.0f}"
    room = room_create(
        actor=worker,
        place=compound,
        name=f"压测会客厅 {run}",
        kind=RoomKind.RECEPTION_HALL,
        opens=clock(0),
        closes=clock(0),
        max_days_ahead=366,
        min_notice_hours=0,
        max_hours=24,
        max_active_per_household=50,
        approval_required=False,
    )
    first = datetime.combine(
        timezone.localdate() + timedelta(days=2), clock(0), tzinfo=timezone.get_default_timezone()
    )
    # The copies of one slot are next to each other, so that they arrive together.
    asks = [(first + timedelta(hours=n)).isoformat() for n in range(slots) for _ in range(per_slot)]

    def book(start: str):
        end = (datetime.fromisoformat(start) + timedelta(hours=1)).isoformat()
        body = {"start": start, "end": end, "purpose": Purpose.FAMILY_GATHERING}
        return http_call(
            server["port"], "POST", f"/api/v1/rooms/{room.pk}/bookings", body=body,
            token=server["secret"],
        )  # fmt: skip

    with serving(worker, f"booking {run}", workers) as server:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            answers = list(pool.map(book, asks))
        seconds = time.perf_counter() - started
        server["keep_log"] = any(status not in (201, 409) for status, _ms, _text in answers)
        slot_times = [
            http_call(
                server["port"],
                "GET",
                f"/api/v1/rooms/{room.pk}/slots?start={first.date()}"
                f"&end={first.date() + timedelta(days=30)}",
                token=server["secret"],
            )
            for _ in range(10)
        ]

    statuses = Counter(str(status) for status, _ms, _text in answers)
    active = Booking.objects.filter(room=room, status__in=ACTIVE_STATUSES).order_by("start")
    spans = list(active.values_list("start", "end"))
    overlaps = sum(1 for (_s, end), (start, _e) in itertools.pairwise(spans) if start < end)
    verified = {
        "bookings": len(spans),
        "distinct_starts": len({start for start, _end in spans}),
        "overlapping_pairs": overlaps,
    }
    ok = (
        statuses.get("201", 0) == slots
        and statuses.get("409", 0) == slots * (per_slot - 1)
        and verified["bookings"] == verified["distinct_starts"] == slots
        and overlaps == 0
    )
    report = {
        "server": f"gunicorn, {workers} sync workers, loopback",
        "as": worker.username,
        "room": room.name,
        "clients": clients,
        "slots": slots,
        "requests_per_slot": per_slot,
        "requests": len(asks),
        "seconds": round(seconds, 2),
        "requests_per_second": round(len(asks) / seconds, 1),
        "latency_ms": latency([ms for _status, ms, _text in answers]),
        "status_codes": dict(statuses),
        "free_slots_30_days_ms": latency([ms for _status, ms, _text in slot_times]),
        "free_slots_statuses": dict(Counter(str(st) for st, _ms, _t in slot_times)),
        "verified": verified,
        "ok": ok,
    }
    if not ok:
        report["first_failures"] = [t for st, _ms, t in answers if st not in (201, 409)][:3]
        report["server_log"] = server["log_name"]
    return report


def connection_settings() -> dict:
    """How the bench's server holds its database connections (from the environment)."""
    from django.db import connection

    database = connection.settings_dict
    return {
        "CONN_MAX_AGE": database["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": database["CONN_HEALTH_CHECKS"],
        "pool": database["OPTIONS"].get("pool"),
    }


def queries_per_request(user, calls: dict) -> dict:
    """The SQL queries of one request of each kind, counted in this process through the test
    client with a bearer token, as the server runs them once the token's use has been noted
    (at most once a minute). The server adds, per request, the connection's health check
    when ``CONN_HEALTH_CHECKS`` is on (``SELECT 1`` on PostgreSQL)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from linli.accounts.services import token_create, token_revoke
    from linli.core.actors import SYSTEM

    token, secret = token_create(actor=SYSTEM, user=user, name="make bench queries")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    counts = {}
    try:
        client.get("/api/v1/categories")  # notes the token's first use
        for kind, (path, body) in calls.items():
            with CaptureQueriesContext(connection) as ctx:
                response = client.post(path, data=body, content_type="application/json")
            counts[kind] = {"queries": len(ctx.captured_queries), "status": response.status_code}
    finally:
        token_revoke(actor=SYSTEM, token=token)
    return counts


def cpu_steal_seconds() -> float | None:
    """Time the hypervisor gave this machine's CPUs to others (Linux), so that a run on a
    busy host shows as one; None where /proc/stat does not say."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def write_path_against_floor(
    *, worker, compound, writes: int, rounds: int, clients: int, workers: int = 2
) -> dict:
    """The write path as a share of the framework floor, in one gunicorn and with one client
    pool: ``writes`` requests of each kind, in ``rounds`` rounds that take the kinds in turn
    (so that a noisy moment of the machine falls on all of them) — the floor's
    ``POST /bench/floor`` (a bare Django view inserting one row), filing an order through
    ``POST /api/v1/orders`` and booking a free slot through
    ``POST /api/v1/rooms/{id}/bookings``. Each kind reports requests per second, latency and
    queries per request; filing and booking their ratio to the floor. Every request must
    answer 201 and leave exactly its row."""
    from datetime import datetime, timedelta
    from datetime import time as clock

    from django.utils import timezone

    from linli.benchfloor import FLOOR_PATH, FloorRow, floor_table_ensure
    from linli.bookings.models import ACTIVE_STATUSES, Booking, Purpose, RoomKind
    from linli.bookings.services import room_create
    from linli.workorders.models import WorkOrder
    from linli.workorders.seed import seed_categories

    floor_table_ensure()
    seed_categories()  # the order generator's categories, should it not have run here
    run = f"{time.time():.0f}"
    room = room_create(
        actor=worker,
        place=compound,
        name=f"压测活动室 {run}",
        kind=RoomKind.RECEPTION_HALL,
        opens=clock(0),
        closes=clock(0),
        max_days_ahead=366,
        min_notice_hours=0,
        max_hours=24,
        max_active_per_household=50,
        approval_required=False,
    )
    first = datetime.combine(
        timezone.localdate() + timedelta(days=2), clock(0), tzinfo=timezone.get_default_timezone()
    )
    hours = itertools.count()  # one free one-hour slot for every booking request

    def body(kind: str, i: str) -> dict:
        if kind == "floor":
            return {"label": f"floor {run}-{i}"}
        if kind == "filing":
            return {
                "category": "sanitation",
                "place": compound.pk,
                "title": f"压测工单 {run}-{i}",
                "channel": "counter",
                "reporter_name": "基准测试",
            }
        start = first + timedelta(hours=next(hours))
        end = start + timedelta(hours=1)
        return {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "purpose": Purpose.FAMILY_GATHERING,
        }

    paths = {
        "floor": FLOOR_PATH,
        "filing": "/api/v1/orders",
        "booking": f"/api/v1/rooms/{room.pk}/bookings",
    }
    kinds = tuple(paths)
    queries = queries_per_request(
        worker, {kind: (paths[kind], body(kind, "queries")) for kind in kinds}
    )
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    seconds = dict.fromkeys(kinds, 0.0)
    round_rates: dict[str, list[float]] = {kind: [] for kind in kinds}
    statuses: dict[str, Counter] = {kind: Counter() for kind in kinds}
    failures: dict[str, list[str]] = {kind: [] for kind in kinds}
    sent = Counter()
    per_round = [writes // rounds + (1 if r < writes % rounds else 0) for r in range(rounds)]
    steal_before, started, load_before = cpu_steal_seconds(), time.perf_counter(), os.getloadavg()

    with serving(worker, f"floor {run}", workers) as server:
        port, secret = server["port"], server["secret"]

        def batch(kind: str, labels: list[str]) -> tuple[float, list]:
            # the bodies first (booking slots come from one counter), then the requests
            bodies = [body(kind, label) for label in labels]
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                answers = list(
                    pool.map(
                        lambda b: http_call(port, "POST", paths[kind], body=b, token=secret),
                        bodies,
                    )
                )
            sent[kind] += len(bodies)
            return time.perf_counter() - started, answers

        for kind in kinds:  # every worker runs every kind once before the clock starts
            _s, answers = batch(kind, [f"warm-{n}" for n in range(2 * clients)])
            statuses[kind].update(str(status) for status, _ms, _text in answers)
        for number, count in enumerate(per_round):
            for kind in kinds[number % len(kinds) :] + kinds[: number % len(kinds)]:
                spent, answers = batch(kind, [f"{number}-{n}" for n in range(count)])
                seconds[kind] += spent
                round_rates[kind].append(round(count / spent, 1))
                times[kind].extend(ms for _status, ms, _text in answers)
                statuses[kind].update(str(status) for status, _ms, _text in answers)
                failures[kind].extend(text for status, _ms, text in answers if status != 201)
        server["keep_log"] = any(failures.values())
    steal_after, elapsed = cpu_steal_seconds(), time.perf_counter() - started

    made = {
        "floor": FloorRow.objects.filter(label__startswith=f"floor {run}-").count(),
        "filing": WorkOrder.objects.filter(
            created_by=worker, title__startswith=f"压测工单 {run}-"
        ).count(),
        "booking": Booking.objects.filter(room=room, status__in=ACTIVE_STATUSES).count(),
    }
    report: dict = {
        "server": f"gunicorn, {workers} sync workers, loopback",
        "database_connections": connection_settings(),
        "as": worker.username,
        "place": compound.name_path,
        "room": room.name,
        "clients": clients,
        "rounds": rounds,
        "requests_of_each_kind": writes,
        "machine": {
            "cpus": os.cpu_count(),
            # other work on the machine skews the figures (the ratios less than the rates)
            "load_average_before": [round(n, 2) for n in load_before],
            "load_average_after": [round(n, 2) for n in os.getloadavg()],
            "seconds": round(elapsed, 1),
            # CPU time taken by other guests of the host: a noisy run shows here
            "cpu_steal_seconds": None
            if steal_before is None or steal_after is None
            else round(steal_after - steal_before, 1),
        },
    }
    floor_rate = writes / seconds["floor"]
    for kind in kinds:
        rate = writes / seconds[kind]
        entry = {
            "request": f"POST {paths[kind]}",
            "requests_per_second": round(rate, 1),
            **({} if kind == "floor" else {"ratio_to_floor": round(rate / floor_rate, 3)}),
            "latency_ms": latency(times[kind]),
            "requests_per_second_by_round": round_rates[kind],
            "queries_per_request": queries[kind]["queries"],
            "status_codes": dict(statuses[kind]),
            # the warm-up and the query count made rows too
            "rows_made": made[kind],
            "rows_expected": sent[kind] + (queries[kind]["status"] == 201),
        }
        if failures[kind]:
            entry["first_failures"] = failures[kind][:3]
        report[kind] = entry
    report["ok"] = all(
        not failures[kind]
        and set(statuses[kind]) == {"201"}
        and queries[kind]["status"] == 201
        and report[kind]["rows_made"] == report[kind]["rows_expected"]
        for kind in kinds
    )
    if not report["ok"]:
        report["server_log"] = server["log_name"]
    return report


def floor_summary(report: dict) -> str:
    floor, filing, booking = report["floor"], report["filing"], report["booking"]
    machine = report["machine"]

    def ms(entry):
        return f"p50 {entry['latency_ms']['median']} ms, p95 {entry['latency_ms']['p95']} ms"

    return (
        f"floor {floor['requests_per_second']} requests/s ({ms(floor)}); "
        f"filing {filing['ratio_to_floor']} of the floor ({filing['requests_per_second']}/s, "
        f"{ms(filing)}, {filing['queries_per_request']} queries); "
        f"booking {booking['ratio_to_floor']} of the floor ({booking['requests_per_second']}/s, "
        f"{ms(booking)}, {booking['queries_per_request']} queries); "
        f"{report['clients']} clients, {report['server']}"
        + (
            f"; {steal} s of CPU stolen by the host"
            if (steal := machine["cpu_steal_seconds"])
            else ""
        )
        + ("" if report["ok"] else "; NOT OK, see the report")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--orders", type=int, default=2_000_000, help="generated work orders in the city"
    )
    parser.add_argument(
        "--filings", type=int, default=2000, help="orders filed through the API under load"
    )
    parser.add_argument(
        "--clients", type=int, default=16, help="concurrent clients (filing, booking, floor)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--writes",
        type=int,
        default=900,
        help="requests of each kind against the floor: floor, filing, booking (floor)",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds that take the kinds in turn (floor)"
    )
    parser.add_argument(
        "--slots", type=int, default=200, help="room slots asked for under load (booking)"
    )
    parser.add_argument(
        "--per-slot", type=int, default=5, help="simultaneous requests for each slot (booking)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="sections to run"
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 64 or args.filings < 1:
        parser.error("--clients must be 1 to 64 and --filings at least 1")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be 1 to 16")
    if not 1 <= args.rounds <= args.writes <= 8000:
        parser.error("--writes must be at least --rounds and at most 8000 (a year of slots)")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings.bench")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from linli.accounts.models import User
    from linli.accounts.services import grant_create, user_create
    from linli.core.actors import SYSTEM
    from linli.core.crypto import mask_id_number, mask_phone
    from linli.places import tree
    from linli.places.models import Organisation, OrganisationKind, Place
    from linli.places.services import membership_add
    from linli.residents.generate import statistics_refresh
    from linli.residents.models import Resident

    call_command("migrate", verbosity=0)
    info, district = data_set(residents=args.residents, seed=args.seed)
    statistics_refresh()  # as after any bulk load (the generator does it too)

    street = Place.objects.filter(parent=district).order_by("path").first()
    community = Place.objects.filter(parent=street).order_by("path").first()
    compound = Place.objects.filter(parent=community).order_by("path").last()
    household = (
        Place.objects.filter(tree.subtree_q(compound.path), kind="household")
        .order_by("path")
        .last()
    )
    in_subtree = {
        place: Resident.objects.filter(tree.subtree_q(place.path, "place__path")).count()
        for place in (street, community, compound)
    }
    info["scopes"] = {
        kind: {"id": place.pk, "name_path": place.name_path, "residents": in_subtree[place]}
        for kind, place in (("street", street), ("community", community), ("compound", compound))
    }

    def account(username, role, place):
        user = User.objects.filter(username=username).first() or user_create(
            actor=SYSTEM, username=username, password=None
        )
        grant_create(actor=SYSTEM, user=user, role=role, place=place)
        return user

    users = {
        "street_admin": account(f"bench-street-{args.seed}", "street_admin", street),
        "community_worker": account(f"bench-community-{args.seed}", "community_worker", community),
    }
    # Numbers to look up: a resident of the community, so that both users may find them.
    sample = (
        Resident.objects.filter(tree.subtree_q(community.path, "place__path"))
        .exclude(phone_hash="")
        .order_by("id")
        .first()
    )
    id_number, phone = sample.id_number, sample.phone
    masked = {id_number: mask_id_number(id_number), phone: mask_phone(phone)}
    searches = [
        ("pinyin initials", "zxm"),
        ("full pinyin prefix", "zhangxiao"),
        ("Chinese name", "张晓明"),
        ("exact ID number", id_number),
        ("exact mobile number", phone),
    ]

    if {"work_queue", "filing"} & set(args.only):
        info["work_orders"] = orders_data_set(district=district, orders=args.orders, seed=args.seed)
        # the staff of the compound's property company (made by the order generator)
        company = (
            Organisation.objects.filter(kind=OrganisationKind.PROPERTY_COMPANY, place=compound)
            .order_by("id")
            .first()
        )
        users["property_staff"] = User.objects.filter(
            username=f"bench-property-{args.seed}"
        ).first() or user_create(
            actor=SYSTEM, username=f"bench-property-{args.seed}", password=None
        )
        membership_add(actor=SYSTEM, user=users["property_staff"], organisation=company)
        info["scopes"]["property_company"] = {"id": company.pk, "name": company.name}

    report = {
        "database": {
            "vendor": connection.vendor,
            "version": ".".join(map(str, connection.Database.sqlite_version_info))
            if connection.vendor == "sqlite"
            else connection.cursor().connection.info.server_version,
        },
        "data_set": info,
        "repeat": args.repeat,
        "places": [],
        "residents": [],
    }

    admin = Client()
    admin.force_login(users["street_admin"])
    for label, url in (
        []
        if "places" not in args.only
        else [
            ("street page (children, paginated)", f"/places/{street.pk}/"),
            ("compound page", f"/places/{compound.pk}/"),
            ("household page (deepest level)", f"/places/{household.pk}/"),
            ("API: everything in the street, first 50", f"/api/v1/places?within={street.pk}"),
            (
                "API: households in the street, page 100",
                f"/api/v1/places?within={street.pk}&kind=household&offset=5000",
            ),
            ("API: one place", f"/api/v1/places/{household.pk}"),
            ("organisations page", "/organisations/"),
        ]
    ):
        report["places"].append(
            {"label": label, "as": "street_admin", **measure_url(admin, url, args.repeat)}
        )
        print(f"measured {label}", file=sys.stderr)

    for role, user in users.items():
        if "residents" not in args.only or role not in ("street_admin", "community_worker"):
            continue
        client = Client()
        client.force_login(user)
        # each at the top of their own scope (a community worker's pages refuse the street)
        top = street if role == "street_admin" else community
        lists = [
            (f"residents of the {top.kind}", {"place": top.pk}),
            ("residents of a compound", {"place": compound.pk}),
        ]
        for label, filters in lists + [(f"search: {lbl}", {"q": q}) for lbl, q in searches]:
            query = urlencode(filters)
            # the report shows the looked-up numbers masked, as the register does
            shown_filters = {
                key: masked.get(value, value) if key == "q" else value
                for key, value in filters.items()
            }
            shown = urlencode(shown_filters, safe="*")
            entry = {"label": label, "as": role, "filters": shown_filters}
            entry["selector"] = measure_selector(user, args.repeat, **filters)
            for part, path in (("page", "/residents/"), ("api", "/api/v1/residents")):
                entry[part] = measure_url(
                    client, f"{path}?{query}", args.repeat, shown=f"{path}?{shown}"
                )
            report["residents"].append(entry)
            print(f"measured {label} as {role}", file=sys.stderr)

    if "work_queue" in args.only:
        report["work_queue"] = measure_work_queue(users=users, repeat=args.repeat)
    if "filing" in args.only:
        # Filed orders stay (they are never deleted): they go to another community, with
        # its own worker, so that the measured work queue does not grow from run to run.
        elsewhere = Place.objects.filter(parent=street).order_by("path").last()
        filer = account(f"bench-filing-{args.seed}", "community_worker", elsewhere)
        report["filing_under_concurrency"] = filing_under_concurrency(
            worker=filer,
            compound=Place.objects.filter(parent=elsewhere).order_by("path").first(),
            filings=args.filings,
            clients=args.clients,
            workers=args.workers,
        )
        print("measured filing under concurrency", file=sys.stderr)
    if "booking" in args.only:
        booker = account(f"bench-booking-{args.seed}", "community_worker", community)
        report["booking_under_concurrency"] = booking_under_concurrency(
            worker=booker,
            compound=compound,
            slots=args.slots,
            per_slot=args.per_slot,
            clients=args.clients,
            workers=args.workers,
        )
        print("measured booking under concurrency", file=sys.stderr)
    if "floor" in args.only:
        # as filing: in a community of its own, so that the measured work queue stays put
        elsewhere = Place.objects.filter(parent=street).order_by("path").last()
        writer = account(f"bench-floor-{args.seed}", "community_worker", elsewhere)
        report["write_path_against_floor"] = floor = write_path_against_floor(
            worker=writer,
            compound=Place.objects.filter(parent=elsewhere).order_by("path").first(),
            writes=args.writes,
            rounds=args.rounds,
            clients=args.clients,
            workers=args.workers,
        )
        print(f"measured the write path against the floor: {floor_summary(floor)}", file=sys.stderr)

    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
