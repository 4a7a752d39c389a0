"""Writes of the core, each in one transaction (the do_* pattern): deliberations, their
stages and their teams."""

from deliberation.core.actions.deliberations import (
    do_create_deliberation,
    do_set_archived,
    do_update_deliberation,
)
from deliberation.core.actions.profiles import do_set_display_name, record_seat_numbers
from deliberation.core.actions.refusal import ActionRefused
from deliberation.core.actions.stages import (
    do_add_stage,
    do_move_stage,
    do_remove_stage,
    do_update_stage,
)
from deliberation.core.actions.teams import (
    TeamInvitation,
    do_invite_to_team,
    do_remove_from_team,
    do_set_contact_access,
)

__all__ = [
    "ActionRefused",
    "TeamInvitation",
    "do_add_stage",
    "do_create_deliberation",
    "do_invite_to_team",
    "do_move_stage",
    "do_remove_from_team",
    "do_remove_stage",
    "do_set_archived",
    "do_set_contact_access",
    "do_set_display_name",
    "do_update_deliberation",
    "do_update_stage",
    "record_seat_numbers",
]
