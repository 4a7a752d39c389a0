"""Fill the report's data object from the database (thin: queries in, dataclasses out)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from deliberation.core.access import deliberations_of, department_key
from deliberation.core.models import Deliberation, Membership
from deliberation.core.roles import Role
from deliberation.forum.models import (
    Attendance,
    ForumGroup,
    GroupRecommendation,
    OpinionMapSnapshot,
    Session,
    Statement,
)
from deliberation.report.data import (
    AttendanceRow,
    OpinionMapData,
    ProcessSummary,
    RecommendationRow,
    ReportData,
    SessionRow,
    StageRow,
)
from deliberation.report.models import RecommendationResponse, ReportNarrative
from panels import selectors as panel_selectors
from panels.funnel import FUNNEL_FEATURES, OPINION, FunnelStep, count_step
from panels.labels import funnel_step_label
from panels.models import Panelist
from panels.representativeness import CompositionFit
from surveys.models import OpinionStratum, Response, Wave
from surveys.opinion import answers_by_response
from surveys.wave_data import evaluation_answers, panel_answers, poll_data


def process_summary(deliberation: Deliberation) -> ProcessSummary:
    stages = tuple(
        StageRow(
            kind=s.kind,
            label=s.get_kind_display(),
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            status=s.current_status,
            status_label=s.current_status_label,
        )
        for s in deliberation.stages.order_by("order")
    )
    sessions = tuple(
        SessionRow(
            kind=s.kind,
            kind_label=s.get_kind_display(),
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            group_count=s.group_count,
            member_count=s.member_count,
        )
        for s in Session.objects.filter(deliberation=deliberation)
        .annotate(
            group_count=Count("groups", distinct=True),
            member_count=Count("groups__members", distinct=True),
        )
        .order_by("starts_at")
    )
    by_status = dict(
        Panelist.objects.filter(deliberation=deliberation)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return ProcessSummary(
        stages=stages,
        sessions=sessions,
        panel_size=panel_selectors.active_panel(deliberation).count(),
        panel_by_status=by_status,
        attendance=attendance(deliberation),
    )


def attendance(deliberation: Deliberation) -> tuple[AttendanceRow, ...]:
    """Per session, the active panelists expected and those who came to any of its rooms.

    A session with groups expects the panelists allocated to them; a plenary or an expert
    debate the whole active panel. Sessions nobody has joined yet are left out.
    """
    panel = set(panel_selectors.active_panel(deliberation).values_list("user_id", flat=True))
    sessions = list(Session.objects.filter(deliberation=deliberation).order_by("starts_at"))
    members: dict[int, set[int]] = {}
    for session_id, user_id in ForumGroup.members.through.objects.filter(
        forumgroup__session__deliberation=deliberation
    ).values_list("forumgroup__session_id", "user_id"):
        members.setdefault(session_id, set()).add(user_id)
    came: dict[int, set[int]] = {}
    for session_id, user_id in (
        Attendance.objects.filter(room__session__deliberation=deliberation)
        .values_list("room__session_id", "user_id")
        .distinct()
    ):
        came.setdefault(session_id, set()).add(user_id)
    rows = []
    for session in sessions:
        if session.pk not in came:
            continue
        expected = (members.get(session.pk) or panel) & panel
        rows.append(
            AttendanceRow(
                session=session.title,
                expected=len(expected),
                attended=len(came[session.pk] & expected),
            )
        )
    return tuple(rows)


def recommendations(deliberation: Deliberation, panel_size: int) -> tuple[RecommendationRow, ...]:
    """Every group's recommendations with their support, in session and group order."""
    group_sizes = dict(
        ForumGroup.objects.filter(session__deliberation=deliberation)
        .annotate(n=Count("members"))
        .values_list("pk", "n")
    )
    rows = []
    for recommendation in (
        GroupRecommendation.objects.filter(room__session__deliberation=deliberation)
        .select_related("room__group", "room__session")
        .annotate(supporters=Count("supports", distinct=True))
        .order_by("room__session__starts_at", "room__group__name", "created_at", "pk")
    ):
        room = recommendation.room
        size = group_sizes.get(room.group_id) if room.group_id else panel_size
        rows.append(
            RecommendationRow(
                group=room.group.label if room.group_id else room.session.title,
                text=recommendation.text,
                support=recommendation.supporters / size if size else None,
                votes=recommendation.supporters,
                session=room.session.title,
                group_size=size,
                panel_support=recommendation.supporters / panel_size if panel_size else None,
                pk=recommendation.pk,
            )
        )
    return tuple(rows)


def representativeness(deliberation: Deliberation) -> tuple[CompositionFit, ...]:
    """The active panel against each population margin, as the panels page shows it."""
    return tuple(
        comparison.fit
        for comparison in panel_selectors.representativeness(deliberation)
        if comparison.fit is not None
    )


def narratives(deliberation: Deliberation) -> dict[str, str]:
    return dict(
        ReportNarrative.objects.filter(deliberation=deliberation).values_list("section", "text")
    )


def opinion_maps(deliberation: Deliberation) -> tuple[OpinionMapData, ...]:
    """Every room's latest kept map with its statements' texts and its participants' strata,
    in three queries: the report shows the map the room kept, so it is the same each time."""
    latest = (
        OpinionMapSnapshot.objects.filter(room=OuterRef("room"))
        .order_by("-computed_at", "-pk")
        .values("pk")[:1]
    )
    snapshots = list(
        OpinionMapSnapshot.objects.filter(room__session__deliberation=deliberation)
        .filter(pk=Subquery(latest))
        .select_related("room__session", "room__group")
        .order_by("room__session__starts_at", "room__session_id", "room__group__number", "room_id")
    )
    texts = dict(
        Statement.objects.filter(
            room__session__deliberation=deliberation, status=Statement.Status.ACCEPTED
        ).values_list("pk", "text")
    )
    strata = {
        user_id: {"region": region, "gender": gender, "age_band": age_band}
        for user_id, region, gender, age_band in Panelist.objects.filter(
            deliberation=deliberation, user__isnull=False
        ).values_list("user_id", "region", "gender", "age_band")
    }
    maps = []
    for snapshot in snapshots:
        room = snapshot.room
        people = {p["id"] for p in snapshot.result.get("participants", [])}
        ids = {int(pk) for pk in snapshot.tallies}
        maps.append(
            OpinionMapData(
                session=room.session.title,
                session_kind=room.session.kind,
                room=room.group.name if room.group_id else "",
                starts_at=room.session.starts_at,
                seed=snapshot.seed,
                computed_at=snapshot.computed_at,
                vote_count=snapshot.vote_count,
                result=snapshot.result,
                texts={pk: texts[pk] for pk in ids if pk in texts},
                strata={pk: strata[pk] for pk in people if pk in strata},
            )
        )
    return tuple(maps)


def build_report_data(deliberation: Deliberation) -> ReportData:
    """Everything the report shows, read from the database.

    The poll's core items are those the panel waves ask too, so the panel can be set
    against the weighted poll item by item.
    """
    panel = panel_answers(deliberation)
    poll, poll_items = poll_data(deliberation, list(panel.data.items) if panel else ())
    process = process_summary(deliberation)
    return ReportData(
        slug=deliberation.slug,
        title=deliberation.title,
        agenda=deliberation.agenda,
        city=deliberation.city,
        is_demo=deliberation.is_demo,
        generated_at=timezone.now(),
        process=process,
        recommendations=recommendations(deliberation, process.panel_size),
        representativeness=representativeness(deliberation),
        poll=poll,
        poll_items=poll_items,
        waves=panel.data if panel else None,
        narratives=narratives(deliberation),
        evaluation=evaluation_answers(deliberation),
        funnel=funnel_steps(deliberation),
        opinion_maps=opinion_maps(deliberation),
        category_names_en=panel_selectors.labels_for(deliberation).english,
    )


def funnel_steps(deliberation: Deliberation) -> tuple[FunnelStep, ...]:
    """The whole recruitment funnel's counts, in a fixed number of queries.

    Poll respondents (counted responses of the poll waves, with their answer to the opinion
    question when one is chosen) -> volunteers -> drawn -> confirmed (panels) -> then, in
    the order they took place, each session anyone came to (by its start) and each panel
    wave anyone answered (by its opening; a wave without one comes last). Sessions and
    waves count the seats only, by the seat's strata. In time order, each step's retention
    is from the step the panel went through just before it.
    """
    features = FUNNEL_FEATURES
    order = panel_selectors.category_order(deliberation)
    respondents = {
        pk: {"region": region, "gender": gender, "age_band": age_band}
        for pk, region, gender, age_band in Response.objects.filter(
            wave__deliberation=deliberation, wave__kind=Wave.Kind.POLL
        )
        .counted()
        .values_list("pk", "region", "gender", "age_band")
    }
    stratum = (
        OpinionStratum.objects.filter(deliberation=deliberation)
        .select_related("wave", "question")
        .first()
    )
    if stratum is not None:
        for pk, answer in answers_by_response(stratum.wave, stratum.question).items():
            if pk in respondents:
                respondents[pk][OPINION] = answer
    steps: list[FunnelStep] = []
    if respondents:
        steps.append(
            count_step("poll", funnel_step_label("poll"), respondents.values(), features, order)
        )
    pool = panel_selectors.pool_funnel(deliberation, order)
    steps.extend(pool.steps)
    seats = pool.seats
    came: dict[int, set[int]] = {}
    for session_id, user_id in (
        Attendance.objects.filter(room__session__deliberation=deliberation)
        .values_list("room__session_id", "user_id")
        .distinct()
    ):
        if user_id in seats:
            came.setdefault(session_id, set()).add(user_id)
    later: list[tuple[tuple[int, Any, int, int], FunnelStep]] = []
    for pk, title, starts_at in (
        Session.objects.filter(deliberation=deliberation, pk__in=list(came))
        .order_by("starts_at", "pk")
        .values_list("pk", "title", "starts_at")
    ):
        step = count_step(
            f"session:{pk}", title, (seats[u] for u in sorted(came[pk])), features, order
        )
        later.append(((0, starts_at, 0, pk), step))
    answered: dict[int, set[int]] = {}
    for wave_id, user_id in (
        Response.objects.filter(wave__deliberation=deliberation, panelist__isnull=False)
        .exclude(wave__kind=Wave.Kind.POLL)
        .counted()
        .values_list("wave_id", "panelist__user_id")
        .distinct()
    ):
        if user_id in seats:
            answered.setdefault(wave_id, set()).add(user_id)
    for pk, title, opens_at in (
        Wave.objects.filter(pk__in=list(answered))
        .order_by(F("opens_at").asc(nulls_last=True), "pk")
        .values_list("pk", "title", "opens_at")
    ):
        step = count_step(
            f"wave:{pk}", title, (seats[u] for u in sorted(answered[pk])), features, order
        )
        # A session and a wave at the same moment: the session first (a wave opened at the
        # end of a forum is answered after it).
        later.append(((0, opens_at, 1, pk) if opens_at else (1, None, 1, pk), step))
    undated = [item for item in later if item[0][0]]
    dated = sorted((item for item in later if not item[0][0]), key=lambda item: item[0])
    steps.extend(step for _key, step in [*dated, *undated])
    return tuple(steps)


def tracking_departments(deliberation: Deliberation) -> list[str]:
    """The departments an organizer assigns recommendations to: those of the team's
    department officers and those already named in answers, so a name is typed once."""
    officers = Membership.objects.filter(deliberation=deliberation, role=Role.DEPARTMENT)
    answered = RecommendationResponse.objects.filter(deliberation=deliberation).exclude(
        department=""
    )
    names = {*officers.values_list("department", flat=True)}
    names |= {*answered.values_list("department", flat=True)}
    return sorted(names)


def department_desks(user: Any) -> list[tuple[Membership, int]]:
    """A department officer's deliberations, each with how many recommendations are
    assigned to their department: their home page leads to each one's tracking page."""
    desks = list(
        Membership.objects.filter(
            user=user,
            role=Role.DEPARTMENT,
            deliberation__in=deliberations_of(user, Role.DEPARTMENT),
            deliberation__archived_at__isnull=True,
        )
        .select_related("deliberation")
        .order_by("deliberation__title")
    )
    assigned: dict[tuple[int, str], int] = {}
    for deliberation_id, department in RecommendationResponse.objects.filter(
        deliberation__in=[desk.deliberation_id for desk in desks]
    ).values_list("deliberation_id", "department"):
        key = (deliberation_id, department_key(department))
        assigned[key] = assigned.get(key, 0) + 1
    return [
        (desk, assigned.get((desk.deliberation_id, department_key(desk.department)), 0))
        for desk in desks
    ]
