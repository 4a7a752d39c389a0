from django.core.management.base import BaseCommand, CommandError

from deliberation.core.actions import ActionRefused
from deliberation.core.actions.teams import do_create_organizer


class Command(BaseCommand):
    help = (
        "Create the first organizer of a new installation (or give an existing account the "
        "organizer role). They sign in with a code sent to the address; everyone else is "
        "invited from the product."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000",
            help="The address people open, to print the sign-in link (default: %(default)s).",
        )

    def handle(self, *args, email: str, name: str, site_url: str, **options) -> None:
        try:
            user = do_create_organizer(email, name=name)
        except ActionRefused as exc:
            raise CommandError(exc.detail) from exc
        link = f"{site_url.rstrip('/')}/accounts/login/code/?email={user.email}"
        self.stdout.write(f"Organizer: {user.email}\nSign in with a code at: {link}")
