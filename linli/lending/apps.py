from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    name = "linli.lending"
    label = "lending"
    verbose_name = _("Lending of donated items")

    def ready(self):
        from . import workbench

        workbench.register()
        from linli.core.navigation import (
            NavEntry,
            PlaceLink,
            register_nav_entry,
            register_place_link,
        )
        from linli.notices.links import getter_check, register_link_check

        from .selectors import item_get

        # A thank-you notice links to the donated item: shown to those who may open it.
        register_link_check("lending:item-detail", getter_check(item_get))
        register_nav_entry(
            NavEntry(
                "lending:item-list",
                _("Lending"),
                _("物品借用: borrow items neighbours donated; the desk lends and takes back."),
                permission="lending.view_item",
            ),
            after="meetings:meeting-list",
        )
        register_place_link(
            PlaceLink(
                "lending:item-list",
                _("Donated items"),
                "lending.view_item",
                kinds=frozenset({"community", "compound"}),
            )
        )
