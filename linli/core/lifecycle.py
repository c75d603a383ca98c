"""The lifecycle engine: every status machine of the project is one ``Lifecycle`` — a model
with a status, one declarative step table (sources, target, named permission, event kind)
and the model its timeline events are written to — and every step is taken by
``Lifecycle.take``: lock the row, check the step in the row's current state and the actor's
named permission on it, change, ``full_clean``, save, write one timeline event, and queue
the side effects after commit. A refused step raises ``ConflictError`` (wrong state) or
``ForbiddenError`` (not the actor's step) with a readable message, and changes nothing.

Every lifecycle registers itself in ``LIFECYCLES``, so that the role × state × step matrix
test covers each table without being told about it."""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_tasks_db import DatabaseBackend

from .actors import user_or_none
from .errors import ConflictError, ForbiddenError

LIFECYCLES: dict[str, "Lifecycle"] = {}


@dataclass(frozen=True)
class Step:
    """One row of a step table. ``target`` None: the step leaves the status as it is (a
    progress note). ``label`` is how the step reads in "it cannot be … now" (lazily
    translated); by default the event kind's label."""

    sources: frozenset
    target: str | None
    perm: str
    event: str
    label: object = None


def require_actor(actor) -> None:
    """No service runs for nobody: scheduled jobs and the command line pass SYSTEM."""
    if actor is None:
        raise TypeError("An actor is required (core.actors.SYSTEM for the system itself).")


def check_perm(actor, perm: str, obj=None, *, message=None, code: str = "forbidden") -> None:
    """The one way a service checks a named permission: every actor, SYSTEM included."""
    require_actor(actor)
    if not actor.has_perm(perm, obj):
        raise ForbiddenError(message or _("This is not yours to do."), code=code)


@dataclass
class Lifecycle:
    """One status machine. ``subject`` is the event model's foreign key to the row;
    ``lock`` re-reads the row under a lock (``select_for_update`` by default, with
    ``select_related``); ``guard(name, obj, **context)`` raises for a step that the state
    allows but the moment does not (a booking that has begun); ``after_event(event)`` runs
    inside the transaction (hooks of other modules); ``notify_task`` (a django-tasks task
    taking the event's id) is enqueued for the kinds in ``notify`` (all kinds when ``notify``
    is None) by ``enqueue_with_step``."""

    name: str
    model: type[models.Model]
    event_model: type[models.Model]
    subject: str
    steps: dict[str, Step]
    event_kinds: type[models.TextChoices]
    illegal_message: object = _("This is %(status)s; it cannot be %(step)s now.")
    forbidden_message: object = _("This step is not yours to take.")
    status_field: str = "status"
    select_related: tuple = ()
    lock: Callable | None = None
    guard: Callable | None = None
    after_event: Callable | None = None
    notify_task: object = None
    notify: frozenset | None = field(default=None)
    audit_prefix: str = ""
    # The row the events are about, when not the changed row itself (an extension request's
    # decision goes on its order's timeline).
    event_subject: Callable | None = None

    def __post_init__(self):
        for name, step in self.steps.items():
            if step.perm is None or step.event not in self.event_kinds.values:
                raise ValueError(f"{self.name}.{name}: a step needs a permission and an event")
        LIFECYCLES[self.name] = self

    # -- reading ------------------------------------------------------------------------------
    def status_of(self, obj) -> str:
        return getattr(obj, self.status_field)

    def statuses(self) -> list[str]:
        return [value for value, _label in self.model._meta.get_field(self.status_field).choices]

    def label(self, name: str):
        step = self.steps[name]
        return step.label if step.label is not None else self.event_kinds(step.event).label

    def allowed(self, *, user, obj, **context) -> list[str]:
        """The steps ``user`` may take on ``obj`` now (for buttons and the API)."""
        names = []
        for name, step in self.steps.items():
            if self.status_of(obj) not in step.sources or not user.has_perm(step.perm, obj):
                continue
            if self.guard is not None:
                try:
                    self.guard(name, obj, **context)
                except ConflictError:
                    continue
            names.append(name)
        return names

    # -- the step -----------------------------------------------------------------------------
    def locked(self, obj):
        if self.lock is not None:
            return self.lock(obj)
        return (
            self.model.objects.select_for_update(of=("self",))
            .select_related(*self.select_related)
            .get(pk=obj.pk)
        )

    def check(self, name: str, *, actor, obj, **context) -> Step:
        """Raise unless ``actor`` may take step ``name`` on ``obj`` in its current state."""
        require_actor(actor)
        step = self.steps[name]
        status = self.status_of(obj)
        if status not in step.sources:
            raise ConflictError(
                self.illegal_message
                % {"status": self._status_display(obj), "step": self.label(name)},
                code="illegal_step",
            )
        if not actor.has_perm(step.perm, obj):
            raise ForbiddenError(self.forbidden_message, code="forbidden")
        if self.guard is not None:
            self.guard(name, obj, **context)
        return step

    def take(
        self,
        name: str,
        *,
        actor,
        obj,
        note: str = "",
        data: dict | None = None,
        change: Callable | None = None,
        is_locked: bool = False,
        context: dict | None = None,
        **fields,
    ):
        """Take step ``name``: lock, check, change (``fields``, then ``change(obj)``),
        ``full_clean``, save, one event. Returns the locked, changed row. Must run inside a
        transaction (the services are ``@transaction.atomic``)."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Lifecycle.take runs inside the service's transaction.")
        obj = obj if is_locked else self.locked(obj)
        step = self.check(name, actor=actor, obj=obj, **(context or {}))
        before = self.status_of(obj)
        snapshot = field_values(obj)
        for field_name, value in fields.items():
            setattr(obj, field_name, value)
        if change is not None:
            change(obj)
        if step.target is not None:
            setattr(obj, self.status_field, step.target)
        save_changed(obj, snapshot, touch=True)
        self.record(
            obj=obj,
            kind=step.event,
            actor=actor,
            from_status=before,
            to_status=self.status_of(obj),
            note=note,
            data=data,
        )
        if self.audit_prefix:
            from .audit import audit_record

            audit_record(actor=actor, action=f"{self.audit_prefix}.{name}", obj=obj)
        return obj

    def record(
        self, *, obj, kind: str, actor, from_status="", to_status="", note="", data=None
    ) -> models.Model:
        """The one way an event of this lifecycle is written (a step's, or one that changes
        no status: a "me too", a chase)."""
        require_actor(actor)
        subject = self.event_subject(obj) if self.event_subject is not None else obj
        event = self.event_model(
            **{self.subject: subject},
            kind=kind,
            actor=user_or_none(actor),
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data or {},
        )
        validated(event)
        event.save()
        if self.after_event is not None:
            self.after_event(event)
        if self.notify_task is not None and (self.notify is None or kind in self.notify):
            enqueue_with_step(self.notify_task, event.pk)
        return event

    def _status_display(self, obj) -> str:
        getter = getattr(obj, f"get_{self.status_field}_display", None)
        return str(getter()) if getter else str(self.status_of(obj))


def enqueue_with_step(task, *args) -> None:
    """Queue ``task`` to run once the step's transaction has committed. With the database
    task queue its row is written at once, in the step's transaction: a worker sees it only
    when the step commits, and it goes if the step rolls back — one commit instead of two.
    Other queues (Redis, the tests' immediate runner) are enqueued after commit."""
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def field_values(obj) -> dict:
    """The row's concrete values; lists and dicts (JSON fields) copied, so that a change
    made in place is still seen as one."""
    return {f.attname: _copied(f.value_from_object(obj)) for f in obj._meta.concrete_fields}


def _copied(value):
    return copy.deepcopy(value) if isinstance(value, list | dict) else value


def validated(obj, *, fields: Iterable[str] | None = None):
    """``full_clean`` with the fewest queries: only ``fields`` (attnames or names; all when
    None), and no existence query for a foreign key whose object the caller already holds
    (the database's constraint still guards it). Returns ``obj``."""
    exclude = set()
    wanted = None if fields is None else set(fields)
    for f in obj._meta.concrete_fields:
        if wanted is not None and f.attname not in wanted and f.name not in wanted:
            exclude.add(f.name)
        elif f.is_relation and f.is_cached(obj):
            related = f.get_cached_value(obj)
            if related is not None and related.pk is not None:
                exclude.add(f.name)
    uniques = {f.name for f in obj._meta.concrete_fields if f.unique and not f.primary_key}
    obj.full_clean(exclude=exclude, validate_unique=bool(uniques - exclude))
    return obj


def save_changed(obj, snapshot: dict, *, touch: bool = False) -> list[str]:
    """Validate and save the fields that differ from ``snapshot`` (``field_values``), and
    the ``auto_now`` ones; when nothing changed, only the ``auto_now`` ones if ``touch``
    (a step taken is a change of the record, even a note), else nothing."""
    changed = [name for name, value in field_values(obj).items() if snapshot.get(name) != value]
    auto = [f.attname for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
    if changed:
        validated(obj, fields=changed)
    elif not (touch and auto):
        return changed
    obj.save(update_fields=sorted(set(changed) | set(auto)))
    return changed


def lifecycle_sources(lifecycle: Lifecycle) -> Iterable[str]:
    """Every status a step of ``lifecycle`` starts from (for the generated tests)."""
    return sorted({status for step in lifecycle.steps.values() for status in step.sources})
