"""Fieldwork writes: invitation links, a response from consent to submit, its answers.

Fieldwork races (a double click, a replayed link, two tabs) are settled here: the
response row is locked with select_for_update before anything is stored, and unique
constraints (one response per invitation, one answer per item) back that up.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.core import audit
from deliberation.core.actions import ActionRefused
from panels import selectors as panel_selectors
from panels import strata
from panels.models import Panelist
from surveys import items
from surveys.actions.quality import flags_at_submit
from surveys.compiled import compiled
from surveys.models import (
    SENSITIVE_CONSENT_REQUIRED,
    Answer,
    FieldworkQuota,
    Invitation,
    Response,
    Wave,
)
from surveys.selectors import (
    age_bands_for,
    fieldwork_is_open,
    margin_values,
    reference_year,
    region_mapping,
    regions_for,
)
from surveys.tokens import hash_token, new_open_link_token, new_respondent_id, new_token

logger = logging.getLogger(__name__)


def do_create_invitations(
    wave: Wave, count: int, panelists: Iterable = (), *, actor: Any = None
) -> list[str]:
    """Make one-time links; the raw tokens are returned once and never stored."""
    panelists = list(panelists)
    tokens = [new_token() for _ in range(count if not panelists else len(panelists))]
    with transaction.atomic():
        Invitation.objects.bulk_create(
            [
                Invitation(
                    wave=wave,
                    token_hash=hash_token(token),
                    panelist=panelists[i] if panelists else None,
                )
                for i, token in enumerate(tokens)
            ]
        )
        audit.record(
            "links.created",
            actor=actor,
            deliberation=wave.deliberation_id,
            obj=wave,
            label=wave.title,
            extra={"count": len(tokens)},
        )
    return tokens


def do_panel_invitation(wave: Wave, panelist: Panelist) -> Invitation:
    """The panelist's own invitation to a panel wave; they reach it by signing in."""
    invitation = (
        Invitation.objects.select_related("wave__questionnaire", "panelist", "response")
        .filter(wave=wave, panelist=panelist)
        .first()
    )
    if invitation is None:
        try:
            with transaction.atomic():
                Invitation.objects.create(
                    wave=wave, panelist=panelist, token_hash=hash_token(new_token())
                )
        except IntegrityError:
            pass  # created by a simultaneous request of the same panelist
        invitation = Invitation.objects.select_related(
            "wave__questionnaire", "panelist", "response"
        ).get(wave=wave, panelist=panelist)
    return invitation


class Outcome(enum.StrEnum):
    STARTED = "started"
    SUBMITTED = "submitted"
    ALREADY_SUBMITTED = "already_submitted"
    QUOTA_FULL = "quota_full"
    SCREENED_OUT = "screened_out"
    CLOSED = "closed"


@dataclass(frozen=True)
class Screener:
    district: str = ""
    region: str = ""
    gender: str = ""
    birth_year: int | None = None


def _full_quota(
    wave_id: int, region: str, gender: str, age_band: str, lock: bool
) -> FieldworkQuota | None:
    """The first quota cell of this respondent that is already full (one counting query).

    Only the respondent's own cells are read, and locked when a submit counts on them:
    submits that share no cell do not wait for each other. The locks are taken in one
    order (by pk), so two submits sharing several cells cannot deadlock.
    """
    quotas = FieldworkQuota.objects.filter(
        wave_id=wave_id,
        region__in=["", region],
        gender__in=["", gender],
        age_band__in=["", age_band],
    ).order_by("pk")
    if lock:
        quotas = quotas.select_for_update()
    matching = list(quotas)
    if not matching:
        return None
    counters = {}
    for quota in matching:
        condition = quota.completes_filter()
        counters[f"q{quota.pk}"] = Count("pk", filter=condition) if condition else Count("pk")
    counts = Response.objects.filter(wave_id=wave_id).counted().aggregate(**counters)
    return next((q for q in matching if counts[f"q{q.pk}"] >= q.target), None)


def do_start_response(
    invitation: Invitation, screener: Screener, *, sensitive_consent: bool = False
) -> tuple[Response | None, Outcome]:
    """Record consent and the screener; a full quota cell or an out-of-scope age ends here.

    A questionnaire that asks for political opinions needs the separate consent to
    sensitive data (PIPA Art. 23) as well; its time is kept on the response.
    """
    wave = invitation.wave
    if not fieldwork_is_open(wave):
        return None, Outcome.CLOSED
    asks_sensitive = wave.questionnaire.asks_political_opinions
    if asks_sensitive and not sensitive_consent:
        raise ActionRefused("sensitive_consent_missing", str(SENSITIVE_CONSENT_REQUIRED))
    with transaction.atomic():
        Invitation.objects.select_for_update().get(pk=invitation.pk)
        try:
            existing = Response.objects.get(invitation=invitation)
        except Response.DoesNotExist:
            existing = None
        if existing is None and invitation.panelist_id is not None:
            # The panelist's earlier answer to this wave, stored without this invitation.
            existing = (
                Response.objects.select_for_update()
                .filter(wave=wave, panelist_id=invitation.panelist_id)
                .first()
            )
            if existing is not None and existing.invitation_id is None:
                existing.invitation = invitation
        if existing is not None and existing.status != Response.Status.IN_PROGRESS:
            return existing, Outcome.ALREADY_SUBMITTED
        response = existing or Response(
            wave=wave,
            invitation=invitation,
            panelist=invitation.panelist,
            respondent_id=(
                invitation.panelist.pseudonym if invitation.panelist else new_respondent_id()
            ),
        )
        response.consented_at = timezone.now()
        if asks_sensitive:
            response.sensitive_consented_at = response.consented_at
        response.address_hash = invitation.address_hash
        outcome = Outcome.STARTED
        if not wave.is_panel_wave:
            bands = age_bands_for(wave)
            response.district = screener.district
            response.region = screener.region or (
                strata.region_of(screener.district, region_mapping(wave)) or ""
            )
            response.gender = screener.gender
            response.birth_year = screener.birth_year
            band = (
                strata.age_band(screener.birth_year, reference_year(wave), bands)
                if screener.birth_year is not None
                else None
            )
            response.age_band = band or ""
            if band is None:
                response.status = Response.Status.SCREENED_OUT
                outcome = Outcome.SCREENED_OUT
            elif _full_quota(wave.pk, response.region, response.gender, band, lock=False):
                response.status = Response.Status.QUOTA_FULL
                outcome = Outcome.QUOTA_FULL
        elif invitation.panelist:
            panelist = invitation.panelist
            response.region, response.gender = panelist.region, panelist.gender
            response.age_band = panelist.age_band
        response.save()
    return response, outcome


def do_save_draft(response: Response, data: Mapping[str, list[str]]) -> bool:
    """Keep unfinished answers so the respondent can come back to the same link."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status != Response.Status.IN_PROGRESS:
            return False
        locked.draft = {key: list(values) for key, values in data.items()}
        locked.save(update_fields=["draft"])
    return True


RESUME_LINK_EMAILS = 3  # per response: enough for a typo, too few to spam anyone with


def do_email_resume_link(response: Response, *, email: str, link: str) -> None:
    """E-mail the respondent their personal link to continue (sent on commit).

    The address is used for this one message and stored nowhere: answers and contacts
    stay apart (ContactDetails is for volunteers only). Only a count is kept, so one
    response cannot be used to send mail to many addresses.
    """
    try:
        validate_email(email)
    except ValidationError as error:
        raise ActionRefused("invalid_email", _("Enter a valid e-mail address.")) from error
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status != Response.Status.IN_PROGRESS:
            raise ActionRefused(
                "response_ended", _("This response has ended, so there is nothing to continue.")
            )
        if locked.resume_links_sent >= RESUME_LINK_EMAILS:
            raise ActionRefused(
                "resume_link_limit",
                _("The link was already e-mailed %(count)s times; copy it from this page instead.")
                % {"count": RESUME_LINK_EMAILS},
            )
        locked.resume_links_sent += 1
        locked.save(update_fields=["resume_links_sent"])
        title = response.wave.questionnaire.display_title
        subject = _("Your link to continue the survey “%(title)s”") % {"title": title}
        body = "\n\n".join(
            [
                _("Your answers so far are saved. Open this link to continue:"),
                link,
                _(
                    "The link is personal: whoever has it can see and change your answers "
                    "until you submit them. Your e-mail address was used only to send this "
                    "message and is not stored."
                ),
            ]
        )
        transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=False))
    logger.info("resume link e-mailed for response %s", response.pk)


# The columns of an answer row, in the order answer_values gives them.
ANSWER_FIELDS = ("response_id", "question_id", "item", "value_number", "value_text")


def answer_values(
    response_id: int, index: Mapping[str, int], values: Mapping[str, items.Value]
) -> list[tuple[int, int, str, float | None, str]]:
    """The long-table rows (respondent, item, value) of one response as plain tuples of
    ANSWER_FIELDS, for writers of many rows at once."""
    return [
        (
            response_id,
            index[item],
            item,
            value if isinstance(value, float) else None,
            value if isinstance(value, str) else "",
        )
        for item, value in values.items()
    ]


def insert_answers(rows: Iterable[tuple[int, int, str, float | None, str]]) -> int:
    """Write answer rows (tuples of ANSWER_FIELDS, as from answer_values) in the caller's
    transaction: COPY on PostgreSQL, multi-row INSERTs elsewhere; returns how many.

    A 100,000-respondent poll has millions of answers, and the ORM's bulk_create builds a
    model instance and a parameter list per row: about 19 times slower. The table's
    constraints still hold (an answer given twice raises IntegrityError), so inside the
    caller's atomic block a failure leaves nothing written.
    """
    table = connection.ops.quote_name(Answer._meta.db_table)
    fields = {field.attname: str(field.column) for field in Answer._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(fields[name]) for name in ANSWER_FIELDS)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Raised as Django's errors (IntegrityError included), as through its cursor.
            with connection.wrap_database_errors:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
            return written
        limit = connection.features.max_query_params or 5000
        chunk = max(1, limit // len(ANSWER_FIELDS))
        part: list = []
        for row in rows:
            part.extend(row)
            if len(part) == chunk * len(ANSWER_FIELDS):
                written += _insert(cursor, table, columns, part)
                part = []
        if part:
            written += _insert(cursor, table, columns, part)
    return written


def _insert(cursor: Any, table: str, columns: str, values: list) -> int:
    """One multi-row INSERT of flattened values. On SQLite the statement is written with
    its own ? placeholders and run by sqlite3's cursor: Django's wrapper would rewrite every
    %s of every statement with a regular expression, a sixth of the writing time."""
    rows = len(values) // len(ANSWER_FIELDS)
    marks = "?" if connection.vendor == "sqlite" else "%s"
    row = "(" + ", ".join([marks] * len(ANSWER_FIELDS)) + ")"
    sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([row] * rows)
    if connection.vendor == "sqlite":
        with connection.wrap_database_errors:  # as Django's errors, IntegrityError included
            sqlite3.Cursor.execute(cursor.cursor, sql, values)
    else:
        cursor.execute(sql, values)
    return rows


def answer_rows(
    response_id: int, index: Mapping[str, int], values: Mapping[str, items.Value]
) -> list[Answer]:
    """The long-table rows (respondent, item, value) of one response."""
    return [
        Answer(**dict(zip(ANSWER_FIELDS, row, strict=True)))
        for row in answer_values(response_id, index, values)
    ]


def do_submit_response(
    response: Response, index: Mapping[str, int], parsed: items.ParsedAnswers
) -> Outcome:
    """Store the answers once: a second submit or a replayed link stores nothing new."""
    if not parsed.is_valid:
        raise ValueError("only valid answers can be submitted")
    try:
        return _submit(response, index, parsed)
    except IntegrityError:
        # Answers already stored for this response: a racing submit won; nothing new is kept.
        return Outcome.ALREADY_SUBMITTED


def _submit(response: Response, index: Mapping[str, int], parsed: items.ParsedAnswers) -> Outcome:
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status == Response.Status.COMPLETE:
            return Outcome.ALREADY_SUBMITTED
        if locked.status != Response.Status.IN_PROGRESS:
            return Outcome(locked.status)
        wave = response.wave
        if not fieldwork_is_open(wave):
            return Outcome.CLOSED
        Answer.objects.bulk_create(answer_rows(locked.pk, index, parsed.values))
        # The quota cells are locked last, so other submits to them wait only for the
        # count, the status update and the commit, not for the answers to be written.
        if not wave.is_panel_wave and _full_quota(
            wave.pk, locked.region, locked.gender, locked.age_band, lock=True
        ):
            Answer.objects.filter(response_id=locked.pk).delete()
            locked.status = Response.Status.QUOTA_FULL
            locked.save(update_fields=["status"])
            return Outcome.QUOTA_FULL
        now = timezone.now()
        locked.status = Response.Status.COMPLETE
        locked.submitted_at = now
        locked.duration_seconds = max(0, int((now - locked.started_at).total_seconds()))
        locked.draft = {}
        locked.wave = wave
        locked.quality_flags = flags_at_submit(
            locked, parsed.values, compiled(wave.questionnaire).specs
        )
        locked.save(
            update_fields=["status", "submitted_at", "duration_seconds", "draft", "quality_flags"]
        )
    response.status = locked.status
    return Outcome.SUBMITTED


def do_update_fieldwork(wave: Wave, *, open_link: bool, actor: Any = None, **fields: Any) -> Wave:
    """Save a wave's fieldwork settings; turning the open link on gives it a fresh token."""
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        before = {**audit.values_of(locked, fields), "open_link": bool(locked.open_link_token)}
        for name, value in fields.items():
            setattr(locked, name, value)
        if open_link and not locked.open_link_token:
            locked.open_link_token = new_open_link_token()
        elif not open_link:
            locked.open_link_token = ""
        locked.save()
        audit.record(
            "fieldwork.updated",
            actor=actor,
            deliberation=locked.deliberation_id,
            obj=locked,
            label=locked.title,
            changes=audit.changes_between(
                before,
                {**audit.values_of(locked, fields), "open_link": bool(locked.open_link_token)},
            ),
        )
    return locked


def quota_category_problems(wave: Wave, cell: Mapping[str, str]) -> list[str]:
    """Why a quota cell names a category respondents cannot be in (empty when it is fine).

    A region must be one of the deliberation's regions, a gender or an age band one of
    the margins' categories; a feature the deliberation has no categories for is open.
    """
    known = {
        "region": set(regions_for(wave)),
        "gender": set(margin_values(wave, "gender")),
        "age_band": set(margin_values(wave, "age_band")),
    }
    labels = panel_selectors.labels_for(wave.deliberation)
    return [
        _("%(feature)s “%(value)s” is not one of the deliberation's categories (%(known)s).")
        % {
            "feature": labels.feature(feature),
            "value": value,
            "known": ", ".join(labels.category(feature, v) for v in sorted(known[feature])),
        }
        for feature, value in cell.items()
        if value and known.get(feature) and value not in known[feature]
    ]


def do_save_quota(
    wave: Wave, *, region: str, gender: str, age_band: str, target: int, actor: Any = None
) -> FieldworkQuota:
    """Set the target of one quota cell (region × gender × age band; blank = any).

    A cell no respondent can be in would stay at 0 forever: it is refused.
    """
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        problems = quota_category_problems(
            wave, {"region": region, "gender": gender, "age_band": age_band}
        )
        if problems:
            raise ActionRefused("unknown_quota_category", " ".join(problems))
        previous = (
            FieldworkQuota.objects.filter(
                wave=wave, region=region, gender=gender, age_band=age_band
            )
            .values_list("target", flat=True)
            .first()
        )
        quota, _ = FieldworkQuota.objects.update_or_create(
            wave=wave,
            region=region,
            gender=gender,
            age_band=age_band,
            defaults={"target": target},
        )
        audit.record(
            "fieldwork_quota.saved",
            actor=actor,
            deliberation=wave.deliberation_id,
            obj=quota,
            label=f"{wave.title}: {region or '*'} / {gender or '*'} / {age_band or '*'}",
            changes=audit.changes_between({"target": previous}, {"target": target}),
        )
    return quota
