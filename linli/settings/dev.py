"""Local development (``make dev``, runserver): DEBUG on, and background tasks run inline, in
the request that queues them, so that an import or a notice needs no task worker beside
runserver. ``LINLI_TASK_WORKER=1`` keeps base's database queue instead (then start
``linli db_worker`` as well, as ``make run`` does). Everything else as in base."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not env_bool("LINLI_TASK_WORKER", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
