"""Tracking what the city does with each recommendation: statuses and their history."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from deliberation.core.actions import ActionRefused
from deliberation.core.models import AuditLogEntry
from deliberation.core.roles import Role
from deliberation.report.actions import do_update_recommendation_status
from deliberation.report.models import RecommendationResponse, RecommendationStatusChange
from tests.factories import ForumGroupFactory, UserFactory, join, recommendation_of

pytestmark = pytest.mark.django_db


def update(public, recommendation=None, *, actor=None, **fields):
    values = {
        "status": "under_review",
        "response": "검토하고 있습니다.",
        "department": "기후환경본부",
        "responded_on": datetime.date(2026, 3, 2),
        **fields,
    }
    return do_update_recommendation_status(
        public["deliberation"],
        (recommendation or public["recommendations"][1]).pk,
        actor=actor or public["organizer"],
        **values,
    )


def snapshot():
    return (
        list(RecommendationResponse.objects.values()),
        RecommendationStatusChange.objects.count(),
        AuditLogEntry.objects.filter(event_type="recommendation.status_changed").count(),
    )


def test_every_change_is_kept_with_who_when_old_and_new(public):
    first = public["recommendations"][0]
    changes = list(RecommendationStatusChange.objects.filter(response__recommendation=first))
    assert [(c.old_status, c.new_status) for c in changes] == [
        ("", "received"),
        ("received", "accepted"),
    ]
    assert {c.changed_by for c in changes} == {public["organizer"]}
    assert changes[0].changed_at <= changes[1].changed_at
    assert first.response.status == "accepted"
    assert first.response.response == "2026년 예산에 반영합니다."


def test_each_change_is_in_the_audit_log(public):
    update(public)
    entry = AuditLogEntry.objects.filter(event_type="recommendation.status_changed").latest("pk")
    assert entry.actor == public["organizer"]
    assert entry.changes["status"] == ["", "under_review"]
    answer = RecommendationResponse.objects.get(recommendation=public["recommendations"][1])
    assert (entry.object_type, entry.object_id) == ("report.recommendationresponse", str(answer.pk))


def test_saving_the_same_answer_again_adds_no_history(public):
    update(public)
    before = snapshot()
    update(public)
    assert snapshot() == before


def test_unknown_status_is_refused_and_nothing_changes(public):
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        update(public, status="forgotten")
    assert refused.value.code == "unknown_status"
    assert "forgotten" in refused.value.detail
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.ANALYST, Role.FACILITATOR, Role.EXPERT, Role.PANELIST])
def test_other_roles_may_not_change_a_status(public, role):
    someone = UserFactory(role=role)
    if role != Role.PANELIST:
        join(someone, public["deliberation"], role)
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        update(public, actor=someone)
    assert refused.value.code == "not_allowed"
    assert snapshot() == before


def test_another_deliberations_organizer_may_not_change_a_status(public):
    other = ForumGroupFactory(facilitator=UserFactory(role=Role.FACILITATOR))
    stranger = UserFactory(role=Role.ORGANIZER)
    join(stranger, other.session.deliberation, Role.ORGANIZER)
    before = snapshot()
    with pytest.raises(ActionRefused):
        update(public, actor=stranger)
    assert snapshot() == before


def test_another_deliberations_recommendation_is_refused(public):
    other = ForumGroupFactory(facilitator=UserFactory(role=Role.FACILITATOR))
    foreign = recommendation_of(other, "다른 공론화의 권고")
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        update(public, foreign)
    assert refused.value.code == "unknown_recommendation"
    assert snapshot() == before


def test_an_answer_without_a_date_is_refused(public):
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        update(public, responded_on=None)
    assert refused.value.code == "no_date"
    assert snapshot() == before


def test_an_over_long_department_is_refused(public):
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        update(public, department="과" * 121)
    assert refused.value.code == "too_long"
    assert snapshot() == before


def tracking_url(public):
    return reverse("report:tracking", args=[public["deliberation"].slug])


def test_organizer_records_an_answer_on_the_tracking_page(client, public):
    client.force_login(public["organizer"])
    page = client.get(tracking_url(public))
    assert page.status_code == 200
    assert "주민 감시단을 구성한다" in page.content.decode()
    response = client.post(
        tracking_url(public),
        {
            "recommendation": public["recommendations"][1].pk,
            "status": "rejected",
            "responded_on": "2026-04-01",
            "department": "자원순환과",
            "response": "예산이 없습니다.",
        },
    )
    assert response.status_code == 302
    assert public["recommendations"][1].response.status == "rejected"


def test_tracking_page_refuses_another_deliberations_recommendation_clearly(client, public):
    other = ForumGroupFactory(facilitator=UserFactory(role=Role.FACILITATOR))
    foreign = recommendation_of(other, "다른 공론화의 권고")
    client.force_login(public["organizer"])
    client.cookies["django_language"] = "en"
    before = snapshot()
    response = client.post(
        tracking_url(public),
        {
            "recommendation": foreign.pk,
            "status": "accepted",
            "responded_on": "2026-04-01",
        },
    )
    assert response.status_code == 400
    assert "This recommendation is not one of this deliberation" in response.content.decode()
    assert snapshot() == before


def test_tracking_page_refuses_an_unknown_status_clearly(client, public):
    client.force_login(public["organizer"])
    client.cookies["django_language"] = "en"
    before = snapshot()
    response = client.post(
        tracking_url(public),
        {
            "recommendation": public["recommendations"][1].pk,
            "status": "forgotten",
            "responded_on": "2026-04-01",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_the_audit_log_page_shows_a_status_change_by_its_fields(client, public):
    update(public)
    update(public, status="accepted", response="수용합니다.")
    client.force_login(public["organizer"])
    page = client.get(reverse("deliberation:audit_log", args=[public["deliberation"].slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "수용합니다." in text
