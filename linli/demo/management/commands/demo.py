"""``linli demo``: load the demo world (idempotent). ``--if-empty`` loads only into a database
without places; ``--logins`` prints the demo accounts."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.demo import world
from linli.demo.services import demo_load, demo_logins
from linli.places.models import Place


class Command(BaseCommand):
    help = "Load the demo world of Pingcheng district (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only into an empty database.")
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, if_empty=False, logins=False, **options):
        if logins:
            self.print_logins()
            return
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "The demo world has known passwords; it is not loaded in production."
            )
        if if_empty and Place.objects.exists():
            self.stdout.write("The database already has places; demo world not loaded.")
            return
        counts = demo_load()
        self.stdout.write(
            "Demo world ready: {places} places, {organisations} organisations, "
            "{accounts} accounts; {residents} residents, {orders} work orders, "
            "{meetings} meetings, {rooms} rooms, {items} lent items, {cards} health cards, "
            "{matters} service matters, {cases} desk cases, {mediations} mediations, "
            "{volunteers} volunteers, {tutoring_children} children in summer tutoring and "
            "{events} events added.".format(**counts)
        )

    def print_logins(self):
        self.stdout.write(f"Demo logins (password for all: {world.DEMO_PASSWORD}):")
        for username, label in demo_logins():
            self.stdout.write(f"  {username:<10} {label}")
