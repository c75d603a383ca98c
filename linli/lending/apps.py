from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    name = "linli.lending"
    label = "lending"
    verbose_name = _("Lending of donated items")

    def ready(self):
        from linli.core.navigation import (
            NavEntry,
            PlaceLink,
            register_nav_entry,
            register_place_link,
        )

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
