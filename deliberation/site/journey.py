"""The set-up journey of a deliberation: every step from the team to the report, what is
done and what comes next, read from the data each stage keeps."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from deliberation.core.models import Deliberation, Membership
from deliberation.core.roles import Role
from deliberation.forum.models import Session
from deliberation.report.models import ReportRender
from panels.models import Panelist, SelectionRun
from surveys.models import OpinionStratum, Response, Wave


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    summary: str
    url: str
    is_next: bool = False
    # A step the deliberation may skip (drawing by prior opinion): never "next", not counted.
    optional: bool = False


def journey(deliberation: Deliberation) -> list[Step]:
    """The steps in order; the first one not done is the next."""
    slug = deliberation.slug
    waves = list(
        Wave.objects.filter(deliberation=deliberation).annotate(
            questions=Count("questionnaire__questions", distinct=True),
            complete=Count(
                "responses",
                filter=Q(responses__status=Response.Status.COMPLETE),
                distinct=True,
            ),
            weightings=Count("weighting_runs", distinct=True),
        )
    )
    poll = next((w for w in waves if w.kind == Wave.Kind.POLL), None)
    panel_waves = [w for w in waves if w.kind != Wave.Kind.POLL]
    team = dict(
        Membership.objects.filter(deliberation=deliberation)
        .values_list("role")
        .annotate(n=Count("id"))
        .order_by()
    )
    seats = Panelist.objects.filter(deliberation=deliberation).aggregate(
        drawn=Count("id"),
        invited=Count("id", filter=Q(invited_at__isnull=False)),
        confirmed=Count("id", filter=Q(status=Panelist.Status.CONFIRMED)),
    )
    volunteers = deliberation.volunteers.count()
    sessions = Session.objects.filter(deliberation=deliberation).count()
    overview = reverse("surveys:overview", args=[slug])

    def count_text(text: str, count: int) -> str:
        return text % {"n": count}

    steps = [
        Step(
            "team",
            _("Team"),
            bool(team.get(Role.FACILITATOR)),
            count_text(
                ngettext("%(n)d facilitator", "%(n)d facilitators", team.get(Role.FACILITATOR, 0)),
                team.get(Role.FACILITATOR, 0),
            ),
            reverse("deliberation:team", args=[slug]),
        ),
        Step(
            "margins",
            _("Population margins"),
            deliberation.margins.exists(),
            count_text(
                ngettext("%(n)d share", "%(n)d shares", deliberation.margins.count()),
                deliberation.margins.count(),
            ),
            reverse("panels:margins", args=[slug]),
        ),
        Step(
            "questionnaire",
            _("Poll questionnaire"),
            bool(poll and poll.questions),
            count_text(
                ngettext("%(n)d question", "%(n)d questions", poll.questions if poll else 0),
                poll.questions if poll else 0,
            ),
            reverse("surveys:questionnaire", args=[poll.questionnaire_id]) if poll else overview,
        ),
        Step(
            "fieldwork",
            _("Poll fieldwork"),
            bool(poll and poll.complete),
            count_text(
                ngettext(
                    "%(n)d complete response",
                    "%(n)d complete responses",
                    poll.complete if poll else 0,
                ),
                poll.complete if poll else 0,
            ),
            reverse("surveys:fieldwork", args=[poll.pk]) if poll else overview,
        ),
        Step(
            "weighting",
            _("Weighting"),
            bool(poll and poll.weightings),
            count_text(
                ngettext(
                    "%(n)d weighting run", "%(n)d weighting runs", poll.weightings if poll else 0
                ),
                poll.weightings if poll else 0,
            ),
            reverse("surveys:weighting", args=[poll.pk]) if poll else overview,
        ),
        Step(
            "pool",
            _("Volunteer pool"),
            volunteers > 0,
            count_text(ngettext("%(n)d volunteer", "%(n)d volunteers", volunteers), volunteers),
            reverse("panels:pool", args=[slug]),
        ),
        Step(
            "opinion",
            _("Prior opinion as a selection feature"),
            OpinionStratum.objects.filter(deliberation=deliberation).exists(),
            "",
            reverse("surveys:opinion_stratum", args=[slug]),
            optional=True,
        ),
        Step(
            "quotas",
            _("Panel quotas"),
            deliberation.quotas.exists(),
            count_text(
                ngettext("%(n)d quota", "%(n)d quotas", deliberation.quotas.count()),
                deliberation.quotas.count(),
            ),
            reverse("panels:quotas", args=[slug]),
        ),
        Step(
            "selection",
            _("Selection probabilities"),
            SelectionRun.objects.filter(
                deliberation=deliberation, status=SelectionRun.Status.DONE
            ).exists(),
            "",
            reverse("panels:compute", args=[slug]),
        ),
        Step(
            "draw",
            _("Public draw"),
            seats["drawn"] > 0,
            count_text(ngettext("%(n)d seat", "%(n)d seats", seats["drawn"]), seats["drawn"]),
            reverse("panels:draw", args=[slug]),
        ),
        Step(
            "invitations",
            _("Invitations and confirmations"),
            seats["drawn"] > 0 and seats["invited"] == seats["drawn"],
            _("%(invited)d of %(drawn)d invited, %(confirmed)d confirmed") % seats,
            reverse("panels:panel", args=[slug]),
        ),
        Step(
            "sessions",
            _("Sessions"),
            sessions > 0,
            count_text(ngettext("%(n)d session", "%(n)d sessions", sessions), sessions),
            reverse("forum:session_create", args=[slug]),
        ),
        Step(
            "panel_surveys",
            _("Panel surveys"),
            len(panel_waves) >= 2,
            count_text(
                ngettext("%(n)d panel wave", "%(n)d panel waves", len(panel_waves)),
                len(panel_waves),
            ),
            overview,
        ),
        Step(
            "report",
            _("Report"),
            ReportRender.objects.filter(
                deliberation=deliberation, status=ReportRender.Status.DONE
            ).exists(),
            "",
            reverse("report:page", args=[slug]),
        ),
    ]
    first_open = next(
        (i for i, step in enumerate(steps) if not step.done and not step.optional), None
    )
    if first_open is not None:
        step = steps[first_open]
        steps[first_open] = Step(
            step.key, step.label, step.done, step.summary, step.url, is_next=True
        )
    return steps
