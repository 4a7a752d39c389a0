"""Every URL the project serves, requested as anonymous and as each role.

The table below is the single statement of who may open what. A URL pattern missing from
it fails the test, so a new view cannot be added without deciding its access.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from deliberation.roles import Role
from tests.factories import ForumGroupFactory, StageFactory, UserFactory

ANONYMOUS = "anonymous"
ROLES = tuple(Role.values)
LOGIN = "login"  # a redirect to the sign-in page
ALL_ROLES = frozenset(ROLES)


@dataclass(frozen=True)
class Access:
    """Expected outcome per visitor: an HTTP status, or LOGIN for a sign-in redirect."""

    anonymous: int | str
    roles: dict[str, int | str] = field(default_factory=dict)

    def expected(self, visitor: str) -> int | str:
        return self.anonymous if visitor == ANONYMOUS else self.roles[visitor]


def only(*allowed: str, ok: int = 200) -> Access:
    """A page for the given roles: others get 403, visitors are sent to sign in."""
    return Access(LOGIN, {role: ok if role in allowed else 403 for role in ROLES})


def everyone(anonymous: int | str, signed_in: int | str) -> Access:
    return Access(anonymous, dict.fromkeys(ROLES, signed_in))


STAFF_ONLY = everyone(302, 302)  # the admin sends non-staff to its own login page

ACCESS: dict[str, Access] = {
    # Project pages
    "deliberation:home": everyone(200, 200),
    "deliberation:list": only(Role.ORGANIZER, Role.ANALYST),
    "deliberation:detail": only(Role.ORGANIZER, Role.ANALYST),
    "deliberation:stage_edit": only(Role.ORGANIZER),
    # Live forum: object rules leave only organizers in rooms they are not attached to.
    "deliberation:group_room": only(Role.ORGANIZER),
    "deliberation:group_console": only(Role.ORGANIZER),
    "deliberation:plenary": only(Role.ORGANIZER),
    "deliberation:allocation": only(Role.ORGANIZER),
    "deliberation:materials": only(Role.ORGANIZER),
    "deliberation:export": only(Role.ORGANIZER, Role.ANALYST),
    "set_language": everyone(302, 302),
    # Accounts (django-allauth)
    "account_login": everyone(200, 302),
    "account_logout": everyone(302, 200),
    "account_inactive": everyone(200, 200),
    "account_signup": everyone(200, 302),
    "account_reauthenticate": everyone(LOGIN, 200),
    "account_request_reauthentication_code": everyone(LOGIN, 200),
    "account_confirm_reauthentication_code": everyone(LOGIN, 302),
    "account_email": everyone(LOGIN, 200),
    "account_email_verification_sent": everyone(LOGIN, 302),
    "account_change_password": everyone(LOGIN, 200),
    "account_set_password": everyone(LOGIN, 302),
    "account_reset_password": everyone(200, 200),
    "account_reset_password_done": everyone(200, 200),
    "account_reset_password_from_key": everyone(200, 200),
    "account_reset_password_from_key_done": everyone(200, 200),
    "account_request_login_code": everyone(200, 302),
    "account_confirm_login_code": everyone(LOGIN, 302),
    # The admin's own sign-in pages; every other admin URL is STAFF_ONLY.
    "admin:login": everyone(200, 200),
}
ADMIN_NAMESPACE = "admin"

SAMPLE_VALUES = {
    "uidb36": "1",
    "key": "invalid-key",
    "app_label": "deliberation",
    "dataset": "transcript",
    "fmt": "csv",
}


def is_admin_model_page(name: str) -> bool:
    return name.startswith(ADMIN_NAMESPACE + ":") and name not in ACCESS


def iter_url_names(patterns=None, namespace: str | None = None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            child = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from iter_url_names(pattern.url_patterns, child)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def url_parameters(pattern: URLPattern) -> list[str]:
    return list(re.compile(pattern.pattern.regex.pattern).groupindex)


@pytest.fixture
def objects(db):
    facilitator = UserFactory(role=Role.FACILITATOR)
    stage = StageFactory()
    group = ForumGroupFactory(session__deliberation=stage.deliberation, facilitator=facilitator)
    return {
        "slug": stage.deliberation.slug,
        "stage_id": stage.pk,
        "group_id": group.pk,
        "session_id": group.session_id,
    }


def build_url(name: str, pattern: URLPattern, objects: dict) -> str:
    kwargs = {}
    for parameter in url_parameters(pattern):
        kwargs[parameter] = objects.get(parameter, SAMPLE_VALUES.get(parameter, "1"))
    return reverse(name, kwargs=kwargs)


def outcome(response, login_url: str) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(login_url):
        return LOGIN
    return response.status_code


def test_every_url_pattern_is_in_the_access_table():
    names = {name for name, _ in iter_url_names()}
    missing = sorted(name for name in names if name not in ACCESS and not is_admin_model_page(name))
    assert not missing, f"URL patterns without an access rule: {missing}"
    stale = sorted(set(ACCESS) - names)
    assert not stale, f"Access rules for URL names that no longer exist: {stale}"


@pytest.mark.parametrize("visitor", (ANONYMOUS, *ROLES))
def test_each_visitor_gets_exactly_the_access_in_the_table(client, objects, visitor):
    if visitor != ANONYMOUS:
        client.force_login(UserFactory(role=visitor))
    login_url = reverse("account_login")
    mismatches = []
    for name, pattern in iter_url_names():
        rule = ACCESS[name] if name in ACCESS else STAFF_ONLY
        url = build_url(name, pattern, objects)
        got = outcome(client.get(url), login_url)
        if got != rule.expected(visitor):
            mismatches.append(f"{name} {url}: expected {rule.expected(visitor)}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def test_admin_admits_staff_only(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(UserFactory(role=Role.ORGANIZER))
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200
