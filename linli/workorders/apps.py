from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "linli.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

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
                "workorders:order-list",
                _("Work orders"),
                _("Report a problem and follow it; the work queue; the compound's board."),
            ),
            after="places:organisation-list",
        )
        register_place_link(
            PlaceLink(
                "workorders:order-create", _("Report a problem here"), "workorders.file_order"
            )
        )
        register_place_link(
            PlaceLink("workorders:order-board", _("Public board"), "workorders.view_board_of")
        )
