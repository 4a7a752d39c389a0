"""The organizer erases a deliberation's contact data once the process is over."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from deliberation.core.access import role_required
from deliberation.core.models import Deliberation
from deliberation.core.roles import Role
from panels.models import VolunteerContact
from surveys import actions
from surveys.actions.erasure import panelist_accounts_to_anonymise
from surveys.models import ContactDetails


@role_required(Role.ORGANIZER)
def erase_contacts(request: HttpRequest, slug: str) -> HttpResponse:
    """What will be erased, a typed confirmation (the deliberation's slug), the record."""
    deliberation = get_object_or_404(Deliberation, slug=slug)
    status = 200
    if request.method == "POST":
        if request.POST.get("confirmation", "").strip() != deliberation.slug:
            messages.error(request, _("Type the deliberation's short name exactly to confirm."))
            status = 400
        else:
            record = actions.do_erase_contact_data(deliberation, actor=request.user)
            messages.success(
                request,
                _(
                    "Erased: %(poll)d poll volunteers' contacts, %(pool)d pool contacts and "
                    "%(accounts)d panelist accounts."
                )
                % {
                    "poll": record.counts["poll_volunteers"],
                    "pool": record.counts["pool"],
                    "accounts": record.counts["accounts"],
                },
            )
            return redirect("surveys:erase_contacts", slug=slug)
    accounts, kept = panelist_accounts_to_anonymise(deliberation)
    context = {
        "deliberation": deliberation,
        "poll_contacts": ContactDetails.objects.filter(
            opt_in__deliberation=deliberation, erased_at__isnull=True
        )
        .exclude(Q(name="") & Q(phone="") & Q(email=""))
        .count(),
        "pool_contacts": VolunteerContact.objects.filter(
            volunteer__deliberation=deliberation, erased_at__isnull=True
        ).count(),
        "accounts": len(accounts),
        "accounts_kept": kept,
        "erasures": deliberation.contact_erasures.select_related("actor"),
    }
    return render(request, "surveys/erase_contacts.html", context, status=status)
