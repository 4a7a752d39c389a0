from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from deliberation.core import demo as core_demo
from deliberation.forum import demo as forum_demo
from deliberation.report import demo as report_demo
from panels import demo as panels_demo
from surveys import demo as surveys_demo
from surveys import demo_waves


class Command(BaseCommand):
    help = (
        "Build the demo deliberation (Seoul 2021, household waste) with synthetic accounts "
        "for every role. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default=core_demo.DEFAULT_PASSWORD,
            help="Password of every demo account (default: %(default)s).",
        )

    def handle(self, *args, password: str, **options) -> None:
        with transaction.atomic():
            deliberation, accounts = core_demo.seed_core(password)
            # The demo organizer invites panelists, so may see volunteers' contacts.
            accounts.organizer.user_permissions.add(
                Permission.objects.get(
                    codename="view_volunteer_contacts", content_type__app_label="surveys"
                )
            )
            organizer = type(accounts.organizer).objects.get(pk=accounts.organizer.pk)
            panels_demo.seed_regions(deliberation)
            panels_demo.seed_margins(deliberation)
            # The poll comes first: the pool is its volunteers, and the panel is drawn by
            # prior opinion too, its targets from the weighted poll.
            poll = surveys_demo.seed_poll(deliberation)
            if not deliberation.selection_audits.exists():
                surveys_demo.seed_opinion_stratum(deliberation, poll, organizer)
            surveys_demo.seed_pool(deliberation, organizer)
            panels_demo.seed_selection(deliberation, accounts.panelists, organizer)
            forum_demo.seed_sessions(deliberation, accounts)
            forum_demo.seed_forum(deliberation)
            forum_demo.seed_outcomes(deliberation)
            forum_demo.seed_statements(deliberation)
            panel_waves = demo_waves.seed_panel_waves(poll)
            report_demo.seed_publication(deliberation, organizer, accounts.department)
        self.stdout.write(self.style.SUCCESS(f"Demo deliberation ready: {deliberation.title}"))
        self.stdout.write(
            "Demo accounts (all synthetic), password "
            f"{password!r}:\n"
            "  organizer@example.org, analyst@example.org, expert@example.org,\n"
            f"  department@example.org (department officer of {core_demo.DEMO_DEPARTMENT}),\n"
            "  facilitator01..30@example.org, panelist001..300@example.org\n"
            "  (seats filled from the reserves have accounts without a password)"
        )
        self.stdout.write(f"Public page: /public/{deliberation.slug}/")
        self.stdout.write(
            f"Demo poll: {poll.responses.count()} synthetic respondents (wave id {poll.pk}); "
            f"try it as a respondent at /surveys/open/{poll.open_link_token}/"
        )
        self.stdout.write(
            "Demo panel waves: "
            + ", ".join(f"{w.label} ({w.responses.count()} responses)" for w in panel_waves)
        )
