import os

import pytest
from django.conf import settings

from deliberation.core.roles import Role
from tests.factories import UserFactory

# Fixtures of the live room (forum, plenary), shared by the forum and security tests.
pytest_plugins = ["tests.deliberation.forum.room_fixtures"]


def pytest_configure(config) -> None:
    # A PBKDF2 hash costs most of a second and the factories hash every user's password;
    # no test here is about the hasher, so every test uses the fastest one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user_with_role(db):
    """Make a signed-in-able user holding one role."""

    def make(role: str, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


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
