from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "linli.residents"
    label = "residents"
    verbose_name = _("Residents register")
