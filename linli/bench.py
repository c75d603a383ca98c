"""``make bench``: measure the register and the place pages on a synthetic city of a million
residents, as a street administrator and as a community worker would use them, and print
a JSON report.

The city is written once by the generator (``linli generate``) into the bench database
(``var/bench.sqlite3``, or ``DATABASE_URL`` for PostgreSQL) and reused by later runs. Each
measurement reports the median and 95th percentile time and the number of SQL queries,
which must not grow with the size of the city. Selectors are timed directly, and the pages
and API that serve them through the test client."""

import argparse
import json
import math
import os
import statistics
import sys
import time
from urllib.parse import urlencode


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings.bench")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from linli.accounts.models import User
    from linli.accounts.services import grant_create, user_create
    from linli.core.crypto import mask_id_number, mask_phone
    from linli.places import tree
    from linli.places.models import Place
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
            username=username, password=None
        )
        grant_create(user=user, role=role, place=place)
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
        report["places"].append(
            {"label": label, "as": "street_admin", **measure_url(admin, url, args.repeat)}
        )
        print(f"measured {label}", file=sys.stderr)

    for role, user in users.items():
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

    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
