"""The demo deliberation, seeded once for this module (seeding is the slow part).

Every role can sign in, and seeding twice duplicates nothing. The database is flushed
when the module ends so that other tests start from an empty one. The report's analysis
of the seeded demo and its English report page, each several seconds of statistics, are
made once and read by every test that does not change the demo.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from deliberation.core.models import Deliberation, Stage
from deliberation.core.roles import Role
from deliberation.forum.models import (
    ForumGroup,
    Material,
    OpinionMapSnapshot,
    Room,
    RoomEvent,
    Session,
    Statement,
    StatementVote,
)
from deliberation.forum.selectors import plenary_room
from deliberation.report.analysis import analyse
from deliberation.report.models import RecommendationResponse, RecommendationStatusChange
from deliberation.report.selectors import build_report_data, funnel_steps
from panels import selectors
from panels.audit_record import verify_record
from panels.funnel import funnel_table
from panels.models import Panelist, SeatContact, SelectionAudit, Volunteer
from surveys import demo as surveys_demo
from surveys.models import Answer, Response, Wave

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "deliberations": Deliberation.objects.count(),
        "stages": Stage.objects.count(),
        "sessions": Session.objects.count(),
        "groups": ForumGroup.objects.count(),
        "memberships": ForumGroup.members.through.objects.count(),
        "panelists": Panelist.objects.count(),
        "tracking_changes": RecommendationStatusChange.objects.count(),
        "statements": Statement.objects.count(),
        "statement_votes": StatementVote.objects.count(),
        "opinion_maps": OpinionMapSnapshot.objects.count(),
    }


def demo_account(role: str):
    """The demo's own account for a role, on the demo deliberation's team."""
    return get_user_model().objects.get(email=f"{role}@example.org")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
        first = counts()
        call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
        yield {"first": first, "second": counts()}
        call_command("flush", interactive=False, verbosity=0)


def replaced_seats() -> int:
    return Panelist.objects.filter(replaces__isnull=False).count()


@pytest.fixture(scope="module")
def demo_analysis(seeded, django_db_blocker):
    """The report's analysis of the demo as seeded (tests only read it)."""
    with django_db_blocker.unblock():
        return analyse(build_report_data(Deliberation.objects.get()))


@pytest.fixture(scope="module")
def analyst_report_page(seeded, django_db_blocker):
    """The demo's report page in English, as the demo analyst sees it: (status, html)."""
    with django_db_blocker.unblock():
        client = Client()
        client.force_login(demo_account(Role.ANALYST))
        response = client.get(reverse("report:page", args=["seoul-2021-waste"]), **ENGLISH)
        return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_seed_demo_creates_every_role(seeded):
    # Seats filled from the reserves get accounts of their own.
    assert seeded["first"]["users"] == 334 + replaced_seats()
    assert seeded["first"]["groups"] == 30
    assert seeded["first"]["panelists"] == 300 + replaced_seats()
    assert Panelist.objects.active().count() == 300
    assert Deliberation.objects.get().is_demo


@pytest.mark.django_db
def test_seeding_twice_duplicates_nothing(seeded):
    assert seeded["second"] == seeded["first"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    [
        "organizer@example.org",
        "analyst@example.org",
        "expert@example.org",
        "department@example.org",
        "facilitator01@example.org",
        "facilitator30@example.org",
        "panelist001@example.org",
        "panelist300@example.org",
    ],
)
def test_every_demo_role_signs_in_with_the_password(client, seeded, email):
    response = client.post(
        reverse("account_login"), {"login": email, "password": "demo-password-1"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get(reverse("deliberation:home")).status_code == 200
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_every_demo_panelist_is_in_exactly_one_regional_group(seeded):
    regional = Session.objects.get(kind=Session.Kind.REGIONAL_FORUM)
    through = ForumGroup.members.through.objects.filter(forumgroup__session=regional)
    user_ids = list(through.values_list("user_id", flat=True))
    assert len(user_ids) == 300 == len(set(user_ids))


@pytest.mark.django_db
def test_role_groups_survive_a_flush(seeded):
    from django.contrib.auth.models import Group

    from deliberation.core.roles import Role

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.django_db
def test_demo_panel_is_drawn_as_the_demo_panelist_accounts_and_verifies(seeded):
    audit = SelectionAudit.objects.get()
    seats = Panelist.objects.select_related("user", "volunteer").order_by("draw_position")[:300]
    assert [s.user.email for s in seats] == [f"panelist{i:03d}@example.org" for i in range(1, 301)]
    assert [s.volunteer.record_id for s in seats] == audit.panel
    assert audit.lottery["size"] == 1000
    assert verify_record(selectors.audit_record(audit)).ok


@pytest.mark.django_db
def test_demo_panel_is_drawn_by_prior_opinion_over_recruited_with_reserves(seeded):
    deliberation = Deliberation.objects.get()
    plan = deliberation.panel_plan
    assert (plan.finishers, plan.attendance_rate, plan.panel_size) == (270, Decimal("0.9"), 300)
    # Every volunteer carries a prior opinion; its quotas come from the weighted poll.
    assert not Volunteer.objects.exclude(features__has_key="opinion").exists()
    targets = selectors.poll_targets(deliberation)
    assert {t.feature for t in targets} == {"opinion"} and len(targets) >= 3
    quota_features = set(deliberation.quotas.values_list("feature", flat=True))
    assert quota_features == {"region", "gender", "age_band", "opinion"}
    audit = SelectionAudit.objects.get()
    assert len(audit.reserves) == 30 and not set(audit.reserves) & set(audit.panel)
    assert verify_record(selectors.audit_record(audit)).ok


@pytest.mark.django_db
def test_demo_funnel_runs_from_the_poll_to_the_last_wave_by_every_stratum(seeded):
    steps = funnel_steps(Deliberation.objects.get())
    keys = [s.key for s in steps]
    assert keys[:4] == ["poll", "volunteers", "drawn", "confirmed"]
    assert any(k.startswith("session:") for k in keys)
    assert sum(k.startswith("wave:") for k in keys) == 3
    counts = dict(zip(keys, (s.total for s in steps), strict=True))
    assert counts["poll"] == surveys_demo.RESPONDENTS
    assert counts["drawn"] == 300 + replaced_seats() and counts["confirmed"] == 300
    for step in steps:
        assert set(step.by_stratum) == {"region", "gender", "age_band", "opinion"}, step.key


@pytest.mark.django_db
def test_demo_pool_is_the_poll_volunteers_with_their_own_answers(seeded):
    respondents = dict(
        Response.objects.filter(wave__kind=Wave.Kind.POLL).values_list("respondent_id", "pk")
    )
    pool = list(Volunteer.objects.values_list("external_id", "source", "features__opinion"))
    assert 0.25 < len(pool) / len(respondents) < 0.45
    assert {source for _id, source, _opinion in pool} == {Volunteer.Source.POLL}
    assert {external_id.removeprefix("poll-") for external_id, *_ in pool} <= set(respondents)
    q12 = dict(
        Answer.objects.filter(response__wave__kind=Wave.Kind.POLL, item="Q12").values_list(
            "response__respondent_id", "value_number"
        )
    )
    labels = {1.0: "전혀 동의하지 않는다", 5.0: "매우 동의한다"}
    for external_id, _source, opinion in pool:
        answer = q12.get(external_id.removeprefix("poll-"))
        if answer in labels:
            assert opinion == labels[answer]


@pytest.mark.django_db
def test_demo_funnel_loses_people_at_every_step_and_reserves_fill_the_declines(seeded):
    rows = funnel_table(funnel_steps(Deliberation.objects.get())).rows
    assert [r.key for r in rows][:4] == ["poll", "volunteers", "drawn", "confirmed"]
    for row in rows[1:]:
        assert row.from_previous < 1, row.key
    audit = SelectionAudit.objects.get()
    declined = Panelist.objects.filter(status=Panelist.Status.DECLINED)
    assert declined.exists() and not declined.filter(replaced_by__isnull=True).exists()
    assert {step["source"] for step in audit.replacements} == {"reserves"}
    assert SeatContact.objects.filter(kind=SeatContact.Kind.DECLINED).exclude(
        reason=""
    ).count() == (declined.count())


@pytest.mark.django_db
def test_demo_pool_has_few_young_men_in_dosimgwon(seeded):
    pool = Volunteer.objects.count()
    few = Volunteer.objects.filter(
        features__region="도심권", features__gender="남성", features__age_band="18-29"
    ).count()
    assert 1500 <= pool <= 2100
    assert few / pool < 0.05 * 0.485 * 0.18


@pytest.mark.django_db
def test_report_page_for_the_demo_shows_every_stage_it_has_data_for(analyst_report_page):
    status, html = analyst_report_page
    assert status == 200
    assert "서울시 생활폐기물 공론화 2021" in html
    assert "The panel has 300 members." in html
    assert "권역별 시민토론회" in html
    # An English page names the regions in English.
    assert "Chi-square goodness of fit" in html and "Central" in html
    assert html.count('<svg role="img"') >= 6
    assert 'aria-label="Recruitment funnel"' in html
    for shown in (
        f"1단계 여론조사 ({surveys_demo.RESPONDENTS:,}명)",
        f"{surveys_demo.RESPONDENTS} respondents, weighted by raking",
        "Tests and effect sizes",
        "Adjusted p (Holm)",
        "Knowledge index",
        "Change within subgroups",
        "Attrition",
        "The panel and the poll compared",
        "panel-waves.sav",
        "(데모 제언)",
        "Share of panel",
    ):
        assert shown in html, shown
    # The session's name is Korean data on an English page: marked with its language.
    forum = r"<td><span lang=\"ko\">권역별 시민토론회</span></td><td class=\"num\">300</td>"
    assert re.search(forum, html)
    for gone in (
        "No poll results yet.",
        "No panel survey answers yet.",
        "No group recommendations yet.",
        "No attendance data yet.",
    ):
        assert gone not in html
    assert "panelist001@example.org" not in html


@pytest.mark.django_db
def test_seed_demo_builds_diverse_groups_rooms_and_history_once(seeded):
    regional = Session.objects.get(kind=Session.Kind.REGIONAL_FORUM)
    groups = ForumGroup.objects.filter(session=regional).prefetch_related("members__panel_seats")
    assert groups.count() == 30
    for group in groups:
        members = list(group.members.all())
        assert len(members) == 10 and group.facilitator_id is not None
        genders = {seat.gender for member in members for seat in member.panel_seats.all()}
        assert genders == {"남성", "여성"}
    assert Room.objects.filter(group__session=regional).count() == 30
    messages = RoomEvent.objects.filter(kind="message")
    assert messages.count() == 30 * 6 and not messages.filter(is_synthetic=False).exists()
    assert Material.objects.filter(session=regional).count() == 3
    plenary = Session.objects.get(kind=Session.Kind.PLENARY)
    assert plenary_room(plenary).questions.count() == 2
    assert plenary.moderator is not None


@pytest.mark.django_db
def test_demo_panel_answers_three_waves_of_the_polls_core_items(seeded):
    poll = Wave.objects.get(kind=Wave.Kind.POLL)
    waves = {w.kind: w for w in Wave.objects.exclude(kind=Wave.Kind.POLL)}
    assert set(waves) == {"pre", "mid", "post"}
    completes = {
        kind: w.responses.filter(status=Response.Status.COMPLETE).count()
        for kind, w in waves.items()
    }
    assert completes["pre"] > completes["mid"] > completes["post"]
    assert 0.03 <= 1 - completes["post"] / 300 <= 0.08
    panel_items = set(
        Answer.objects.filter(response__wave=waves["post"])
        .exclude(item__startswith="E")  # the process evaluation, asked only of the panel
        .values_list("item", flat=True)
    )
    poll_items = set(Answer.objects.filter(response__wave=poll).values_list("item", flat=True))
    assert 12 <= len(panel_items) and panel_items <= poll_items
    assert {"Q7", "Q8", "Q9"} <= panel_items
    pseudonyms = set(Panelist.objects.values_list("pseudonym", flat=True))
    assert set(waves["post"].responses.values_list("respondent_id", flat=True)) <= pseudonyms


@pytest.mark.django_db
def test_demo_report_shows_support_and_knowledge_rising(demo_analysis):
    analysis = demo_analysis
    assert analysis.data.poll.weighting == "raking"
    assert analysis.data.poll.effective_n < analysis.data.poll.respondents
    headline = analysis.waves.headline
    assert (headline.wave_a, headline.wave_b) == ("pre", "post")
    facility = headline.item("Q12")
    assert facility.p_adjusted < 0.05 and facility.effect_size > 0
    assert headline.knowledge_index.mean_b > headline.knowledge_index.mean_a
    assert 0.03 <= analysis.waves.attrition.attrition_rate <= 0.08
    assert any(r.item == "Q7" and r.wave == "post" for r in analysis.panel_vs_poll)


@pytest.mark.django_db
def test_demo_completion_page_counts_the_post_wave(client, seeded):
    post = Wave.objects.get(kind=Wave.Kind.POST)
    client.force_login(demo_account(Role.ORGANIZER))
    response = client.get(reverse("surveys:completion", args=[post.pk]), **ENGLISH)
    completion = response.context["completion"]
    assert completion.invited == 300
    assert completion.completed == post.responses.count()
    assert sum(r.invited for r in completion.by["region"]) == 300


@pytest.mark.django_db
def test_demo_report_weights_each_panel_wave_to_the_poll(demo_analysis, analyst_report_page):
    analysis = demo_analysis
    assert analysis.data.waves.headline == "Q3"
    weights = {w.wave: w for w in analysis.panel_weights}
    assert set(weights) == {"pre", "mid", "post"}
    for wave in weights.values():
        assert not wave.error and wave.n > 250
        assert wave.design_effect > 1 and wave.effective_n < wave.n
        assert {"Q3", "Q7"} <= {s.item for s in wave.shares}
    status, html = analyst_report_page
    assert status == 200
    assert "The panel weighted to the poll" in html and "Effective n" in html


@pytest.mark.django_db
def test_demo_post_wave_evaluates_the_process_mostly_positively(demo_analysis, analyst_report_page):
    post = Wave.objects.get(kind=Wave.Kind.POST)
    assert not Answer.objects.exclude(response__wave=post).filter(item__startswith="E").exists()
    analysis = demo_analysis
    results = {e.item: e for e in analysis.evaluation}
    assert set(results) == {"E1", "E2", "E3", "E4"}
    for result in results.values():
        assert result.agree_share > 0.5 and 3 < result.mean < 5 and result.n > 250
    assert not any(r.item == "E1" for c in analysis.waves.comparisons for r in c.items)
    status, html = analyst_report_page
    assert status == 200
    assert "7. Process evaluation" in html and "No process evaluation answers yet." not in html


@pytest.mark.django_db
def test_demo_headline_question_can_be_chosen_and_weights_follow_it(client, seeded):
    client.force_login(demo_account(Role.ANALYST))
    url = reverse("report:headline", args=["seoul-2021-waste"])
    assert client.post(url, {"item": "Q12"}).status_code == 302
    deliberation = Deliberation.objects.get()
    assert deliberation.report_headline_item == "Q12"
    analysis = analyse(build_report_data(deliberation))
    assert (analysis.data.waves.headline, analysis.data.waves.headline_chosen) == ("Q12", True)
    for wave in analysis.panel_weights:
        items = {s.item for s in wave.shares}
        assert "Q12" in items and "Q3" not in items
    html = client.get(reverse("report:page", args=["seoul-2021-waste"]), **ENGLISH).content.decode()
    assert "Headline question, chosen by the analysts" in html


@pytest.mark.django_db
def test_demo_is_published_with_recommendations_at_several_tracking_stages(seeded, client):
    statuses = set(RecommendationResponse.objects.values_list("status", flat=True))
    assert {"received", "under_review", "accepted", "rejected", "implemented"} <= statuses
    assert seeded["first"]["tracking_changes"] > len(statuses)
    response = client.get(reverse("deliberation:public_page", args=["seoul-2021-waste"]), **ENGLISH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "every person, answer and result of this deliberation is synthetic" in html
    assert 'class="status status-implemented"' in html


def test_demo_plenary_has_synthetic_statements_votes_and_a_kept_map(seeded):
    room = plenary_room(Session.objects.get(kind=Session.Kind.PLENARY))
    statements = Statement.objects.filter(room=room)
    rejected = statements.filter(status=Statement.Status.REJECTED)
    snapshot = OpinionMapSnapshot.objects.filter(room=room).get()

    assert 20 <= statements.count() <= 30
    assert rejected.count() >= 2 and all(s.rejection_reason for s in rejected)
    assert not statements.filter(is_synthetic=False).exists()
    assert not StatementVote.objects.filter(is_synthetic=False).exists()
    assert snapshot.vote_count == StatementVote.objects.filter(statement__room=room).count()
    assert snapshot.vote_count > 100 * 15
    assert 2 <= len(snapshot.result["groups"]) <= 4
    assert snapshot.seed == room.opinion_seed


def test_demo_regional_group_maps_its_statements_before_the_plenary(seeded):
    maps = OpinionMapSnapshot.objects.filter(room__session__kind=Session.Kind.REGIONAL_FORUM)

    assert maps.count() == 1
    room = maps.get().room
    assert room.statements_enabled
    assert room.statements.filter(status=Statement.Status.ACCEPTED).count() == 10


@pytest.mark.django_db
def test_demo_department_officer_signs_in_and_sees_its_recommendations(client, seeded):
    client.post(
        reverse("account_login"), {"login": "department@example.org", "password": "demo-password-1"}
    )
    home = client.get(reverse("deliberation:home")).content.decode()
    url = reverse("report:tracking", args=["seoul-2021-waste"])
    assert f'href="{url}"' in home
    html = client.get(url).content.decode()
    own = RecommendationResponse.objects.filter(department="자원순환과")
    others = RecommendationResponse.objects.exclude(department="자원순환과")
    assert own.exists() and others.exists()
    assert all(f'id="recommendation-{r.recommendation_id}"' in html for r in own)
    assert not any(f'id="recommendation-{r.recommendation_id}"' in html for r in others)
    officer = demo_account("department")
    assert RecommendationStatusChange.objects.filter(
        changed_by=officer, response__department="자원순환과"
    ).exists()
    assert (
        not RecommendationStatusChange.objects.filter(changed_by=officer)
        .exclude(response__department="자원순환과")
        .exists()
    )
