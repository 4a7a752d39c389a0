"""Simultaneous submits race for real on PostgreSQL: one response per link, quotas kept."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from surveys import actions
from surveys.models import Answer, FieldworkQuota, Response
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
        url,
        {
            "consent": "on",
            "sensitive_consent": "on",
            "district": "종로구",
            "gender": "남성",
            "birth_year": "1990",
        },
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


def started_links(wave, district: str, count: int) -> list[str]:
    tokens = actions.do_create_invitations(wave, count)
    for token in tokens:
        Client().post(
            reverse("surveys:take", kwargs={"token": token}),
            {
                "consent": "on",
                "sensitive_consent": "on",
                "district": district,
                "gender": "남성",
                "birth_year": "1990",
            },
        )
    return tokens


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submits_never_overfill_a_quota_cell():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    wave = WaveFactory()
    build_every_type(wave.questionnaire)
    add_strata(wave.deliberation)
    FieldworkQuota.objects.create(wave=wave, region="도심권", target=3)
    tokens = started_links(wave, "종로구", 6)
    barrier = threading.Barrier(len(tokens))

    def submit(token: str) -> None:
        try:
            barrier.wait()
            url = reverse("surveys:take", kwargs={"token": token})
            Client().post(url, {**VALID_ANSWERS, "action": "submit"})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    complete = Response.objects.filter(status=Response.Status.COMPLETE)
    assert complete.count() == 3
    assert Response.objects.filter(status=Response.Status.QUOTA_FULL).count() == 3
    assert set(Answer.objects.values_list("response_id", flat=True)) == set(
        complete.values_list("pk", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_submit_does_not_wait_for_a_submit_in_another_quota_cell():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    wave = WaveFactory()
    build_every_type(wave.questionnaire)
    add_strata(wave.deliberation)
    FieldworkQuota.objects.create(wave=wave, region="도심권", target=10)
    FieldworkQuota.objects.create(wave=wave, region="동남권", target=10)
    token = started_links(wave, "종로구", 1)[0]
    holding, release = threading.Event(), threading.Event()

    def submit_in_progress_elsewhere() -> None:
        # What a submit in 동남권 holds until it commits: the lock on its own cell.
        try:
            with transaction.atomic():
                list(FieldworkQuota.objects.select_for_update().filter(region="동남권"))
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    other = threading.Thread(target=submit_in_progress_elsewhere)
    other.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        url = reverse("surveys:take", kwargs={"token": token})
        assert Client().post(url, {**VALID_ANSWERS, "action": "submit"}).status_code == 302
    finally:
        release.set()
        other.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert Response.objects.get().status == Response.Status.COMPLETE
