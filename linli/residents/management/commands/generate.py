"""``linli generate --residents N --seed S``: write a reproducible synthetic city (its own
district, down to flats and residents) for load tests and benchmarks."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.residents.generate import (
    GenerateError,
    city_generate,
    default_as_of,
    district_code,
    district_name,
)


class Command(BaseCommand):
    help = "Generate a reproducible synthetic city with N residents (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, required=True, help="How many residents.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same city.")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="Ages are drawn as of this date (YYYY-MM-DD; default 1 January this year).",
        )
        parser.add_argument(
            "--batch", type=int, default=5000, help="Residents per transaction (default 5000)."
        )

    def handle(self, *args, residents, seed, as_of=None, batch=5000, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("Synthetic residents are not generated in production.")
        as_of = as_of or default_as_of()
        self.stdout.write(
            f"Generating {district_name(seed)} (code {district_code(seed)}): "
            f"{residents:,} residents, seed {seed}, ages as of {as_of.isoformat()}"
        )

        def progress(written, seconds):
            rate = written / seconds if seconds else 0
            self.stdout.write(f"  {written:>12,} residents  {seconds:8.1f}s  ({rate:,.0f}/s)")
            self.stdout.flush()

        try:
            result = city_generate(
                residents=residents,
                seed=seed,
                as_of=as_of,
                batch_size=max(1, batch),
                progress=progress,
            )
        except GenerateError as exc:
            raise CommandError(str(exc)) from exc
        places = result.places
        self.stdout.write(
            f"Done in {result.seconds:.1f}s: {result.residents:,} residents in "
            f"{result.households:,} households; {places['street']} streets, "
            f"{places['community']} communities, {places['compound']} compounds, "
            f"{places['building']:,} buildings, {places['unit']:,} units, "
            f"{places['household']:,} flats. District id {result.district.pk}."
        )
