"""The respondent's side: consent, screener, questionnaire, save and resume, volunteering.

These pages are public: the unguessable token in the link is the credential.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from deliberation.core.access import deny_unless, role_required
from deliberation.core.actions import ActionRefused
from deliberation.core.roles import Role
from panels import selectors as panel_selectors
from panels.models import PopulationMargin
from surveys import actions, items, selectors
from surveys.compiled import blank_form, compiled
from surveys.forms import ResumeLinkForm, StartForm, VolunteerForm
from surveys.models import Invitation, Question, Response, Wave
from surveys.questionnaires import problem_message

OPEN_LINK_SESSION_KEY = "surveys_open_links"
# Completed open-link responses of this browser, per wave (a signed count).
OPEN_LINK_COOKIE = "gongnon_open_{wave}"
OPEN_LINK_COOKIE_SALT = "surveys.open_link"
OPEN_LINK_COOKIE_AGE = 365 * 24 * 3600


def browser_completes(request: HttpRequest, wave: Wave) -> int:
    raw = request.get_signed_cookie(
        OPEN_LINK_COOKIE.format(wave=wave.pk), default="0", salt=OPEN_LINK_COOKIE_SALT
    )
    return int(raw) if raw.isdigit() else 0


def count_browser_complete(request: HttpRequest, wave: Wave, response: HttpResponse) -> None:
    response.set_signed_cookie(
        OPEN_LINK_COOKIE.format(wave=wave.pk),
        str(browser_completes(request, wave) + 1),
        salt=OPEN_LINK_COOKIE_SALT,
        max_age=OPEN_LINK_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def client_address(request: HttpRequest) -> str:
    """The visitor's address, behind trusted proxies too (allauth's TRUSTED_PROXY_COUNT)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""


@dataclass
class QuestionView:
    """What the template needs to draw one question with its saved answer and error."""

    question: Question
    spec: items.QuestionSpec
    options: list
    grid_items: list
    selected: set[str] = field(default_factory=set)
    text: str = ""
    grid_selected: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def scale_points(self) -> list[int]:
        return list(range(11))


def question_views(questions, specs, data, problems) -> list[QuestionView]:
    views = []
    for question, spec in zip(questions, specs, strict=True):
        values = [v for v in data.get(question.code, []) if v]
        view = QuestionView(
            question=question,
            spec=spec,
            options=list(question.options.all()),
            grid_items=list(question.grid_items.all()),
            selected=set(values),
            text=values[0] if values else "",
        )
        for row in view.grid_items:
            chosen = data.get(f"{question.code}_{row.code}", [])
            row.selected = chosen[0] if chosen else ""
        problem = problems.get(question.code)
        if problem is not None:
            view.error = problem_message(problem)
        views.append(view)
    return views


def _screener_choices(wave: Wave) -> dict:
    # Ordered within the deliberation: the models' default ordering would join it.
    margins = PopulationMargin.objects.filter(deliberation_id=wave.deliberation_id)
    by_feature: dict[str, list[str]] = {}
    for feature, value in margins.order_by("feature", "value").values_list("feature", "value"):
        by_feature.setdefault(feature, []).append(value)
    return {
        "districts": panel_selectors.district_regions(wave.deliberation_id),
        "regions": selectors.regions_for(wave),
        "genders": by_feature.get("gender", []),
        "strata_labels": panel_selectors.labels_for(wave.deliberation),
    }


def _start_form(wave: Wave, data=None) -> StartForm:
    sensitive = wave.questionnaire.asks_political_opinions
    if wave.is_panel_wave:
        return StartForm(
            data, screener=False, districts=[], regions=[], genders=[], sensitive=sensitive
        )
    return StartForm(data, screener=True, sensitive=sensitive, **_screener_choices(wave))


def _ended(request, wave, response, outcome, status=200) -> HttpResponse:
    return render(
        request,
        "surveys/take_ended.html",
        {"wave": wave, "response": response, "outcome": str(outcome)},
        status=status,
    )


def _invitation_or_404(token: str) -> Invitation:
    invitation = selectors.invitation_for_token(token)
    if invitation is None:
        raise Http404(_("This link is not valid."))
    return invitation


@never_cache
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, token: str) -> HttpResponse:
    return run_interview(request, _invitation_or_404(token), token=token)


def run_interview(request: HttpRequest, invitation: Invitation, token: str = "") -> HttpResponse:
    """Consent, screener, questions, end: the step is read from the response's state.

    Every step posts back to the page it came from, whichever way the respondent arrived.
    With a link's token, saving for later shows the respondent their personal link.
    """
    wave = invitation.wave
    response = selectors.response_of(invitation)
    if response is not None and response.status == Response.Status.COMPLETE:
        if request.method == "POST":
            return _ended(request, wave, response, actions.Outcome.ALREADY_SUBMITTED, 409)
        return _ended(request, wave, response, actions.Outcome.SUBMITTED)
    if response is not None and response.status != Response.Status.IN_PROGRESS:
        return _ended(request, wave, response, response.status)
    if not selectors.fieldwork_is_open(wave):
        return _ended(request, wave, response, actions.Outcome.CLOSED)
    if response is None or response.consented_at is None:
        return _start(request, invitation)
    return _questionnaire(request, invitation, response, token)


def _start(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    wave = invitation.wave
    form = _start_form(wave, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        screener = actions.Screener(
            district=data.get("district", ""),
            region=data.get("region", ""),
            gender=data.get("gender", ""),
            birth_year=data.get("birth_year"),
        )
        try:
            response, outcome = actions.do_start_response(
                invitation, screener, sensitive_consent=data.get("sensitive_consent", False)
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.detail)
        else:
            if outcome != actions.Outcome.STARTED:
                return _ended(request, wave, response, outcome)
            return redirect(request.path)
    return render(
        request,
        "surveys/take_start.html",
        {
            "wave": wave,
            "questionnaire": wave.questionnaire,
            "form": form,
            "consent_sections": wave.consent_sections(),
        },
        status=400 if form.is_bound else 200,
    )


def render_questions(questions, specs, data, problems) -> tuple[str, list[QuestionView]]:
    views = question_views(questions, specs, data, problems)
    html = render_to_string("surveys/includes/questions.html", {"questions": views})
    return mark_safe(html), views


def _questionnaire(
    request: HttpRequest, invitation: Invitation, response: Response, token: str
) -> HttpResponse:
    wave = invitation.wave
    form = compiled(wave.questionnaire)
    problems: dict = {}
    status = 200
    if request.method == "POST":
        data = {
            key: request.POST.getlist(key)
            for key in request.POST
            if key not in {"csrfmiddlewaretoken", "action"}
        }
        if request.POST.get("action") == "save":
            saved = actions.do_save_draft(response, data)
            if saved and token:
                return redirect("surveys:take_saved", token=token)
            if saved:
                messages.success(
                    request, _("Your answers are saved. Open the same link to continue later.")
                )
            return redirect(request.path)
        parsed = items.parse(form.specs, request.POST.getlist)
        if parsed.is_valid:
            outcome = actions.do_submit_response(response, form.index, parsed)
            if outcome == actions.Outcome.SUBMITTED:
                done = redirect(request.path)
                if invitation.source == Invitation.Source.OPEN:
                    count_browser_complete(request, wave, done)
                return done
            status = 409 if outcome == actions.Outcome.ALREADY_SUBMITTED else 200
            return _ended(request, wave, response, outcome, status)
        problems = parsed.problems
        status = 400
    else:
        data = response.draft or {}
    first_error = None
    if data or problems:
        html, views = render_questions(form.questions, form.specs, data, problems)
        first_error = next((v for v in views if v.error), None)
    else:
        html = blank_form(
            wave.questionnaire,
            lambda: render_questions(form.questions, form.specs, {}, {})[0],
        )
    return render(
        request,
        "surveys/take_questions.html",
        {
            "wave": wave,
            "questionnaire": wave.questionnaire,
            "questions_html": html,
            "error_count": len(problems),
            "first_error": first_error,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def take_saved(request: HttpRequest, token: str) -> HttpResponse:
    """After "save and continue later": the personal link, and an offer to e-mail it."""
    invitation = _invitation_or_404(token)
    response = selectors.response_of(invitation)
    if (
        response is None
        or response.consented_at is None
        or response.status != Response.Status.IN_PROGRESS
    ):
        return redirect("surveys:take", token=token)
    link = request.build_absolute_uri(reverse("surveys:take", kwargs={"token": token}))
    form = ResumeLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_email_resume_link(response, email=form.cleaned_data["email"], link=link)
        except ActionRefused as refusal:
            form.add_error("email", refusal.detail)
        else:
            messages.success(request, _("The link has been sent. Check your mailbox."))
            return redirect(request.path)
    return render(
        request,
        "surveys/take_saved.html",
        {
            "wave": invitation.wave,
            "questionnaire": invitation.wave.questionnaire,
            "link": link,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def volunteer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_or_404(token)
    response = Response.objects.filter(
        invitation=invitation, status=Response.Status.COMPLETE
    ).first()
    if response is None or invitation.wave.is_panel_wave:
        raise Http404(_("Only respondents who completed the poll can volunteer."))
    already = hasattr(response, "volunteer_opt_in")
    form = VolunteerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_volunteer(
            response,
            name=form.cleaned_data["name"],
            phone=form.cleaned_data["phone"],
            email=form.cleaned_data["email"],
        )
        return render(request, "surveys/volunteer_done.html", {"wave": invitation.wave})
    return render(
        request,
        "surveys/volunteer.html",
        {"wave": invitation.wave, "form": form, "already": already},
        status=400 if form.is_bound else 200,
    )


@never_cache
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """The open link hands each visitor a one-time link of their own (kept in the session)."""
    wave = Wave.objects.filter(open_link_token=token).exclude(open_link_token="").first()
    if wave is None or not token:
        raise Http404(_("This link is not valid."))
    if not selectors.fieldwork_is_open(wave):
        return _ended(request, wave, None, actions.Outcome.CLOSED)
    if browser_completes(request, wave) >= actions.per_browser_limit(wave):
        return _open_link_refused(request, wave, "browser")
    known = request.session.get(OPEN_LINK_SESSION_KEY, {})
    personal = known.get(str(wave.pk))
    if personal is None or not _resumable(selectors.invitation_for_token(personal)):
        address = actions.hash_address(wave, client_address(request))
        try:
            personal = actions.do_open_link_invitation(wave, address_hash=address)
        except actions.OpenLinkRefused:
            return _open_link_refused(request, wave, "address")
        known[str(wave.pk)] = personal
        request.session[OPEN_LINK_SESSION_KEY] = known
    return redirect("surveys:take", token=personal)


def _resumable(invitation: Invitation | None) -> bool:
    """Whether this browser's open-link response is the one to go back to.

    An unfinished response is resumed, and one that ended at the screener or a full
    quota shows that end again; after a submitted one the browser may start another,
    if the per-browser limit (checked before) allows it.
    """
    if invitation is None:
        return False
    response = selectors.response_of(invitation)
    return response is None or response.status != Response.Status.COMPLETE


def _open_link_refused(request: HttpRequest, wave: Wave, reason: str) -> HttpResponse:
    """The open link's limit is reached: a page saying so, and nothing created."""
    return render(
        request, "surveys/open_link_refused.html", {"wave": wave, "reason": reason}, status=429
    )


@never_cache
@role_required(Role.PANELIST)
@require_http_methods(["GET", "POST"])
def panel_take(request: HttpRequest, wave_id: int) -> HttpResponse:
    """A panelist answers a panel wave after signing in; answers are keyed by pseudonym."""
    wave = Wave.objects.select_related("questionnaire").filter(pk=wave_id).first()
    if wave is None:
        raise Http404
    panelist = selectors.wave_panelists(wave).filter(user=request.user).first()
    deny_unless(panelist is not None and wave.is_panel_wave)
    invitation = actions.do_panel_invitation(wave, panelist)
    return run_interview(request, invitation)
