"""Background work of the register, acting as SYSTEM: checking and importing uploaded files,
and dropping the files of checks nobody confirmed."""

import contextlib
from datetime import timedelta

from django.utils import timezone, translation
from django_tasks import task

from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError
from linli.core.periodic import periodic

from . import services_import
from .models import ImportJob, ImportStatus


def _in_language(language: str | None):
    # The report is written in the language of the person who uploaded the file.
    return translation.override(language) if language else contextlib.nullcontext()


def _job(job_id: int) -> ImportJob:
    return ImportJob.objects.select_related("compound", "created_by").get(pk=job_id)


def import_check(*, job_id: int) -> str:
    """Check a job's file, unless that was done already (a task may run twice)."""
    job = _job(job_id)
    if job.status != ImportStatus.CHECKING:
        return job.status
    return services_import.import_job_check(actor=SYSTEM, job=job).status


def import_run(*, job_id: int) -> str:
    """Import a confirmed job's file, unless that was done already."""
    job = _job(job_id)
    if job.status != ImportStatus.IMPORTING:
        return job.status
    return services_import.import_job_run(actor=SYSTEM, job=job).status


def import_expire(*, now=None) -> int:
    """Drop the files of checked jobs that nobody confirmed within a day."""
    cutoff = (now or timezone.now()) - services_import.READY_JOB_EXPIRES
    expired = 0
    jobs = ImportJob.objects.filter(status=ImportStatus.READY, created_at__lt=cutoff)
    for job in jobs.select_related("compound", "created_by"):
        try:
            services_import.import_job_expire(actor=SYSTEM, job=job)
        except ConflictError:
            continue  # confirmed meanwhile
        expired += 1
    return expired


@task()
def import_check_task(job_id: int, language: str | None = None) -> str:
    """The dry run of an uploaded register file."""
    with _in_language(language):
        return import_check(job_id=job_id)


@task()
def import_run_task(job_id: int, language: str | None = None) -> str:
    """The all-or-nothing write of a checked, confirmed register file."""
    with _in_language(language):
        return import_run(job_id=job_id)


@periodic(every=timedelta(days=1))
@task()
def import_jobs_expire() -> int:
    """Uploaded files hold ID numbers: those not confirmed within a day are deleted
    (checked daily)."""
    return import_expire()
