from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "linli.bookings"
    label = "bookings"
    verbose_name = _("Rooms and bookings")

    def ready(self):
        from . import workbench

        workbench.register()
        from linli.core.navigation import (
            NavEntry,
            PlaceLink,
            register_nav_entry,
            register_place_link,
        )

        register_nav_entry(
            NavEntry(
                "bookings:room-list",
                _("Rooms"),
                _("阵地: the reception hall and other rooms, their free times and bookings."),
                permission="bookings.view_room",
            ),
            after="meetings:meeting-list",
        )
        register_nav_entry(
            NavEntry(
                "bookings:desk",
                _("Booking desk"),
                _("Requests to approve, today's bookings to check in, no-shows to mark."),
                permission="bookings.manage_booking",
            ),
            after="bookings:room-list",
        )
        register_place_link(
            PlaceLink(
                "bookings:room-list",
                _("Rooms"),
                "bookings.view_room",
                kinds=frozenset({"community", "compound", "building"}),
            )
        )
