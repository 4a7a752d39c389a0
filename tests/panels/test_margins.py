import pytest
from django.urls import reverse

from panels.margins import parse_margins
from panels.models import PopulationMargin
from tests.factories import DeliberationFactory

GOOD = (
    "feature,value,share\nregion,도심권,0.4\nregion,동북권,0.6\ngender,남성,0.5\ngender,여성,0.5\n"
)


def test_margins_parse_when_each_feature_sums_to_one():
    margins, issues = parse_margins(GOOD)
    assert not issues
    assert len(margins) == 4


def test_margins_report_a_feature_whose_shares_do_not_sum_to_one():
    margins, issues = parse_margins("feature,value,share\nregion,도심권,0.4\nregion,동북권,0.5\n")
    assert margins == []
    assert "region" in issues[0].message


def test_margins_report_bad_rows_with_line_numbers():
    _, issues = parse_margins("feature,value,share\nregion,도심권,abc\nregion,동북권,1.5\n")
    assert [i.row for i in issues] == [2, 3]


@pytest.mark.django_db
def test_a_bad_margins_file_changes_nothing(client, organizer):
    deliberation = DeliberationFactory()
    PopulationMargin.objects.create(deliberation=deliberation, feature="x", value="a", share=1)
    client.force_login(organizer)
    url = reverse("panels:margins", kwargs={"slug": deliberation.slug})
    response = client.post(url, {"text": "feature,value,share\nregion,도심권,0.3\n"})
    assert response.status_code == 400
    assert list(deliberation.margins.values_list("feature", flat=True)) == ["x"]


@pytest.mark.django_db
def test_a_good_margins_file_replaces_the_margins(client, organizer):
    deliberation = DeliberationFactory()
    PopulationMargin.objects.create(deliberation=deliberation, feature="x", value="a", share=1)
    client.force_login(organizer)
    url = reverse("panels:margins", kwargs={"slug": deliberation.slug})
    assert client.post(url, {"text": GOOD}).status_code == 302
    assert deliberation.margins.count() == 4
    assert not deliberation.margins.filter(feature="x").exists()
