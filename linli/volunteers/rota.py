"""The rota's fair choice, pure (no database): who serves a shift next among those who may.
Fewest hours served first; between equals, whoever served longest ago (never served: first
of all); then the lowest key, so that the choice is the same every time it is worked out.

``Tally`` keeps the hours and the last time of each candidate while a run of shifts is
filled, so that each choice counts the ones made before it."""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Tally:
    """Hours served (and planned) per candidate, and when each last served."""

    hours: dict = field(default_factory=dict)
    last: dict = field(default_factory=dict)

    def add(self, key: Hashable, hours: float, at: datetime) -> None:
        self.hours[key] = self.hours.get(key, 0.0) + float(hours)
        if key not in self.last or self.last[key] < at:
            self.last[key] = at

    def order(self, keys: Iterable) -> list:
        """``keys`` in the rota's order: fewest hours, longest ago (never first), key."""
        return sorted(
            keys,
            key=lambda k: (
                round(self.hours.get(k, 0.0), 6),
                self.last.get(k) is not None,
                self.last.get(k) or datetime.min,
                k,
            ),
        )


def choose(tally: Tally, candidates: Iterable, *, needed: int, away: Iterable = ()) -> list:
    """The ``needed`` first of ``candidates`` (not ``away``) in the rota's order; fewer when
    there are not enough."""
    away = set(away)
    if needed <= 0:
        return []
    return tally.order([k for k in dict.fromkeys(candidates) if k not in away])[:needed]
