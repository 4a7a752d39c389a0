"""A city department's officer answers the recommendations assigned to their department."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from deliberation.core.actions import ActionRefused
from deliberation.core.models import AuditLogEntry
from deliberation.core.roles import Role
from deliberation.report.actions import do_update_recommendation_status
from deliberation.report.models import RecommendationResponse, RecommendationStatusChange
from tests.factories import DeliberationFactory, UserFactory, join

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def officer(public):
    """The officer of 자원순환과, the department of the fixture's first recommendation."""
    user = UserFactory(role=Role.DEPARTMENT, email="officer@seoul.example")
    join(user, public["deliberation"], Role.DEPARTMENT, department="자원순환과")
    return user


def assign(public, recommendation, department: str) -> None:
    do_update_recommendation_status(
        public["deliberation"],
        recommendation.pk,
        status="received",
        response="",
        department=department,
        responded_on=datetime.date(2026, 1, 5),
        actor=public["organizer"],
    )


def tracking_url(public) -> str:
    return reverse("report:tracking", args=[public["deliberation"].slug])


def answer(recommendation, **fields) -> dict:
    return {
        "recommendation": recommendation.pk,
        "status": "implemented",
        "responded_on": "2026-06-01",
        "response": "시행했습니다.",
        **fields,
    }


def snapshot():
    return (
        list(RecommendationResponse.objects.order_by("pk").values()),
        RecommendationStatusChange.objects.count(),
        AuditLogEntry.objects.filter(event_type="recommendation.status_changed").count(),
    )


def test_officer_sees_only_their_departments_recommendations(client, public, officer):
    first, second = public["recommendations"]
    assign(public, second, "시민소통과")
    client.force_login(officer)
    page = client.get(tracking_url(public), **ENGLISH)
    assert page.status_code == 200
    html = page.content.decode()
    assert "소각장 부지 선정 과정을 공개한다" in html
    assert "주민 감시단을 구성한다" not in html
    assert f'id="recommendation-{second.pk}"' not in html
    assert 'name="department"' not in html


def test_officer_records_a_status_and_the_change_keeps_them_as_changed_by(client, public, officer):
    first = public["recommendations"][0]
    client.force_login(officer)
    response = client.post(tracking_url(public), answer(first))
    assert response.status_code == 302
    current = RecommendationResponse.objects.get(recommendation=first)
    assert (current.status, current.department, current.updated_by) == (
        "implemented",
        "자원순환과",
        officer,
    )
    change = RecommendationStatusChange.objects.filter(response=current).latest("pk")
    assert (change.changed_by, change.old_status, change.new_status) == (
        officer,
        "accepted",
        "implemented",
    )
    entry = AuditLogEntry.objects.filter(event_type="recommendation.status_changed").latest("pk")
    assert entry.actor == officer
    assert entry.changes["status"] == ["accepted", "implemented"]


def test_forged_post_for_another_departments_recommendation_is_refused_and_nothing_changes(
    client, public, officer
):
    second = public["recommendations"][1]
    assign(public, second, "시민소통과")
    client.force_login(officer)
    before = snapshot()
    response = client.post(tracking_url(public), answer(second), **ENGLISH)
    assert response.status_code == 400
    assert "This recommendation is not assigned to your department (자원순환과)" in (
        response.content.decode()
    )
    assert snapshot() == before


def test_officer_cannot_answer_a_recommendation_not_yet_assigned(public, officer):
    second = public["recommendations"][1]
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        do_update_recommendation_status(
            public["deliberation"],
            second.pk,
            status="accepted",
            response="",
            department="",
            responded_on=datetime.date(2026, 3, 1),
            actor=officer,
        )
    assert refused.value.code == "not_your_department"
    assert snapshot() == before


def test_officers_department_cannot_be_overridden_by_a_posted_department_field(
    client, public, officer
):
    first = public["recommendations"][0]
    client.force_login(officer)
    client.post(tracking_url(public), answer(first, department="시민소통과"))
    current = RecommendationResponse.objects.get(recommendation=first)
    assert current.department == "자원순환과"
    assert current.changes.latest("pk").department == "자원순환과"


def test_the_action_refuses_an_officer_naming_another_department(public, officer):
    first = public["recommendations"][0]
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        do_update_recommendation_status(
            public["deliberation"],
            first.pk,
            status="implemented",
            response="",
            department="시민소통과",
            responded_on=datetime.date(2026, 6, 1),
            actor=officer,
        )
    assert refused.value.code == "other_department"
    assert snapshot() == before


def test_an_officer_of_another_deliberation_is_refused(public):
    stranger = UserFactory(role=Role.DEPARTMENT)
    join(stranger, DeliberationFactory(), Role.DEPARTMENT, department="자원순환과")
    with pytest.raises(ActionRefused) as refused:
        do_update_recommendation_status(
            public["deliberation"],
            public["recommendations"][0].pk,
            status="implemented",
            response="",
            department="",
            responded_on=datetime.date(2026, 6, 1),
            actor=stranger,
        )
    assert refused.value.code == "not_allowed"


@pytest.mark.parametrize(
    "name",
    [
        "report:publication",
        "report:page",
        "deliberation:detail",
        "deliberation:team",
        "deliberation:audit_log",
        "panels:overview",
    ],
)
def test_officer_is_denied_on_other_organizer_pages(client, public, officer, name):
    client.force_login(officer)
    response = client.get(reverse(name, args=[public["deliberation"].slug]))
    assert response.status_code == 403


def test_organizer_assigns_a_recommendation_to_a_department(client, public, officer):
    second = public["recommendations"][1]
    client.force_login(public["organizer"])
    page = client.get(tracking_url(public)).content.decode()
    assert '<datalist id="tracking-departments">' in page
    assert '<option value="자원순환과">' in page
    response = client.post(
        tracking_url(public),
        {
            "recommendation": second.pk,
            "status": "received",
            "responded_on": "2026-01-10",
            "department": "자원순환과",
            "response": "",
        },
    )
    assert response.status_code == 302
    client.force_login(officer)
    html = client.get(tracking_url(public)).content.decode()
    assert f'id="recommendation-{second.pk}"' in html


def test_officers_home_leads_to_the_tracking_page(client, public, officer):
    client.force_login(officer)
    html = client.get(reverse("deliberation:home"), **ENGLISH).content.decode()
    assert f'href="{tracking_url(public)}"' in html
    assert "1 recommendation assigned" in html


def test_the_public_timeline_names_the_department_not_the_officer(client, public, officer):
    first = public["recommendations"][0]
    officer.first_name = "주무관이름"
    officer.save()
    client.force_login(officer)
    client.post(tracking_url(public), answer(first))
    client.logout()
    html = client.get(
        reverse("deliberation:public_page", args=[public["deliberation"].slug])
    ).content.decode()
    assert "시행했습니다." in html and "자원순환과" in html
    assert "주무관이름" not in html and "officer@seoul.example" not in html
