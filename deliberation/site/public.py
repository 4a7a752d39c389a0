"""The public face of a deliberation: pages anyone may read without signing in.

Nothing is public until the organizer publishes it (``report.models.Publication``); an
unpublished deliberation, or a part of it the organizer keeps unpublished, answers 404 so
its existence is not revealed. The page is rendered once per language and kept in the
cache (``core.public_cache``), which every change to what it shows drops; a repeat visit
reads no table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import feedgenerator, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from deliberation.core import public_cache
from deliberation.core.models import Deliberation
from deliberation.forum.material_files import KINDS, extension_of
from deliberation.forum.models import Material
from deliberation.report import open_data
from deliberation.report.analysis import ReportAnalysis, analyse_public
from deliberation.report.document import public_sections
from deliberation.report.models import LICENCE_URLS, Licence, Publication
from deliberation.report.public import (
    TrackedRecommendation,
    public_report_render,
    published_deliberations,
    published_publication,
    tracked_recommendations,
)
from deliberation.report.selectors import build_report_data, recommendations
from panels.models import SelectionAudit
from panels.selectors import active_panel

# Browsers and shared caches may keep a public file this long (seconds). The page itself is
# kept by the server only: its header and language form are the visitor's own (the
# signed-in name, the CSRF token), so no shared cache may store it.
BROWSER_MAX_AGE = 300

# The picture a shared link shows (Open Graph requires one), at the 1.91:1 size the large
# link cards of messengers and social sites draw without cropping.
OG_IMAGE = "img/og-image.png"
OG_IMAGE_SIZE = (1200, 630)


@dataclass(frozen=True)
class PageDeliberation:
    """What the base template asks of the page's deliberation (the demo banner), cached."""

    is_demo: bool


def _publication(slug: str) -> Publication:
    publication = published_publication(slug)
    if publication is None:
        raise Http404(_("No published deliberation here."))
    return publication


def _require(publication: Publication, part: str) -> None:
    if not getattr(publication, part):
        raise Http404(_("This part of the deliberation is not published."))


def _title(deliberation: Deliberation) -> str:
    english = (translation.get_language() or "ko").startswith("en")
    return deliberation.title_en if english and deliberation.title_en else deliberation.title


def _analysis(deliberation: Deliberation) -> ReportAnalysis:
    return analyse_public(build_report_data(deliberation))


def _tracked(deliberation: Deliberation, analysis: ReportAnalysis) -> tuple:
    return tracked_recommendations(deliberation, analysis.data.recommendations)


def _page_context(request: HttpRequest, publication: Publication) -> dict[str, Any]:
    """Everything the public page shows, only the parts the organizer published."""
    deliberation = publication.deliberation
    analysis = _analysis(deliberation)
    report = public_sections(analysis)
    language = translation.get_language() or "ko"
    context: dict[str, Any] = {
        "deliberation": deliberation,
        "publication": publication,
        "title": _title(deliberation),
        "stages": analysis.data.process.stages,
        "licence": Licence(publication.licence),
        "licence_url": LICENCE_URLS[publication.licence],
        "data_files": open_data.published_files(publication),
        "page_url": request.build_absolute_uri(
            reverse("deliberation:public_page", args=[deliberation.slug])
        ),
        "og_locale": "en_US" if language.startswith("en") else "ko_KR",
        "og_image": request.build_absolute_uri(static(OG_IMAGE)),
        "og_image_size": OG_IMAGE_SIZE,
    }
    if publication.show_materials:
        context["materials"] = list(
            Material.objects.filter(session__deliberation=deliberation, public=True)
            .select_related("session")
            .order_by("session__starts_at", "order", "pk")
        )
    if publication.show_panel:
        context["funnel"] = report["funnel"]
        context["panel_size"] = analysis.data.process.panel_size
        context["audit"] = SelectionAudit.objects.filter(deliberation=deliberation).first()
    if publication.show_sessions:
        context["sessions"] = analysis.data.process.sessions
        context["attendance"] = analysis.data.process.attendance
    if publication.show_results:
        context["poll"] = analysis.data.poll
        context["poll_questions"] = report["poll_questions"]
        context["headline_title"] = report["headline_title"]
        context["headline_rows"] = report["headline_rows"]
    if publication.show_recommendations:
        context["recommendations"] = _tracked(deliberation, analysis)
    if publication.show_report_pdf:
        context["report_pdf"] = public_report_render(deliberation, language)
    return context


@require_safe
@cache_control(private=True, max_age=0)
def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The deliberation's public page, rendered once per language and then from the cache."""
    language = translation.get_language() or "ko"
    key = public_cache.page_key(slug, language)
    page = cache.get(key)
    if page is None:
        publication = _publication(slug)
        context = _page_context(request, publication)
        page = {
            "title": context["title"],
            "head": render_to_string("deliberation/public/_head.html", context),
            "body": render_to_string("deliberation/public/_body.html", context),
            "is_demo": publication.deliberation.is_demo,
        }
        cache.set(key, page, public_cache.TIMEOUT)
    return render(
        request,
        "deliberation/public/page.html",
        {"page": page, "page_deliberation": PageDeliberation(page["is_demo"])},
    )


def front_page(request: HttpRequest) -> HttpResponse:
    """The visitors' front page: the published deliberations, newest first."""
    language = translation.get_language() or "ko"
    key = public_cache.front_key(language)
    listing = cache.get(key)
    if listing is None:
        listing = render_to_string(
            "deliberation/public/_list.html",
            {
                "publications": [
                    (p, _title(p.deliberation)) for p in published_deliberations()[:100]
                ]
            },
        )
        cache.set(key, listing, public_cache.TIMEOUT)
    return render(request, "deliberation/landing.html", {"listing": listing})


def _status_entry(t: TrackedRecommendation, slug: str) -> dict[str, Any]:
    row = t.row
    return {
        "id": t.pk,
        "session": row.session,
        "group": row.group,
        "text": row.text,
        "supporters": row.votes,
        "group_size": row.group_size,
        "support": row.support,
        "status": t.status or None,
        "status_label": t.status_label or None,
        "department": t.department,
        "responded_on": t.responded_on.isoformat() if t.responded_on else None,
        "response": t.response,
        "timeline": [
            {
                "changed_at": e.changed_at.isoformat(),
                "old_status": e.old_status or None,
                "new_status": e.new_status,
                "department": e.department,
                "responded_on": e.responded_on.isoformat(),
                "response": e.response,
            }
            for e in t.timeline
        ],
    }


def _recommendations_of(slug: str) -> tuple[Publication, tuple[TrackedRecommendation, ...]]:
    publication = _publication(slug)
    _require(publication, "show_recommendations")
    deliberation = publication.deliberation
    rows = recommendations(deliberation, active_panel(deliberation).count())
    return publication, tracked_recommendations(deliberation, rows)


@require_safe
@cache_control(public=True, max_age=BROWSER_MAX_AGE)
def public_statuses(request: HttpRequest, slug: str) -> JsonResponse:
    """The recommendations' statuses and their timeline, as JSON."""
    publication, tracked = _recommendations_of(slug)
    deliberation = publication.deliberation
    return JsonResponse(
        {
            "deliberation": deliberation.slug,
            "title": deliberation.title,
            "synthetic": deliberation.is_demo,
            "licence": publication.licence,
            "generated_at": timezone.now().isoformat(),
            "recommendations": [_status_entry(t, slug) for t in tracked],
        },
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


@require_safe
@cache_control(public=True, max_age=BROWSER_MAX_AGE)
def public_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """An Atom feed with one entry per change of a recommendation's status."""
    publication, tracked = _recommendations_of(slug)
    deliberation = publication.deliberation
    page_url = request.build_absolute_uri(
        reverse("deliberation:public_page", args=[deliberation.slug])
    )
    feed = feedgenerator.Atom1Feed(
        title=_("%(title)s: what became of the recommendations") % {"title": _title(deliberation)},
        link=page_url,
        description=deliberation.agenda,
        language=translation.get_language() or "ko",
        feed_url=request.build_absolute_uri(),
        feed_guid=f"{page_url}#recommendations",
    )
    entries = sorted(
        ((e, t) for t in tracked for e in t.timeline), key=lambda pair: pair[0].changed_at
    )
    for entry, t in reversed(entries):
        feed.add_item(
            title=f"{entry.new_label}: {t.row.text[:80]}",
            link=f"{page_url}#recommendation-{t.pk}",
            description=" · ".join(
                part
                for part in (entry.department, entry.responded_on.isoformat(), entry.response)
                if part
            ),
            unique_id=f"{page_url}#recommendation-{t.pk}-{entry.changed_at.isoformat()}",
            pubdate=entry.changed_at,
            updateddate=entry.changed_at,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


@require_safe
@cache_control(public=True, max_age=BROWSER_MAX_AGE)
def public_datapackage(request: HttpRequest, slug: str) -> HttpResponse:
    """The JSON description of the open-data files the organizer published."""
    publication = _publication(slug)
    files = open_data.published_files(publication)
    if not files:
        raise Http404(_("No open data is published for this deliberation."))
    content = open_data.datapackage(
        publication,
        files,
        lambda name: request.build_absolute_uri(
            reverse("deliberation:public_data_file", args=[slug, name])
        ),
    )
    return HttpResponse(content, content_type="application/json; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=BROWSER_MAX_AGE)
def public_data_file(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """One published open-data file as CSV; unknown or unpublished files are 404."""
    publication = _publication(slug)
    files = {f.name: f for f in open_data.published_files(publication)}
    if name not in files:
        raise Http404(_("This file is not published."))
    deliberation = publication.deliberation
    key = public_cache.file_key(slug, name)
    content = cache.get(key)
    if content is None:
        analysis = _analysis(deliberation)
        content = open_data.render_csv(files[name], analysis, _tracked(deliberation, analysis))
        cache.set(key, content, public_cache.TIMEOUT)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{name}.csv"'
    return response


@require_safe
def public_report_pdf(request: HttpRequest, slug: str) -> FileResponse:
    """The report's newest PDF, once the organizer publishes it."""
    publication = _publication(slug)
    _require(publication, "show_report_pdf")
    render_obj = public_report_render(publication.deliberation, translation.get_language() or "ko")
    if render_obj is None:
        raise Http404(_("The report has not been published yet."))
    try:
        handle = render_obj.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The report has not been published yet.")) from None
    return FileResponse(
        handle, filename=f"{slug}-report.pdf", content_type="application/pdf", as_attachment=False
    )


@require_safe
def public_material(request: HttpRequest, slug: str, material_id: int) -> HttpResponse:
    """A material's file, when the organizer publishes the materials."""
    publication = _publication(slug)
    _require(publication, "show_materials")
    material = Material.objects.filter(
        pk=material_id, session__deliberation=publication.deliberation, public=True
    ).first()
    if material is None or not material.file:
        raise Http404(_("No such material."))
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such material.")) from None
    kind = KINDS.get(extension_of(material.file.name))
    return FileResponse(
        handle,
        as_attachment=kind is None or not kind.inline,
        filename=material.file.name.rsplit("/", 1)[-1],
        content_type=kind.content_type if kind else "application/octet-stream",
    )
