"""``linli open311-key ORGANISATION_NAME [--place NAME_PATH]`` issues a new Open311 API key
for the organisation and prints it once (only its hash is kept). Requests filed with it come
from that organisation."""

from django.core.management.base import BaseCommand, CommandError

from linli.core.actors import SYSTEM
from linli.open311.services import open311_key_create
from linli.places.models import Organisation


class Command(BaseCommand):
    help = "Issue a new Open311 API key for an organisation and print it once."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The organisation's name, e.g. 站东社区居民委员会")
        parser.add_argument(
            "--place",
            default="",
            help="The full name path of the place it serves, when several share the name.",
        )

    def handle(self, *args, organisation, place, **options):
        candidates = Organisation.objects.filter(name=organisation.strip()).select_related("place")
        if place:
            candidates = candidates.filter(place__name_path=place.strip())
        found = list(candidates[:10])
        if not found:
            raise CommandError(f"No organisation named {organisation!r}.")
        if len(found) > 1:
            places = ", ".join(o.place.name_path for o in found)
            raise CommandError(
                f"Several organisations are named {organisation!r} ({places}); "
                "choose one with --place."
            )
        chosen = found[0]
        if not chosen.is_active:
            raise CommandError(f"{chosen.name} is inactive; its keys would not work.")
        key, secret = open311_key_create(actor=SYSTEM, organisation=chosen)
        self.stdout.write(secret)
        self.stderr.write(
            f"Open311 key {key.pk} for {chosen.name} ({chosen.place.name_path}). "
            "Keep it safe: it is not shown again."
        )
