import pytest

from deliberation.roles import Role
from tests.factories import UserFactory


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
