"""What other modules offer on a work order's page (a neighbour dispute taken on by the
desk's dispute settlement, say), without work orders knowing them: a module registers, from
its AppConfig.ready, a function ``fn(request, order)`` that returns an ``OrderAction`` — a
template and its context — or None when it has nothing to offer on this order for this
user. The order's page renders each action's template with the page's context plus
``action`` (the action's context).

Each function is called once per page, in the order registered: it should cost a bounded
number of queries (none when it does not apply), so the page's cost does not grow with the
orders or the other records behind it."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OrderAction:
    template: str
    context: dict = field(default_factory=dict)


_ACTIONS: list[Callable] = []


def register_order_action(fn: Callable) -> Callable:
    """Offer ``fn(request, order) -> OrderAction | None`` on every order's page (once,
    however often it is registered). Usable as a decorator."""
    if fn not in _ACTIONS:
        _ACTIONS.append(fn)
    return fn


def unregister_order_action(fn: Callable) -> None:
    """Take ``fn`` off the pages again (for tests)."""
    if fn in _ACTIONS:
        _ACTIONS.remove(fn)


def order_actions(request, order) -> list[OrderAction]:
    """The actions the registered functions offer on ``order`` to ``request.user``."""
    offered = []
    for fn in _ACTIONS:
        action = fn(request, order)
        if action is not None:
            offered.append(action)
    return offered
