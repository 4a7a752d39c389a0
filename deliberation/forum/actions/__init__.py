"""Every write in the forum, each in one transaction and broadcast once committed.

One module per kind of write; this package gathers the actions for the consumer and
the views: ``from deliberation.forum import actions; actions.do_post_message(...)``.
"""

from deliberation.core.actions import ActionRefused
from deliberation.forum.actions.fees import do_set_participation_fees
from deliberation.forum.actions.floor import (
    do_end_floor,
    do_give_floor,
    do_lower_hand,
    do_raise_hand,
)
from deliberation.forum.actions.groups import do_allocate_groups, do_move_member
from deliberation.forum.actions.materials import do_add_material
from deliberation.forum.actions.messages import ado_post_message, do_post_message
from deliberation.forum.actions.moderation import do_hide_message, do_mute, do_remove
from deliberation.forum.actions.phases import do_set_phase, do_start_timer, do_stop_timer
from deliberation.forum.actions.polls import do_close_poll, do_open_poll, do_vote_poll
from deliberation.forum.actions.presence import do_join_room, do_leave_room, do_touch_attendance
from deliberation.forum.actions.questions import (
    do_answer_question,
    do_ask_question,
    do_pick_question,
    do_upvote_question,
)
from deliberation.forum.actions.recommendations import (
    do_add_recommendation,
    do_support_recommendation,
)
from deliberation.forum.actions.rooms import do_open_rooms
from deliberation.forum.actions.sessions import do_assign_facilitator, do_save_session
from deliberation.forum.actions.statements import (
    do_moderate_statement,
    do_refresh_opinion_map,
    do_submit_statement,
    do_toggle_statements,
    do_vote_statement,
)

__all__ = [
    "ActionRefused",
    "ado_post_message",
    "do_add_material",
    "do_add_recommendation",
    "do_allocate_groups",
    "do_assign_facilitator",
    "do_set_participation_fees",
    "do_answer_question",
    "do_ask_question",
    "do_close_poll",
    "do_end_floor",
    "do_give_floor",
    "do_hide_message",
    "do_join_room",
    "do_leave_room",
    "do_lower_hand",
    "do_move_member",
    "do_mute",
    "do_open_poll",
    "do_pick_question",
    "do_post_message",
    "do_raise_hand",
    "do_remove",
    "do_save_session",
    "do_set_phase",
    "do_start_timer",
    "do_stop_timer",
    "do_support_recommendation",
    "do_touch_attendance",
    "do_upvote_question",
    "do_vote_poll",
    "do_open_rooms",
    "do_moderate_statement",
    "do_refresh_opinion_map",
    "do_submit_statement",
    "do_toggle_statements",
    "do_vote_statement",
]
