"""What the service desk adds to the homes and the menu: the catalogue, for everyone."""

from django.utils.translation import gettext_lazy as _

from linli.core.navigation import (
    ALL,
    NavEntry,
    QuickAction,
    register_nav_entry,
    register_quick_action,
)


def register() -> None:
    register_nav_entry(
        NavEntry(
            "servicedesk:matter-list",
            _("Service matters"),
            _("办事指南: what the desk handles, how long it takes and what to bring."),
            permission="servicedesk.view_matter",
            audience=ALL,
        ),
        after="lending:item-list",
    )
    register_quick_action(QuickAction("servicedesk:matter-list", _("What to bring"), 60))
