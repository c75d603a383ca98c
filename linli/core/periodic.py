"""The one home of periodic jobs (reminders, overdue checks, housekeeping).

A module registers a task with ``@periodic(every=...)`` in its ``tasks.py``; the scheduler
(``linli scheduler``, started beside the worker by ``make run``) enqueues each job when it is
due, and the task worker runs it."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import PeriodicRun


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: object  # a django_tasks Task
    every: timedelta


_registry: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta):
    """Register a django-tasks Task to be enqueued every ``every``."""

    def register(task):
        name = f"{task.func.__module__}.{task.func.__qualname__}"
        _registry[name] = PeriodicJob(name=name, task=task, every=every)
        return task

    return register


def registered_jobs() -> list[PeriodicJob]:
    autodiscover_modules("tasks")
    return sorted(_registry.values(), key=lambda job: job.name)


def enqueue_due_jobs(*, now=None) -> list[str]:
    """Enqueue every job whose interval has passed since it was last enqueued; returns their
    names. Safe to call from several schedulers at once: each job's row is locked."""
    now = now or timezone.now()
    enqueued = []
    for job in registered_jobs():
        with transaction.atomic():
            run, created = PeriodicRun.objects.select_for_update().get_or_create(
                name=job.name, defaults={"last_enqueued_at": now}
            )
            if not created and run.last_enqueued_at + job.every > now:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            transaction.on_commit(job.task.enqueue)
            enqueued.append(job.name)
    return enqueued
