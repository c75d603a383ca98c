"""Background work of the register: checking and importing uploaded files, and dropping the
files of checks nobody confirmed."""

import contextlib
from datetime import timedelta

from django.utils import translation
from django_tasks import task

from linli.core.periodic import periodic

from . import imports


def _in_language(language: str | None):
    # The report is written in the language of the person who uploaded the file.
    return translation.override(language) if language else contextlib.nullcontext()


@task()
def import_check_task(job_id: int, language: str | None = None) -> str:
    """The dry run of an uploaded register file."""
    with _in_language(language):
        return imports.import_check(job_id=job_id)


@task()
def import_run_task(job_id: int, language: str | None = None) -> str:
    """The all-or-nothing write of a checked, confirmed register file."""
    with _in_language(language):
        return imports.import_run(job_id=job_id)


@periodic(every=timedelta(days=1))
@task()
def import_jobs_expire() -> int:
    """Uploaded files hold ID numbers: those not confirmed within a day are deleted
    (checked daily)."""
    return imports.import_jobs_expire()
