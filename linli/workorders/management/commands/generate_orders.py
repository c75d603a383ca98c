"""``linli generate_orders --orders N --seed S``: three years of synthetic work orders for
the city made by ``linli generate --seed S``, for load tests and benchmarks. Run again, it
adds only what is missing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.residents.generate import district_name
from linli.workorders.generate import DEFAULT_ORDERS, OrdersGenerateError, orders_generate


class Command(BaseCommand):
    help = "Add synthetic work orders to a generated city until it holds N (never in production)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--orders",
            type=int,
            default=DEFAULT_ORDERS,
            help=f"How many generated orders the city should hold (default {DEFAULT_ORDERS:,}).",
        )
        parser.add_argument("--seed", type=int, default=1, help="The seed the city was made with.")
        parser.add_argument(
            "--batch", type=int, default=5000, help="Orders per transaction (default 5000)."
        )

    def handle(self, *args, orders, seed, batch=5000, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("Synthetic work orders are not generated in production.")
        self.stdout.write(f"Generating work orders in {district_name(seed)}: {orders:,} in all")

        def progress(written, seconds):
            self.stdout.write(f"  {written:>12,} orders  {seconds:8.1f}s")
            self.stdout.flush()

        try:
            result = orders_generate(
                seed=seed, orders=orders, batch_size=max(1, batch), progress=progress
            )
        except OrdersGenerateError as exc:
            raise CommandError(str(exc)) from exc
        if not result.added:
            self.stdout.write(
                f"Nothing to add: {result.district.name} holds {result.orders:,} generated "
                "orders already."
            )
            return
        statuses = ", ".join(
            f"{status} {n:,}" for status, n in sorted(result.statuses.items(), key=lambda x: -x[1])
        )
        self.stdout.write(
            f"Done in {result.seconds:.1f}s: added {result.added:,} orders "
            f"({result.events:,} timeline events; {statuses}); "
            f"{result.organisations_created:,} property companies created. "
            f"{result.district.name} now holds {result.orders:,} generated orders."
        )
