"""The report's headline question: chosen by organizers or analysts, else the default rule."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from deliberation.core.actions import ActionRefused
from deliberation.core.models import Deliberation
from deliberation.report.actions import do_set_report_headline
from deliberation.report.analysis import analyse
from deliberation.report.analysis_json import analysis_document
from deliberation.report.selectors import build_report_data
from tests.surveys.test_panel_waves import panel_study  # noqa: F401 (fixture)

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def headline_of(deliberation: Deliberation) -> tuple[str | None, bool]:
    waves = build_report_data(Deliberation.objects.get(pk=deliberation.pk)).waves
    return waves.headline, waves.headline_chosen


def post_choice(client, deliberation: Deliberation, item: str):
    url = reverse("report:headline", args=[deliberation.slug])
    return client.post(url, {"item": item}, **ENGLISH)


def saved_choice(deliberation: Deliberation) -> str:
    return Deliberation.objects.get(pk=deliberation.pk).report_headline_item


def test_default_is_the_first_agree_disagree_or_yes_no_question(panel_study):  # noqa: F811
    deliberation = panel_study["deliberation"]
    assert headline_of(deliberation) == ("Q1", False)
    document = analysis_document(analyse(build_report_data(deliberation)))
    assert document["waves"]["headline_item"] == {
        "item": "Q1",
        "label": panel_study["questions"]["Q1"].text,
        "chosen": False,
    }


def test_organizer_chooses_the_headline_on_the_report_page(
    client,
    panel_study,  # noqa: F811
    organizer,
):
    deliberation = panel_study["deliberation"]
    client.force_login(organizer)
    page = client.get(reverse("report:page", args=[deliberation.slug]), **ENGLISH)
    assert 'name="item"' in page.content.decode() and '<option value="Q3">' in page.content.decode()

    response = post_choice(client, deliberation, "Q3")

    assert response.status_code == 302
    assert saved_choice(deliberation) == "Q3"
    assert headline_of(deliberation) == ("Q3", True)
    html = client.get(response["Location"], **ENGLISH).content.decode()
    assert "Headline question saved." in html
    assert '<option value="Q3" selected>' in html


def test_analyst_may_choose_and_a_blank_choice_restores_the_default(
    client,
    panel_study,  # noqa: F811
    analyst,
):
    deliberation = panel_study["deliberation"]
    client.force_login(analyst)
    post_choice(client, deliberation, "Q3")
    assert saved_choice(deliberation) == "Q3"

    post_choice(client, deliberation, "")

    assert saved_choice(deliberation) == ""
    assert headline_of(deliberation) == ("Q1", False)


def test_an_item_outside_the_panel_surveys_is_refused_and_nothing_changes(
    client,
    panel_study,  # noqa: F811
    analyst,
):
    deliberation = panel_study["deliberation"]
    do_set_report_headline(deliberation, "Q3", actor=analyst)
    client.force_login(analyst)

    response = post_choice(client, deliberation, "Q99")

    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Q99 is not a question of this deliberation's panel surveys."]
    assert saved_choice(deliberation) == "Q3"


@pytest.mark.parametrize("item", ["Q2", "Q4", "Q5", "Q6"])  # nominal, knowledge, numeric, text
def test_an_item_of_the_wrong_type_is_refused_and_nothing_changes(
    panel_study,  # noqa: F811
    organizer,
    item,
):
    deliberation = panel_study["deliberation"]
    with pytest.raises(ActionRefused) as refused:
        do_set_report_headline(deliberation, item, actor=organizer)
    assert refused.value.code == "wrong_type"
    assert item in refused.value.detail
    assert saved_choice(deliberation) == ""
    assert headline_of(deliberation) == ("Q1", False)


def test_the_refusal_says_which_questions_qualify(client, panel_study, analyst):  # noqa: F811
    client.force_login(analyst)
    response = post_choice(client, panel_study["deliberation"], "Q4")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "Q4 cannot be the headline question: choose an agree–disagree or yes/no question."
    ]


def test_other_roles_cannot_choose(client, panel_study, facilitator):  # noqa: F811
    deliberation = panel_study["deliberation"]
    client.force_login(facilitator)
    assert post_choice(client, deliberation, "Q3").status_code == 403
    assert saved_choice(deliberation) == ""


def test_a_choice_that_is_no_longer_a_candidate_falls_back_to_the_default(
    panel_study,  # noqa: F811
):
    deliberation = panel_study["deliberation"]
    # As if Q2 had been an agree-disagree question when chosen and was changed since.
    Deliberation.objects.filter(pk=deliberation.pk).update(report_headline_item="Q2")
    deliberation.refresh_from_db()
    assert headline_of(deliberation) == ("Q1", False)
