from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "linli.mediation"
    label = "mediation"
    verbose_name = _("Dispute mediation")

    def ready(self):
        from . import workbench

        workbench.register()
        from linli.workorders.actions import register_order_action

        from .order_actions import from_order

        # A neighbour-dispute work order's page offers to start a mediation.
        register_order_action(from_order)
        from linli.core.navigation import NavEntry, register_nav_entry

        register_nav_entry(
            NavEntry(
                "mediation:mediation-list",
                _("Mediation"),
                _("人民调解: neighbours' disputes settled at the desk, with the agreement."),
                permission="mediation.list_mediations",
            ),
        )
