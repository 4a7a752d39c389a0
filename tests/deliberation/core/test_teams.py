"""Roles scope to a deliberation's team: an organizer of one cannot manage another."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from deliberation.core.access import can_analyse, can_manage, deliberations_of, team_roles
from deliberation.core.roles import Role
from tests.factories import DeliberationFactory, UserFactory, join

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def two_cities(db):
    ours = DeliberationFactory(title="버스 노선 개편 공론화")
    theirs = DeliberationFactory(title="하천 복원 공론화")
    return ours, theirs


def test_an_organizer_manages_only_the_deliberation_whose_team_they_are_on(client, two_cities):
    ours, theirs = two_cities
    organizer = UserFactory()
    join(organizer, ours, Role.ORGANIZER)
    client.force_login(organizer)
    assert client.get(reverse("panels:overview", args=[ours.slug])).status_code == 200
    assert client.get(reverse("panels:overview", args=[theirs.slug])).status_code == 403
    assert client.get(reverse("deliberation:detail", args=[theirs.slug])).status_code == 403
    assert can_manage(organizer, ours) and not can_manage(organizer, theirs)


def test_an_analyst_lists_and_reads_only_their_deliberations(client, two_cities):
    ours, theirs = two_cities
    analyst = UserFactory()
    join(analyst, ours, Role.ANALYST)
    client.force_login(analyst)
    listing = client.get(reverse("deliberation:list"), **ENGLISH).content.decode()
    assert ours.title in listing and theirs.title not in listing
    assert client.get(reverse("report:page", args=[ours.slug])).status_code == 200
    assert client.get(reverse("report:page", args=[theirs.slug])).status_code == 403
    assert can_analyse(analyst, ours) and not can_analyse(analyst, theirs)


def test_the_home_page_lists_only_the_deliberations_of_the_users_teams(client, two_cities):
    ours, theirs = two_cities
    organizer = UserFactory()
    join(organizer, ours, Role.ORGANIZER)
    client.force_login(organizer)
    home = client.get(reverse("deliberation:home"), **ENGLISH).content.decode()
    assert ours.title in home and theirs.title not in home


def test_an_archived_deliberation_leaves_the_home_page_but_stays_in_the_list(client, two_cities):
    ours, _ = two_cities
    organizer = UserFactory()
    join(organizer, ours, Role.ORGANIZER)
    ours.archived_at = ours.created_at
    ours.save()
    client.force_login(organizer)
    assert ours.title not in client.get(reverse("deliberation:home")).content.decode()
    assert ours.title in client.get(reverse("deliberation:list")).content.decode()


def test_a_membership_without_the_role_grants_nothing(two_cities):
    """A disabled role (the group removed from the account) ends the team role too."""
    ours, _ = two_cities
    user = UserFactory()
    join(user, ours, Role.ORGANIZER)
    user.groups.clear()
    user.__dict__.pop("_gongnon_roles", None)
    assert team_roles(user, ours) == frozenset()
    assert not deliberations_of(user).exists()


def test_one_person_holds_different_roles_on_different_teams(two_cities):
    ours, theirs = two_cities
    person = UserFactory()
    join(person, ours, Role.ORGANIZER)
    join(person, theirs, Role.FACILITATOR)
    assert team_roles(person, ours) == {Role.ORGANIZER}
    assert team_roles(person, theirs) == {Role.FACILITATOR}
    assert list(deliberations_of(person, Role.ORGANIZER)) == [ours]


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_existing_staff_on_every_existing_team():
    executor = MigrationExecutor(connection)
    executor.migrate([("deliberation", "0007_moved_to_forum_and_report")])
    old = executor.loader.project_state([("deliberation", "0007_moved_to_forum_and_report")]).apps
    Group = old.get_model("auth", "Group")
    User = old.get_model("auth", "User")
    Deliberation = old.get_model("deliberation", "Deliberation")
    first = Deliberation.objects.create(slug="a", title="a", agenda="a", city="c")
    second = Deliberation.objects.create(slug="b", title="b", agenda="b", city="c")
    organizer = User.objects.create(username="org")
    organizer.groups.add(Group.objects.get_or_create(name=Role.ORGANIZER)[0])
    panelist = User.objects.create(username="pan")
    panelist.groups.add(Group.objects.get_or_create(name=Role.PANELIST)[0])

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(leaves)
    new = executor.loader.project_state(leaves).apps
    memberships = new.get_model("deliberation", "Membership").objects
    assert set(memberships.values_list("user_id", "deliberation_id", "role")) == {
        (organizer.pk, first.pk, Role.ORGANIZER),
        (organizer.pk, second.pk, Role.ORGANIZER),
    }
    assert not memberships.filter(user_id=panelist.pk).exists()
