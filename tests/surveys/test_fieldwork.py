"""Online fieldwork: tokens, consent, screener, quotas, save and resume, one response."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys import actions, compiled, items
from surveys.models import (
    Answer,
    ContactDetails,
    FieldworkQuota,
    Invitation,
    Response,
    VolunteerOptIn,
)
from surveys.questionnaires import item_index, questions_of, specs_of
from surveys.tokens import hash_token
from tests.factories import PanelistFactory
from tests.surveys.conftest import EN
from tests.surveys.factories import (
    VALID_ANSWERS,
    WaveFactory,
    add_strata,
    build_every_type,
    question,
)

SCREENER = {
    "consent": "on",
    "sensitive_consent": "on",
    "district": "종로구",
    "gender": "남성",
    "birth_year": "1995",
}


def url(token):
    return reverse("surveys:take", kwargs={"token": token})


def start(client, token, **overrides):
    return client.post(url(token), {**SCREENER, **overrides}, **EN)


def submit(client, token, answers=None):
    return client.post(url(token), {**(answers or VALID_ANSWERS), "action": "submit"}, **EN)


def interview_queries(extra_questions: int) -> list[int]:
    """Queries of each step of one interview: consent page, screener, questionnaire, submit."""
    wave = WaveFactory()
    build_every_type(wave.questionnaire)
    add_strata(wave.deliberation)
    answers = dict(VALID_ANSWERS)
    for i in range(extra_questions):
        code = f"X{i}"
        question(wave.questionnaire, code, "single", 10 + i, options=[(1, "예", False)])
        answers[code] = "1"
    token = actions.do_create_invitations(wave, 1)[0]
    client = Client()
    steps = (
        lambda: client.get(url(token), **EN),
        lambda: start(client, token),
        lambda: client.get(url(token), **EN),
        lambda: submit(client, token, answers),
    )
    counts = []
    for step in steps:
        with CaptureQueriesContext(connection) as queries:
            assert step().status_code in {200, 302}
        counts.append(len(queries))
    return counts


def test_an_interview_costs_the_same_queries_however_long_the_questionnaire(db):
    compiled._compiled.clear()
    compiled._forms.clear()
    short, long = interview_queries(0), interview_queries(25)
    assert short == long
    # The first visitor of a questionnaire reads its questions in three queries.
    assert short[2] <= 5


def test_screener_lists_the_districts_in_the_deliberations_order(client, wave, token):
    from panels.models import District

    District.objects.filter(deliberation=wave.deliberation, name="종로구").update(order=99)
    html = client.get(url(token), **EN).content.decode()
    # On the English page each Korean district is marked with its language.
    options = [f'<option value="{d}" lang="ko">' for d in ("중구", "용산구", "종로구", "성동구")]
    assert sorted(options, key=html.index) == options


def test_tokens_are_stored_only_as_hashes(wave):
    token = actions.do_create_invitations(wave, 1)[0]
    assert len(token) >= 32
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.filter(token_hash=hash_token(token)).exists()


def test_unknown_token_is_not_found(client, wave):
    assert client.get(url("not-a-real-token")).status_code == 404


def test_first_visit_shows_consent_with_the_sensitive_data_notice(client, token):
    page = client.get(url(token), **EN)
    assert page.status_code == 200
    assert "Article 23" in page.content.decode()


def test_without_consent_nothing_is_stored(client, token):
    page = start(client, token, consent="")
    assert page.status_code == 400
    assert not Response.objects.exists()


def test_screener_records_region_from_district_and_age_band(client, token):
    assert start(client, token).status_code == 302
    response = Response.objects.get()
    assert (response.region, response.district) == ("도심권", "종로구")
    assert (response.gender, response.age_band, response.birth_year) == ("남성", "18-29", 1995)
    assert response.consented_at is not None


def test_respondent_too_young_for_every_band_is_screened_out(client, token):
    page = start(client, token, birth_year="2010")
    assert Response.objects.get().status == Response.Status.SCREENED_OUT
    assert "age range" in page.content.decode()


def test_full_quota_cell_ends_the_interview_politely(client, wave, token):
    FieldworkQuota.objects.create(wave=wave, region="도심권", target=0)
    page = start(client, token)
    assert page.status_code == 200
    assert "enough answers from people like you" in page.content.decode()
    assert Response.objects.get().status == Response.Status.QUOTA_FULL
    assert client.get(url(token), **EN).status_code == 200
    assert not Answer.objects.exists()


def test_quota_of_another_cell_does_not_stop_the_respondent(client, wave, token):
    FieldworkQuota.objects.create(wave=wave, region="동남권", target=0)
    start(client, token)
    assert Response.objects.get().status == Response.Status.IN_PROGRESS


def test_quota_filled_while_answering_closes_at_submit(client, wave, token):
    start(client, token)
    other = actions.do_create_invitations(wave, 1)[0]
    start(client, other)
    assert submit(client, other).status_code == 302
    FieldworkQuota.objects.create(wave=wave, gender="남성", age_band="18-29", target=1)
    page = submit(client, token)
    assert "enough answers" in page.content.decode()
    assert Response.objects.filter(status=Response.Status.COMPLETE).count() == 1
    assert Response.objects.filter(status=Response.Status.QUOTA_FULL).count() == 1


def test_submitted_answers_are_stored_as_a_long_table(client, token):
    start(client, token)
    assert submit(client, token).status_code == 302
    response = Response.objects.get()
    assert response.status == Response.Status.COMPLETE
    assert response.submitted_at is not None and response.duration_seconds is not None
    rows = dict(Answer.objects.values_list("item", "value_number"))
    assert rows["Q2_1"] == 1 and rows["Q2_2"] == 0 and rows["Q9_b"] == 5
    assert Answer.objects.get(item="Q6").value_text == "재활용"


def test_each_error_is_shown_next_to_its_question(client, token):
    start(client, token)
    page = submit(client, token, {**VALID_ANSWERS, "Q5": "99", "Q3": ""})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="err-Q5"' in html and "from 0 to 20" in html
    assert 'id="err-Q3"' in html and "Please answer this question" in html
    assert not Answer.objects.exists()


def test_answers_to_a_hidden_question_are_not_stored(client, token):
    start(client, token)
    submit(client, token, {**VALID_ANSWERS, "Q1": "2"})
    assert not Answer.objects.filter(item__startswith="Q2_").exists()


def test_second_submit_stores_nothing_new_and_says_why(client, token):
    start(client, token)
    submit(client, token)
    count = Answer.objects.count()
    again = submit(client, token, {**VALID_ANSWERS, "Q3": "1"})
    assert again.status_code == 409
    assert "already submitted" in again.content.decode()
    assert Answer.objects.count() == count
    assert Answer.objects.get(item="Q3").value_number == 4


def test_replayed_token_in_another_browser_stores_nothing(client, token):
    start(client, token)
    submit(client, token)
    other = Client()
    assert other.post(url(token), {**VALID_ANSWERS, "action": "submit"}).status_code == 409
    assert Response.objects.count() == 1


def test_submit_directly_after_completion_from_the_action_is_refused(client, wave, token):
    start(client, token)
    submit(client, token)
    stale = Response.objects.get()
    stale.status = Response.Status.IN_PROGRESS  # the copy a racing request read earlier

    questions = questions_of(wave.questionnaire)
    specs = specs_of(questions)

    def get(key):
        value = VALID_ANSWERS.get(key, [])
        return value if isinstance(value, list) else [value]

    parsed = items.parse(specs, get)
    outcome = actions.do_submit_response(stale, item_index(questions, specs), parsed)
    assert outcome == actions.Outcome.ALREADY_SUBMITTED


def test_save_and_resume_keeps_partial_answers(client, token):
    start(client, token)
    saved = client.post(url(token), {"Q1": "1", "Q5": "7", "action": "save"}, **EN)
    assert saved.status_code == 302
    response = Response.objects.get()
    assert response.status == Response.Status.IN_PROGRESS
    assert not Answer.objects.exists()
    page = client.get(url(token), **EN).content.decode()
    assert 'name="Q5" value="7"' in page
    assert 'name="Q1" value="1" checked' in page


def test_closed_wave_takes_no_answers(client, wave, token):
    wave.is_open = False
    wave.save()
    page = client.get(url(token), **EN)
    assert "not open" in page.content.decode()
    assert start(client, token).status_code == 200
    assert not Response.objects.exists()


def test_open_link_gives_each_visitor_a_personal_link_kept_in_the_session(client, wave):
    wave.open_link_token = "open-abc"
    wave.save()
    first = client.get(reverse("surveys:open_link", kwargs={"token": "open-abc"}))
    second = client.get(reverse("surveys:open_link", kwargs={"token": "open-abc"}))
    assert first.status_code == 302 and first["Location"] == second["Location"]
    assert Invitation.objects.filter(source="open").count() == 1


def test_open_link_without_a_token_set_is_not_found(client, wave):
    assert client.get(reverse("surveys:open_link", kwargs={"token": "x"})).status_code == 404


def test_volunteering_stores_contact_apart_from_answers(client, token):
    start(client, token)
    submit(client, token)
    volunteer = reverse("surveys:volunteer", kwargs={"token": token})
    page = client.post(volunteer, {"agree": "on", "name": "김시민", "phone": "010-0000-0000"}, **EN)
    assert page.status_code == 200
    opt_in = VolunteerOptIn.objects.get()
    assert (opt_in.region, opt_in.gender, opt_in.age_band) == ("도심권", "남성", "18-29")
    assert ContactDetails.objects.get(opt_in=opt_in).phone == "010-0000-0000"


def test_volunteering_needs_its_own_consent(client, token):
    start(client, token)
    submit(client, token)
    volunteer = reverse("surveys:volunteer", kwargs={"token": token})
    page = client.post(volunteer, {"name": "김시민", "phone": "010"}, **EN)
    assert page.status_code == 400
    assert not VolunteerOptIn.objects.exists()


def test_volunteering_needs_a_completed_poll(client, token):
    start(client, token)
    volunteer = reverse("surveys:volunteer", kwargs={"token": token})
    assert client.get(volunteer).status_code == 404


def test_erasing_contacts_keeps_the_opt_ins(client, wave, token):
    start(client, token)
    submit(client, token)
    client.post(
        reverse("surveys:volunteer", kwargs={"token": token}),
        {"agree": "on", "name": "김시민", "email": "a@example.org"},
    )
    assert (
        actions.do_erase_contact_data(wave.deliberation, actor=None).counts["poll_volunteers"] == 1
    )
    contact = ContactDetails.objects.get()
    assert contact.name == "" and contact.email == "" and contact.erased_at is not None
    assert VolunteerOptIn.objects.count() == 1


def test_panel_wave_response_is_keyed_by_the_panelists_pseudonym(client, panelist):
    wave = WaveFactory(kind="pre")
    build_every_type(wave.questionnaire)
    PanelistFactory(deliberation=wave.deliberation, user=panelist, pseudonym="P0042")
    client.force_login(panelist)
    here = reverse("surveys:panel_take", args=[wave.pk])
    assert client.post(here, {"consent": "on", "sensitive_consent": "on"})["Location"] == here
    assert client.post(here, {**VALID_ANSWERS, "action": "submit"}).status_code == 302
    response = Response.objects.get()
    assert response.respondent_id == "P0042" and response.panelist.user == panelist
    assert client.post(here, {**VALID_ANSWERS, "action": "submit"}).status_code == 409


def test_a_panelist_reopening_a_wave_they_answered_without_an_invitation_sees_it_done(
    client, panelist
):
    wave = WaveFactory(kind="pre")
    build_every_type(wave.questionnaire)
    seat = PanelistFactory(deliberation=wave.deliberation, user=panelist, pseudonym="P0007")
    Response.objects.create(
        wave=wave, panelist=seat, respondent_id="P0007", status=Response.Status.COMPLETE
    )
    client.force_login(panelist)
    here = reverse("surveys:panel_take", args=[wave.pk])
    page = client.get(here, **EN)
    assert page.status_code == 200 and "answers have been received" in page.content.decode()
    assert client.post(here, {"consent": "on", "sensitive_consent": "on"}).status_code in (200, 409)
    assert Response.objects.count() == 1


def test_a_panelist_continues_an_answer_begun_without_an_invitation(client, panelist):
    wave = WaveFactory(kind="pre")
    build_every_type(wave.questionnaire)
    seat = PanelistFactory(deliberation=wave.deliberation, user=panelist, pseudonym="P0008")
    begun = Response.objects.create(wave=wave, panelist=seat, respondent_id="P0008")
    client.force_login(panelist)
    here = reverse("surveys:panel_take", args=[wave.pk])
    assert client.post(here, {"consent": "on", "sensitive_consent": "on"})["Location"] == here
    assert client.post(here, {**VALID_ANSWERS, "action": "submit"}).status_code == 302
    begun.refresh_from_db()
    assert begun.status == Response.Status.COMPLETE and begun.invitation is not None
    assert Response.objects.count() == 1


def test_a_panelist_of_another_deliberation_cannot_answer_a_panel_wave(client, panelist):
    wave = WaveFactory(kind="pre")
    PanelistFactory(user=panelist)
    client.force_login(panelist)
    assert client.get(reverse("surveys:panel_take", args=[wave.pk])).status_code == 403
    assert not Invitation.objects.exists()


def test_the_poll_has_no_panel_route(client, panelist, wave):
    PanelistFactory(deliberation=wave.deliberation, user=panelist)
    client.force_login(panelist)
    assert client.get(reverse("surveys:panel_take", args=[wave.pk])).status_code == 403


def test_an_edit_before_fieldwork_shows_in_the_form_at_once(client, wave, token):
    start(client, token)
    assert "Question Q3" in client.get(url(token), **EN).content.decode()
    question = wave.questionnaire.questions.get(code="Q3")
    question.text_en = "Is waste a serious problem?"
    # An edit goes through the builder action, which raises the questionnaire's revision.
    Response.objects.all().delete()
    actions.do_save_question(question)
    start(client, token)
    html = client.get(url(token), **EN).content.decode()
    assert "Is waste a serious problem?" in html and "Question Q3" not in html


def test_panels_read_the_volunteer_pool_without_contacts(client, wave, token, organizer):
    from django.contrib.auth.models import Permission
    from django.core.exceptions import PermissionDenied

    from surveys.volunteers import contact_for, volunteer_pool

    start(client, token)
    submit(client, token)
    client.post(
        reverse("surveys:volunteer", kwargs={"token": token}),
        {"agree": "on", "name": "김시민", "phone": "010-1234-5678"},
    )
    pool = list(volunteer_pool(wave.deliberation))
    assert [(v.region, v.gender, v.age_band) for v in pool] == [("도심권", "남성", "18-29")]
    with pytest.raises(PermissionDenied):
        contact_for(pool[0], organizer)
    organizer.user_permissions.add(Permission.objects.get(codename="view_volunteer_contacts"))
    organizer = type(organizer).objects.get(pk=organizer.pk)
    assert contact_for(pool[0], organizer).phone == "010-1234-5678"


KICKER = '<p class="wave-kicker"><span lang="ko">숙의 중간 조사</span></p>'


def test_the_panel_survey_pages_show_the_waves_title(client, panelist):
    wave = WaveFactory(kind="mid", title="숙의 중간 조사")
    build_every_type(wave.questionnaire)
    PanelistFactory(deliberation=wave.deliberation, user=panelist, pseudonym="P0009")
    client.force_login(panelist)
    here = reverse("surveys:panel_take", args=[wave.pk])
    assert KICKER in client.get(here, **EN).content.decode()
    client.post(here, {"consent": "on"})
    assert KICKER in client.get(here, **EN).content.decode()
    client.post(here, {**VALID_ANSWERS, "action": "submit"})
    assert KICKER in client.get(here, **EN).content.decode()


def test_the_poll_pages_keep_the_questionnaire_title_only(client, wave, token):
    assert "wave-kicker" not in client.get(url(token), **EN).content.decode()
