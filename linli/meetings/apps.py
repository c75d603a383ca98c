from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "linli.meetings"
    label = "meetings"
    verbose_name = _("Deliberation meeting")

    def ready(self):
        from . import workbench

        workbench.register()
        from linli.core.navigation import (
            NavEntry,
            PlaceLink,
            register_nav_entry,
            register_place_link,
        )
        from linli.workorders.hooks import on_order_event
        from linli.workorders.models import EventKind

        from .services import decisions_refresh_for_event, topic_from_referral

        on_order_event({EventKind.REFERRED}, topic_from_referral)
        from linli.notices.links import getter_check, register_link_check

        from .selectors import meeting_get

        # A minutes notice links to its meeting: shown to those who may open it.
        register_link_check("meetings:meeting-detail", getter_check(meeting_get))
        on_order_event({EventKind.CLOSED, EventKind.MERGED}, decisions_refresh_for_event)
        register_nav_entry(
            NavEntry(
                "meetings:meeting-list",
                _("Deliberation meeting"),
                _("民情议事厅: proposals, agendas, decisions and what became of them."),
            ),
            after="workorders:order-list",
        )
        register_place_link(
            PlaceLink(
                "meetings:meeting-list",
                _("Deliberation meeting"),
                "meetings.view_meeting",
                kinds=frozenset({"compound"}),
            )
        )
