from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TutoringConfig(AppConfig):
    name = "linli.tutoring"
    label = "tutoring"
    verbose_name = _("Summer tutoring")

    def ready(self):
        from linli.core.navigation import NavEntry, register_nav_entry

        register_nav_entry(
            NavEntry(
                "tutoring:home",
                _("Summer tutoring"),
                _("暑期托管: enrol your child, drop-off and pick-up, the day's attendance."),
                permission="tutoring.see_menu",
            )
        )
