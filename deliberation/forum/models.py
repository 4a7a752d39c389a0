"""The live forum: sessions, their groups and rooms, and everything said in a room."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deliberation.core.models import Deliberation
from deliberation.core.storage import PrivateStorage, private_storage, unguessable_name
from deliberation.forum.channel_groups import room_group


def private_material_storage() -> PrivateStorage:
    return private_storage


def material_path(instance: Material, filename: str) -> str:
    return unguessable_name("materials", filename)


def new_opinion_seed() -> int:
    """A room's opinion-map seed, drawn once when the room is made and kept with it."""
    return secrets.randbelow(2**31)


class Session(models.Model):
    """A scheduled event of the deliberation: expert debate, regional forum or plenary."""

    class Kind(models.TextChoices):
        EXPERT_DEBATE = "expert_debate", _("Expert debate")
        REGIONAL_FORUM = "regional_forum", _("Regional forum")
        PLENARY = "plenary", _("Plenary forum")

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("deliberation"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    region = models.CharField(
        _("region"),
        max_length=100,
        blank=True,
        help_text=_("For a regional forum: the region whose panelists it gathers."),
    )
    experts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="expert_sessions",
        verbose_name=_("experts"),
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderated_sessions",
        verbose_name=_("moderator"),
        help_text=_("Runs the session's plenary room; organizers may always step in."),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ForumGroup(models.Model):
    """A small facilitated group (~10 panelists) within a session."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="groups", verbose_name=_("session")
    )
    name = models.CharField(_("name"), max_length=100)
    # Groups made by allocation are numbered, and named by their number in the reader's
    # language ("Group 03", "03조"); a group named by hand has no number.
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_groups",
        verbose_name=_("facilitator"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="forum_groups", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["session", "name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "name"], name="group_name_unique_in_session")
        ]

    def __str__(self) -> str:
        return f"{self.session} / {self.label}"

    @property
    def label(self) -> str:
        """The group's name as shown, in the active language."""
        if self.number is None:
            return self.name
        return gettext("Group %(number)s") % {"number": f"{self.number:02d}"}


def numbered_group_name(number: int) -> str:
    """The stored name of a numbered group: its number, the same in every language."""
    return f"{number:02d}"


class Material(models.Model):
    """A document panelists read before and during a session."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="materials", verbose_name=_("session")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.URLField(_("link"), blank=True)
    file = models.FileField(
        _("file"), storage=private_material_storage, upload_to=material_path, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Shown on the deliberation's public page (when its materials are published): each
    # material deliberately, since some are the panel's alone (an expert's draft slides).
    public = models.BooleanField(_("on the public page"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["session", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(body="") | ~models.Q(link="") | ~models.Q(file=""),
                name="material_has_content",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Room(models.Model):
    """A live room: one per forum group, and one for a whole session (the plenary).

    ``last_seq`` is the room's event counter; it is only ever advanced under a row lock in
    the transaction that stores the event, so sequence numbers have no gaps.
    """

    class Phase(models.TextChoices):
        WAITING = "waiting", _("Not started")
        INTRODUCTION = "introduction", _("Introduction")
        OPTION_A = "option_a", _("Option A")
        OPTION_B = "option_b", _("Option B")
        SYNTHESIS = "synthesis", _("Synthesis")
        CLOSED = "closed", _("Closed")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("session")
    )
    group = models.OneToOneField(
        ForumGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="room",
        verbose_name=_("group"),
    )
    last_seq = models.PositiveBigIntegerField(_("last sequence number"), default=0)
    # Raised whenever who may be in the room changes (a move, a re-allocation, a seat
    # declined or dropped): a connection admitted under an older value is re-checked
    # before its next message is stored.
    access_version = models.PositiveIntegerField(_("access version"), default=0)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default="waiting")
    timer_ends_at = models.DateTimeField(_("timer ends at"), null=True, blank=True)
    timer_label = models.CharField(_("timer label"), max_length=100, blank=True)
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("speaker"),
    )
    speaker_until = models.DateTimeField(_("speaker's turn ends at"), null=True, blank=True)
    # Statements and votes (the opinion map): always on in a plenary; in a group room
    # when its facilitator turns them on.
    statements_enabled = models.BooleanField(_("statements on"), default=False)
    # The seed of the room's opinion map: the same votes and seed always give the same map.
    opinion_seed = models.PositiveIntegerField(_("opinion map seed"), default=new_opinion_seed)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(group__isnull=True),
                name="room_one_plenary_per_session",
            )
        ]

    def __str__(self) -> str:
        return str(self.group) if self.group_id else f"{self.session} / plenary"

    @property
    def is_plenary(self) -> bool:
        return self.group_id is None

    @property
    def channel_group(self) -> str:
        return room_group(self.pk)

    @property
    def statements_on(self) -> bool:
        """Whether panelists submit and vote on statements here."""
        return self.is_plenary or self.statements_enabled


class RoomEvent(models.Model):
    """Everything that happened in a room, in order: the log clients resume from.

    Chat messages are events of kind ``message`` with an author and text; hidden messages
    keep their text and the reason for audit but are no longer shown.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField(_("sequence number"))
    kind = models.CharField(_("kind"), max_length=32)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    client_id = models.CharField(_("client id"), max_length=64, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(_("synthetic (demo)"), default=False)

    # Not stored: True on the copy do_post_message returns for a client_id already used.
    repeated = False
    # Not stored: the room's access version when the general path stored or found this
    # message (the connection admits its next messages by it); None on the fast path.
    room_access_version: int | None = None

    class Meta:
        verbose_name = _("room event")
        verbose_name_plural = _("room events")
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="room_event_seq_once"),
            models.UniqueConstraint(
                fields=["room", "author", "client_id"],
                condition=~models.Q(client_id=""),
                name="room_event_client_id_once",
            ),
        ]
        # The message rate limit counts a participant's recent messages in the room.
        indexes = [
            models.Index(
                fields=["room", "author", "created_at"], name="room_event_recent_by_author"
            )
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq} {self.kind}"


class Attendance(models.Model):
    """One websocket connection of a user to a room: who joined, when, for how long."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_attendances"
    )
    channel_name = models.CharField(max_length=200)
    joined_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        indexes = [models.Index(fields=["room", "left_at"], name="attendance_open")]

    def __str__(self) -> str:
        return f"{self.user_id} in room {self.room_id} from {self.joined_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> datetime.timedelta:
        return (self.left_at or self.last_seen_at) - self.joined_at


class HandRaise(models.Model):
    """A place in a room's speaking queue."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="hands")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="hand_once")]

    def __str__(self) -> str:
        return f"{self.user_id} in room {self.room_id}"


class ModerationAction(models.Model):
    """The audit log of moderation; mutes and removals are also read from it."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("Hide a message")
        MUTE = "mute", _("Mute")
        REMOVE = "remove", _("Remove from the room")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="moderation")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    event = models.ForeignKey(RoomEvent, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in room {self.room_id}"


class ExpertQuestion(models.Model):
    """A panelist's question to the experts in a plenary room."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        PICKED = "picked", _("On the floor")
        ANSWERED = "answered", _("Answered")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("question"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default="open")
    votes = models.PositiveIntegerField(_("votes"), default=0)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["room", "-votes", "created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class ExpertQuestionVote(models.Model):
    """One upvote of a question to the experts."""

    question = models.ForeignKey(ExpertQuestion, on_delete=models.CASCADE, related_name="upvotes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="question_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → question {self.question_id}"


class QuickPoll(models.Model):
    """A quick poll opened by the facilitator; results are shown when it closes."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("question"), max_length=300)
    options = models.JSONField(_("options"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default="open")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["room", "opened_at"]

    def __str__(self) -> str:
        return self.question


class QuickPollVote(models.Model):
    """One vote in a quick poll."""

    poll = models.ForeignKey(QuickPoll, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    option = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="poll_vote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → poll {self.poll_id}"


class GroupRecommendation(models.Model):
    """One of the group's recommendations in its synthesis, written by the facilitator."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField(_("recommendation"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["room", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class GroupRecommendationSupport(models.Model):
    """A participant's support for one recommendation of their group."""

    recommendation = models.ForeignKey(
        GroupRecommendation, on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "user"], name="support_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → recommendation {self.recommendation_id}"


class ParticipationFee(models.Model):
    """The participation fee (참가비) paid to a panelist for attending a session of a kind,
    in whole won. Only amounts: no bank details are ever stored."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="participation_fees",
        verbose_name=_("deliberation"),
    )
    session_kind = models.CharField(_("session kind"), max_length=32, choices=Session.Kind.choices)
    amount = models.PositiveIntegerField(_("amount (won)"))

    class Meta:
        verbose_name = _("participation fee")
        verbose_name_plural = _("participation fees")
        ordering = ["deliberation", "session_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "session_kind"], name="participation_fee_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_kind}: {self.amount}"


class Statement(models.Model):
    """A short statement a panelist submits for the room to vote on (the opinion map).

    Moderated before anyone sees it: accepted ones are voted on; a rejection keeps its
    reason, and who moderated and when.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="statements", verbose_name=_("room")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.CharField(_("statement"), max_length=280)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    is_synthetic = models.BooleanField(_("synthetic (demo)"), default=False)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["room", "created_at", "pk"]
        indexes = [
            models.Index(fields=["room", "status"], name="statement_room_status"),
            # The submission rate limit counts a participant's recent statements.
            models.Index(
                fields=["room", "author", "created_at"], name="statement_recent_by_author"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class StatementVote(models.Model):
    """One participant's vote on an accepted statement: 1 agree, -1 disagree, 0 pass (the
    sign of Polis's exports). Once per statement and voter; a new vote replaces it."""

    class Value(models.IntegerChoices):
        AGREE = 1, _("Agree")
        DISAGREE = -1, _("Disagree")
        PASS = 0, _("Pass")

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="votes", verbose_name=_("statement")
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("voter"),
    )
    value = models.SmallIntegerField(_("vote"), choices=Value.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    is_synthetic = models.BooleanField(_("synthetic (demo)"), default=False)

    class Meta:
        verbose_name = _("statement vote")
        verbose_name_plural = _("statement votes")
        constraints = [
            models.UniqueConstraint(fields=["statement", "voter"], name="statement_vote_once"),
            models.CheckConstraint(
                # A range, not IN (-1, 0, 1): Django's SQLite introspection splits a table's
                # SQL at ", " and fails on a list inside a check.
                condition=models.Q(value__gte=-1, value__lte=1),
                name="statement_vote_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → statement {self.statement_id}: {self.value}"


class OpinionMapSnapshot(models.Model):
    """A computed opinion map of a room, kept: ``result`` is ``OpinionMap.to_dict()``
    (docs/opinion-map.md), ``parameters`` what it was computed from besides the votes
    (seed, the previous map's k-smoother), so the same votes give the same map again."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="opinion_maps", verbose_name=_("room")
    )
    seed = models.PositiveIntegerField(_("seed"))
    parameters = models.JSONField(_("parameters"), default=dict)
    result = models.JSONField(_("map"))
    # Every accepted statement's votes when the map was made: {id: [agree, disagree, pass]}.
    tallies = models.JSONField(_("tallies"), default=dict)
    vote_count = models.PositiveIntegerField(_("votes"))
    # The time of the latest vote the map counts: with vote_count, whether votes changed.
    votes_through = models.DateTimeField(_("votes up to"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("opinion map")
        verbose_name_plural = _("opinion maps")
        ordering = ["room", "-computed_at", "-pk"]
        get_latest_by = "computed_at"
        indexes = [models.Index(fields=["room", "-computed_at"], name="opinion_map_latest")]

    def __str__(self) -> str:
        return f"room {self.room_id} at {self.computed_at:%Y-%m-%d %H:%M:%S}"
