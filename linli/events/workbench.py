"""The events' menu entry: what residents can join, and the organisers' events."""

from django.utils.translation import gettext_lazy as _

from linli.core.navigation import NavEntry, register_nav_entry


def register() -> None:
    register_nav_entry(
        NavEntry(
            "events:event-list",
            _("Events"),
            _("活动: what you can join, your registrations, and the events you organise."),
            permission="events.see_menu",
        )
    )
