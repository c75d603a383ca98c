"""``linli serve``: what ``make run`` starts — gunicorn, the task worker and the scheduler.

All three stop together when this command is interrupted or any one of them exits."""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site with gunicorn, beside the task worker and the periodic scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("LINLI_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3"))
        )

    def handle(self, *args, bind, workers, **options):
        linli = [sys.executable, "-m", "linli.cli"]
        commands = {
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "linli.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
            ],
            "worker": [*linli, "db_worker", "--interval", "1"],
            "scheduler": [*linli, "scheduler"],
        }
        env = {**os.environ}
        env.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings.base")
        processes = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(f"Linli is serving on http://{bind}/ (Ctrl-C stops it).")

        def stop(*_):
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

        signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(1)
            failed = [n for n, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(failed)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            pass
        finally:
            stop()
