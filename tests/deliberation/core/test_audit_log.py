"""The audit log: every staff action records itself, in its own transaction; organizers of
the deliberation, and nobody else, read it."""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from deliberation.core import actions, audit
from deliberation.core.models import AuditLogEntry, Stage
from deliberation.core.roles import Role
from tests.factories import DeliberationFactory, UserFactory, join

ROOT = Path(__file__).resolve().parents[3]
ACTION_MODULES = (
    "deliberation/core/actions",
    "panels/actions.py",
    "surveys/actions",
    "deliberation/forum/actions",
    "deliberation/report/actions.py",
)

# Actions that are not staff writes, so they record nothing in the audit log.
NOT_STAFF = {
    # A panelist chooses the name they are shown by.
    "do_set_display_name",
    # Respondents: their own invitation, consent, drafts, answers, volunteering, a
    # visitor's one-time link from the open link, and their resume link by e-mail.
    "do_panel_invitation",
    "do_email_resume_link",
    "do_start_response",
    "do_save_draft",
    "do_submit_response",
    "do_volunteer",
    "do_open_link_invitation",
    # Panelists in a room: presence, chat, questions, votes, hands, support.
    "do_join_room",
    "do_leave_room",
    "do_touch_attendance",
    "do_post_message",
    "do_ask_question",
    "do_upvote_question",
    "do_vote_poll",
    "do_raise_hand",
    "do_support_recommendation",
    "do_submit_statement",
    "do_vote_statement",
    # The live run of a room (phase, timer, floor, quick polls, the expert's answers):
    # each is an event of the room's own numbered event log (RoomEvent).
    "do_set_phase",
    "do_start_timer",
    "do_stop_timer",
    "do_give_floor",
    "do_end_floor",
    "do_lower_hand",
    "do_open_poll",
    "do_close_poll",
    "do_pick_question",
    "do_answer_question",
    # Consequences inside recorded writes: rooms opened for a saved session or an
    # allocation, room access closed for a moved or declined person.
    "do_open_rooms",
    "do_revoke_room_access",
    # The live opinion map, recomputed from the votes without anyone asking.
    "do_refresh_opinion_map",
}

# Staff actions that only forward to a recorded action, which writes the entry.
DELEGATES = {
    "do_import_pool": "do_add_volunteers",
    "do_derive_quotas": "do_replace_quotas",
    "do_add_poll_volunteers": "do_add_volunteers",
    "do_import_file": "do_import_poll",
}


def action_functions() -> dict[str, tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = {}
    for entry in ACTION_MODULES:
        path = ROOT / entry
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for file in files:
            for node in ast.parse(file.read_text()).body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    node.name.startswith("do_")
                ):
                    found[node.name] = (str(file.relative_to(ROOT)), node)
    return found


def called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def is_atomic(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and called_name(node) == "atomic") or (
        isinstance(node, ast.Attribute) and node.attr == "atomic"
    )


def record_calls(function: ast.AST) -> list[tuple[ast.Call, bool]]:
    """Each record(...) call of a function, and whether a transaction.atomic() holds it."""
    calls = []

    def walk(node: ast.AST, atomic: bool) -> None:
        if isinstance(node, ast.With | ast.AsyncWith):
            atomic = atomic or any(is_atomic(item.context_expr) for item in node.items)
        if isinstance(node, ast.Call) and called_name(node) == "record":
            calls.append((node, atomic))
        for child in ast.iter_child_nodes(node):
            walk(child, atomic)

    decorated = any(is_atomic(d) for d in getattr(function, "decorator_list", []))
    walk(function, decorated)
    return calls


def event_types(call: ast.Call) -> list[str]:
    """The event types a call can record: a literal, or either side of a conditional."""
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return [first.value]
    if isinstance(first, ast.IfExp):
        return [
            side.value
            for side in (first.body, first.orelse)
            if isinstance(side, ast.Constant) and isinstance(side.value, str)
        ]
    return []


def test_every_staff_action_records_in_its_transaction():
    functions = action_functions()
    missing, outside, unknown = [], [], []
    for name, (path, node) in sorted(functions.items()):
        if name in NOT_STAFF:
            continue
        if name in DELEGATES:
            calls = {called_name(c) for c in ast.walk(node) if isinstance(c, ast.Call)}
            if DELEGATES[name] not in calls:
                missing.append(f"{path}: {name} no longer calls {DELEGATES[name]}")
            continue
        calls = record_calls(node)
        if not calls:
            missing.append(f"{path}: {name}")
        for call, atomic in calls:
            if not atomic:
                outside.append(f"{path}: {name}")
            kinds = event_types(call)
            if not kinds or any(kind not in audit.EVENTS for kind in kinds):
                unknown.append(f"{path}: {name} records {kinds or 'a computed event type'}")
    assert not missing, "staff actions that do not call audit.record: " + ", ".join(missing)
    assert not outside, "audit.record outside transaction.atomic(): " + ", ".join(outside)
    assert not unknown, "event types missing from audit.EVENTS: " + ", ".join(unknown)


def test_the_allow_lists_name_existing_actions():
    functions = action_functions()
    stale = sorted((NOT_STAFF | set(DELEGATES) | set(DELEGATES.values())) - set(functions))
    assert not stale


@pytest.mark.django_db
def test_an_edit_records_its_old_and_new_values():
    organizer = UserFactory(role=Role.ORGANIZER)
    deliberation = DeliberationFactory(title="옛 제목", city="서울특별시")
    join(organizer, deliberation, Role.ORGANIZER)

    actions.do_update_deliberation(
        deliberation, actor=organizer, title="새 제목", city="서울특별시"
    )

    entry = AuditLogEntry.objects.get()
    assert entry.event_type == "deliberation.updated"
    assert entry.actor == organizer and entry.deliberation == deliberation
    assert entry.object_type == "deliberation.deliberation"
    assert entry.object_id == str(deliberation.pk)
    assert entry.changes == {"title": ["옛 제목", "새 제목"]}


@pytest.mark.django_db
def test_a_refused_action_records_nothing():
    organizer = UserFactory(role=Role.ORGANIZER)
    deliberation = DeliberationFactory()
    join(organizer, deliberation, Role.ORGANIZER)
    Stage.objects.create(deliberation=deliberation, kind=Stage.Kind.POLL, order=1)

    with pytest.raises(actions.ActionRefused):
        actions.do_add_stage(deliberation, kind=Stage.Kind.POLL, actor=organizer)

    assert not AuditLogEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_entry_commits_or_rolls_back_with_its_write():
    deliberation = DeliberationFactory(title="옛 제목")

    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        audit.record("deliberation.updated", actor=None, deliberation=deliberation)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        actions.do_update_deliberation(deliberation, actor=None, title="새 제목")
        1 / 0  # noqa: B018

    deliberation.refresh_from_db()
    assert deliberation.title == "옛 제목"
    assert not AuditLogEntry.objects.exists()


@pytest.mark.django_db
def test_record_refuses_an_unknown_event_type():
    with pytest.raises(ValueError, match="unknown audit event"):
        audit.record("no.such_event", actor=None, deliberation=None)


@pytest.mark.django_db
def test_entries_are_never_changed_or_deleted():
    deliberation = DeliberationFactory()
    actions.do_set_archived(deliberation, archived=True, actor=None)
    entry = AuditLogEntry.objects.get()
    entry.object_label = "changed"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def _log_of(deliberation, organizer):
    join(organizer, deliberation, Role.ORGANIZER)
    actions.do_update_deliberation(deliberation, actor=organizer, title=f"{deliberation.slug} 수정")


@pytest.mark.django_db
def test_an_organizer_sees_their_deliberations_log_and_not_another(client):
    first, second = DeliberationFactory(), DeliberationFactory()
    organizer, other = UserFactory(role=Role.ORGANIZER), UserFactory(role=Role.ORGANIZER)
    _log_of(first, organizer)
    _log_of(second, other)
    client.force_login(organizer)

    page = client.get(reverse("deliberation:audit_log", args=[first.slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{first.slug} 수정" in text and f"{second.slug} 수정" not in text
    assert client.get(reverse("deliberation:audit_log", args=[second.slug])).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ANALYST, Role.FACILITATOR, Role.EXPERT, Role.PANELIST])
def test_other_roles_cannot_read_the_log(client, role):
    deliberation = DeliberationFactory()
    user = UserFactory(role=role)
    if role != Role.PANELIST:
        join(user, deliberation, role)
    client.force_login(user)
    url = reverse("deliberation:audit_log", args=[deliberation.slug])
    assert client.get(url).status_code == 403
    assert client.get(url, {"format": "csv"}).status_code == 403


@pytest.mark.django_db
def test_the_log_filters_by_event_type_and_actor(client):
    deliberation = DeliberationFactory()
    organizer, colleague = UserFactory(role=Role.ORGANIZER), UserFactory(role=Role.ORGANIZER)
    join(organizer, deliberation, Role.ORGANIZER)
    join(colleague, deliberation, Role.ORGANIZER)
    actions.do_update_deliberation(deliberation, actor=organizer, title="첫 수정")
    actions.do_set_archived(deliberation, archived=True, actor=colleague)
    client.force_login(organizer)
    url = reverse("deliberation:audit_log", args=[deliberation.slug])

    by_event = client.get(url, {"event": "deliberation.archived"}).context["page_obj"]
    by_actor = client.get(url, {"actor": organizer.pk}).context["page_obj"]

    assert [e.event_type for e in by_event] == ["deliberation.archived"]
    assert [e.actor_id for e in by_actor] == [organizer.pk]


@pytest.mark.django_db
def test_the_page_reads_fifty_entries_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    deliberation = DeliberationFactory()
    organizer = UserFactory(role=Role.ORGANIZER)
    join(organizer, deliberation, Role.ORGANIZER)
    for n in range(60):
        actor = UserFactory(role=Role.ORGANIZER)
        join(actor, deliberation, Role.ORGANIZER)
        actions.do_update_deliberation(deliberation, actor=actor, title=f"제목 {n}")
    client.force_login(organizer)
    url = reverse("deliberation:audit_log", args=[deliberation.slug])

    with django_assert_max_num_queries(14):
        page = client.get(url)
    assert len(page.context["page_obj"]) == 50
    assert page.context["page_obj"][0].changes["title"][1] == "제목 59"


@pytest.mark.django_db
def test_the_csv_download_neutralises_formula_cells(client):
    deliberation = DeliberationFactory()
    organizer = UserFactory(role=Role.ORGANIZER)
    join(organizer, deliberation, Role.ORGANIZER)
    actions.do_update_deliberation(deliberation, actor=organizer, title="=HYPERLINK(1)")
    actions.do_set_archived(deliberation, archived=True, actor=organizer)
    client.force_login(organizer)

    response = client.get(
        reverse("deliberation:audit_log", args=[deliberation.slug]), {"format": "csv"}
    )

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["event_type"] for r in rows] == ["deliberation.archived", "deliberation.updated"]
    assert json.loads(rows[1]["changes"])["title"][1] == "=HYPERLINK(1)"
    objects = [r["object"] for r in rows]
    assert all(not o.startswith("=") for o in objects)


@pytest.mark.django_db
def test_the_log_names_details_in_the_pages_language_and_marks_korean_data(client):
    deliberation = DeliberationFactory()
    organizer = UserFactory(role=Role.ORGANIZER)
    join(organizer, deliberation, Role.ORGANIZER)
    audit.record(
        "draw.made",
        actor=organizer,
        deliberation=deliberation,
        label="#1",
        extra={"seed": 7, "weighted": True, "districts": ["종로구"], "mystery_key": "x"},
    )
    audit.record(
        "margins.replaced",
        actor=organizer,
        deliberation=deliberation,
        label="margins",
        changes={"region=도심권": [0.1, 0.2]},
    )
    client.force_login(organizer)
    url = reverse("deliberation:audit_log", args=[deliberation.slug])

    korean = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<span class="audit-field">시드</span>: 7' in korean
    assert '<span class="audit-field">가중</span>: 예' in korean
    assert '<span class="audit-field"><code>mystery_key</code></span>' in korean
    assert ">seed<" not in korean and ">weighted<" not in korean

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="audit-field">districts</span>: <span lang="ko">종로구</span>' in english
    assert '<span class="audit-field">Region: <span lang="ko">도심권</span></span>' in english
    assert '<span class="audit-field">weighted</span>: yes' in english
