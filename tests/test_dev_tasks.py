"""`make dev` works alone (issue 14, item 13): without the task worker, runserver left a register
import at "checking 0%" with no hint why. The dev settings run tasks inline, so the import
completes with no worker; where tasks do go to the worker's queue, the import's page says,
after half a minute without a start, that it waits for the worker and how to start it."""

import importlib
import os
import subprocess
import sys
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from linli.residents.models import ImportJob, ImportStatus
from tests.test_residents_import import people, xlsx

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def backend_under(settings_module: str, **env) -> str:
    """The task backend a fresh process gets with ``settings_module`` (as `linli runserver`)."""
    code = (
        "import django; django.setup(); "
        "from django_tasks import task_backends as b; print(type(b['default']).__name__)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **env}
    if "LINLI_TASK_WORKER" not in env:
        environment.pop("LINLI_TASK_WORKER", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_dev_settings_run_tasks_inline():
    # `make dev` and `linli runserver` use linli.settings.dev (the linli command's default).
    from pathlib import Path

    from linli import cli

    source = Path(cli.__file__).read_text()
    assert 'setdefault("DJANGO_SETTINGS_MODULE", "linli.settings.dev")' in source
    assert backend_under("linli.settings.dev") == "ImmediateBackend"
    # The database queue stays for `make run` (base settings, with the worker) and for those
    # who ask for it in development.
    assert backend_under("linli.settings.base") == "DatabaseBackend"
    assert backend_under("linli.settings.dev", LINLI_TASK_WORKER="1") == "DatabaseBackend"


def dev_tasks() -> dict:
    sys.modules.pop("linli.settings.dev", None)
    with mock.patch.dict(os.environ, {"LINLI_TASK_WORKER": ""}):
        tasks = importlib.import_module("linli.settings.dev").TASKS
    sys.modules.pop("linli.settings.dev", None)
    return tasks


def upload(client, demo, captured):
    with captured(execute=True):
        response = client.post(
            reverse("residents:resident-import"),
            {
                "compound": demo.nanguanfang.pk,
                "file": SimpleUploadedFile("名册.xlsx", xlsx(people(5))),
            },
        )
    assert response.status_code == 302, response.content
    return ImportJob.objects.latest("pk")


@pytest.mark.django_db
def test_an_import_completes_without_a_worker_under_the_dev_settings(
    english, demo, media, django_capture_on_commit_callbacks
):
    client = english("community")
    with override_settings(TASKS=dev_tasks()):
        job = upload(client, demo, django_capture_on_commit_callbacks)
        job.refresh_from_db()
        assert job.status == ImportStatus.READY
        page = client.get(reverse("residents:resident-import-detail", args=[job.pk]))
        assert 'data-testid="import-confirm"' in page.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("residents:resident-import-detail", args=[job.pk]))
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE
    # With the worker's queue and no worker, the same upload stays at "checking".
    with override_settings(TASKS=QUEUE):
        queued = upload(client, demo, django_capture_on_commit_callbacks)
    queued.refresh_from_db()
    assert queued.status == ImportStatus.CHECKING


@pytest.mark.django_db
def test_a_waiting_import_says_it_waits_for_the_task_worker(
    english, demo, media, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client = english("community")
    with override_settings(TASKS=QUEUE):
        job = upload(client, demo, django_capture_on_commit_callbacks)
    url = reverse("residents:resident-import-detail", args=[job.pk])
    poll = {"HX-Request": "true"}
    # Just queued: the progress bar, no warning yet.
    body = client.get(url, headers=poll).content.decode()
    assert 'data-testid="import-progress"' in body and "task-waiting" not in body
    later = timezone.now() + timedelta(seconds=45)
    with mock.patch("django.utils.timezone.now", return_value=later):
        with django_assert_max_num_queries(12):
            polled = client.get(url, headers=poll)
        body = polled.content.decode()
        assert 'data-testid="task-waiting"' in body
        assert "Still waiting for the background worker to start the check of your file" in body
        assert "linli db_worker" in body and "make run" in body
        # The whole page says it too.
        assert 'data-testid="task-waiting"' in client.get(url).content.decode()
    # Once the worker reads rows, the warning goes.
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "task-waiting" not in client.get(url, headers=poll).content.decode()
