"""``make bench``: build a synthetic city's place tree and measure the pages and API that
list and open places, as a street administrator would use them.

Reports the median and 95th percentile time of each request and the number of SQL queries,
which must not grow with the size of the city. Rerun with ``--scale`` to compare sizes, and
with ``DATABASE_URL`` set to measure PostgreSQL."""

import argparse
import os
import statistics
import time


def build_city(scale: int):
    from linli.places.models import Place
    from linli.places.services import place_create, places_bulk_create

    if Place.objects.filter(name=f"基准市{scale}").exists():
        return Place.objects.get(name=f"基准市{scale}")
    district = place_create(kind="district", name=f"基准市{scale}", parent=None)
    streets = places_bulk_create(
        parent=district, kind="street", names=[f"街道{i}" for i in range(10)]
    )
    for street in streets:
        communities = places_bulk_create(
            parent=street, kind="community", names=[f"社区{i}" for i in range(scale)]
        )
        for community in communities:
            compounds = places_bulk_create(
                parent=community, kind="compound", names=[f"小区{i}" for i in range(4)]
            )
            for compound in compounds:
                buildings = places_bulk_create(
                    parent=compound, kind="building", names=[f"{i}号楼" for i in range(1, 7)]
                )
                for building in buildings:
                    places_bulk_create(
                        parent=building,
                        kind="household",
                        names=[f"{f}0{d}" for f in range(1, 7) for d in (1, 2)],
                    )
    return district


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = len(ctx.captured_queries)
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return statistics.median(times), p95, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scale", type=int, default=25, help="communities per street (x10 streets)"
    )
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings.bench")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from linli.accounts.models import User
    from linli.accounts.services import grant_create, user_create
    from linli.places.models import Place
    from linli.places.tree import subtree_q

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    district = build_city(args.scale)
    built = time.perf_counter() - start
    street = Place.objects.filter(parent=district).order_by("path").first()
    total = Place.objects.filter(subtree_q(district.path)).count()
    in_street = Place.objects.filter(subtree_q(street.path)).count()
    username = f"bench-street-{args.scale}"
    user = User.objects.filter(username=username).first() or user_create(
        username=username, password=None
    )
    grant_create(user=user, role="street_admin", place=street)
    client = Client()
    client.force_login(user)
    household = Place.objects.filter(subtree_q(street.path), kind="household").last()
    compound = Place.objects.filter(subtree_q(street.path), kind="compound").last()

    print(
        f"database: {django.db.connection.vendor}; city of {total:,} places "
        f"(built in {built:.1f}s), the street holds {in_street:,}"
    )
    print(f"{'request':<58} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, url in [
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
    ]:
        median, p95, queries = measure(client, url, args.repeat)
        print(f"{label:<58} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
