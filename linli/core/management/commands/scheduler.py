"""``linli scheduler``: enqueue periodic jobs when they are due (see core/periodic.py)."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from linli.core.periodic import enqueue_due_jobs, registered_jobs


class Command(BaseCommand):
    help = "Enqueue periodic jobs when due; the task worker runs them."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between checks.")

    def handle(self, *args, once=False, interval=30.0, **options):
        jobs = registered_jobs()
        self.stdout.write(
            f"Scheduler: {len(jobs)} periodic job(s): " + ", ".join(j.name for j in jobs)
        )
        while True:
            for name in enqueue_due_jobs():
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(interval)
            close_old_connections()  # a long-lived loop must not hold a dead connection
