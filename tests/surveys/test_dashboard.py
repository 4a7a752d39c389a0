"""The fieldwork dashboard: completes by stratum against targets, rates and times."""

from __future__ import annotations

from django.urls import reverse

from surveys.dashboard import fieldwork_summary
from surveys.models import FieldworkQuota, Response
from tests.surveys.conftest import EN
from tests.surveys.factories import FULL_ANSWERS, complete_response


def test_summary_counts_completes_against_quota_targets(wave):
    FieldworkQuota.objects.create(wave=wave, region="도심권", target=2)
    FieldworkQuota.objects.create(wave=wave, gender="남성", target=10)
    for i, seconds in enumerate([300, 500, 900]):
        response = complete_response(
            wave, f"R{i}", FULL_ANSWERS, region="도심권", gender="여성", age_band="60+"
        )
        Response.objects.filter(pk=response.pk).update(duration_seconds=seconds)
    Response.objects.create(wave=wave, respondent_id="R9", region="도심권")
    summary = fieldwork_summary(wave)
    cells = {q["cell"]: q for q in summary["quotas"]}
    assert cells["도심권"]["completes"] == 3 and cells["도심권"]["full"]
    assert cells["남성"]["completes"] == 0 and not cells["남성"]["full"]
    assert summary["completion_rate"] == 0.75
    assert summary["median_seconds"] == 500
    assert summary["margins"]["age_band"] == {"60+": 3}


def test_dashboard_data_is_json_for_the_live_page(client, organizer, wave):
    complete_response(wave, "R1", FULL_ANSWERS, region="도심권", gender="여성", age_band="60+")
    client.force_login(organizer)
    data = client.get(reverse("surveys:dashboard_data", args=[wave.pk])).json()
    assert data["completes"] == 1
    page = client.get(reverse("surveys:dashboard", args=[wave.pk]), **EN).content.decode()
    assert 'aria-live="polite"' in page and "dashboard.js" in page
