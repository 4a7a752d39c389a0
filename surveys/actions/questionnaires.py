"""Building questionnaires and waves: a questionnaire with responses is never changed.

The organizer makes a new version instead, and the waves that were fielded keep the
version their respondents saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Max

from deliberation.core import audit
from deliberation.core.models import Deliberation
from surveys.models import GridItem, Option, Question, Questionnaire, Wave
from surveys.questionnaires import LIKERT_LABELS, questions_of

# The fields of a question whose edits the audit log keeps.
QUESTION_FIELDS = (
    "code",
    "kind",
    "text_ko",
    "text_en",
    "help_ko",
    "help_en",
    "required",
    "max_choices",
    "min_value",
    "max_value",
    "show_if_question",
    "show_if_values",
)


class QuestionnaireLocked(Exception):
    """The questionnaire has responses: changing it would break them; make a new version."""


class QuestionnaireTitleTaken(Exception):
    """The deliberation has a questionnaire with this title already."""


def _lock_questionnaire(questionnaire_id: int) -> Questionnaire:
    """Lock for an edit, refuse if responses exist, and raise the revision (retires caches)."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire_id)
    if locked.has_responses():
        raise QuestionnaireLocked
    Questionnaire.objects.filter(pk=questionnaire_id).update(revision=F("revision") + 1)
    return locked


def do_save_question(
    question: Question,
    formsets: Iterable = (),
    likert_points: int | None = None,
    *,
    actor: Any = None,
) -> Question:
    """Save a question (and its options or grid rows) unless responses already use it."""
    with transaction.atomic():
        questionnaire = _lock_questionnaire(question.questionnaire_id)
        stored = Question.objects.filter(pk=question.pk).first() if question.pk else None
        before = audit.values_of(stored, QUESTION_FIELDS) if stored is not None else {}
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
        audit.record(
            "question.saved",
            actor=actor,
            deliberation=questionnaire.deliberation_id,
            obj=question,
            label=f"{questionnaire.title}: {question.code}",
            changes=audit.changed(before, question) if stored is not None else {},
            extra={"created": stored is None},
        )
    return question


def do_move_question(question: Question, step: int, *, actor: Any = None) -> None:
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
        audit.record(
            "question.moved",
            actor=actor,
            deliberation=questionnaire.deliberation_id,
            obj=question,
            label=f"{questionnaire.title}: {question.code}",
            changes={"order": [index + 1, target + 1]},
        )


def do_delete_question(question: Question, *, actor: Any = None) -> None:
    with transaction.atomic():
        questionnaire = _lock_questionnaire(question.questionnaire_id)
        audit.record(
            "question.deleted",
            actor=actor,
            deliberation=questionnaire.deliberation_id,
            obj=question,
            label=f"{questionnaire.title}: {question.code}",
        )
        question.dependants.update(show_if_question=None, show_if_values=[])
        question.delete()


def do_copy_questions(
    source: Questionnaire, target: Questionnaire, codes: Iterable[str], *, actor: Any = None
) -> int:
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
            for q in source.questions.filter(code__in=wanted)
            .select_related("show_if_question")
            .prefetch_related("options", "grid_items")
        }
        unknown = [code for code in wanted if code not in sources]
        if unknown:
            raise ValueError(f"the source questionnaire has no question {unknown[0]!r}")
        last = questionnaire.questions.aggregate(m=Max("order"))["m"] or 0
        originals = [
            sources[code]
            for code in sorted(wanted, key=lambda c: (sources[c].order, sources[c].pk))
            if code not in existing
        ]
        copied = copy_questions(originals, questionnaire, first_order=last + 1)
        audit.record(
            "questions.copied",
            actor=actor,
            deliberation=questionnaire.deliberation_id,
            obj=questionnaire,
            label=questionnaire.title,
            extra={"from": source.pk, "codes": list(copied)},
        )
    return len(copied)


def do_create_questionnaire(questionnaire: Questionnaire, *, actor: Any = None) -> Questionnaire:
    """Save a new questionnaire; its title must be new within the deliberation."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=questionnaire.deliberation_id)
        if Questionnaire.objects.filter(
            deliberation_id=questionnaire.deliberation_id, title=questionnaire.title
        ).exists():
            raise QuestionnaireTitleTaken
        questionnaire.save()
        audit.record(
            "questionnaire.created",
            actor=actor,
            deliberation=questionnaire.deliberation_id,
            obj=questionnaire,
            label=questionnaire.title,
        )
    return questionnaire


def do_new_version(questionnaire: Questionnaire, *, actor: Any = None) -> Questionnaire:
    """Copy a questionnaire into its next version; the old one stays as its responses saw it."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=questionnaire.deliberation_id)
        latest = (
            Questionnaire.objects.filter(
                deliberation_id=questionnaire.deliberation_id, title=questionnaire.title
            ).aggregate(v=Max("version"))["v"]
            or 0
        )
        copy = _copied(questionnaire, version=latest + 1, previous=questionnaire, revision=0)
        copy.save()
        old_questions = questions_of(questionnaire)
        mapping = {
            question.pk: copy_question(question, copy, order=question.order, show_if_question=None)
            for question in old_questions
        }
        for question in old_questions:
            if question.show_if_question_id:
                new = mapping[question.pk]
                new.show_if_question = mapping[question.show_if_question_id]
                new.save(update_fields=["show_if_question"])
        audit.record(
            "questionnaire.versioned",
            actor=actor,
            deliberation=copy.deliberation_id,
            obj=copy,
            label=f"{copy.title} v{copy.version}",
            extra={"previous": questionnaire.pk},
        )
    return copy


def do_create_wave(wave: Wave, *, actor: Any = None) -> Wave:
    """Save a new wave of the deliberation (the form has checked its fields)."""
    with transaction.atomic():
        wave.save()
        audit.record(
            "wave.created",
            actor=actor,
            deliberation=wave.deliberation_id,
            obj=wave,
            label=wave.title,
            extra={"kind": wave.kind},
        )
    return wave


def copy_question(original: Question, questionnaire: Questionnaire, **fields: Any) -> Question:
    """Save a copy of a question, with its options and grid rows, into a questionnaire.

    Every field is copied (a field added to the model is copied too) except those given.
    The options and rows must be prefetched.
    """
    copy = _copied(original, questionnaire=questionnaire, **fields)
    copy.save()
    Option.objects.bulk_create(_copied(o, question=copy) for o in original.options.all())
    GridItem.objects.bulk_create(_copied(r, question=copy) for r in original.grid_items.all())
    return copy


def copy_questions(
    originals: Sequence[Question], questionnaire: Questionnaire, *, first_order: int
) -> dict[str, Question]:
    """Copy questions in order, with their options and grid rows, in a fixed number of
    queries however many there are (a 60-question panel wave copies in five).

    A show-if rule is kept when the question it points to is copied before it; the
    originals' options, rows and rule questions must be prefetched. Returns code -> copy.
    """
    copies = [
        _copied(
            original,
            questionnaire=questionnaire,
            order=first_order + k,
            show_if_question=None,
            show_if_values=[],
        )
        for k, original in enumerate(originals)
    ]
    Question.objects.bulk_create(copies)
    position = {copy.code: k for k, copy in enumerate(copies)}
    ruled = []
    for k, (original, copy) in enumerate(zip(originals, copies, strict=True)):
        rule = original.show_if_question
        if rule is not None and position.get(rule.code, k) < k:
            copy.show_if_question = copies[position[rule.code]]
            copy.show_if_values = original.show_if_values
            ruled.append(copy)
    if ruled:
        Question.objects.bulk_update(ruled, ["show_if_question", "show_if_values"])
    Option.objects.bulk_create(
        _copied(option, question=copy)
        for original, copy in zip(originals, copies, strict=True)
        for option in original.options.all()
    )
    GridItem.objects.bulk_create(
        _copied(row, question=copy)
        for original, copy in zip(originals, copies, strict=True)
        for row in original.grid_items.all()
    )
    return {copy.code: copy for copy in copies}


def _copied(row: Any, **fields: Any) -> Any:
    """An unsaved copy of a row: every concrete field but the primary key, then ``fields``."""
    meta = row._meta
    copy = type(row)(
        **{f.attname: getattr(row, f.attname) for f in meta.concrete_fields if not f.primary_key}
    )
    for name, value in fields.items():
        setattr(copy, name, value)
    return copy


def add_likert_options(question: Question, points: int) -> None:
    """Give a Likert question (or grid) its labelled 5- or 7-point scale."""
    Option.objects.bulk_create(
        Option(question=question, order=i, value=i, label_ko=ko, label_en=en)
        for i, (ko, en) in enumerate(LIKERT_LABELS[points], start=1)
    )
