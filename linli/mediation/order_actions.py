"""What mediation offers on a work order's page (``workorders.actions``): a neighbour
dispute (category 邻里纠纷) can become a mediation — the desk's staff of its compound are
offered to start one; once started, whoever may see the mediation finds a link to it. One
query for a neighbour dispute, none for any other order."""

from linli.workorders.actions import OrderAction

from . import selectors

NEIGHBOUR_DISPUTE = "neighbour-dispute"


def from_order(request, order) -> OrderAction | None:
    if order.category.code != NEIGHBOUR_DISPUTE:
        return None
    user = request.user
    mediation = selectors.mediation_from_order(user=user, order=order)
    if mediation is not None:
        return OrderAction("mediation/_from_order.html", {"mediation": mediation})
    if user.has_perm("mediation.open_mediation", order.place):
        return OrderAction("mediation/_from_order.html", {"may_open": True})
    return None
