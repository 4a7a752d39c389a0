"""Pages of the live forum: rooms, the facilitator's console, the plenary, allocation,
materials and exports for analysts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from deliberation.core.access import (
    can_analyse,
    can_manage,
    deny_unless,
    login_required_any_role,
    role_required,
)
from deliberation.core.models import Deliberation
from deliberation.core.names import display_name
from deliberation.core.roles import Role
from deliberation.core.uploads import accepts_upload
from deliberation.forum import exports
from deliberation.forum import fees as fee_ledger_module
from deliberation.forum.access import (
    can_join_group,
    can_join_plenary,
    can_read_materials,
    can_run_group,
    can_run_room,
)
from deliberation.forum.actions import (
    ActionRefused,
    do_add_material,
    do_allocate_groups,
    do_assign_facilitator,
    do_move_member,
    do_save_session,
    do_set_participation_fees,
)
from deliberation.forum.forms import FacilitatorForm, ParticipationFeeForm, SessionForm
from deliberation.forum.material_files import KINDS, extension_of, kind_of
from deliberation.forum.models import ForumGroup, Material, Room, Session
from deliberation.forum.selectors import group_room as room_of_group
from deliberation.forum.selectors import plenary_room
from panels.models import Panelist
from panels.strata import STRATA


def room_strings() -> dict[str, str]:
    """Texts the room's script shows, translated here so the script holds none."""
    return {
        "connecting": _("Connecting…"),
        "connected": _("Connected"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "refused": _("You cannot take part in this room."),
        "signed_out": _("You are signed out. Sign in again to take part."),
        "removed": _("You were removed from this room."),
        "too_many_connections": _(
            "This room is open in too many of your windows or devices. Close some, then "
            "reload this page."
        ),
        "hidden": _("(message hidden by the facilitator)"),
        "hide": _("Hide"),
        "hide_reason": _("Why hide this message? (kept for the record)"),
        "mute": _("Mute 5 min"),
        "mute_reason": _("Why mute this participant?"),
        "remove": pgettext("a participant, from the room", "Remove"),
        "remove_reason": _("Why remove this participant?"),
        "give_floor": _("Give the floor"),
        "lower": _("Lower hand"),
        "raise_hand": _("Raise hand"),
        "lower_hand": _("Lower my hand"),
        "end_turn": _("End turn"),
        "nobody_speaking": _("Nobody has the floor."),
        "speaking": _("Speaking:"),
        "no_timer": _("No timer running."),
        "time_up": _("Time is up."),
        "upvote": _("Upvote"),
        "upvoted": _("Upvoted"),
        "votes": _("votes"),
        "pick": _("Pick"),
        "answer": _("Answer"),
        "answer_prompt": _("Your answer"),
        "answered_by": _("Answered by"),
        "vote": _("Vote"),
        "you_voted": _("You voted:"),
        "close_poll": _("Close the poll"),
        "results": _("Results"),
        "support": _("Support"),
        "withdraw": _("Withdraw support"),
        "supporters": _("Supporters: %(count)s"),
        "not_connected": _("Not connected; your message will be sent when the connection is back."),
        "offline": _("Not connected; try again once the connection is back."),
        "too_long": _(
            "Too long to send: %(size)s bytes, and the limit is %(max)s. Shorten it; "
            "nothing was sent."
        ),
        "too_fast": _(
            "Too fast: at most %(limit)s per %(seconds)s seconds. Wait a moment; nothing was sent."
        ),
        "too_many_options": _(
            "A poll has at most %(max)s options, one per line (you typed %(count)s). "
            "Nothing was sent."
        ),
        "option_too_long": _(
            "Option %(number)s is longer than %(max)s characters. Shorten it; nothing was sent."
        ),
        "muted": _("You are muted until"),
        "phase": _("Phase:"),
        "picked": _("On the floor"),
        "you": _("(you)"),
        "demo": _("demo"),
        "seat_name": _("Participant %(number)s"),
        # Statements and the opinion map.
        "statement_agree": _("Agree"),
        "statement_disagree": _("Disagree"),
        "statement_pass": _("Pass / unsure"),
        "statement_vote_label": _("Your vote on this statement"),
        "statements_none": _("No statements to vote on yet."),
        "statements_done": _("You have voted on every statement. New ones appear here."),
        "statements_progress": _("You have voted on %(done)s of %(total)s statements."),
        "statement_pending": _("waiting for moderation"),
        "statements_runner": _(
            "You moderate the statements; the panel votes on them. The map below shows the votes."
        ),
        "statements_count": _("%(total)s statements open for votes."),
        "statements_no_pending": _("No statement is waiting."),
        "statement_rejected": _("not accepted: %(reason)s"),
        "statement_too_long": _(
            "A statement is at most %(max)s characters (this one has %(count)s). Shorten it; "
            "nothing was sent."
        ),
        "accept": _("Accept"),
        "reject": _("Reject"),
        "reject_reason": _("Why reject this statement? (its author sees the reason)"),
        "statements_turn_on": _("Turn statements on"),
        "statements_turn_off": _("Turn statements off"),
        "map_title": _("Opinion map"),
        "map_desc": _(
            "%(participants)s participants placed by their votes, in %(groups)s opinion groups, "
            "from %(votes)s votes."
        ),
        "map_none": _("The map appears once enough votes are in."),
        "map_updated": _("Updated at %(time)s."),
        "map_group": _("Group %(letter)s"),
        "map_members": _("%(count)s people"),
        "map_groups_caption": _("Opinion groups and the statements that set each apart"),
        "map_group_col": pgettext("an opinion group of the map", "Group"),
        "map_representative_col": _("Representative statements"),
        "map_consensus_caption": _("Statements most of the room agrees or disagrees with"),
        "map_statement_col": _("Statement"),
        "map_share_col": _("Share"),
        "map_no_consensus": _("No statement has a clear majority of the whole room yet."),
        "share_agree": _("%(percent)s agree"),
        "share_disagree": _("%(percent)s disagree"),
        # The phases by their code (the server sends the code, never a label).
        **{f"phase_{value}": str(label) for value, label in Room.Phase.choices},
        # Refusals by the reason (else the code) of the server's error frame.
        **room_error_strings(),
    }


def room_error_strings() -> dict[str, str]:
    """The room's refusals in the page's language, keyed error_<reason> or error_<code>
    (docs/websocket-protocol.md, "Error codes"); %(name)s are the frame's params."""
    too_fast = _(
        "Too fast: at most %(limit)s per %(seconds)s seconds. Wait a moment; nothing was sent."
    )
    not_understood = _("The server did not understand the page. Reload the page and try again.")
    return {
        # Reasons: what exactly was refused.
        "error_chat_rate": too_fast,
        "error_frame_rate": too_fast,
        "error_frame_too_large": _("Too large to send: at most %(max)s bytes. Nothing was sent."),
        "error_text_too_large": _("Too long to send: at most %(max)s bytes. Nothing was sent."),
        "error_empty_text": _("Write something first; nothing was sent."),
        "error_bad_number": _("Enter a whole number from %(low)s to %(high)s."),
        "error_bad_client_id": not_understood,
        "error_bad_last_seq": not_understood,
        "error_bad_phase": _("Choose one of the listed phases."),
        "error_poll_options": _("A poll has 2 to %(max)s options, one per line."),
        "error_plenary_only": _("Questions to the experts are asked in the plenary."),
        "error_no_question": _("This question is no longer in the room."),
        "error_question_answered": _("This question has been answered already."),
        "error_already_upvoted": _("You have upvoted this question already."),
        "error_question_not_open": _("Only a waiting question can be put on the floor."),
        "error_answer_forbidden": _("Only an invited expert or the moderator can answer."),
        "error_no_poll": _("This poll is no longer in the room."),
        "error_poll_closed": _("This poll is closed."),
        "error_already_voted_poll": _("You have voted in this poll already."),
        "error_no_recommendation": _("This recommendation is no longer in the room."),
        "error_nothing_to_change": _("Nothing to change."),
        "error_have_floor": _("You have the floor already."),
        "error_hand_raised": _("Your hand is raised already."),
        "error_hand_not_raised": _("This hand is not raised."),
        "error_no_participant": _("This participant is not in the room."),
        "error_nobody_speaking": _("Nobody has the floor."),
        "error_facilitator_only": _("Only the facilitator can do this."),
        "error_facilitator_not_moderated": _("A facilitator cannot be muted or removed."),
        "error_no_message": _("This message is no longer in the room."),
        "error_already_hidden": _("This message is hidden already."),
        "error_muted": _("You are muted until %(until)s."),
        "error_statements_off": _("Statements are not on in this room."),
        "error_statement_too_long": _(
            "A statement is at most %(max)s characters. Shorten it; nothing was sent."
        ),
        "error_statement_rate": _(
            "At most %(limit)s statements per %(seconds)s seconds. Wait a moment; nothing was sent."
        ),
        "error_no_statement": _("This statement is not open for votes."),
        "error_statement_moderated": _("This statement has been moderated already."),
        "error_bad_decision": not_understood,
        "error_bad_vote": not_understood,
        "error_bad_enabled": not_understood,
        "error_panelists_only": _("Only panelists vote on statements."),
        "error_plenary_statements": _("The plenary always has statements."),
        # Codes: any refusal of that kind without a text of its own.
        "error_bad_json": not_understood,
        "error_bad_frame": not_understood,
        "error_unknown_type": not_understood,
        "error_invalid": _("This could not be done; reload the page and try again."),
        "error_too_large": _("Too large to send; nothing was sent."),
        "error_rate_limited": _("Too fast. Wait a moment; nothing was sent."),
        "error_forbidden": _("You may not do this in this room."),
        "error_already_voted": _("You have done this already."),
        "error_removed": _("You were removed from this room."),
        "error_revoked": _("You cannot take part in this room."),
        "error_not_found": _("You cannot take part in this room."),
        "error_server_error": _("The server could not do this; try again."),
        "error_unknown": _("The server refused this; try again."),
    }


def _room_page(request: HttpRequest, room: Room, *, console: bool) -> HttpResponse:
    session = room.session
    context = {
        "strings": room_strings(),
        "room": room,
        "session": session,
        "group": room.group,
        "console": console,
        "can_run": can_run_room(request.user, room),
        "materials": Material.objects.filter(session=session),
        "ws_path": f"/ws/rooms/{room.pk}/",
        "phases": Room.Phase.choices,
    }
    return render(request, "forum/room.html", context)


@login_required_any_role
def group_room(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(ForumGroup.objects.select_related("session"), pk=group_id)
    deny_unless(can_join_group(request.user, group))
    return _room_page(request, room_of_group(group), console=False)


@role_required(Role.FACILITATOR, Role.ORGANIZER)
def group_console(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(ForumGroup.objects.select_related("session"), pk=group_id)
    deny_unless(can_run_group(request.user, group))
    return _room_page(request, room_of_group(group), console=True)


@login_required_any_role
def plenary(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session, pk=session_id)
    deny_unless(can_join_plenary(request.user, session))
    room = plenary_room(session)
    return _room_page(request, room, console=can_run_room(request.user, room))


# Organizer pages ----------------------------------------------------------------------


class AllocateForm(forms.Form):
    group_count = forms.IntegerField(
        label=gettext_lazy("Number of groups (only when the session has none)"),
        min_value=1,
        max_value=200,
        required=False,
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Random seed"), min_value=0, max_value=2**31 - 1, initial=0
    )


class MoveForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    group_id = forms.TypedChoiceField(label=gettext_lazy("Move to"), coerce=int)

    def __init__(self, *args, groups=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_id"].choices = [(g.pk, g.label) for g in groups]


@role_required(Role.ORGANIZER)
def allocation(request: HttpRequest, session_id: int) -> HttpResponse:
    """Allocate the panel to groups (diversity-maximising), then move people by hand."""
    session = get_object_or_404(Session.objects.select_related("deliberation"), pk=session_id)
    deny_unless(can_manage(request.user, session.deliberation_id))
    groups = list(
        ForumGroup.objects.filter(session=session)
        .select_related("facilitator__profile")
        .prefetch_related("members__profile")
        .order_by("name")
    )
    allocate_form = AllocateForm(request.POST if request.POST.get("action") == "allocate" else None)
    if request.method == "POST":
        if request.POST.get("action") == "facilitator":
            choice = FacilitatorForm(request.POST, deliberation=session.deliberation)
            group = next(
                (
                    g
                    for g in groups
                    if choice.is_valid() and g.pk == choice.cleaned_data["group_id"]
                ),
                None,
            )
            if group is None:
                messages.error(request, _("Choose a facilitator of the team."))
            else:
                facilitator = choice.cleaned_data["facilitator"]
                do_assign_facilitator(group, facilitator, actor=request.user)
                messages.success(
                    request, _("Facilitator of %(group)s saved.") % {"group": group.label}
                )
            return redirect("forum:allocation", session_id=session.pk)
        if request.POST.get("action") == "allocate" and allocate_form.is_valid():
            try:
                do_allocate_groups(
                    session,
                    actor=request.user,
                    group_count=allocate_form.cleaned_data["group_count"],
                    seed=allocate_form.cleaned_data["seed"] or 0,
                )
            except ValueError:
                allocate_form.add_error(
                    "group_count", _("This session has no groups yet: give their number.")
                )
            else:
                messages.success(request, _("The panel was allocated to the groups."))
                return redirect("forum:allocation", session_id=session.pk)
        elif request.POST.get("action") == "move":
            move = MoveForm(request.POST, groups=groups)
            if move.is_valid():
                try:
                    target = do_move_member(
                        session,
                        user_id=move.cleaned_data["user_id"],
                        group_id=move.cleaned_data["group_id"],
                        actor=request.user,
                    )
                except (ValueError, ForumGroup.DoesNotExist):
                    messages.error(request, _("This panelist cannot be moved there."))
                else:
                    messages.success(request, _("Moved to %(group)s.") % {"group": target.name})
                return redirect("forum:allocation", session_id=session.pk)
            messages.error(request, _("This panelist cannot be moved there."))
    seats = {
        p.user_id: p
        for p in Panelist.objects.filter(deliberation_id=session.deliberation_id).only(
            "user_id", "pseudonym", "status", *STRATA
        )
    }
    rows = []
    for group in groups:
        members = [
            {"user": m, "seat": seats.get(m.pk)}
            for m in sorted(group.members.all(), key=display_name)
        ]
        composition = {
            feature: sorted(
                Counter(getattr(m["seat"], feature) for m in members if m["seat"]).items()
            )
            for feature in STRATA
        }
        rows.append(
            {
                "group": group,
                "members": members,
                "composition": composition,
            }
        )
    # The team's facilitators, read once for every group's choice (not once per group).
    facilitators = FacilitatorForm(deliberation=session.deliberation).fields["facilitator"]
    context = {
        "facilitator_choices": [c for c in facilitators.choices if c[0]],
        "session": session,
        "deliberation": session.deliberation,
        "rows": rows,
        "groups": groups,
        "allocate_form": allocate_form,
        "candidate_count": sum(1 for seat in seats.values() if seat.is_active),
    }
    return render(request, "forum/allocation.html", context)


class MaterialForm(forms.ModelForm):
    link = forms.URLField(label=gettext_lazy("link"), required=False, assume_scheme="https")

    class Meta:
        model = Material
        fields = ["title", "body", "link", "file", "order", "public"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        if upload.size > settings.MATERIAL_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": settings.MATERIAL_MAX_BYTES // 1_000_000}
            )
        head = upload.read(16)
        upload.seek(0)
        if kind_of(upload.name, head) is None:
            raise forms.ValidationError(
                _(
                    "Materials may be PDF files, images (PNG, JPEG, GIF, WebP) or office "
                    "and Hangul documents; this file is not one of them."
                )
            )
        return upload

    def clean(self) -> dict:
        cleaned = super().clean()
        if not (cleaned.get("body") or cleaned.get("link") or cleaned.get("file")):
            raise forms.ValidationError(_("Give the text, a link or a file."))
        return cleaned


def material_file_bytes() -> int:
    return settings.MATERIAL_MAX_BYTES


@accepts_upload(material_file_bytes)
@role_required(Role.ORGANIZER)
def materials(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("deliberation"), pk=session_id)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        do_add_material(session, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Material added."))
        return redirect("forum:materials", session_id=session.pk)
    context = {
        "session": session,
        "form": form,
        "materials": Material.objects.filter(session=session),
        "export_links": export_links(session),
    }
    return render(request, "forum/materials.html", context)


@login_required_any_role
def material_file(request: HttpRequest, material_id: int) -> FileResponse:
    """A material's file, for the deliberation's panel and staff only.

    PDFs and images open in the browser; other documents are downloaded.
    """
    material = get_object_or_404(
        Material.objects.select_related("session"), pk=material_id, file__gt=""
    )
    deny_unless(can_read_materials(request.user, material.session))
    kind = KINDS.get(extension_of(material.file.name))
    if kind is None:
        raise Http404
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=not kind.inline,
        filename=material.file.name.rsplit("/", 1)[-1],
        content_type=kind.content_type,
    )


@role_required(Role.ORGANIZER, Role.ANALYST)
def export(request: HttpRequest, session_id: int, dataset: str, fmt: str) -> HttpResponse:
    """Transcripts, syntheses and attendance for analysts, by pseudonym only."""
    session = get_object_or_404(Session, pk=session_id)
    deny_unless(can_analyse(request.user, session.deliberation_id))
    if dataset not in exports.DATASETS or fmt not in ("csv", "json"):
        raise Http404
    rows = exports.DATASETS[dataset](session)
    filename = f"session-{session.pk}-{dataset}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.to_json(rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _polis_response(
    conversation: exports.PolisConversation, polis_file: str, prefix: str
) -> HttpResponse:
    response = HttpResponse(
        exports.polis_file(conversation, polis_file), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{prefix}-{polis_file}.csv"'
    return response


@role_required(Role.ORGANIZER, Role.ANALYST)
def session_polis_export(request: HttpRequest, session_id: int, polis_file: str) -> HttpResponse:
    """A session's statements and votes in Polis's format, voters numbered for the export."""
    session = get_object_or_404(Session, pk=session_id)
    deny_unless(can_analyse(request.user, session.deliberation_id))
    if polis_file not in exports.POLIS_FILES:
        raise Http404
    return _polis_response(
        exports.session_polis(session), polis_file, f"session-{session.pk}-polis"
    )


@role_required(Role.ORGANIZER, Role.ANALYST)
def room_polis_export(request: HttpRequest, room_id: int, polis_file: str) -> HttpResponse:
    """A room's conversation in Polis's format, with the groups of its kept map."""
    room = get_object_or_404(Room.objects.select_related("session"), pk=room_id)
    deny_unless(can_analyse(request.user, room.session.deliberation_id))
    if polis_file not in exports.POLIS_FILES:
        raise Http404
    return _polis_response(exports.room_polis(room), polis_file, f"room-{room.pk}-polis")


def export_links(session: Session) -> list[tuple[str, str]]:
    return [
        (f"{dataset}.{fmt}", reverse("forum:export", args=[session.pk, dataset, fmt]))
        for dataset in exports.DATASETS
        for fmt in ("csv", "json")
    ] + [
        (
            f"polis/{name}.csv",
            reverse("forum:session_polis_export", args=[session.pk, name]),
        )
        for name in exports.POLIS_FILES
    ]


def _save_session(request: HttpRequest, deliberation: Deliberation, session: Session | None):
    form = SessionForm(request.POST or None, instance=session, deliberation=deliberation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = do_save_session(
                deliberation,
                actor=request.user,
                session=session,
                group_count=data.pop("group_count", 0) or 0,
                **data,
            )
        except ActionRefused as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Session saved: %(title)s.") % {"title": saved.title})
            if saved.groups.exists():
                return redirect("forum:allocation", session_id=saved.pk)
            return redirect(deliberation)
    context = {"form": form, "deliberation": deliberation, "session": session}
    return render(request, "forum/session_form.html", context)


@role_required(Role.ORGANIZER)
def session_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _save_session(request, get_object_or_404(Deliberation, slug=slug), None)


@role_required(Role.ORGANIZER)
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("deliberation"), pk=session_id)
    return _save_session(request, session.deliberation, session)


@role_required(Role.ORGANIZER)
def fees(request: HttpRequest, slug: str) -> HttpResponse:
    """The participation fee per session kind, and the ledger attendance makes of them."""
    deliberation = get_object_or_404(Deliberation, slug=slug)
    current = fee_ledger_module.fees_by_kind(deliberation)
    form = ParticipationFeeForm(request.POST or None, initial=current)
    if request.method == "POST":
        if form.is_valid():
            try:
                do_set_participation_fees(deliberation, form.cleaned_data, actor=request.user)
            except ActionRefused as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Participation fees saved."))
                return redirect("forum:fees", slug=slug)
    context = {
        "deliberation": deliberation,
        "form": form,
        "ledger": fee_ledger_module.fee_ledger(deliberation),
    }
    return render(request, "forum/fees.html", context, status=400 if form.errors else 200)


@role_required(Role.ORGANIZER)
def fees_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The payment list: pseudonym and amount only, as CSV or XLSX."""
    deliberation = get_object_or_404(Deliberation, slug=slug)
    rows = fee_ledger_module.payment_rows(fee_ledger_module.fee_ledger(deliberation))
    filename = f"{deliberation.slug}-participation-fees.{fmt}"
    if fmt == "csv":
        content: bytes | str = fee_ledger_module.payment_csv(rows)
        content_type = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        content = fee_ledger_module.payment_xlsx(rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
