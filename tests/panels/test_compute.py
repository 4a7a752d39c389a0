import threading

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from panels import actions
from panels.models import SelectionRun
from panels.runner import execute_run
from tests.factories import DeliberationFactory
from tests.panels.flow import computed_run
from tests.panels.pool_helpers import BALANCED_POOL, BALANCED_QUOTAS, add_pool, set_quotas


@pytest.fixture
def deliberation(db):
    deliberation = DeliberationFactory()
    add_pool(deliberation, BALANCED_POOL)
    set_quotas(deliberation, BALANCED_QUOTAS, 10)
    return deliberation


def test_the_compute_view_only_enqueues_and_returns(client, organizer, deliberation):
    client.force_login(organizer)
    response = client.post(reverse("panels:compute", kwargs={"slug": deliberation.slug}))
    assert response.status_code == 302
    run = SelectionRun.objects.get()
    assert run.status == SelectionRun.Status.QUEUED
    assert run.lottery is None


def test_the_worker_computes_probabilities_and_a_lottery(organizer, db):
    run = computed_run(organizer)
    assert run.status == SelectionRun.Status.DONE
    assert run.lottery["size"] == 50
    assert len(run.probabilities) == 40
    assert 0 < run.min_probability <= 10 / 40 <= run.max_probability
    assert len(run.inputs_digest) == 64


def test_a_second_run_cannot_start_while_one_is_active(organizer, deliberation):
    actions.do_start_run(deliberation, actor=organizer)
    with pytest.raises(actions.RunAlreadyActive):
        actions.do_start_run(deliberation, actor=organizer)


def test_the_database_refuses_two_active_runs(deliberation):
    SelectionRun.objects.create(deliberation=deliberation)
    with pytest.raises(IntegrityError), transaction.atomic():
        SelectionRun.objects.create(deliberation=deliberation, status="running")


def test_infeasible_quotas_fail_the_run_with_the_diagnosis(organizer, deliberation):
    set_quotas(deliberation, {**BALANCED_QUOTAS, ("region", "도심권"): (25, 30)}, 10)
    run = execute_run(actions.do_start_run(deliberation, actor=organizer).pk)
    assert run.status == SelectionRun.Status.FAILED
    assert "region=도심권" in run.error


def test_the_status_view_reports_progress_as_json(client, organizer, deliberation):
    client.force_login(organizer)
    run = actions.do_start_run(deliberation, actor=organizer)
    url = reverse("panels:run_status", kwargs={"slug": deliberation.slug, "run_id": run.pk})
    assert client.get(url).json()["status"] == "queued"
    execute_run(run.pk)
    data = client.get(url).json()
    assert (data["status"], data["finished"]) == ("done", True)


@pytest.mark.django_db(transaction=True)
def test_a_run_completes_in_a_background_thread_started_after_commit(organizer):
    deliberation = DeliberationFactory()
    add_pool(deliberation, BALANCED_POOL)
    set_quotas(deliberation, BALANCED_QUOTAS, 10)
    run = actions.do_start_run(deliberation, actor=organizer)
    for thread in threading.enumerate():
        if thread.name == f"selection-run-{run.pk}":
            thread.join(timeout=120)
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.DONE
