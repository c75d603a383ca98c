from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "linli.residents"
    label = "residents"
    verbose_name = _("Residents register")

    def ready(self):
        from linli.core.navigation import (
            NavEntry,
            PlaceLink,
            register_nav_entry,
            register_place_link,
        )

        register_nav_entry(
            NavEntry(
                "residents:resident-list",
                _("Residents"),
                _("The register of households and residents: search, add, import and export."),
                permission="residents.view_resident",
            ),
            after="places:organisation-list",
        )
        register_place_link(
            PlaceLink("residents:resident-list", _("Residents here"), "residents.view_resident_at")
        )
