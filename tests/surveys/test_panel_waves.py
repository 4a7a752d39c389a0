"""Panel waves: the report's statistics from the database, completion, reminders, .sav export."""

from __future__ import annotations

import datetime

import numpy as np
import pyreadstat
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from deliberation.core.roles import Role
from deliberation.report.analysis import analyse
from deliberation.report.selectors import build_report_data
from panels.models import Panelist
from surveys import actions
from surveys.actions import add_likert_options
from surveys.actions.reminders import deliver_batch
from surveys.answer_sets import poll_question
from surveys.completion import wave_completion
from surveys.models import Answer, Question, ReminderBatch, Response, Wave, WaveReminder
from surveys.stats import analyze_items
from surveys.wave_data import item_type
from tests.factories import DeliberationFactory, PanelistFactory, SessionFactory
from tests.surveys.factories import QuestionnaireFactory, WaveFactory, question

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# Per panelist: answers in the pre and post waves (None = skipped; a missing wave = absent).
# Q1 yes(1)/no(2) single choice -> binary; Q2 nominal; Q3 Likert; Q4 knowledge (1 correct);
# Q5 numeric.
ANSWERS = {
    "P1": {"pre": [2, 1, 2, 2, 10], "post": [1, 1, 4, 1, 12]},
    "P2": {"pre": [2, 2, 1, 9, 0], "post": [1, 3, 3, 1, 5]},
    "P3": {"pre": [1, 3, 3, 1, 20], "post": [1, 3, 5, 1, 20]},
    "P4": {"pre": [2, 1, 2, None, 7], "post": [2, 1, 3, 2, 9]},
    "P5": {"pre": [2, 2, 3, 2, 3], "post": [1, 2, 5, 1, None]},
    "P6": {"pre": [1, 1, 2, 9, 4], "post": [1, 2, 2, 1, 6]},
    "P7": {"pre": [2, 3, 1, 2, 8]},
}
CODES = ["Q1", "Q2", "Q3", "Q4", "Q5"]
TYPES = {
    "Q1": "binary",
    "Q2": "nominal",
    "Q3": "ordinal",
    "Q4": "knowledge",
    "Q5": "interval",
}
GROUPS = {"P1": "도심권", "P2": "도심권", "P3": "동북권", "P4": "동북권", "P5": "서남권"}


def build_questions(questionnaire) -> dict[str, Question]:
    qs = {
        "Q1": question(questionnaire, "Q1", "single", 1, options=[(1, "예", 0), (2, "아니오", 0)]),
        "Q2": question(
            questionnaire, "Q2", "single", 2, options=[(1, "가", 0), (2, "나", 0), (3, "다", 0)]
        ),
        "Q3": question(questionnaire, "Q3", "likert", 3),
        "Q4": question(
            questionnaire,
            "Q4",
            "knowledge",
            4,
            options=[(1, "맞다", 1), (2, "틀리다", 0), (9, "모르겠다", 0)],
        ),
        "Q5": question(questionnaire, "Q5", "numeric", 5, min_value=0, max_value=100),
        "Q6": question(questionnaire, "Q6", "short_text", 6, required=False),
    }
    add_likert_options(qs["Q3"], 5)
    return qs


def respond(wave, panelist, values, questions, status=Response.Status.COMPLETE) -> Response:
    response = Response.objects.create(
        wave=wave,
        respondent_id=panelist.pseudonym,
        panelist=panelist,
        status=status,
        region=panelist.region,
        gender=panelist.gender,
        age_band=panelist.age_band,
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[code], item=code, value_number=float(v))
        for code, v in zip(CODES, values, strict=True)
        if v is not None
    )
    Answer.objects.create(
        response=response, question=questions["Q6"], item="Q6", value_text="텍스트"
    )
    return response


@pytest.fixture
def panel_study(db):
    deliberation = DeliberationFactory()
    questionnaire = QuestionnaireFactory(deliberation=deliberation)
    questions = build_questions(questionnaire)
    pre = WaveFactory(questionnaire=questionnaire, kind=Wave.Kind.PRE, label="pre", title="사전")
    post = WaveFactory(questionnaire=questionnaire, kind=Wave.Kind.POST, label="post", title="사후")
    panelists = {
        pid: PanelistFactory(
            deliberation=deliberation, pseudonym=pid, region=GROUPS.get(pid, "서북권")
        )
        for pid in ANSWERS
    }
    for pid, by_wave in ANSWERS.items():
        for wave in (pre, post):
            if wave.label in by_wave:
                respond(wave, panelists[pid], by_wave[wave.label], questions)
    return {
        "deliberation": deliberation,
        "questionnaire": questionnaire,
        "questions": questions,
        "pre": pre,
        "post": post,
        "panelists": panelists,
    }


def direct_long_table():
    """The same answers as a long table, Q1 coded yes=1/no=0 as a binary item."""
    ids, waves, items, values = [], [], [], []
    for pid, by_wave in ANSWERS.items():
        for wave, row in by_wave.items():
            for code, v in zip(CODES, row, strict=True):
                if v is None:
                    continue
                if code == "Q1":
                    v = {1: 1, 2: 0}[v]
                ids.append(pid)
                waves.append(wave)
                items.append(code)
                values.append(float(v))
    return ids, waves, items, np.array(values)


def test_question_types_map_to_statistical_types():
    assert item_type("likert", 5, False) == "ordinal"
    assert item_type("scale10", 0, False) == "ordinal"
    assert item_type("grid", 5, False) == "ordinal"
    assert item_type("numeric", 0, False) == "interval"
    assert item_type("single", 2, False) == "binary"
    assert item_type("single", 3, False) == "nominal"
    assert item_type("knowledge", 3, True) == "knowledge"
    assert item_type("multiple", 4, False) == "binary"
    assert item_type("long_text", 0, False) is None


def test_report_tests_equal_analyze_items_on_the_same_long_table(panel_study):
    data = build_report_data(panel_study["deliberation"])
    assert data.waves.waves == ("pre", "post")
    assert {k: s.type for k, s in data.waves.items.items()} == TYPES
    headline = analyse(data).waves.headline
    ids, waves, items, values = direct_long_table()
    expected = analyze_items(
        ids, waves, items, values, TYPES, "pre", "post", answer_key={"Q4": 1.0}
    )
    assert headline.to_dict() == expected.to_dict()
    assert headline.item("Q1").n_pairs == 6
    assert headline.knowledge_index is not None


def test_report_counts_attrition_and_compares_within_regions(panel_study):
    waves = analyse(build_report_data(panel_study["deliberation"])).waves
    assert waves.respondents == {"pre": 7, "post": 6}
    assert (waves.attrition.n_wave_a, waves.attrition.n_leavers) == (7, 1)
    assert waves.attrition.leavers == ("P7",)
    assert set(waves.subgroups["region"]) == {"도심권", "동북권", "서남권", "서북권"}
    assert waves.subgroups["region"]["도심권"].item("Q3").n_pairs == 2


def test_report_builds_the_long_table_in_a_fixed_number_of_queries(
    panel_study, django_assert_max_num_queries
):
    # 16 for the waves and the poll, 2 for the process evaluation (none asked here), 3 for
    # the attendance per session, 2 for the recommendations with their support, 1 for
    # the deliberation's regions, which name the categories, and 1 for the targets from the
    # weighted poll (prior opinion) the panel is compared with, and 10 for the recruitment
    # funnel (poll, pool, seats, sessions, waves, and the margins, regions and targets that
    # order its categories).
    with django_assert_max_num_queries(38):
        build_report_data(panel_study["deliberation"])


def weighted_poll(deliberation, questionnaire, questions, rows):
    poll = WaveFactory(questionnaire=questionnaire, kind=Wave.Kind.POLL, label="poll")
    for k, (weight, values) in enumerate(rows):
        response = Response.objects.create(
            wave=poll,
            respondent_id=f"R{k}",
            status=Response.Status.COMPLETE,
            weight=weight,
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=questions[code], item=code, value_number=v)
            for code, v in zip(CODES, values, strict=True)
            if v is not None
        )
    poll.weighting_runs.create(
        margins={},
        respondents=len(rows),
        iterations=3,
        converged=True,
        max_margin_error=0.0,
        design_effect=1.2,
        effective_n=len(rows) / 1.2,
    )
    return poll


POLL_ROWS = [
    (0.5, [1, 1, 2, 1, 10]),
    (1.5, [2, 2, 4, 2, 20]),
    (1.0, [2, 3, 5, 1, 5]),
    (2.0, [1, 1, 1, 9, 0]),
    (1.0, [2, None, 3, 1, 8]),
]


def test_poll_section_shows_weighted_shares_of_the_core_items(panel_study):
    s = panel_study
    weighted_poll(s["deliberation"], s["questionnaire"], s["questions"], POLL_ROWS)
    with translation.override("ko"):
        data = build_report_data(s["deliberation"])
    assert data.poll.weighting == "raking"
    assert data.poll.respondents == 5
    assert data.poll.design_effect == 1.2
    tables = {q.question: q for q in data.poll.questions}
    assert set(tables) == {"Q1 질문", "Q2 질문", "Q3 질문", "Q4 질문"}
    weights = [w for w, _ in POLL_ROWS]
    labels = {1: "가", 2: "나", 3: "다"}
    expected = poll_question(
        "Q2 질문",
        [labels[v[1]] if v[1] else "" for _, v in POLL_ROWS],
        weights,
        order=["가", "나", "다"],
    )
    assert tables["Q2 질문"] == expected
    assert tables["Q2 질문"].n == 4


def test_panel_is_compared_with_the_weighted_poll(panel_study):
    s = panel_study
    weighted_poll(s["deliberation"], s["questionnaire"], s["questions"], POLL_ROWS)
    analysis = analyse(build_report_data(s["deliberation"]))
    rows = {(r.item, r.wave): r.comparison for r in analysis.panel_vs_poll}
    assert set(rows) == {(c, w) for c in ("Q1", "Q3", "Q4", "Q5") for w in ("pre", "post")}
    q1 = rows[("Q1", "post")]
    weights = np.array([w for w, _ in POLL_ROWS])
    yes = np.array([v[0] == 1 for _, v in POLL_ROWS], dtype=float)
    assert q1.poll_estimate == pytest.approx(np.dot(weights, yes) / weights.sum())
    assert q1.panel_estimate == pytest.approx(5 / 6)
    knowledge = rows[("Q4", "pre")]
    assert knowledge.panel_estimate == pytest.approx(1 / 6)


def test_report_page_shows_the_panel_and_poll_sections(client, panel_study, user_with_role):
    s = panel_study
    weighted_poll(s["deliberation"], s["questionnaire"], s["questions"], POLL_ROWS)
    client.force_login(user_with_role(Role.ANALYST))
    html = client.get(reverse("report:page", args=[s["deliberation"].slug]), **EN).content.decode()
    for text in (
        "Tests and effect sizes",
        "Change within subgroups",
        "Attrition",
        "The panel and the poll compared",
        "weighted by raking",
        "panel-waves.sav",
    ):
        assert text in html
    assert "No poll results yet." not in html
    assert "No panel survey answers yet." not in html


def test_sav_download_has_one_row_per_panelist_with_labels(
    client, panel_study, tmp_path, user_with_role
):
    client.force_login(user_with_role(Role.ANALYST))
    response = client.get(
        reverse("report:panel_waves_sav", args=[panel_study["deliberation"].slug])
    )
    assert response.status_code == 200
    path = tmp_path / "waves.sav"
    path.write_bytes(response.content)
    frame, meta = pyreadstat.read_sav(str(path))
    assert sorted(frame["panelist_id"]) == sorted(ANSWERS)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["Q3_pre"] == "Q3 질문 (pre)"
    assert meta.variable_value_labels["Q1_post"] == {1.0: "예", 0.0: "아니오"}
    assert meta.variable_value_labels["Q4_pre"][1.0] == "맞다"
    p4 = frame.set_index("panelist_id").loc["P4"]
    assert np.isnan(p4["Q4_pre"]) and p4["Q4_post"] == 2.0
    assert "P7" in set(frame["panelist_id"]) and np.isnan(
        frame.set_index("panelist_id").loc["P7", "Q1_post"]
    )


def test_sav_download_without_panel_answers_is_not_found(client, db, user_with_role):
    client.force_login(user_with_role(Role.ANALYST))
    slug = DeliberationFactory().slug
    assert client.get(reverse("report:panel_waves_sav", args=[slug])).status_code == 404


# Completion and reminders ----------------------------------------------------------------


@pytest.fixture
def open_wave(db):
    deliberation = DeliberationFactory()
    questionnaire = QuestionnaireFactory(deliberation=deliberation)
    questions = build_questions(questionnaire)
    wave = WaveFactory(
        questionnaire=questionnaire,
        kind=Wave.Kind.MID,
        is_open=True,
        closes_at=timezone.now() + datetime.timedelta(days=3),
    )
    seats = {
        "done": PanelistFactory(deliberation=deliberation, region="도심권", gender="여성"),
        "started": PanelistFactory(deliberation=deliberation, region="도심권", gender="남성"),
        "silent": PanelistFactory(deliberation=deliberation, region="동남권", gender="남성"),
        "declined": PanelistFactory(
            deliberation=deliberation, region="동남권", status=Panelist.Status.DECLINED
        ),
    }
    respond(wave, seats["done"], [1, 1, 1, 1, 1], questions)
    respond(wave, seats["started"], [1, 1, 1, 1, 1], questions, Response.Status.IN_PROGRESS)
    return wave, seats


def test_completion_counts_invited_and_completed_by_stratum(open_wave):
    wave, _ = open_wave
    completion = wave_completion(wave)
    assert (completion.invited, completion.completed, completion.in_progress) == (3, 1, 1)
    by_region = {r.group: (r.invited, r.completed) for r in completion.by["region"]}
    assert by_region == {"도심권": (2, 1), "동남권": (1, 0)}
    by_gender = {r.group: (r.invited, r.completed) for r in completion.by["gender"]}
    assert by_gender == {"여성": (1, 1), "남성": (2, 0)}


def test_reminders_go_once_and_only_to_those_who_have_not_completed(
    open_wave, django_capture_on_commit_callbacks
):
    wave, seats = open_wave
    with django_capture_on_commit_callbacks(execute=True):
        sent = actions.do_send_wave_reminders(wave, link="https://example.org/w")
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [seats["started"].user.email, seats["silent"].user.email]
    )
    assert "https://example.org/w" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        again = actions.do_send_wave_reminders(wave)
    assert again == 0 and len(mail.outbox) == 2
    assert wave_completion(wave).reminded == 2


def test_reminders_run_again_after_a_retry_send_only_the_unsent_ones(open_wave):
    wave, seats = open_wave
    actions.do_send_wave_reminders(wave, link="https://example.org/w")
    batch = ReminderBatch.objects.get()
    first = batch.reminders.order_by("pk").first()
    # The worker died after delivering the first e-mail and recording it.
    WaveReminder.objects.filter(pk=first.pk).update(delivered_at=timezone.now())
    assert deliver_batch(batch.pk) == 1
    assert deliver_batch(batch.pk) == 0
    assert [m.to[0] for m in mail.outbox] == [
        r.panelist.user.email for r in batch.reminders.exclude(pk=first.pk)
    ]
    batch.refresh_from_db()
    assert (batch.status, batch.total) == (ReminderBatch.Status.DONE, 2)
    assert not WaveReminder.objects.filter(delivered_at__isnull=True).exists()


def test_reminders_go_again_after_the_interval(open_wave, settings):
    wave, _ = open_wave
    settings.WAVE_REMINDER_INTERVAL_HOURS = 24
    assert actions.do_send_wave_reminders(wave) == 2
    WaveReminder.objects.update(sent_at=timezone.now() - datetime.timedelta(hours=25))
    assert actions.do_send_wave_reminders(wave) == 2


def test_reminders_are_refused_for_a_poll_or_a_closed_wave(open_wave):
    wave, _ = open_wave
    poll = WaveFactory(questionnaire=wave.questionnaire, kind=Wave.Kind.POLL)
    with pytest.raises(actions.ReminderRefused):
        actions.do_send_wave_reminders(poll)
    Wave.objects.filter(pk=wave.pk).update(is_open=False)
    wave.refresh_from_db()
    with pytest.raises(actions.ReminderRefused):
        actions.do_send_wave_reminders(wave)
    assert not WaveReminder.objects.exists()


def test_organizer_sends_reminders_from_the_completion_page(
    client, open_wave, django_capture_on_commit_callbacks, user_with_role
):
    wave, _ = open_wave
    client.force_login(user_with_role(Role.ORGANIZER))
    page = client.get(reverse("surveys:completion", args=[wave.pk]), **EN).content.decode()
    assert "Send reminders" in page and "Invited panelists" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:send_reminders", args=[wave.pk]), **EN)
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert "/surveys/waves/" in mail.outbox[0].body
    page = client.get(reverse("surveys:completion", args=[wave.pk]), **EN).content.decode()
    assert "2 reminders sent." in page


def test_analyst_sees_completion_but_no_reminder_button(client, open_wave, user_with_role):
    wave, _ = open_wave
    client.force_login(user_with_role(Role.ANALYST))
    page = client.get(reverse("surveys:completion", args=[wave.pk]), **EN).content.decode()
    assert "Invited panelists" in page and "Send reminders" not in page


def test_deliberation_page_lists_wave_dates_beside_sessions(client, open_wave, user_with_role):
    wave, _ = open_wave
    wave.opens_at = timezone.make_aware(datetime.datetime(2021, 10, 10, 9))
    wave.closes_at = timezone.make_aware(datetime.datetime(2021, 10, 20, 18))
    wave.save()
    SessionFactory(
        deliberation=wave.deliberation,
        title="권역별 토론",
        starts_at=timezone.make_aware(datetime.datetime(2021, 10, 9, 14)),
        ends_at=timezone.make_aware(datetime.datetime(2021, 10, 9, 17)),
    )
    SessionFactory(
        deliberation=wave.deliberation,
        title="시민대토론회",
        starts_at=timezone.make_aware(datetime.datetime(2021, 10, 30, 13)),
        ends_at=timezone.make_aware(datetime.datetime(2021, 10, 30, 18)),
    )
    client.force_login(user_with_role(Role.ORGANIZER))
    html = client.get(reverse("deliberation:detail", args=[wave.deliberation.slug])).content
    html = html.decode()
    assert "2021-10-10 09:00 – 2021-10-20 18:00" in html
    assert html.index("권역별 토론") < html.index(wave.title) < html.index("시민대토론회")


def test_copied_questions_keep_codes_options_and_rows(db):
    from tests.surveys.factories import build_every_type

    source = QuestionnaireFactory()
    build_every_type(source)
    target = QuestionnaireFactory(deliberation=source.deliberation)
    assert actions.do_copy_questions(source, target, ["Q3", "Q1", "Q2"]) == 3
    copied = {q.code: q for q in target.questions.all()}
    assert list(target.questions.order_by("order").values_list("code", flat=True)) == [
        "Q1",
        "Q2",
        "Q3",
    ]
    assert copied["Q2"].show_if_question == copied["Q1"]
    original = source.questions.get(code="Q3")
    assert list(copied["Q3"].options.values_list("value", "label_ko")) == list(
        original.options.values_list("value", "label_ko")
    )
    with pytest.raises(ValueError):
        actions.do_copy_questions(source, target, ["Q99"])


def test_copying_questions_takes_the_same_queries_for_three_or_every_question(
    db, django_assert_max_num_queries
):
    from tests.surveys.factories import build_every_type

    source = QuestionnaireFactory()
    build_every_type(source)
    codes = list(source.questions.values_list("code", flat=True))
    few = QuestionnaireFactory(deliberation=source.deliberation)
    every = QuestionnaireFactory(deliberation=source.deliberation)
    with CaptureQueriesContext(connection) as three:
        # A rule (Q2 shows if Q1), options and a grid's rows (Q9): every kind of write.
        actions.do_copy_questions(source, few, ["Q1", "Q2", "Q9"])
    with django_assert_max_num_queries(len(three)):
        assert actions.do_copy_questions(source, every, codes) == len(codes) > 3
    assert every.questions.count() == len(codes)
    assert sum(q.options.count() for q in every.questions.all()) == sum(
        q.options.count() for q in source.questions.all()
    )


def test_a_panel_waves_fieldwork_page_has_dates_reminders_and_completion_only(
    client, open_wave, user_with_role
):
    wave, _ = open_wave
    client.force_login(user_with_role(Role.ORGANIZER))
    page = client.get(reverse("surveys:fieldwork", args=[wave.pk]), **EN).content.decode()
    assert 'name="opens_at"' in page and 'name="closes_at"' in page
    assert "Send reminders" in page and "Invited panelists" in page and "Reminders sent" in page
    assert "Invitation links" not in page and "Quotas" not in page
    assert "Offer an open link" not in page


def test_a_polls_fieldwork_page_keeps_its_open_link_quotas_and_links(
    client, open_wave, user_with_role
):
    wave, _ = open_wave
    poll = WaveFactory(questionnaire=wave.questionnaire, kind=Wave.Kind.POLL)
    client.force_login(user_with_role(Role.ORGANIZER))
    page = client.get(reverse("surveys:fieldwork", args=[poll.pk]), **EN).content.decode()
    assert "Invitation links" in page and "Quotas" in page and "Offer an open link" in page
    assert "Send reminders" not in page


def test_a_panel_waves_dates_are_saved_from_its_fieldwork_page(client, open_wave, user_with_role):
    wave, _ = open_wave
    client.force_login(user_with_role(Role.ORGANIZER))
    response = client.post(
        reverse("surveys:fieldwork", args=[wave.pk]),
        {"is_open": "on", "opens_at": "2021-10-01T09:00", "closes_at": "2021-10-08T18:00"},
        **EN,
    )
    assert response.status_code == 302
    wave.refresh_from_db()
    local = timezone.localtime(wave.closes_at)
    assert (local.month, local.day, local.hour) == (10, 8, 18)
    assert wave.open_link_token == ""


def test_a_panel_wave_closing_before_it_opens_is_refused(client, open_wave, user_with_role):
    wave, _ = open_wave
    before = wave.closes_at
    client.force_login(user_with_role(Role.ORGANIZER))
    response = client.post(
        reverse("surveys:fieldwork", args=[wave.pk]),
        {"is_open": "on", "opens_at": "2021-10-08T09:00", "closes_at": "2021-10-01T18:00"},
        **EN,
    )
    assert response.status_code == 400
    assert "must close after it opens" in response.content.decode()
    wave.refresh_from_db()
    assert wave.closes_at == before


def test_reminders_sent_from_the_panel_fieldwork_page_return_there(
    client, open_wave, django_capture_on_commit_callbacks, user_with_role
):
    wave, _ = open_wave
    client.force_login(user_with_role(Role.ORGANIZER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("surveys:send_reminders", args=[wave.pk]), {"back": "fieldwork"}, **EN
        )
    assert response["Location"] == reverse("surveys:fieldwork", args=[wave.pk])
    page = client.get(response["Location"], **EN).content.decode()
    assert "2 reminders sent." in page and ReminderBatch.objects.get().get_status_display() in page
