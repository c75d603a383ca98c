"""The role × state × step matrix, generated from the step tables of ``core.lifecycle``.

Each app's matrix test module declares one ``MatrixSpec`` per lifecycle: how to make a fresh
record in a given status (its own data, placed in the demo world), how to take a step
through the app's service with valid inputs, and — written out by hand, not read from the
rules — which demo accounts hold each named permission on such a record (plus SYSTEM where
it may). ``check_matrix`` then takes every step as every account (and SYSTEM) on a record
in every status: exactly the triples the table and the holders allow succeed and leave an
event; every other one is refused with the project's error (or 404 where the record is
looked up) and changes neither the record nor its timeline.

``tests/test_lifecycle_matrix.py`` checks that every registered lifecycle has a spec."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from linli.accounts.models import User
from linli.core.actors import SYSTEM
from linli.core.errors import LinliError
from linli.core.lifecycle import Lifecycle, field_values
from linli.demo.world import ACCOUNTS

# Every demo account (linli.demo.world.ACCOUNTS) but the superuser, and SYSTEM.
DEMO_USERS = tuple(username for username, _name, _mobile, role, *_ in ACCOUNTS if role)
ACTORS = (*DEMO_USERS, "SYSTEM")

SPECS: dict[str, "MatrixSpec"] = {}


@dataclass
class MatrixSpec:
    lifecycle: Lifecycle
    # make(status) -> a new record in that status (whose guards let every step pass)
    make: Callable
    # take(step, actor, record) -> takes the step through the app's service
    take: Callable
    # named permission -> the actors ("community", "SYSTEM", …) holding it on such a record
    holders: dict[str, set[str]]
    # the events of a record (a queryset); by default the lifecycle's event model by subject
    events: Callable | None = None
    # steps left out, with the reason (e.g. taken only by another lifecycle's step)
    skip: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        unknown = set(self.holders) - {s.perm for s in self.lifecycle.steps.values()}
        assert not unknown, f"{self.lifecycle.name}: holders of unknown permissions {unknown}"
        for holders in self.holders.values():
            assert holders <= set(ACTORS), holders - set(ACTORS)
        SPECS[self.lifecycle.name] = self

    def events_of(self, record):
        if self.events is not None:
            return self.events(record)
        subject = self.lifecycle.event_subject(record) if self.lifecycle.event_subject else record
        return self.lifecycle.event_model.objects.filter(**{self.lifecycle.subject: subject})


def actor_named(name: str):
    return SYSTEM if name == "SYSTEM" else User.objects.get(username=name)


def check_matrix(spec: MatrixSpec) -> int:
    """Run the whole matrix of ``spec``; returns how many triples were checked. Every
    triple runs in a savepoint that is rolled back, so one record per status serves all."""
    actors = {name: actor_named(name) for name in ACTORS}
    failures = []
    checked = 0
    for status in spec.lifecycle.statuses():
        for step_name, step in spec.lifecycle.steps.items():
            if step_name in spec.skip:
                continue
            for actor_name, actor in actors.items():
                expected = status in step.sources and actor_name in spec.holders.get(
                    step.perm, set()
                )
                outcome = _attempt(spec, status, step_name, actor)
                checked += 1
                if outcome != ("ok" if expected else "refused"):
                    failures.append(
                        f"{spec.lifecycle.name}: {actor_name} {step_name} from {status}: "
                        f"{outcome}, expected {'success' if expected else 'a refusal'}"
                    )
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"
    return checked


class _Rollback(Exception):
    pass


def _attempt(spec: MatrixSpec, status: str, step_name: str, actor) -> str:
    outcome = "?"
    try:
        with transaction.atomic():
            record = spec.make(status)
            assert spec.lifecycle.status_of(record) == status, (record, status)
            before = field_values(type(record).objects.get(pk=record.pk))
            events = spec.events_of(record).count()
            try:
                with transaction.atomic():
                    spec.take(step_name, actor, record)
            except (LinliError, ValidationError, Http404) as refusal:
                after = field_values(type(record).objects.get(pk=record.pk))
                if after != before:
                    outcome = f"refused ({refusal!r}) but the record changed"
                elif spec.events_of(record).count() != events:
                    outcome = f"refused ({refusal!r}) but an event was written"
                else:
                    outcome = "refused"
            else:
                if spec.events_of(record).count() <= events:
                    outcome = "succeeded without an event"
                else:
                    outcome = "ok"
            raise _Rollback
    except _Rollback:
        pass
    return outcome
