from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ResidentsConfig(AppConfig):
    name = "linli.residents"
    label = "residents"
    verbose_name = _("Residents register")

    def ready(self):
        from linli.core.navigation import (
            STAFF,
            NavEntry,
            PlaceLink,
            Tab,
            register_nav_entry,
            register_place_link,
            register_tab,
        )

        register_nav_entry(
            NavEntry(
                "residents:resident-list",
                _("Residents"),
                _("The register of households and residents: search, add, import and export."),
                permission="residents.view_resident",
                audience=STAFF,
            ),
            after="places:organisation-list",
        )
        register_tab(
            Tab(
                "residents:resident-list",
                pgettext_lazy("tab", "Residents"),
                STAFF,
                20,
                "residents.view_resident",
            )
        )
        register_place_link(
            PlaceLink("residents:resident-list", _("Residents here"), "residents.view_resident_at")
        )
