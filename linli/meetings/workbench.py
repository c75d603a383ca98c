"""The deliberation meeting on the home page: residents' proposals (a quick action for
residents, and for the branch the open proposals to put on an agenda)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.core.navigation import (
    QuickAction,
    WorkCount,
    register_quick_action,
    register_work_count,
)

from . import selectors


def _open_proposals(request):
    if not request.user.has_perm("meetings.manage_meeting"):
        return None
    return selectors.proposal_list(user=request.user, open_only=True).count()


def register() -> None:
    register_quick_action(QuickAction("meetings:proposal-list", _("Proposals"), 50))
    register_work_count(
        WorkCount(
            "proposals-open",
            _("Proposals to put on an agenda"),
            50,
            _open_proposals,
            lambda request: reverse("meetings:proposal-list"),
        )
    )
