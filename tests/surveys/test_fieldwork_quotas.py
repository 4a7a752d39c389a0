"""Fieldwork quota cells name categories of the deliberation's regions and margins."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from deliberation.core.actions import ActionRefused
from surveys import actions
from surveys.models import FieldworkQuota
from tests.surveys.conftest import EN

pytestmark = pytest.mark.django_db


def test_a_quota_for_an_unknown_region_is_refused_and_nothing_is_saved(client, organizer, wave):
    client.force_login(organizer)
    response = client.post(
        reverse("surveys:quota_add", kwargs={"wave_id": wave.pk}),
        {"region": "부산권", "gender": "", "age_band": "", "target": "4"},
        **EN,
    )
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Region “부산권” is not one of the deliberation's categories" in message
    assert not FieldworkQuota.objects.exists()


def test_a_quota_for_an_unknown_gender_is_refused(wave):
    with pytest.raises(ActionRefused):
        actions.do_save_quota(wave, region="", gender="female", age_band="", target=4)
    assert not FieldworkQuota.objects.exists()


def test_a_quota_for_a_region_and_age_band_of_the_deliberation_is_saved(wave):
    actions.do_save_quota(wave, region="도심권", gender="여성", age_band="60+", target=4)
    assert FieldworkQuota.objects.get().target == 4
