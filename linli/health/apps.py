from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "linli.health"
    label = "health"
    verbose_name = _("Health help")

    def ready(self):
        from . import workbench

        workbench.register()
        from linli.core.navigation import (
            NavEntry,
            PlaceLink,
            register_nav_entry,
            register_place_link,
        )

        # The navigation permissions are named in rules.py (health.nav_work_lists,
        # health.nav_my_card).
        register_nav_entry(
            NavEntry(
                "health:card-list",
                _("Health"),
                _("健康帮扶卡: the health help cards, readings, alerts and follow-ups."),
                permission="health.nav_work_lists",
            ),
            after="lending:item-list",
        )
        register_nav_entry(
            NavEntry(
                "health:my-card",
                _("My health"),
                _("Your health help card, your readings and who looked at them."),
                permission="health.nav_my_card",
            ),
            after="health:card-list",
        )
        from .views_clinics import register_clinic_nav

        register_clinic_nav()
        # On a compound's page, for those who make cards there (clinic staff, community
        # workers): its residents' cards.
        register_place_link(
            PlaceLink(
                "health:card-list",
                _("Health cards"),
                "health.make_card",
                kinds=frozenset({"community", "compound", "building"}),
            )
        )
