"""Organizers build questionnaires and waves in the product.

A questionnaire that already has responses is read-only here: the organizer makes a new
version, and the waves that were fielded keep the version their respondents saw.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.core.access import role_required
from deliberation.core.actions import ActionRefused
from deliberation.core.models import Deliberation
from deliberation.core.roles import Role
from surveys import actions
from surveys.forms import (
    GridItemFormSet,
    OptionFormSet,
    QuestionForm,
    QuestionnaireForm,
    WaveForm,
)
from surveys.models import Question, Questionnaire, Response, Wave
from surveys.questionnaires import questions_of, specs_of
from surveys.views.fieldwork import render_questions

LOCKED_MESSAGE = (
    "This questionnaire already has responses, so it cannot be changed. "
    "Make a new version to edit it."
)


@role_required(Role.ORGANIZER, Role.ANALYST)
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    waves = deliberation.waves.select_related("questionnaire").annotate(
        completes=Count(
            "responses",
            filter=Q(
                responses__status=Response.Status.COMPLETE, responses__excluded_at__isnull=True
            ),
        )
    )
    questionnaires = deliberation.questionnaires.annotate(
        question_count=Count("questions", distinct=True)
    )
    return render(
        request,
        "surveys/overview.html",
        {"deliberation": deliberation, "waves": waves, "questionnaires": questionnaires},
    )


@role_required(Role.ORGANIZER)
def questionnaire_create(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        questionnaire = form.save(commit=False)
        questionnaire.deliberation = deliberation
        try:
            actions.do_create_questionnaire(questionnaire, actor=request.user)
        except actions.QuestionnaireTitleTaken:
            form.add_error("title", _("A questionnaire with this title exists already."))
        else:
            return redirect("surveys:questionnaire", questionnaire_id=questionnaire.pk)
    return render(
        request,
        "surveys/questionnaire_form.html",
        {"form": form, "deliberation": deliberation},
        status=400 if form.is_bound else 200,
    )


@role_required(Role.ORGANIZER)
def questionnaire_detail(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = get_object_or_404(
        Questionnaire.objects.select_related("deliberation"), pk=questionnaire_id
    )
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "questions": questions_of(questionnaire),
            "locked": questionnaire.has_responses(),
            "versions": Questionnaire.objects.filter(
                deliberation=questionnaire.deliberation, title=questionnaire.title
            ).order_by("version"),
        },
    )


@role_required(Role.ORGANIZER)
@require_POST
def questionnaire_new_version(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_id)
    copy = actions.do_new_version(questionnaire, actor=request.user)
    messages.success(
        request, _("Version %(version)s created; edit it freely.") % {"version": copy.version}
    )
    return redirect("surveys:questionnaire", questionnaire_id=copy.pk)


def _locked(request: HttpRequest, questionnaire: Questionnaire) -> HttpResponse:
    messages.error(request, _(LOCKED_MESSAGE))
    response = redirect("surveys:questionnaire", questionnaire_id=questionnaire.pk)
    response.status_code = 303
    return response


def _question_page(request, questionnaire, question) -> HttpResponse:
    if questionnaire.has_responses():
        if request.method == "POST":
            return _locked(request, questionnaire)
        messages.info(request, _(LOCKED_MESSAGE))
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, instance=question, questionnaire=questionnaire)
    options = OptionFormSet(data, instance=question, prefix="options")
    grid = GridItemFormSet(data, instance=question, prefix="grid")
    if request.method == "POST":
        kind = data.get("kind")
        formsets = []
        if kind in {Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.KNOWLEDGE}:
            formsets.append(options)
        elif kind in {Question.Kind.LIKERT, Question.Kind.GRID} and question.pk:
            formsets.append(options)
        if kind == Question.Kind.GRID:
            formsets.append(grid)
        if form.is_valid() and all(f.is_valid() for f in formsets):
            saved = form.save(commit=False)
            saved.questionnaire = questionnaire
            try:
                actions.do_save_question(
                    saved,
                    formsets,
                    likert_points=form.cleaned_data.get("likert_points") or 5,
                    actor=request.user,
                )
            except actions.QuestionnaireLocked:
                return _locked(request, questionnaire)
            messages.success(request, _("Question saved."))
            return redirect("surveys:question_edit", question_id=saved.pk)
    return render(
        request,
        "surveys/question_form.html",
        {
            "questionnaire": questionnaire,
            "question": question,
            "form": form,
            "options": options,
            "grid": grid,
        },
        status=400 if form.is_bound else 200,
    )


@role_required(Role.ORGANIZER)
def question_create(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_id)
    return _question_page(request, questionnaire, Question(questionnaire=questionnaire))


@role_required(Role.ORGANIZER)
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("questionnaire"), pk=question_id)
    return _question_page(request, question.questionnaire, question)


@role_required(Role.ORGANIZER)
@require_POST
def question_move(request: HttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=question_id)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        actions.do_move_question(question, step, actor=request.user)
    except actions.QuestionnaireLocked:
        return _locked(request, question.questionnaire)
    except ValueError:
        messages.error(request, _("A question can only depend on an earlier question."))
    return redirect("surveys:questionnaire", questionnaire_id=question.questionnaire_id)


@role_required(Role.ORGANIZER)
@require_POST
def question_delete(request: HttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=question_id)
    try:
        actions.do_delete_question(question, actor=request.user)
    except actions.QuestionnaireLocked:
        return _locked(request, question.questionnaire)
    messages.success(request, _("Question deleted."))
    return redirect("surveys:questionnaire", questionnaire_id=question.questionnaire_id)


@role_required(Role.ORGANIZER)
def questionnaire_preview(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    """The questionnaire as respondents see it; nothing can be submitted from here."""
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_id)
    questions = questions_of(questionnaire)
    html, _views = render_questions(questions, specs_of(questions), {}, {})
    return render(
        request,
        "surveys/preview.html",
        {"questionnaire": questionnaire, "questions_html": html, "preview": True},
    )


@role_required(Role.ORGANIZER)
def wave_create(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    form = WaveForm(request.POST or None, deliberation=deliberation)
    if request.method == "POST" and form.is_valid():
        wave: Wave = form.save(commit=False)
        wave.deliberation = deliberation
        actions.do_create_wave(wave, actor=request.user)
        return redirect("surveys:fieldwork", wave_id=wave.pk)
    return render(
        request,
        "surveys/wave_form.html",
        {"form": form, "deliberation": deliberation},
        status=400 if form.is_bound else 200,
    )


def _wave_of(wave_id: int) -> Wave:
    return get_object_or_404(Wave.objects.select_related("deliberation"), pk=wave_id)


@role_required(Role.ORGANIZER)
def wave_edit(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Change a wave while nobody has answered it; afterwards the form says why not."""
    wave = _wave_of(wave_id)
    answered = actions.wave_answered_refusal().detail if wave.responses.exists() else ""
    form = WaveForm(request.POST or None, instance=wave, deliberation=wave.deliberation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in actions.WAVE_FIELDS}
        try:
            actions.do_update_wave(wave, actor=request.user, **fields)
        except ActionRefused as refused:
            messages.error(request, refused.detail)
        else:
            messages.success(request, _("Wave saved."))
            return redirect("surveys:fieldwork", wave_id=wave.pk)
    return render(
        request,
        "surveys/wave_form.html",
        {"form": form, "deliberation": wave.deliberation, "wave": wave, "answered": answered},
        status=400 if form.is_bound else 200,
    )


@role_required(Role.ORGANIZER)
def wave_delete(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Ask before deleting a wave (GET), delete it on the confirming POST."""
    wave = _wave_of(wave_id)
    if request.method == "POST":
        try:
            actions.do_delete_wave(wave, actor=request.user)
        except ActionRefused as refused:
            messages.error(request, refused.detail)
            return redirect("surveys:fieldwork", wave_id=wave.pk)
        messages.success(request, _("Wave “%(title)s” deleted.") % {"title": wave.title})
        return redirect("surveys:overview", slug=wave.deliberation.slug)
    return render(
        request,
        "surveys/confirm_delete.html",
        {
            "deliberation": wave.deliberation,
            "heading": _("Delete the wave “%(title)s”?") % {"title": wave.title},
            "explanation": _(
                "The wave, its quotas, its invitation links and its reminders are deleted. "
                "This cannot be undone."
            ),
            "blocked": actions.wave_answered_refusal().detail if wave.responses.exists() else "",
            "cancel_url": reverse("surveys:fieldwork", args=[wave.pk]),
        },
    )
