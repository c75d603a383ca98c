"""Modules that build on work orders (the deliberation meeting) follow their steps here:
a hook registered for some event kinds runs inside the step's transaction, so what it
changes commits or rolls back with the step. Registered from AppConfig.ready, explicitly —
not through signals."""

from collections.abc import Callable

_HOOKS: list[tuple[frozenset[str], Callable]] = []


def on_order_event(kinds, hook: Callable) -> None:
    entry = (frozenset(kinds), hook)
    if entry not in _HOOKS:
        _HOOKS.append(entry)


def run_order_hooks(event) -> None:
    for kinds, hook in _HOOKS:
        if event.kind in kinds:
            hook(event)
