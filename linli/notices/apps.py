from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "linli.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from linli.core.navigation import NavEntry, register_nav_entry

        register_nav_entry(
            NavEntry(
                "notices:notice-list",
                _("Notices"),
                _("Minutes, decisions and thank-you notes published for your compound."),
            ),
            after="places:organisation-list",
        )
