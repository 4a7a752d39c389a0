import os

import pytest
from django.conf import settings
from django.db.models.signals import post_save

from deliberation.core.models import Deliberation, Membership
from deliberation.core.roles import TEAM_ROLES, Role
from tests.factories import UserFactory

# Fixtures of the live room (forum, plenary), shared by the forum and security tests.
pytest_plugins = [
    "tests.deliberation.forum.room_fixtures",
    "tests.deliberation.site.public_fixtures",
]


def pytest_configure(config) -> None:
    # A PBKDF2 hash costs most of a second and the factories hash every user's password;
    # no test here is about the hasher, so every test uses the fastest one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    separate_xdist_workers()


def separate_xdist_workers() -> None:
    """Each pytest-xdist worker has a database of its own (pytest-django suffixes its name);
    on Redis it also needs channel groups and cache keys of its own, or two workers' rooms
    with the same primary key would hear each other. Processes a test starts inherit the
    prefixes through the environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    channel_prefix = f"{os.environ.get('CHANNEL_PREFIX', 'gongnon')}-{worker}"
    cache_prefix = f"{os.environ.get('CACHE_PREFIX', 'gongnon')}-{worker}"
    os.environ["CHANNEL_PREFIX"] = channel_prefix
    os.environ["CACHE_PREFIX"] = cache_prefix
    for layer in settings.CHANNEL_LAYERS.values():
        if "prefix" in layer.get("CONFIG", {}):
            layer["CONFIG"]["prefix"] = channel_prefix
    for cache in settings.CACHES.values():
        cache["KEY_PREFIX"] = cache_prefix


@pytest.fixture
def user_with_role(db):
    """Make a signed-in-able user holding one role, on the team of every deliberation.

    Tests of one stage are about that stage, not about teams: the role fixtures
    (``organizer``, ``analyst``, ``facilitator``, ``expert``) join the team of every
    deliberation that exists or that the test creates. Tests of team scoping make their
    users with ``UserFactory`` and ``tests.factories.join`` instead
    (tests/deliberation/core/test_teams.py, tests/test_access_matrix.py).
    """
    members: list[tuple[object, str]] = []

    def join_new(sender, instance, created, raw=False, **kwargs):
        if created and not raw:
            Membership.objects.bulk_create(
                [
                    Membership(
                        deliberation=instance,
                        user=u,
                        role=r,
                        department="자원순환과" if r == Role.DEPARTMENT else "",
                    )
                    for u, r in members
                ]
            )

    post_save.connect(join_new, sender=Deliberation, dispatch_uid="fixture-teams", weak=False)

    def make(role: str, **kwargs):
        user = UserFactory(role=role, **kwargs)
        if role in TEAM_ROLES:
            members.append((user, role))
            Membership.objects.bulk_create(
                [
                    Membership(
                        deliberation_id=pk,
                        user=user,
                        role=role,
                        department="자원순환과" if role == Role.DEPARTMENT else "",
                    )
                    for pk in Deliberation.objects.values_list("pk", flat=True)
                ]
            )
        return user

    yield make
    post_save.disconnect(sender=Deliberation, dispatch_uid="fixture-teams")


@pytest.fixture
def organizer(user_with_role):
    return user_with_role(Role.ORGANIZER)


@pytest.fixture
def analyst(user_with_role):
    return user_with_role(Role.ANALYST)


@pytest.fixture
def facilitator(user_with_role):
    return user_with_role(Role.FACILITATOR)


@pytest.fixture
def panelist(user_with_role):
    return user_with_role(Role.PANELIST)


@pytest.fixture
def expert(user_with_role):
    return user_with_role(Role.EXPERT)


def _pdf_unavailable_reason() -> str | None:
    """WeasyPrint needs the system's Pango library; say so instead of failing obscurely."""
    try:
        import weasyprint  # noqa: F401
    except (OSError, ImportError) as error:
        return f"PDF rendering unavailable (WeasyPrint needs Pango): {error}"
    return None


def pytest_collection_modifyitems(config, items) -> None:
    reason = _pdf_unavailable_reason() if any("pdf" in item.keywords for item in items) else None
    if reason is None:
        return
    if os.environ.get("GONGNON_REQUIRE_PDF") == "1":
        raise pytest.UsageError(reason + " (GONGNON_REQUIRE_PDF=1)")
    for item in items:
        if "pdf" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def close_event_loop_connections():
    """Consumers' async PostgreSQL connections end with the test, before its database does."""
    yield
    from deliberation.forum import async_connection

    async_connection.close_all()


@pytest.fixture
def empty_cache():
    """An empty cache before and after the test: rate limits, the public page's renderings
    and the live room's throttles start from nothing."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
