"""Every write of the surveys app, each in one transaction (the do_* pattern).

One module per area (fieldwork, volunteers, reminders, questionnaires, imports,
weighting); this package gathers them for the views: ``actions.do_submit_response(...)``.
"""

from surveys.actions.erasure import do_erase_contact_data
from surveys.actions.fieldwork import (
    Outcome,
    Screener,
    answer_rows,
    do_create_invitations,
    do_panel_invitation,
    do_save_draft,
    do_save_quota,
    do_start_response,
    do_submit_response,
    do_update_fieldwork,
)
from surveys.actions.imports import (
    ImportRefused,
    ImportResult,
    do_import_file,
    do_import_poll,
    do_save_mapping,
    do_store_upload,
)
from surveys.actions.quality import (
    ExclusionRefused,
    OpenLinkRefused,
    do_exclude_responses,
    do_open_link_invitation,
    do_refresh_quality_flags,
    hash_address,
    per_browser_limit,
)
from surveys.actions.questionnaires import (
    QuestionnaireLocked,
    QuestionnaireTitleTaken,
    add_likert_options,
    copy_question,
    do_copy_questions,
    do_create_questionnaire,
    do_create_wave,
    do_delete_question,
    do_move_question,
    do_new_version,
    do_save_question,
)
from surveys.actions.reminders import ReminderRefused, do_send_wave_reminders
from surveys.actions.volunteers import do_add_poll_volunteers, do_volunteer
from surveys.actions.waves import (
    WAVE_FIELDS,
    do_delete_quota,
    do_delete_wave,
    do_update_quota,
    do_update_wave,
    quota_reached_refusal,
    wave_answered_refusal,
)
from surveys.actions.weighting import WeightingRefused, do_weight_wave, margins_for

__all__ = [
    "WAVE_FIELDS",
    "ExclusionRefused",
    "OpenLinkRefused",
    "do_exclude_responses",
    "do_refresh_quality_flags",
    "hash_address",
    "per_browser_limit",
    "ImportRefused",
    "ImportResult",
    "Outcome",
    "QuestionnaireLocked",
    "QuestionnaireTitleTaken",
    "ReminderRefused",
    "Screener",
    "WeightingRefused",
    "add_likert_options",
    "answer_rows",
    "copy_question",
    "do_add_poll_volunteers",
    "do_copy_questions",
    "do_create_invitations",
    "do_create_questionnaire",
    "do_create_wave",
    "do_delete_quota",
    "do_delete_wave",
    "do_delete_question",
    "do_erase_contact_data",
    "do_import_file",
    "do_import_poll",
    "do_move_question",
    "do_new_version",
    "do_open_link_invitation",
    "do_panel_invitation",
    "do_save_draft",
    "do_save_mapping",
    "do_save_question",
    "do_save_quota",
    "do_send_wave_reminders",
    "do_start_response",
    "do_store_upload",
    "do_submit_response",
    "do_update_fieldwork",
    "do_update_quota",
    "do_update_wave",
    "do_volunteer",
    "do_weight_wave",
    "margins_for",
    "quota_reached_refusal",
    "wave_answered_refusal",
]
