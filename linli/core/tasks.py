"""Housekeeping jobs of the platform itself."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from .periodic import periodic


@periodic(every=timedelta(days=1))
@task()
def housekeeping() -> dict:
    """Drop expired sessions and finished task results older than two weeks; on SQLite,
    refresh the query planner's statistics (PostgreSQL's autovacuum does that itself), without
    which large registers are scanned instead of searched by index."""
    cutoff = timezone.now() - timedelta(days=14)
    sessions, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
    return {"sessions": sessions, "task_results": results}
