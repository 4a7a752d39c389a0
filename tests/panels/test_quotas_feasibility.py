import pytest
from django.urls import reverse

from panels.models import PanelPlan, PanelQuota
from tests.factories import DeliberationFactory
from tests.panels.pool_helpers import (
    BALANCED_POOL,
    BALANCED_QUOTAS,
    add_pool,
    set_margins,
    set_quotas,
)


@pytest.fixture
def deliberation(db):
    return DeliberationFactory()


def test_quotas_are_derived_from_population_shares_with_the_tolerance(
    client, organizer, deliberation
):
    set_margins(deliberation, {"region": {"도심권": 0.2, "동북권": 0.8}})
    PanelPlan.objects.create(deliberation=deliberation, panel_size=100, tolerance="0.05")
    client.force_login(organizer)
    client.post(reverse("panels:quotas", kwargs={"slug": deliberation.slug}), {"action": "derive"})
    quotas = {(q.value): (q.min, q.max) for q in deliberation.quotas.all()}
    assert quotas == {"도심권": (15, 25), "동북권": (75, 85)}


def test_quotas_can_be_edited_and_a_minimum_above_the_maximum_is_refused(
    client, organizer, deliberation
):
    set_quotas(deliberation, {("region", "도심권"): (1, 5)}, 5)
    client.force_login(organizer)
    url = reverse("panels:quotas", kwargs={"slug": deliberation.slug})
    form = {
        "action": "save",
        "quota-TOTAL_FORMS": "1",
        "quota-INITIAL_FORMS": "1",
        "quota-0-feature": "region",
        "quota-0-value": "도심권",
        "quota-0-min": "4",
        "quota-0-max": "3",
    }
    assert client.post(url, form).status_code == 400
    assert PanelQuota.objects.get().min == 1
    form["quota-0-max"] = "9"
    assert client.post(url, form).status_code == 302
    assert (PanelQuota.objects.get().min, PanelQuota.objects.get().max) == (4, 9)


def test_any_feature_can_be_added_as_a_category(client, organizer, deliberation):
    client.force_login(organizer)
    url = reverse("panels:quotas", kwargs={"slug": deliberation.slug})
    data = {
        "action": "add",
        "new-feature": "tenure",
        "new-value": "renter",
        "new-min": 2,
        "new-max": 5,
    }
    client.post(url, data)
    assert deliberation.quotas.get().feature == "tenure"


def test_feasibility_page_names_the_short_category_and_the_relaxation(
    client, organizer, deliberation
):
    add_pool(deliberation, {("도심권", "남성"): 2, ("동북권", "여성"): 20})
    set_quotas(
        deliberation,
        {
            ("region", "도심권"): (5, 10),
            ("region", "동북권"): (0, 10),
            ("gender", "남성"): (0, 10),
            ("gender", "여성"): (0, 10),
        },
        10,
    )
    client.force_login(organizer)
    response = client.get(
        reverse("panels:feasibility", kwargs={"slug": deliberation.slug}),
        headers={"accept-language": "en"},
    )
    text = response.content.decode()
    assert "Region 도심권: 2 volunteers, but the quotas need at least 5." in text
    assert response.context["report"].relaxation[0].new_min == 2


def test_applying_the_relaxation_makes_the_quotas_feasible(client, organizer, deliberation):
    add_pool(deliberation, {("도심권", "남성"): 2, ("동북권", "여성"): 20})
    set_quotas(deliberation, {("region", "도심권"): (5, 10), ("region", "동북권"): (0, 10)}, 10)
    client.force_login(organizer)
    client.post(reverse("panels:apply_relaxation", kwargs={"slug": deliberation.slug}))
    response = client.get(reverse("panels:feasibility", kwargs={"slug": deliberation.slug}))
    assert response.context["report"].feasible
    assert deliberation.quotas.get(value="도심권").min == 2


def test_feasible_quotas_are_reported_feasible(client, organizer, deliberation):
    add_pool(deliberation, BALANCED_POOL)
    set_quotas(deliberation, BALANCED_QUOTAS, 10)
    client.force_login(organizer)
    response = client.get(reverse("panels:feasibility", kwargs={"slug": deliberation.slug}))
    assert response.context["report"].feasible
