"""What the service desk adds to the homes and the menu: the catalogue, for everyone; the
counter for the desk's staff; a resident's own cases."""

from django.utils.translation import gettext_lazy as _

from linli.core.navigation import (
    ALL,
    RESIDENTS,
    STAFF,
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
    register_nav_entry(
        NavEntry(
            "servicedesk:desk",
            _("Service desk"),
            _("The counter: find a resident, open a case, tick materials, print."),
            permission="servicedesk.open_case",
            audience=STAFF,
        ),
        after="servicedesk:matter-list",
    )
    register_nav_entry(
        NavEntry(
            "servicedesk:figures",
            _("Service desk figures"),
            _("Matters handled per matter, channel, worker and month; the 12345 calls saved."),
            permission="servicedesk.view_figures",
            audience=STAFF,
        ),
        after="servicedesk:desk",
    )
    register_nav_entry(
        NavEntry(
            "servicedesk:my-cases",
            _("My cases"),
            _("What you asked the service desk to do, and where each stands."),
            audience=RESIDENTS,
        ),
        after="servicedesk:desk",
    )
    register_quick_action(QuickAction("servicedesk:matter-list", _("What to bring"), 60))
