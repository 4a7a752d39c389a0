from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from deliberation.core.models import AuditLogEntry, Deliberation, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Deliberation)
class DeliberationAdmin(admin.ModelAdmin):
    list_display = ["title", "city", "slug", "is_demo", "created_at"]
    list_filter = ["is_demo", "city"]
    search_fields = ["title", "agenda", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    # Chosen on the report page, where the choice is checked against the panel surveys.
    readonly_fields = ["report_headline_item"]
    inlines = [StageInline]


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is appended by the actions and never edited."""

    list_display = ["acted_at", "deliberation", "actor", "event_type", "object_label"]
    list_filter = ["event_type", "deliberation"]
    list_select_related = ["deliberation", "actor"]
    date_hierarchy = "acted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["deliberation", "order", "kind", "status", "starts_on", "ends_on"]
    list_filter = ["status", "kind", "deliberation"]
    list_select_related = ["deliberation"]


def sign_in_through_the_site(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's sign-in is the site's: its rate limits, its timing, its sign-in by code.

    Django's own admin form checks passwords without the site's limits (and answers a
    right password faster than a wrong one); a staff member signs in on the site and is
    sent back to the admin page they asked for.
    """
    if request.user.is_authenticated:
        # Signed in but not staff: the admin is not theirs (no loop through the sign-in).
        raise PermissionDenied
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")


admin.site.login = sign_in_through_the_site  # type: ignore[method-assign]
