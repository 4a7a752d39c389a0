"""Writes of the surveys app, each in one transaction (the do_* pattern).

Fieldwork races (a double click, a replayed link, two tabs) are settled here: the
response row is locked with select_for_update before anything is stored, and unique
constraints (one response per invitation, one answer per item) back that up.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from surveys import items, poll_import, strata
from surveys.models import (
    Answer,
    ContactDetails,
    GridItem,
    Invitation,
    Option,
    Question,
    Questionnaire,
    Quota,
    RegionDistrict,
    Response,
    VolunteerOptIn,
    Wave,
    WaveReminder,
    WeightingRun,
)
from surveys.questionnaires import add_likert_options

logger = logging.getLogger(__name__)

TOKEN_BYTES = 24


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_respondent_id() -> str:
    return "R" + secrets.token_hex(6).upper()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation with its wave, questionnaire, panelist and response, in one query.

    Every respondent request starts here; get() on the unique hash spares the ORDER BY
    that first() would add, whose compilation costs more than the query itself.
    """
    if not token or len(token) > 100:
        return None
    try:
        return Invitation.objects.select_related("wave__questionnaire", "panelist", "response").get(
            token_hash=hash_token(token)
        )
    except Invitation.DoesNotExist:
        return None


def response_of(invitation: Invitation) -> Response | None:
    """The invitation's response, read with the invitation (no further query)."""
    try:
        response = invitation.response
    except Response.DoesNotExist:
        return None
    response.wave = invitation.wave
    return response


def fieldwork_is_open(wave: Wave) -> bool:
    now = timezone.now()
    if not wave.is_open:
        return False
    if wave.opens_at and now < wave.opens_at:
        return False
    return not (wave.closes_at and now > wave.closes_at)


@transaction.atomic
def do_create_invitations(wave: Wave, count: int, panelists: Iterable = ()) -> list[str]:
    """Make one-time links; the raw tokens are returned once and never stored."""
    panelists = list(panelists)
    tokens = [new_token() for _ in range(count if not panelists else len(panelists))]
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
    logger.info("created %s invitations for wave %s", len(tokens), wave.pk)
    return tokens


def do_panel_invitation(wave: Wave, panelist) -> Invitation:
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


def do_open_link_invitation(wave: Wave) -> str:
    """A fresh one-time link for a visitor of the open link."""
    token = new_token()
    Invitation.objects.create(wave=wave, token_hash=hash_token(token), source="open")
    return token


def region_mapping(wave: Wave) -> dict[str, str]:
    return dict(
        RegionDistrict.objects.filter(deliberation_id=wave.deliberation_id)
        .order_by()
        .values_list("district", "region")
    )


def age_bands_for(wave: Wave) -> list[strata.AgeBand]:
    from panels.models import PopulationMargin

    # Ordered within the deliberation: the models' default ordering would join it.
    labels = list(
        PopulationMargin.objects.filter(deliberation_id=wave.deliberation_id, feature="age_band")
        .order_by("value")
        .values_list("value", flat=True)
    )
    return strata.parse_age_bands(labels or strata.DEFAULT_AGE_BANDS)


def reference_year(wave: Wave) -> int:
    if wave.reference_year:
        return wave.reference_year
    return (wave.opens_at or timezone.now()).year


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


def _full_quota(wave_id: int, region: str, gender: str, age_band: str, lock: bool) -> Quota | None:
    """The first quota cell of this respondent that is already full (one counting query).

    Only the respondent's own cells are read, and locked when a submit counts on them:
    submits that share no cell do not wait for each other. The locks are taken in one
    order (by pk), so two submits sharing several cells cannot deadlock.
    """
    quotas = Quota.objects.filter(
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
    counts = Response.objects.filter(wave_id=wave_id, status=Response.Status.COMPLETE).aggregate(
        **counters
    )
    return next((q for q in matching if counts[f"q{q.pk}"] >= q.target), None)


def do_start_response(
    invitation: Invitation, screener: Screener
) -> tuple[Response | None, Outcome]:
    """Record consent and the screener; a full quota cell or an out-of-scope age ends here."""
    wave = invitation.wave
    if not fieldwork_is_open(wave):
        return None, Outcome.CLOSED
    with transaction.atomic():
        Invitation.objects.select_for_update().get(pk=invitation.pk)
        try:
            existing = Response.objects.get(invitation=invitation)
        except Response.DoesNotExist:
            existing = None
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
        outcome = Outcome.STARTED
        if not wave.is_panel_wave:
            bands = age_bands_for(wave)
            response.district = screener.district
            response.region = screener.region or (
                strata.region_of(screener.district, region_mapping(wave)) or ""
            )
            response.gender = screener.gender
            response.birth_year = screener.birth_year
            band = strata.age_band(screener.birth_year, reference_year(wave), bands)
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


def item_index(questions: Iterable[Question], specs: Iterable[items.QuestionSpec]) -> dict:
    """Item code -> question id, for writing the long table."""
    return {
        item: question.pk
        for question, spec in zip(questions, specs, strict=True)
        for item in spec.item_codes()
    }


def answer_rows(
    response_id: int, index: Mapping[str, int], values: Mapping[str, items.Value]
) -> list[Answer]:
    """The long-table rows (respondent, item, value) of one response."""
    return [
        Answer(
            response_id=response_id,
            question_id=index[item],
            item=item,
            value_number=value if isinstance(value, float) else None,
            value_text=value if isinstance(value, str) else "",
        )
        for item, value in values.items()
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
        locked.save(update_fields=["status", "submitted_at", "duration_seconds", "draft"])
    response.status = locked.status
    return Outcome.SUBMITTED


def do_volunteer(response: Response, *, name: str, phone: str, email: str) -> VolunteerOptIn:
    """Record a respondent's separate consent to be considered for the panel."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        opt_in, created = VolunteerOptIn.objects.get_or_create(
            response=locked,
            defaults={
                "deliberation_id": locked.wave.deliberation_id,
                "region": locked.region,
                "district": locked.district,
                "gender": locked.gender,
                "age_band": locked.age_band,
                "consented_at": timezone.now(),
            },
        )
        ContactDetails.objects.update_or_create(
            opt_in=opt_in, defaults={"name": name, "phone": phone, "email": email}
        )
    return opt_in


def do_erase_contacts(deliberation) -> int:
    """Erase every volunteer's contact details; opt-ins and answers stay for the statistics."""
    with transaction.atomic():
        return ContactDetails.objects.filter(
            opt_in__deliberation=deliberation, erased_at__isnull=True
        ).update(name="", phone="", email="", erased_at=timezone.now())


# Panel wave reminders ---------------------------------------------------------------


class ReminderRefused(Exception):
    """Reminders cannot be sent for this wave; the message says why."""


def do_send_wave_reminders(wave: Wave, *, link: str = "", actor=None) -> int:
    """E-mail the panelists who have not completed a panel wave; returns how many were sent.

    Nobody is reminded twice within WAVE_REMINDER_INTERVAL_HOURS: the wave row is locked
    while the recipients are chosen and recorded, so simultaneous clicks send once. The
    e-mails go out after the records are committed, one message per panelist.
    """
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection
    from django.utils.translation import gettext as _

    from surveys.completion import active_panelists

    if not wave.is_panel_wave:
        raise ReminderRefused(_("Reminders are for panel surveys only."))
    if not fieldwork_is_open(wave):
        raise ReminderRefused(_("The survey is not open for answers."))
    now = timezone.now()
    recent = now - timezone.timedelta(hours=settings.WAVE_REMINDER_INTERVAL_HOURS)
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        recipients = list(
            active_panelists(wave)
            .exclude(user__email="")
            .exclude(
                pk__in=Response.objects.filter(
                    wave=wave, status=Response.Status.COMPLETE, panelist__isnull=False
                ).values("panelist_id")
            )
            .exclude(
                pk__in=WaveReminder.objects.filter(wave=wave, sent_at__gt=recent).values(
                    "panelist_id"
                )
            )
            .values_list("pk", "user__email")
        )
        WaveReminder.objects.bulk_create(
            [
                WaveReminder(
                    wave=wave,
                    panelist_id=pk,
                    sent_at=now,
                    sent_by=actor if getattr(actor, "pk", None) else None,
                )
                for pk, _email in recipients
            ]
        )
        subject = _("Reminder: %(title)s") % {"title": wave.title}
        body = _(
            'You have not yet answered the panel survey "%(title)s".%(closes)s\n\n'
            "Sign in and answer it here: %(link)s\n"
        ) % {
            "title": wave.title,
            "closes": (
                " " + _("It closes on %(date)s.") % {"date": f"{wave.closes_at:%Y-%m-%d %H:%M}"}
                if wave.closes_at
                else ""
            ),
            "link": link,
        }
        messages = [EmailMessage(subject, body, to=[email]) for _pk, email in recipients]

        def send() -> None:
            sent = get_connection().send_messages(messages) if messages else 0
            logger.info("sent %s reminders for wave %s", sent or 0, wave.pk)

        transaction.on_commit(send)
    return len(recipients)


# Questionnaire builder --------------------------------------------------------------


class QuestionnaireLocked(Exception):
    """The questionnaire has responses: changing it would break them; make a new version."""


def _lock_questionnaire(questionnaire_id: int) -> Questionnaire:
    """Lock for an edit, refuse if responses exist, and raise the revision (retires caches)."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire_id)
    if locked.has_responses():
        raise QuestionnaireLocked
    Questionnaire.objects.filter(pk=questionnaire_id).update(revision=F("revision") + 1)
    return locked


def do_save_question(question: Question, formsets: Iterable = (), likert_points: int | None = None):
    """Save a question (and its options or grid rows) unless responses already use it."""
    with transaction.atomic():
        questionnaire = _lock_questionnaire(question.questionnaire_id)
        if question.pk is None:
            last = questionnaire.questions.aggregate(m=Max("order"))["m"] or 0
            question.order = last + 1
        question.save()
        for formset in formsets:
            formset.instance = question
            formset.save()
        scaled = {Question.Kind.LIKERT, Question.Kind.GRID}
        if likert_points and question.kind in scaled and not question.options.exists():
            add_likert_options(question, likert_points)
    return question


def do_move_question(question: Question, step: int) -> None:
    """Swap a question with its neighbour; show-if rules must still point backwards."""
    with transaction.atomic():
        questionnaire = _lock_questionnaire(question.questionnaire_id)
        ordered = list(questionnaire.questions.order_by("order", "pk"))
        index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
        target = index + step
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        position = {q.pk: i for i, q in enumerate(ordered)}
        for q in ordered:
            if q.show_if_question_id and position[q.show_if_question_id] >= position[q.pk]:
                raise ValueError("a show-if rule must refer to an earlier question")
        for i, q in enumerate(ordered, start=1):
            q.order = i
        Question.objects.bulk_update(ordered, ["order"])


def do_delete_question(question: Question) -> None:
    with transaction.atomic():
        _lock_questionnaire(question.questionnaire_id)
        question.dependants.update(show_if_question=None, show_if_values=[])
        question.delete()


def do_copy_questions(source: Questionnaire, target: Questionnaire, codes: Iterable[str]) -> int:
    """Copy questions (same codes, options, rows) so a panel wave pairs with the poll by item.

    Show-if rules are kept when the question they point to is copied too; questions the
    target already has (by code) are left as they are. Returns how many were copied.
    """
    wanted = list(dict.fromkeys(codes))
    with transaction.atomic():
        questionnaire = _lock_questionnaire(target.pk)
        existing = set(questionnaire.questions.values_list("code", flat=True))
        sources = {
            q.code: q
            for q in source.questions.filter(code__in=wanted).prefetch_related(
                "options", "grid_items"
            )
        }
        unknown = [code for code in wanted if code not in sources]
        if unknown:
            raise ValueError(f"the source questionnaire has no question {unknown[0]!r}")
        last = questionnaire.questions.aggregate(m=Max("order"))["m"] or 0
        copied: dict[str, Question] = {}
        for code in sorted(wanted, key=lambda c: (sources[c].order, sources[c].pk)):
            if code in existing:
                continue
            original = sources[code]
            last += 1
            rule = original.show_if_question
            copy = Question.objects.create(
                questionnaire=questionnaire,
                order=last,
                **{
                    f: getattr(original, f)
                    for f in (
                        "code kind text_ko text_en help_ko help_en required max_choices "
                        "min_value max_value low_label_ko low_label_en high_label_ko "
                        "high_label_en"
                    ).split()
                },
                show_if_question=copied.get(rule.code) if rule else None,
                show_if_values=original.show_if_values if rule and rule.code in copied else [],
            )
            copied[code] = copy
            Option.objects.bulk_create(
                Option(
                    question=copy,
                    order=o.order,
                    value=o.value,
                    label_ko=o.label_ko,
                    label_en=o.label_en,
                    is_correct=o.is_correct,
                )
                for o in original.options.all()
            )
            GridItem.objects.bulk_create(
                GridItem(
                    question=copy, order=r.order, code=r.code, text_ko=r.text_ko, text_en=r.text_en
                )
                for r in original.grid_items.all()
            )
    return len(copied)


# Imports from polling firms ------------------------------------------------------


class ImportRefused(Exception):
    """Rows are invalid and the organizer did not choose to skip them: nothing imported."""


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_present: int
    skipped_invalid: int


def do_import_poll(
    wave: Wave,
    validation: poll_import.Validation,
    index: Mapping[str, int],
    *,
    skip_invalid: bool = False,
) -> ImportResult:
    """Write the good rows in bulk, all or nothing; respondent ids already present are kept."""
    if validation.bad_rows and not skip_invalid:
        raise ImportRefused(f"{len(validation.bad_rows)} rows are invalid")
    batch = 2000
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        existing = set(Response.objects.filter(wave=wave).values_list("respondent_id", flat=True))
        fresh = [row for row in validation.good if row.respondent_id not in existing]
        now = timezone.now()
        responses = Response.objects.bulk_create(
            [
                Response(
                    wave=wave,
                    respondent_id=row.respondent_id,
                    source=Response.Source.IMPORTED,
                    status=Response.Status.COMPLETE,
                    region=row.profile.get(poll_import.REGION, ""),
                    district=row.profile.get(poll_import.DISTRICT, ""),
                    gender=row.profile.get(poll_import.GENDER, ""),
                    birth_year=row.profile.get(poll_import.BIRTH_YEAR),
                    age_band=row.profile.get(poll_import.AGE_BAND, ""),
                    duration_seconds=row.profile.get(poll_import.DURATION),
                    submitted_at=now,
                )
                for row in fresh
            ],
            batch_size=batch,
        )
        if responses and responses[0].pk is None:
            ids = dict(
                Response.objects.filter(
                    wave=wave, respondent_id__in=[r.respondent_id for r in fresh]
                ).values_list("respondent_id", "pk")
            )
        else:
            ids = {r.respondent_id: r.pk for r in responses}
        answers: list[Answer] = []
        for row in fresh:
            answers += answer_rows(ids[row.respondent_id], index, row.values)
            if len(answers) >= batch * 5:
                Answer.objects.bulk_create(answers, batch_size=batch)
                answers = []
        Answer.objects.bulk_create(answers, batch_size=batch)
    result = ImportResult(
        created=len(fresh),
        already_present=len(validation.good) - len(fresh),
        skipped_invalid=len(validation.bad_rows),
    )
    logger.info("import into wave %s: %s", wave.pk, result)
    return result


# Weighting -----------------------------------------------------------------------

WEIGHTING_FEATURES = ("region", "gender", "age_band")
MARGIN_SUM_SLACK = 0.01


class WeightingRefused(Exception):
    """The wave cannot be weighted as asked; the message says why."""


def margins_for(wave: Wave) -> dict[str, dict[str, float]]:
    """The deliberation's population margins, rescaled when rounding leaves them off 1."""
    from panels.models import PopulationMargin

    margins: dict[str, dict[str, float]] = {}
    for feature, value, share in PopulationMargin.objects.filter(
        deliberation_id=wave.deliberation_id
    ).values_list("feature", "value", "share"):
        margins.setdefault(feature, {})[value] = float(share)
    if not margins:
        raise WeightingRefused("the deliberation has no population margins")
    unknown = sorted(set(margins) - set(WEIGHTING_FEATURES))
    if unknown:
        raise WeightingRefused(
            f"margins on {', '.join(unknown)} cannot be used: respondents record only "
            f"{', '.join(WEIGHTING_FEATURES)}"
        )
    for feature, shares in margins.items():
        total = sum(shares.values())
        if abs(total - 1) > MARGIN_SUM_SLACK:
            raise WeightingRefused(f"the shares of {feature} sum to {total:.4f}, not 1")
        margins[feature] = {value: share / total for value, share in shares.items()}
    return margins


def do_weight_wave(wave: Wave, *, cap: float | None = None, actor=None) -> WeightingRun:
    """Rake the complete responses of a wave to the population margins and store the weights."""
    from surveys import weighting

    margins = margins_for(wave)
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        rows = list(
            Response.objects.filter(wave=wave, status=Response.Status.COMPLETE)
            .order_by("pk")
            .values_list("pk", *margins)
        )
        if not rows:
            raise WeightingRefused("the wave has no complete responses")
        data = {feature: [row[i + 1] for row in rows] for i, feature in enumerate(margins)}
        try:
            result = weighting.rake(data, margins, cap=cap)
        except weighting.ConvergenceError as exc:
            raise WeightingRefused(f"raking did not converge: {exc}") from None
        except weighting.WeightingError as exc:
            raise WeightingRefused(str(exc)) from None
        updates = [
            Response(pk=row[0], weight=float(w))
            for row, w in zip(rows, result.weights, strict=True)
        ]
        Response.objects.bulk_update(updates, ["weight"], batch_size=2000)
        Response.objects.filter(wave=wave).exclude(status=Response.Status.COMPLETE).update(
            weight=None
        )
        run = WeightingRun.objects.create(
            wave=wave,
            created_by=actor if getattr(actor, "pk", None) else None,
            margins=margins,
            cap=cap,
            respondents=result.n,
            iterations=result.iterations,
            converged=result.converged,
            max_margin_error=result.max_margin_error,
            design_effect=result.design_effect,
            effective_n=result.effective_n,
        )
    logger.info("weighted wave %s: deff %.3f", wave.pk, result.design_effect)
    return run
