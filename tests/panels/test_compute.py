import threading
import uuid
from importlib import import_module

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from deliberation.core.models import WorkerHeartbeat
from panels import actions, selection
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


def test_a_run_is_computed_by_its_task_queued_after_commit(
    organizer, deliberation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.do_start_run(deliberation, actor=organizer)
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.DONE
    assert run.task_id
    assert not [t for t in threading.enumerate() if t.name.startswith("selection-run-")]


def test_a_stale_running_run_whose_task_is_gone_no_longer_blocks_a_new_one(organizer, deliberation):
    stale = SelectionRun.objects.create(
        deliberation=deliberation, status="running", task_id=str(uuid.uuid4())
    )
    run = actions.do_start_run(deliberation, actor=organizer)
    stale.refresh_from_db()
    assert stale.status == SelectionRun.Status.FAILED
    assert "Interrupted" in stale.error
    assert run.status == SelectionRun.Status.QUEUED


def test_a_running_run_whose_task_is_alive_still_blocks_a_new_one(organizer, deliberation):
    task = DBTaskResult.objects.create(
        task_path="panels.runner.compute_selection_run",
        args_kwargs={"args": [0], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        status="RUNNING",
    )
    SelectionRun.objects.create(deliberation=deliberation, status="running", task_id=str(task.id))
    with pytest.raises(actions.RunAlreadyActive):
        actions.do_start_run(deliberation, actor=organizer)


def test_an_organizer_cancels_a_queued_run_and_the_worker_then_skips_it(
    client, organizer, deliberation
):
    client.force_login(organizer)
    run = actions.do_start_run(deliberation, actor=organizer)
    url = reverse("panels:cancel_run", kwargs={"slug": deliberation.slug, "run_id": run.pk})
    assert client.post(url).status_code == 302
    run.refresh_from_db()
    assert (run.status, run.cancelled_by) == (SelectionRun.Status.CANCELLED, organizer)
    assert run.cancelled_at is not None
    assert execute_run(run.pk).lottery is None
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.CANCELLED


def test_a_run_cancelled_mid_computation_stops_at_the_next_step(
    organizer, deliberation, monkeypatch
):
    run = actions.do_start_run(deliberation, actor=organizer)
    real_leximin = selection.leximin

    def cancel_then_compute(*args, **kwargs):
        actions.do_cancel_run(run, actor=organizer)
        return real_leximin(*args, **kwargs)

    monkeypatch.setattr(selection, "leximin", cancel_then_compute)
    execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.CANCELLED
    assert run.lottery is None and run.probabilities is None


def test_a_finished_run_cannot_be_cancelled(organizer, db):
    run = computed_run(organizer)
    with pytest.raises(actions.RunNotActive):
        actions.do_cancel_run(run, actor=organizer)
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.DONE


def test_the_page_of_a_queued_run_says_when_no_worker_is_there(
    client, organizer, deliberation, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(organizer)
    run = actions.do_start_run(deliberation, actor=organizer)
    page = client.get(reverse("panels:compute", kwargs={"slug": deliberation.slug}))
    assert "manage.py worker" in page.content.decode()
    status_url = reverse("panels:run_status", kwargs={"slug": deliberation.slug, "run_id": run.pk})
    assert "manage.py worker" in client.get(status_url).json()["hint"]
    WorkerHeartbeat.objects.create(worker_id="w1")
    assert client.get(status_url).json()["hint"] == ""


def test_the_korean_page_of_a_running_run_shows_its_step_in_korean(client, organizer, deliberation):
    client.force_login(organizer)
    SelectionRun.objects.create(
        deliberation=deliberation,
        status=SelectionRun.Status.RUNNING,
        progress=SelectionRun.Progress.CHECKING_QUOTAS,
    )
    url = reverse("panels:compute", kwargs={"slug": deliberation.slug})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "할당 조건 확인 중" in html
    assert "checking_quotas" not in html and "Checking the quotas" not in html


def test_the_status_json_gives_the_step_in_the_reader_s_language(client, organizer, deliberation):
    client.force_login(organizer)
    run = SelectionRun.objects.create(
        deliberation=deliberation,
        status=SelectionRun.Status.RUNNING,
        progress=SelectionRun.Progress.ROUNDING_LOTTERY,
    )
    url = reverse("panels:run_status", kwargs={"slug": deliberation.slug, "run_id": run.pk})
    data = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (data["progress"], data["progress_key"]) == (
        "Rounding to a lottery of panels",
        "rounding_lottery",
    )


def test_the_migration_turns_stored_english_steps_into_keys(deliberation):
    migration = import_module("panels.migrations.0008_selection_run_progress_keys")
    run = SelectionRun.objects.create(
        deliberation=deliberation,
        status="running",
        progress="Computing LEXIMIN selection probabilities",
    )
    migration.texts_to_keys(apps, None)
    run.refresh_from_db()
    assert run.progress == SelectionRun.Progress.COMPUTING_LEXIMIN
