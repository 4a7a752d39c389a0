"""Factories for the models every app's tests build on."""

from __future__ import annotations

import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from deliberation.core.actions import record_seat_numbers
from deliberation.core.models import Deliberation, Membership, Stage
from deliberation.core.roles import Role
from deliberation.forum.actions import do_open_rooms
from deliberation.forum.models import ForumGroup, GroupRecommendation, Session
from panels.models import Panelist

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])

    @factory.post_generation
    def verified_email(self, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def join(user, deliberation: Deliberation, *roles: str, department: str = "자원순환과") -> None:
    """Put a user on a deliberation's team in the roles given (each also as their group);
    a department officer answers for the department given."""
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        Membership.objects.get_or_create(
            deliberation=deliberation,
            user=user,
            role=role,
            defaults={"department": department if role == Role.DEPARTMENT else ""},
        )
    user.__dict__.pop("_gongnon_roles", None)


class DeliberationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliberation

    slug = factory.Sequence(lambda n: f"deliberation-{n}")
    title = factory.Sequence(lambda n: f"공론화 {n}")
    agenda = "생활폐기물 처리시설 입지"
    city = "서울특별시"


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    deliberation = factory.SubFactory(DeliberationFactory)
    kind = Stage.Kind.POLL
    order = 1


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True

    deliberation = factory.SubFactory(DeliberationFactory)
    kind = Session.Kind.REGIONAL_FORUM
    title = factory.Sequence(lambda n: f"권역별 시민토론회 {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=3))

    @factory.post_generation
    def rooms(self, create: bool, extracted: None, **kwargs) -> None:
        """Sessions are opened with their rooms, as the product's actions open them."""
        if create:
            do_open_rooms(self)


class ForumGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumGroup
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    name = factory.Sequence(lambda n: f"{n:02d}조")

    @factory.post_generation
    def members(self, create: bool, extracted: list | None, **kwargs) -> None:
        if create and extracted:
            self.members.add(*extracted)

    @factory.post_generation
    def room(self, create: bool, extracted: None, **kwargs) -> None:
        if create:
            do_open_rooms(self.session)

    @factory.post_generation
    def facilitator_on_team(self, create: bool, extracted: None, **kwargs) -> None:
        """The product assigns groups only to the team's facilitators."""
        if create and self.facilitator_id:
            Membership.objects.get_or_create(
                deliberation_id=self.session.deliberation_id,
                user_id=self.facilitator_id,
                role="facilitator",
            )


class PanelistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panelist
        skip_postgeneration_save = True

    deliberation = factory.SubFactory(DeliberationFactory)
    user = factory.SubFactory(UserFactory, role="panelist")
    pseudonym = factory.Sequence(lambda n: f"P{n:04d}")
    draw_position = factory.Sequence(lambda n: n + 1)
    region = "도심권"
    gender = "여성"
    age_band = "30-39"

    @factory.post_generation
    def seat_number(self, create: bool, extracted: None, **kwargs) -> None:
        """Seating gives the person their default name, as the product's draw does."""
        if create and self.draw_position:
            record_seat_numbers({self.user_id: self.draw_position})


def recommendation_of(group: ForumGroup, text: str, supporters=()) -> GroupRecommendation:
    """A recommendation of the group's synthesis written by its facilitator, as the room's
    actions write it, supported by the members given."""
    from deliberation.forum.actions.recommendations import (
        do_add_recommendation,
        do_support_recommendation,
    )

    room = group.room
    do_add_recommendation(room.pk, group.facilitator, text)
    made = GroupRecommendation.objects.filter(room=room).latest("pk")
    for member in supporters:
        do_support_recommendation(room.pk, member, made.pk, True)
    return made
