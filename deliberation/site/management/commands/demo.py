from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, build the demo deliberation and serve it (HTTP and websockets)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--password", default=None)

    def handle(self, *args, addrport: str, password: str | None, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        seed_options = {"password": password} if password else {}
        call_command("seed_demo", **seed_options)
        host, _, port = addrport.rpartition(":")
        self.stdout.write(
            self.style.SUCCESS(f"\nOpen http://{host or '127.0.0.1'}:{port}/ and sign in.\n")
        )
        call_command("runserver", addrport, use_reloader=False)
