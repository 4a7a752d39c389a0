"""Every URL the project serves, requested as anonymous and as each role.

The table below is the single statement of who may open what. A URL pattern missing from
it fails the test, so a new view cannot be added without deciding its access.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from deliberation.core.models import Deliberation
from deliberation.core.roles import TEAM_ROLES, Role
from deliberation.forum.models import Material
from deliberation.report.models import PUBLIC_PARTS, Publication, ReportRender
from panels.models import PoolImport, SelectionRun
from surveys.models import Answer, FieldworkQuota, PollImport, Response, Wave
from tests.factories import (
    DeliberationFactory,
    ForumGroupFactory,
    StageFactory,
    UserFactory,
    join,
)
from tests.surveys.factories import WaveFactory, build_every_type

ANONYMOUS = "anonymous"
ROLES = tuple(Role.values)
# An organizer who also holds the permission to see volunteers' contact details.
CONTACTS_ORGANIZER = "organizer+contacts"
# A user holding every team role, on the team of another deliberation only.
OTHER_TEAM = "another deliberation's team"
LOGIN = "login"  # a redirect to the sign-in page
ALL_ROLES = frozenset(ROLES)


@dataclass(frozen=True)
class Access:
    """Expected outcome per visitor: an HTTP status, or LOGIN for a sign-in redirect."""

    anonymous: int | str
    roles: dict[str, int | str] = field(default_factory=dict)
    # Another deliberation's team: what every role gets on a page that is not one
    # deliberation's, 403 on a deliberation's own pages unless given here.
    other_team: int | str | None = None

    def expected(self, visitor: str) -> int | str:
        if visitor == ANONYMOUS:
            return self.anonymous
        if visitor == OTHER_TEAM:
            if self.other_team is not None:
                return self.other_team
            outcomes = set(self.roles.values())
            return outcomes.pop() if len(outcomes) == 1 else 403
        if visitor == CONTACTS_ORGANIZER:
            return self.roles.get(visitor, self.roles[Role.ORGANIZER])
        return self.roles[visitor]


def only(*allowed: str, ok: int = 200) -> Access:
    """A page for the given roles: others get 403, visitors are sent to sign in."""
    return Access(LOGIN, {role: ok if role in allowed else 403 for role in ROLES})


def everyone(anonymous: int | str, signed_in: int | str) -> Access:
    return Access(anonymous, dict.fromkeys(ROLES, signed_in))


def contacts_only() -> Access:
    """Contact details: organizers holding the contact permission, nobody else."""
    return Access(LOGIN, {**dict.fromkeys(ROLES, 403), CONTACTS_ORGANIZER: 200})


STAFF_ONLY = everyone(302, 302)  # the admin sends non-staff to its own login page

ACCESS: dict[str, Access] = {
    # Project pages
    "deliberation:home": everyone(200, 200),
    "deliberation:accessibility": everyone(200, 200),
    # The public face of a published deliberation: anyone, signed in or not.
    "deliberation:public_page": everyone(200, 200),
    "deliberation:public_feed": everyone(200, 200),
    "deliberation:public_statuses": everyone(200, 200),
    "deliberation:public_datapackage": everyone(200, 200),
    "deliberation:public_data_file": everyone(200, 200),
    "deliberation:public_report_pdf": everyone(200, 200),
    "deliberation:public_material": everyone(200, 200),
    "deliberation:list": Access(LOGIN, only(Role.ORGANIZER, Role.ANALYST).roles, other_team=200),
    "deliberation:detail": only(Role.ORGANIZER, Role.ANALYST),
    "deliberation:stage_edit": only(Role.ORGANIZER),
    # Any organizer starts a deliberation of their own (and is its first organizer).
    "deliberation:create": Access(LOGIN, only(Role.ORGANIZER).roles, other_team=200),
    "deliberation:edit": only(Role.ORGANIZER),
    "deliberation:setup": only(Role.ORGANIZER),
    "deliberation:archive": only(Role.ORGANIZER, ok=405),
    "deliberation:stage_add": only(Role.ORGANIZER),
    "deliberation:stage_remove": only(Role.ORGANIZER, ok=405),
    "deliberation:stage_move": only(Role.ORGANIZER, ok=405),
    "deliberation:team": only(Role.ORGANIZER),
    "deliberation:audit_log": only(Role.ORGANIZER),
    "deliberation:team_import": only(Role.ORGANIZER, ok=405),
    "deliberation:team_remove": only(Role.ORGANIZER, ok=405),
    "deliberation:team_contact_access": only(Role.ORGANIZER, ok=405),
    # Accounts: a panelist chooses the name others see; everyone reads their account.
    "profile:welcome": only(Role.PANELIST),
    "profile:account": everyone(LOGIN, 200),
    # Panel selection: organizers run it; analysts see only the report and the audit.
    "panels:overview": only(Role.ORGANIZER),
    "panels:regions": only(Role.ORGANIZER),
    "panels:margins": only(Role.ORGANIZER),
    "panels:margins_template": only(Role.ORGANIZER),
    "panels:pool": only(Role.ORGANIZER),
    "panels:pool_import_status": only(Role.ORGANIZER),
    "panels:cancel_pool_import": only(Role.ORGANIZER, ok=405),
    "panels:contacts": contacts_only(),
    "surveys:add_poll_volunteers": only(Role.ORGANIZER, ok=405),
    "surveys:opinion_stratum": only(Role.ORGANIZER),
    "surveys:erase_contacts": only(Role.ORGANIZER),
    "panels:quotas": only(Role.ORGANIZER),
    "panels:feasibility": only(Role.ORGANIZER),
    "panels:apply_relaxation": only(Role.ORGANIZER, ok=405),
    "panels:compute": only(Role.ORGANIZER),
    "panels:run_status": only(Role.ORGANIZER),
    "panels:cancel_run": only(Role.ORGANIZER, ok=405),
    "panels:draw": only(Role.ORGANIZER),
    "panels:panel": only(Role.ORGANIZER),
    "panels:invite": only(Role.ORGANIZER, ok=405),
    "panels:panelist_status": only(Role.ORGANIZER, ok=405),
    "panels:replace": only(Role.ORGANIZER, ok=405),
    "panels:replace_from_reserves": only(Role.ORGANIZER, ok=405),
    "panels:seat_respond": only(Role.PANELIST, ok=405),
    "panels:confirmations": only(Role.ORGANIZER),
    "panels:confirmation_deadline": only(Role.ORGANIZER, ok=405),
    "panels:send_reminders": only(Role.ORGANIZER, ok=405),
    "panels:record_answer": only(Role.ORGANIZER, ok=405),
    "panels:report": only(Role.ORGANIZER, Role.ANALYST),
    "panels:report_chart": only(Role.ORGANIZER, Role.ANALYST),
    "panels:audit": everyone(LOGIN, 200),
    "panels:audit_record": everyone(LOGIN, 404),
    "report:page": only(Role.ORGANIZER, Role.ANALYST),
    "report:publication": only(Role.ORGANIZER),
    # Department officers answer their own department's recommendations there.
    "report:tracking": only(Role.ORGANIZER, Role.DEPARTMENT),
    "report:narrative": only(Role.ORGANIZER, Role.ANALYST),
    "report:headline": only(Role.ORGANIZER, Role.ANALYST, ok=405),
    "report:analysis_json": only(Role.ORGANIZER, Role.ANALYST),
    "report:analysis_xlsx": only(Role.ORGANIZER, Role.ANALYST),
    "report:panel_waves_sav": only(Role.ORGANIZER, Role.ANALYST),
    "report:renders": only(Role.ORGANIZER, Role.ANALYST),
    "report:render_status": only(Role.ORGANIZER, Role.ANALYST),
    "report:render_file": only(Role.ORGANIZER, Role.ANALYST),
    "report:render_cancel": only(Role.ORGANIZER, Role.ANALYST, ok=405),
    # Live forum: object rules leave only organizers in rooms they are not attached to.
    "forum:group_room": only(Role.ORGANIZER),
    "forum:group_console": only(Role.ORGANIZER),
    "forum:plenary": only(Role.ORGANIZER),
    "forum:allocation": only(Role.ORGANIZER),
    "forum:session_create": only(Role.ORGANIZER),
    "forum:session_edit": only(Role.ORGANIZER),
    "forum:materials": only(Role.ORGANIZER),
    # Materials' files: the deliberation's staff and panel (object rule, in tests/security).
    "forum:material_file": only(Role.ORGANIZER, Role.ANALYST),
    "forum:export": only(Role.ORGANIZER, Role.ANALYST),
    "forum:session_polis_export": only(Role.ORGANIZER, Role.ANALYST),
    "forum:room_polis_export": only(Role.ORGANIZER, Role.ANALYST),
    "forum:fees": only(Role.ORGANIZER),
    "forum:fees_export": only(Role.ORGANIZER),
    "set_language": everyone(302, 302),
    # Surveys: respondents' pages are public; the token is the credential (unknown: 404).
    "surveys:take": everyone(404, 404),
    "surveys:take_saved": everyone(404, 404),
    "surveys:volunteer": everyone(404, 404),
    "surveys:open_link": everyone(404, 404),
    # Panel waves: only a seated panelist of the deliberation (object rule, tested in surveys).
    "surveys:panel_take": only(),
    "surveys:overview": only(Role.ORGANIZER, Role.ANALYST),
    "surveys:questionnaire_create": only(Role.ORGANIZER),
    "surveys:wave_create": only(Role.ORGANIZER),
    "surveys:wave_edit": only(Role.ORGANIZER),
    "surveys:wave_delete": only(Role.ORGANIZER),
    "surveys:questionnaire": only(Role.ORGANIZER),
    "surveys:questionnaire_preview": only(Role.ORGANIZER),
    "surveys:questionnaire_new_version": only(Role.ORGANIZER, ok=405),
    "surveys:question_create": only(Role.ORGANIZER),
    "surveys:question_edit": only(Role.ORGANIZER),
    "surveys:question_move": only(Role.ORGANIZER, ok=405),
    "surveys:question_delete": only(Role.ORGANIZER, ok=405),
    "surveys:fieldwork": only(Role.ORGANIZER),
    "surveys:quota_add": only(Role.ORGANIZER, ok=405),
    "surveys:quota_edit": only(Role.ORGANIZER),
    "surveys:quota_delete": only(Role.ORGANIZER),
    "surveys:invitations_create": only(Role.ORGANIZER, ok=405),
    "surveys:dashboard": only(Role.ORGANIZER, Role.ANALYST),
    "surveys:dashboard_data": only(Role.ORGANIZER, Role.ANALYST),
    "surveys:exclude_responses": only(Role.ORGANIZER, ok=405),
    "surveys:refresh_quality": only(Role.ORGANIZER, ok=405),
    "surveys:completion": only(Role.ORGANIZER, Role.ANALYST),
    "surveys:send_reminders": only(Role.ORGANIZER, ok=405),
    "surveys:import_upload": only(Role.ORGANIZER),
    "surveys:import_mapping": only(Role.ORGANIZER),
    "surveys:import_report": only(Role.ORGANIZER),
    "surveys:import_status": only(Role.ORGANIZER),
    "surveys:import_cancel": only(Role.ORGANIZER, ok=405),
    "surveys:exports": only(Role.ORGANIZER, Role.ANALYST),
    "surveys:export_download": only(Role.ORGANIZER, Role.ANALYST),
    "surveys:weighting": only(Role.ORGANIZER, Role.ANALYST),
    "surveys:results": only(Role.ORGANIZER, Role.ANALYST),
    "surveys:chart": only(Role.ORGANIZER, Role.ANALYST),
    # Accounts (django-allauth)
    "account_login": everyone(200, 302),
    "account_logout": everyone(302, 200),
    "account_inactive": everyone(200, 200),
    "account_signup": everyone(200, 302),
    "account_reauthenticate": everyone(LOGIN, 200),
    "account_request_reauthentication_code": everyone(LOGIN, 200),
    "account_confirm_reauthentication_code": everyone(LOGIN, 302),
    "account_email": everyone(LOGIN, 200),
    "account_email_verification_sent": everyone(LOGIN, 302),
    "account_change_password": everyone(LOGIN, 200),
    "account_set_password": everyone(LOGIN, 302),
    "account_reset_password": everyone(200, 200),
    "account_reset_password_done": everyone(200, 200),
    "account_reset_password_from_key": everyone(200, 200),
    "account_reset_password_from_key_done": everyone(200, 200),
    "account_request_login_code": everyone(200, 302),
    "account_confirm_login_code": everyone(LOGIN, 302),
    # The admin signs in through the site; every other admin URL is STAFF_ONLY.
    "admin:login": everyone(LOGIN, 403),
}
ADMIN_NAMESPACE = "admin"

SAMPLE_VALUES = {
    "uidb36": "1",
    "key": "invalid-key",
    "app_label": "deliberation",
    "dataset": "transcript",
    "fmt": "csv",
    "item": "Q1",
    "image_format": "svg",
    "polis_file": "votes",
}


def is_admin_model_page(name: str) -> bool:
    return name.startswith(ADMIN_NAMESPACE + ":") and name not in ACCESS


def iter_url_names(patterns=None, namespace: str | None = None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            child = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from iter_url_names(pattern.url_patterns, child)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def url_parameters(pattern: URLPattern) -> list[str]:
    return list(re.compile(pattern.pattern.regex.pattern).groupindex)


@pytest.fixture
def objects(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    facilitator = UserFactory(role=Role.FACILITATOR)
    stage = StageFactory()
    join(facilitator, stage.deliberation, Role.FACILITATOR)
    group = ForumGroupFactory(session__deliberation=stage.deliberation, facilitator=facilitator)
    run = SelectionRun.objects.create(deliberation=stage.deliberation, status="failed")
    render = ReportRender.objects.create(
        deliberation=stage.deliberation, status=ReportRender.Status.DONE, progress=100
    )
    render.file.save("report.pdf", ContentFile(b"%PDF-1.7 test"))
    Publication.objects.create(
        deliberation=stage.deliberation,
        published_at=timezone.now(),
        **dict.fromkeys(PUBLIC_PARTS, True),
    )
    material = Material(session=group.session, title="자료집", public=True)
    material.file.save("reading.pdf", ContentFile(b"%PDF-1.7 reading"), save=False)
    material.save()
    wave = WaveFactory(questionnaire__deliberation=stage.deliberation)
    question = build_every_type(wave.questionnaire)["Q1"]
    panel_wave = WaveFactory(questionnaire=wave.questionnaire, kind=Wave.Kind.PRE)
    response = Response.objects.create(
        wave=panel_wave, respondent_id="P001", status=Response.Status.COMPLETE
    )
    Answer.objects.create(response=response, question=question, item="Q1", value_number=1.0)
    return {
        "slug": stage.deliberation.slug,
        "stage_id": stage.pk,
        "group_id": group.pk,
        "session_id": group.session_id,
        "room_id": group.room.pk,
        "run_id": run.pk,
        "pool_import_id": PoolImport.objects.create(
            deliberation=stage.deliberation, filename="pool.csv", content=b"id\n", status="done"
        ).pk,
        "render_id": render.pk,
        "name": "recommendations",
        "material_id": material.pk,
        "wave_id": wave.pk,
        "questionnaire_id": wave.questionnaire_id,
        "question_id": question.pk,
        "quota_id": FieldworkQuota.objects.create(wave=wave, target=10).pk,
        "import_id": PollImport.objects.create(
            wave=wave, filename="firm.csv", content=b"id\nR1\n", columns=["id"], status="validated"
        ).pk,
    }


def build_url(name: str, pattern: URLPattern, objects: dict) -> str:
    kwargs = {}
    for parameter in url_parameters(pattern):
        kwargs[parameter] = objects.get(parameter, SAMPLE_VALUES.get(parameter, "1"))
    return reverse(name, kwargs=kwargs)


def outcome(response, login_url: str) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(login_url):
        return LOGIN
    return response.status_code


def test_every_url_pattern_is_in_the_access_table():
    names = {name for name, _ in iter_url_names()}
    missing = sorted(name for name in names if name not in ACCESS and not is_admin_model_page(name))
    assert not missing, f"URL patterns without an access rule: {missing}"
    stale = sorted(set(ACCESS) - names)
    assert not stale, f"Access rules for URL names that no longer exist: {stale}"


def visitor_user(visitor: str, deliberation: Deliberation):
    """The visitor's account; a team role is on the team of the objects' deliberation."""
    if visitor == OTHER_TEAM:
        user = UserFactory()
        join(user, DeliberationFactory(), *TEAM_ROLES)
        user.user_permissions.add(Permission.objects.get(codename="view_volunteer_contacts"))
        return user
    role = Role.ORGANIZER if visitor == CONTACTS_ORGANIZER else visitor
    user = UserFactory(role=role)
    if role in TEAM_ROLES:
        join(user, deliberation, role)
    if visitor == CONTACTS_ORGANIZER:
        user.user_permissions.add(Permission.objects.get(codename="view_volunteer_contacts"))
    return user


@pytest.mark.parametrize("visitor", (ANONYMOUS, *ROLES, CONTACTS_ORGANIZER, OTHER_TEAM))
def test_each_visitor_gets_exactly_the_access_in_the_table(client, objects, visitor):
    if visitor != ANONYMOUS:
        deliberation = Deliberation.objects.get(slug=objects["slug"])
        client.force_login(visitor_user(visitor, deliberation))
    login_url = reverse("account_login")
    mismatches = []
    for name, pattern in iter_url_names():
        rule = ACCESS[name] if name in ACCESS else STAFF_ONLY
        url = build_url(name, pattern, objects)
        got = outcome(client.get(url), login_url)
        if got != rule.expected(visitor):
            mismatches.append(f"{name} {url}: expected {rule.expected(visitor)}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def test_admin_admits_staff_only(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(UserFactory(role=Role.ORGANIZER))
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200
