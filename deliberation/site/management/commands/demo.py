import ctypes
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def _stop_with_parent() -> None:
    """In the worker child: receive SIGTERM when the demo process dies, however it dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Command(BaseCommand):
    help = (
        "Migrate, build the demo deliberation and serve it (HTTP and websockets), with a "
        "background worker for selection runs, report PDFs and reminders."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--password", default=None)

    def handle(self, *args, addrport: str, password: str | None, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        seed_options = {"password": password} if password else {}
        call_command("seed_demo", **seed_options)
        host, _, port = addrport.rpartition(":")
        # The worker is a child process with the same settings and environment; it stops
        # with the demo.
        manage = str(settings.BASE_DIR / "manage.py")
        worker = subprocess.Popen(
            [sys.executable, manage, "worker", "--verbosity", "0"],
            preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
        )
        # SIGTERM would otherwise end the demo without stopping its worker.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(
            self.style.SUCCESS(f"\nOpen http://{host or '127.0.0.1'}:{port}/ and sign in.\n")
        )
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
