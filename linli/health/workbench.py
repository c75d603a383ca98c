"""Health on the home page: a resident's card and clinic registrations, and the care team's
open alerts and overdue follow-ups."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.navigation import (
    OPEN_ITEMS_SHOWN,
    RESIDENT_ROWS,
    OpenItems,
    QuickAction,
    ResidentSection,
    WorkCount,
    register_open_items,
    register_quick_action,
    register_resident_section,
    register_work_count,
)

from . import selectors, selectors_clinics

WORK = "health.nav_work_lists"


def _my_registrations(request) -> list[dict]:
    registrations = selectors_clinics.upcoming_registrations(user=request.user)
    return [
        {
            "text": registration.event.title,
            "url": reverse("health:clinic-detail", args=[registration.event_id]),
            "note": f"{timezone.localtime(registration.slot_start):%m-%d %H:%M}",
        }
        for registration in registrations[:OPEN_ITEMS_SHOWN]
    ]


def _alerts(request):
    if not request.user.has_perm(WORK):
        return None
    return selectors.alert_list(user=request.user).count()


def _follow_ups(request):
    if not request.user.has_perm(WORK):
        return None
    return selectors.follow_up_list(user=request.user, overdue=True).count()


def _resident_health(request, resident):
    """A link to the resident's health card, only for whoever may open it (the section is
    left out otherwise: that a card exists is not shown either)."""
    card_id = selectors.card_list(user=request.user).filter(resident_id=resident.pk)
    card_id = card_id.values_list("pk", flat=True).first()
    if card_id is None:
        return None
    registrations = selectors_clinics.card_registrations(card_id=card_id)
    return [
        {
            "text": _("Health help card"),
            "url": reverse("health:card-detail", args=[card_id]),
            "note": "",
        },
        *(
            {
                "text": registration.event.title,
                "url": reverse("health:clinic-detail", args=[registration.event_id]),
                "note": f"{timezone.localtime(registration.slot_start):%Y-%m-%d %H:%M} · "
                f"{registration.get_status_display()}",
            }
            for registration in registrations[: RESIDENT_ROWS - 1]
        ),
    ]


def register() -> None:
    register_resident_section(ResidentSection("health", _("Health"), 40, _resident_health))
    register_quick_action(QuickAction("health:my-card", _("My health"), 40, "health.nav_my_card"))
    register_open_items(
        OpenItems("clinics", _("My free-clinic slots"), 40, "health:clinic-list", _my_registrations)
    )
    register_work_count(
        WorkCount(
            "health-alerts", _("Health alerts open"), 40, _alerts,
            lambda request: reverse("health:alert-list"),
        )
    )  # fmt: skip
    register_work_count(
        WorkCount(
            "health-follow-ups", _("Follow-ups overdue"), 41, _follow_ups,
            lambda request: f"{reverse('health:follow-up-list')}?overdue=1",
        )
    )  # fmt: skip
