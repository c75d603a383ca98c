from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "linli.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from linli.core.navigation import (
            HomePanel,
            NavEntry,
            register_home_panel,
            register_nav_entry,
        )

        from .views import home_panel_context

        register_nav_entry(
            NavEntry(
                "notices:notice-list",
                _("Notices"),
                _("Minutes, decisions and thank-you notes published for your compound."),
            ),
            after="places:organisation-list",
        )
        register_home_panel(HomePanel("notices", "notices/_home_panel.html", home_panel_context))
