"""Save and continue later: the personal resume link, e-mailed on request, and the open
link bringing the same browser back to its response."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from surveys import actions
from surveys.models import ContactDetails, Invitation, Response
from tests.surveys.conftest import EN
from tests.surveys.factories import VALID_ANSWERS

SCREENER = {
    "consent": "on",
    "sensitive_consent": "on",
    "district": "종로구",
    "gender": "남성",
    "birth_year": "1995",
}


def url(token):
    return reverse("surveys:take", kwargs={"token": token})


def saved_url(token):
    return reverse("surveys:take_saved", kwargs={"token": token})


def save_for_later(client, token):
    client.post(url(token), SCREENER, **EN)
    return client.post(url(token), {"Q5": "7", "action": "save"}, **EN)


@pytest.fixture
def open_wave(wave):
    wave.open_link_token = "open-abc"
    wave.save()
    return wave


def open_link(client):
    return client.get(reverse("surveys:open_link", kwargs={"token": "open-abc"}), **EN)


def test_saving_for_later_shows_the_personal_resume_link(client, token):
    saved = save_for_later(client, token)
    assert saved.status_code == 302 and saved["Location"] == saved_url(token)
    page = client.get(saved_url(token), **EN).content.decode()
    assert f"http://testserver{url(token)}" in page
    assert "not store it" in page
    assert Response.objects.get().draft == {"Q5": ["7"]}


def test_the_resume_link_is_emailed_on_commit_and_the_address_is_kept_nowhere(
    client, token, mailoutbox, django_capture_on_commit_callbacks
):
    save_for_later(client, token)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(saved_url(token), {"email": "citizen@example.org"}, **EN)
    assert sent.status_code == 302
    assert [m.to for m in mailoutbox] == [["citizen@example.org"]]
    assert f"http://testserver{url(token)}" in mailoutbox[0].body
    response = Response.objects.get()
    assert "citizen@example.org" not in str(Response.objects.filter(pk=response.pk).values())
    assert not ContactDetails.objects.exists()


def test_a_bad_email_address_is_refused_and_nothing_is_sent(
    client, token, mailoutbox, django_capture_on_commit_callbacks
):
    save_for_later(client, token)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(saved_url(token), {"email": "not-an-address"}, **EN)
    assert page.status_code == 400
    assert not mailoutbox
    assert Response.objects.get().resume_links_sent == 0


def test_one_response_e_mails_its_link_only_a_few_times(
    client, token, mailoutbox, django_capture_on_commit_callbacks
):
    save_for_later(client, token)
    with django_capture_on_commit_callbacks(execute=True):
        replies = [
            client.post(saved_url(token), {"email": f"p{i}@example.org"}, **EN).status_code
            for i in range(actions.fieldwork.RESUME_LINK_EMAILS + 1)
        ]
    assert replies == [302] * actions.fieldwork.RESUME_LINK_EMAILS + [400]
    assert len(mailoutbox) == actions.fieldwork.RESUME_LINK_EMAILS


def test_the_saved_page_of_a_response_not_started_goes_back_to_the_interview(client, token):
    assert client.get(saved_url(token), **EN)["Location"] == url(token)


def test_the_same_browser_reopening_the_open_link_resumes_its_response(client, open_wave):
    personal = open_link(client)["Location"]
    client.post(personal, SCREENER, **EN)
    client.post(personal, {"Q5": "7", "action": "save"}, **EN)
    again = open_link(client)
    assert again["Location"] == personal
    assert 'name="Q5" value="7"' in client.get(personal, **EN).content.decode()
    assert Response.objects.count() == 1


def test_after_a_submit_the_open_link_starts_a_new_response_if_the_browser_limit_allows(
    open_wave,
):
    open_wave.open_link_per_browser = 2
    open_wave.save()
    browser = Client()
    first = open_link(browser)["Location"]
    browser.post(first, SCREENER, **EN)
    browser.post(first, {**VALID_ANSWERS, "action": "submit"}, **EN)
    second = open_link(browser)
    assert second.status_code == 302 and second["Location"] != first
    assert Invitation.objects.filter(source="open").count() == 2
    assert open_link(browser)["Location"] == second["Location"]


def test_after_a_submit_the_open_link_refuses_this_browser_at_its_limit(client, open_wave):
    first = open_link(client)["Location"]
    client.post(first, SCREENER, **EN)
    client.post(first, {**VALID_ANSWERS, "action": "submit"}, **EN)
    assert open_link(client).status_code == 429
    assert Invitation.objects.filter(source="open").count() == 1


def test_a_screened_out_browser_sees_its_end_again_instead_of_a_new_screener(client, open_wave):
    open_wave.open_link_per_browser = 5
    open_wave.save()
    first = open_link(client)["Location"]
    client.post(first, {**SCREENER, "birth_year": "2015"}, **EN)
    assert Response.objects.get().status == Response.Status.SCREENED_OUT
    assert open_link(client)["Location"] == first
