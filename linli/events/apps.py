from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "linli.events"
    label = "events"
    verbose_name = _("Events and campaigns")

    def ready(self):
        from . import workbench

        workbench.register()
