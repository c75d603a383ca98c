from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "linli.servicedesk"
    label = "servicedesk"
    verbose_name = _("One-stop service desk")

    def ready(self):
        from . import workbench

        workbench.register()
