"""Moving the forum's and the report's models to their apps keeps every row and grant."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("deliberation", "0006_merge_headline_and_recent_by_author"),
    ("surveys", "0004_wave_reminders"),
    ("panels", "0002_pool_quotas_runs_audit"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_rows_content_types_and_permissions_move_with_the_models():
    old = migrate(BEFORE)
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    User = old.get_model("auth", "User")
    question_type = ContentType.objects.get_or_create(app_label="deliberation", model="question")[0]
    viewing = Permission.objects.get_or_create(
        content_type=question_type, codename="view_question", defaults={"name": "Can view"}
    )[0]
    readers = old.get_model("auth", "Group").objects.create(name="readers")
    readers.permissions.add(viewing)
    author = User.objects.create(username="ana")
    deliberation = old.get_model("deliberation", "Deliberation").objects.create(
        slug="d", title="d", agenda="a", city="c"
    )
    now = timezone.now()
    session = old.get_model("deliberation", "Session").objects.create(
        deliberation=deliberation,
        kind="plenary",
        title="plenary",
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=1),
    )
    group = old.get_model("deliberation", "ForumGroup").objects.create(session=session, name="01")
    group.members.add(author)
    room = old.get_model("deliberation", "Room").objects.create(session=session, group=group)
    old.get_model("deliberation", "RoomEvent").objects.create(
        room=room, seq=1, kind="message", author=author, text="안녕하세요"
    )
    old.get_model("deliberation", "Question").objects.create(room=room, author=author, text="왜?")
    old.get_model("deliberation", "ReportNarrative").objects.create(
        deliberation=deliberation, section="summary", text="요약"
    )
    old.get_model("surveys", "Quota")  # the fieldwork quota before its rename

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    events = new.get_model("forum", "RoomEvent").objects.all()
    assert [(e.seq, e.text, e.author_id) for e in events] == [(1, "안녕하세요", author.pk)]
    assert new.get_model("forum", "ExpertQuestion").objects.get().text == "왜?"
    members = new.get_model("forum", "ForumGroup").objects.get().members.all()
    assert [m.pk for m in members] == [author.pk]
    # The session had no plenary room: the migration opened one beside the group's room.
    assert new.get_model("forum", "Room").objects.filter(session=session.pk).count() == 2
    assert new.get_model("report", "ReportNarrative").objects.get().text == "요약"
    content_types = new.get_model("contenttypes", "ContentType").objects
    assert not content_types.filter(app_label="deliberation", model="question").exists()
    granted = new.get_model("auth", "Group").objects.get(name="readers").permissions.get()
    assert (granted.content_type.app_label, granted.content_type.model) == (
        "forum",
        "expertquestion",
    )
    assert granted.codename == "view_expertquestion"
    tables = connection.introspection.table_names()
    assert "forum_roomevent" in tables and "deliberation_roomevent" not in tables
    assert "surveys_fieldworkquota" in tables and "report_reportnarrative" in tables
