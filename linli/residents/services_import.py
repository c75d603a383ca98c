"""Every write of a register import: accepting an upload, the job's status machine
(``IMPORT_JOB``: checked, confirmed, imported, failed, expired — each step one timeline
event), and the all-or-nothing write of a checked file.

An upload becomes an ``ImportJob`` whose file is stored encrypted. The check and the write
run as tasks acting as SYSTEM (``tasks.py``); both read the whole file and touch the database
in a few statements per thousand rows, never per row, so that 100,000 rows import in bulk.
The write re-runs the checks that depend on the register inside its transaction, and writes
nothing if any fails."""

import logging
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from linli.core.crypto import decrypt_bytes, encrypt_bytes
from linli.core.errors import LinliError
from linli.core.lifecycle import Lifecycle, Step, check_perm, validated
from linli.places.models import Place, PlaceKind

from . import services
from .import_files import COLUMN_ORDER, Reading, inspect_upload, read_table
from .import_plan import ImportPlan, import_plan
from .models import (
    IMPORT_FINAL,
    STORED_TAGS,
    ImportEventKind,
    ImportJob,
    ImportJobEvent,
    ImportStatus,
    Resident,
)

logger = logging.getLogger(__name__)

UPDATE_BATCH = 1_000
# A READY job whose file nobody confirms is dropped after this long: the file holds ID
# numbers and should not linger.
READY_JOB_EXPIRES = timedelta(days=1)

J, K = ImportStatus, ImportEventKind
# The check, the write and the expiry are the system's (the tasks); no person takes them.
PROCESS = "residents.process_import"
IMPORT_JOB = Lifecycle(
    name="residents.import_job",
    model=ImportJob,
    event_model=ImportJobEvent,
    subject="job",
    event_kinds=ImportEventKind,
    select_related=("compound", "created_by"),
    illegal_message=gettext_lazy(
        "This file cannot be imported now: it has errors or was imported already."
    ),
    forbidden_message=gettext_lazy("Only the person who uploaded this file may import it."),
    steps={
        "check_pass": Step(frozenset({J.CHECKING}), J.READY, PROCESS, K.CHECKED),
        "check_fail": Step(frozenset({J.CHECKING}), J.INVALID, PROCESS, K.FOUND_ERRORS),
        "confirm": Step(frozenset({J.READY}), J.IMPORTING, "residents.confirm_import", K.CONFIRMED),
        "import_done": Step(frozenset({J.IMPORTING}), J.DONE, PROCESS, K.IMPORTED),
        "import_refuse": Step(frozenset({J.IMPORTING}), J.INVALID, PROCESS, K.FOUND_ERRORS),
        "fail": Step(frozenset({J.CHECKING, J.IMPORTING}), J.FAILED, PROCESS, K.FAILED),
        "expire": Step(frozenset({J.READY}), J.FAILED, "residents.expire_import", K.EXPIRED),
    },
)  # fmt: skip


def _enqueue(task_name: str, job_id: int, language: str | None) -> None:
    from . import tasks  # the tasks module imports this one

    getattr(tasks, task_name).enqueue(job_id, language)


def _finish(step: str, *, actor, job: ImportJob, data: dict | None = None, **values) -> ImportJob:
    """Take ``step``; a final status drops the stored file (once the step is saved)."""
    dropped = []

    def change(obj):
        if IMPORT_JOB.steps[step].target in IMPORT_FINAL:
            obj.finished_at = timezone.now()
            if obj.encrypted_file:
                dropped.append((obj.encrypted_file.storage, obj.encrypted_file.name))
                obj.encrypted_file = ""

    with transaction.atomic():
        job = IMPORT_JOB.take(step, actor=actor, obj=job, data=data, change=change, **values)
    for storage, name in dropped:
        storage.delete(name)
    return job


def _report(errors: list[dict]) -> dict:
    ordered = sorted(
        errors,
        key=lambda e: (e["row"] or 0, COLUMN_ORDER.get(e["column"], -1), e["message"]),
    )
    return {"errors": ordered[: ImportJob.MAX_REPORTED_ERRORS], "error_count": len(errors)}


def _one_error(message: str) -> dict:
    return {"errors": [{"row": None, "column": "", "message": message}], "error_count": 1}


def _unexpected(actor, job: ImportJob) -> ImportJob:
    logger.exception("Import job %s failed", job.pk)
    job.refresh_from_db()
    if job.status not in IMPORT_JOB.steps["fail"].sources:
        return job
    message = _("Something went wrong while reading this file. Please upload it again.")
    return _finish("fail", actor=actor, job=job, **_one_error(message))


def _read_job_file(job: ImportJob) -> Reading:
    """Every row of the job's file, value-checked; progress is saved as it goes."""
    with job.encrypted_file.open("rb") as stored:
        data = decrypt_bytes(stored.read())
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=0)
    return read_table(
        data,
        job.file_format,
        progress=lambda n: ImportJob.objects.filter(pk=job.pk).update(processed_rows=n),
    )


# -- the user's steps ---------------------------------------------------------------------------


def import_job_create(*, actor, compound: Place, file_name: str, data: bytes) -> ImportJob:
    """Accept an uploaded file: refuse what cannot be imported at all (with a message for the
    upload form, nothing saved), store the rest encrypted, and queue its check."""
    message = _("You may not register residents in this compound.")
    if compound.kind != PlaceKind.COMPOUND:
        raise LinliError(message, code="forbidden")
    check_perm(actor, "residents.add_resident", compound, message=message)
    file_format, estimated_rows = inspect_upload(name=file_name, data=data)
    language = get_language()
    job = ImportJob(
        created_by=actor,
        compound=compound,
        original_name=(file_name or "")[-255:],
        file_format=file_format,
        status=ImportStatus.CHECKING,
        total_rows=estimated_rows,
    )
    # The stored name says nothing about the file; the content is encrypted.
    job.encrypted_file.save(f"{uuid.uuid4().hex}.bin", ContentFile(encrypt_bytes(data)), save=False)
    try:
        with transaction.atomic():
            validated(job)
            job.save()
            IMPORT_JOB.record(
                obj=job, kind=ImportEventKind.UPLOADED, actor=actor, to_status=job.status
            )
            transaction.on_commit(lambda: _enqueue("import_check_task", job.pk, language))
    except Exception:
        job.encrypted_file.delete(save=False)
        raise
    return job


def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """The uploader confirms a checked file: queue the write. Only a READY job can be
    confirmed, once."""
    language = get_language()
    with transaction.atomic():
        job = IMPORT_JOB.take("confirm", actor=actor, obj=job, processed_rows=0)
        transaction.on_commit(lambda: _enqueue("import_run_task", job.pk, language))
    return job


# -- the system's steps -------------------------------------------------------------------------


def import_job_check(*, actor, job: ImportJob) -> ImportJob:
    """The dry run: read every row, check it against the register, and report. Writes
    nothing but the job."""
    IMPORT_JOB.check("check_pass", actor=actor, obj=job)
    try:
        reading = _read_job_file(job)
        plan = import_plan(actor=job.created_by, compound=job.compound, reading=reading)
    except Exception:
        return _unexpected(actor, job)
    errors = reading.errors + plan.errors
    report = _report(errors)
    return _finish(
        "check_fail" if errors else "check_pass",
        actor=actor,
        job=job,
        data={"error_count": report["error_count"]} if errors else plan.summary(reading.data_rows),
        total_rows=reading.data_rows,
        processed_rows=reading.data_rows,
        summary=plan.summary(reading.data_rows),
        **report,
    )


class _Refused(Exception):
    """The check failed inside the write transaction: roll back, report."""

    def __init__(self, errors):
        super().__init__("import refused")
        self.errors = errors


def import_job_run(*, actor, job: ImportJob) -> ImportJob:
    """The write, all or nothing. The file is read again (outside the transaction, with
    progress); the checks that depend on the register run again inside the transaction,
    so that what was checked is what is written, and the job is done in the same one."""
    IMPORT_JOB.check("import_done", actor=actor, obj=job)
    try:
        reading = _read_job_file(job)
        with transaction.atomic():
            plan = import_plan(actor=job.created_by, compound=job.compound, reading=reading)
            errors = reading.errors + plan.errors
            if errors:
                raise _Refused(errors)
            _write(job=job, actor=job.created_by, plan=plan)
            summary = plan.summary(reading.data_rows)
            return _finish(
                "import_done",
                actor=actor,
                job=job,
                data=summary,
                total_rows=reading.data_rows,
                processed_rows=reading.data_rows,
                summary=summary,
                errors=[],
                error_count=0,
            )
    except _Refused as refused:
        report = _report(refused.errors)
        return _finish(
            "import_refuse",
            actor=actor,
            job=job,
            data={"error_count": report["error_count"]},
            **report,
        )
    except IntegrityError:
        # Someone registered one of these residents between our check and our write.
        logger.warning("Import job %s collided with a concurrent change", job.pk)
        message = _("The register changed while importing; nothing was imported. Upload again.")
        return _finish("fail", actor=actor, job=job, **_one_error(message))
    except LinliError:
        raise
    except Exception:
        return _unexpected(actor, job)


def import_job_expire(*, actor, job: ImportJob) -> ImportJob:
    """Drop the file of a checked job that nobody confirmed in time."""
    message = _("Not confirmed in time; the file was deleted. Upload it again to import.")
    return _finish("expire", actor=actor, job=job, **_one_error(message))


# -- the write ----------------------------------------------------------------------------------

UPDATE_FIELDS = [
    "name",
    "name_initials",
    "name_pinyin",
    "gender",
    "birth_date",
    "id_number",
    "id_number_hash",
    "phone",
    "phone_hash",
    "relation",
    "notes",
    *STORED_TAGS,
    "updated_at",
]


def _write(*, job: ImportJob, actor, plan: ImportPlan) -> None:
    now = timezone.now()
    changed = []
    for resident, clean in plan.updates:
        services._apply(resident, clean)
        resident.updated_at = now  # bulk_update does not touch auto_now fields
        changed.append(resident)
    Resident.objects.bulk_update(changed, UPDATE_FIELDS, batch_size=UPDATE_BATCH)
    # One audit event for the whole file; it counts, it never lists personal data.
    services.residents_bulk_create(
        actor=actor,
        rows=plan.new,
        action="resident.import",
        place_path=job.compound.path,
        details={"job": job.pk, "updated": len(plan.updates), "unchanged": plan.unchanged},
    )
