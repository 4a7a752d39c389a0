"""Simultaneous submits of one link race for real on PostgreSQL: one response is stored."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from surveys import actions
from surveys.models import Answer, Response
from tests.surveys.factories import VALID_ANSWERS, WaveFactory, add_strata, build_every_type


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submits_of_one_link_store_one_response():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    wave = WaveFactory()
    build_every_type(wave.questionnaire)
    add_strata(wave.deliberation)
    token = actions.do_create_invitations(wave, 1)[0]
    url = reverse("surveys:take", kwargs={"token": token})
    Client().post(
        url, {"consent": "on", "district": "종로구", "gender": "남성", "birth_year": "1990"}
    )
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def submit() -> None:
        try:
            barrier.wait()
            codes.append(Client().post(url, {**VALID_ANSWERS, "action": "submit"}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [302, 409, 409, 409]
    assert Response.objects.filter(status=Response.Status.COMPLETE).count() == 1
    assert Answer.objects.count() == 11
