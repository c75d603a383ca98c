"""What mediation puts on the home pages: a resident's own mediations among their open
matters, the count of disputes waiting to be accepted on the desk's workbench, and a
resident's mediations on their page in the register (for whoever may open them)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.core.navigation import (
    OPEN_ITEMS_SHOWN,
    RESIDENT_ROWS,
    OpenItems,
    ResidentSection,
    WorkCount,
    register_open_items,
    register_resident_section,
    register_work_count,
)

from . import selectors
from .models import OPEN_STATUSES, MediationParty, MediationStatus


def _row(m) -> dict:
    note = m.get_status_display()
    if m.status == MediationStatus.AGREED:
        note += " · " + str(_("judicial confirmation by")) + f" {m.confirmation_last_day:%Y-%m-%d}"
    return {
        "text": f"{m.number} {m.subject}",
        "url": reverse("mediation:mediation-detail", args=[m.pk]),
        "note": note,
    }


def _my_mediations(request):
    user = request.user
    if not user.pk:
        return []
    mine = MediationParty.objects.filter(resident__user_id=user.pk).values("mediation_id")
    mediations = selectors.mediation_list(user=user).filter(
        pk__in=mine, status__in=sorted(OPEN_STATUSES)
    )
    return [_row(m) for m in mediations[:OPEN_ITEMS_SHOWN]]


def _to_accept(request):
    if not request.user.has_perm("mediation.open_mediation"):
        return None
    return (
        selectors.mediation_list(user=request.user, status=MediationStatus.REGISTERED)
        .filter(selectors.mediate_q(request.user))
        .count()
    )


def _resident_mediations(request, resident):
    mine = MediationParty.objects.filter(resident=resident).values("mediation_id")
    mediations = selectors.mediation_list(user=request.user).filter(pk__in=mine)
    return [_row(m) for m in mediations[:RESIDENT_ROWS]]


def register() -> None:
    register_open_items(
        OpenItems("mediations", _("My mediations"), 60, "mediation:mediation-list", _my_mediations)
    )
    register_work_count(
        WorkCount(
            "mediations-registered",
            _("Disputes to accept for mediation"),
            60,
            _to_accept,
            lambda request: reverse("mediation:mediation-list") + "?status=registered",
        )
    )
    register_resident_section(
        ResidentSection("mediations", _("Mediations"), 60, _resident_mediations)
    )
