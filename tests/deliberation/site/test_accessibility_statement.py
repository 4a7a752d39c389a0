import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_footer_links_the_accessibility_statement_which_renders_in_both_languages(
    client, language
):
    client.cookies["django_language"] = language
    home = client.get("/")
    assert 'href="/accessibility/"' in home.content.decode().split('class="site-footer"')[1]
    with override_settings(GONGNON_ACCESSIBILITY_CONTACT="a11y@city.example"):
        page = client.get("/accessibility/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<html lang="{language}">' in html
    assert 'href="mailto:a11y@city.example"' in html
    assert "KWCAG" in html and "2.2" in html and "axe-core 4.14.1" in html


def test_the_statement_names_the_axe_version_the_crawl_runs():
    from deliberation.site.views import AXE_VERSION
    from tests.a11y.crawl import AXE_VERSION as vendored

    assert AXE_VERSION == vendored
