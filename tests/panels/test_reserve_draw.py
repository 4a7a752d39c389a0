"""Reserves in the product: drawn with the panel, kept in the audit record and checked by
verify_draw, listed per stratum on the panel page, and called up in logged batches."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from deliberation.core.models import AuditLogEntry
from panels import actions, selectors
from panels.audit_record import problem_from_inputs, verify_record
from panels.models import Panelist, SelectionAudit, Volunteer
from panels.reserves import draw_reserves
from tests.panels.flow import computed_run

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def run(organizer):
    return computed_run(organizer)


@pytest.fixture
def drawn(run, organizer):
    return actions.do_draw(run, "2017", actor=organizer, reserves=8)


def seat_of(record_id: str) -> Panelist:
    return Panelist.objects.get(volunteer__record_id=record_id)


def drop(seat: Panelist, organizer, status=Panelist.Status.DECLINED) -> None:
    actions.do_set_panelist_status(seat, status, actor=organizer)


def active_counts_meet_quotas(run) -> bool:
    problem = problem_from_inputs(run.inputs)
    type_of = problem.type_index()
    x = np.zeros(len(problem.members), dtype=int)
    for rid in Panelist.objects.active().values_list("volunteer__record_id", flat=True):
        x[type_of[rid]] += 1
    return problem.counts_meet_quotas(x)


def test_the_draw_stores_the_reserve_order_the_public_number_gives(run, drawn):
    problem = problem_from_inputs(run.inputs)
    assert drawn.reserves == list(draw_reserves(problem, drawn.panel, 2017, 8).order)
    assert len(drawn.reserves) == 8
    assert not set(drawn.reserves) & set(drawn.panel)
    # reserves wait in the pool: no seat until they are called
    assert not Panelist.objects.filter(volunteer__record_id__in=drawn.reserves).exists()
    entry = AuditLogEntry.objects.get(event_type="draw.made")
    assert entry.extra["reserves"] == 8


def test_the_draw_page_asks_how_many_reserves_and_draws_them(client, run, organizer):
    client.force_login(organizer)
    url = reverse("panels:draw", kwargs={"slug": run.deliberation.slug})
    page = client.get(url, **EN).content.decode()
    assert 'name="reserves" value="1"' in page  # a tenth of the panel of 10
    assert client.post(url, {"public_number": "55", "reserves": "-1"}).status_code == 400
    assert client.post(url, {"public_number": "55", "reserves": "4"}).status_code == 302
    assert len(SelectionAudit.objects.get().reserves) == 4


def test_a_draw_without_reserves_keeps_an_empty_list(run, organizer):
    assert actions.do_draw(run, "1", actor=organizer).reserves == []


def test_the_audit_record_carries_the_reserves_and_verifies(drawn):
    record = selectors.audit_record(drawn)
    assert record["reserves"] == drawn.reserves
    result = verify_record(record)
    assert result.ok
    assert any("8 reserves" in line for line in result.checks)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r["reserves"].reverse(),
        lambda r: r["reserves"].__setitem__(0, r["panel"][0]),
        lambda r: r["reserves"].__setitem__(
            0, next(p for p in r["inputs"]["people"] if p not in r["panel"] + r["reserves"])
        ),
        lambda r: r["reserves"].append(
            next(p for p in r["inputs"]["people"] if p not in r["panel"] + r["reserves"])
        ),
    ],
    ids=["reordered", "a-panelist", "someone-else", "one-added"],
)
def test_verification_fails_when_the_reserve_list_is_changed(drawn, tamper):
    record = selectors.audit_record(drawn)
    tamper(record)
    result = verify_record(record)
    assert not result.ok
    assert any("reserves" in line for line in result.problems)


def test_verify_draw_fails_on_a_tampered_reserve_list_file(drawn, tmp_path, capsys):
    record = selectors.audit_record(drawn)
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    call_command("verify_draw", str(path))
    assert "draws the recorded 8 reserves" in capsys.readouterr().out
    record["reserves"][0], record["reserves"][1] = record["reserves"][1], record["reserves"][0]
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("verify_draw", str(path))


def test_a_batch_replaces_every_current_drop_out_from_the_reserves_and_is_logged(
    run, drawn, organizer
):
    first, second = seat_of(drawn.panel[0]), seat_of(drawn.panel[1])
    drop(first, organizer)
    drop(second, organizer, Panelist.Status.DROPPED)
    seats = actions.do_replace_from_reserves(run.deliberation, actor=organizer)
    assert [s.replaces for s in seats] == [first, second]
    assert {s.volunteer.record_id for s in seats} <= set(drawn.reserves)
    assert active_counts_meet_quotas(run)
    drawn.refresh_from_db()
    steps = drawn.replacements
    assert [(s["dropped"], s["source"], s["batch"]) for s in steps] == [
        (drawn.panel[0], "reserves", 1),
        (drawn.panel[1], "reserves", 1),
    ]
    assert [s["replacement"] for s in steps] == [s.volunteer.record_id for s in seats]
    assert set(
        Volunteer.objects.filter(record_id__in=drawn.panel[:2]).values_list("status", flat=True)
    ) == {Volunteer.Status.WITHDRAWN}
    entry = AuditLogEntry.objects.get(event_type="panelists.replaced_from_reserves")
    assert entry.actor == organizer
    assert entry.extra["batch"] == 1
    assert [r["seat"] for r in entry.extra["replacements"]] == [first.pseudonym, second.pseudonym]
    assert [r["new_seat"] for r in entry.extra["replacements"]] == [s.pseudonym for s in seats]
    assert verify_record(selectors.audit_record(drawn)).ok


def test_a_later_batch_is_numbered_on_and_passes_over_the_reserves_already_seated(
    run, drawn, organizer
):
    drop(seat_of(drawn.panel[0]), organizer)
    (one,) = actions.do_replace_from_reserves(run.deliberation, actor=organizer)
    drop(one, organizer)  # the reserve seated in the first batch drops out too
    drop(seat_of(drawn.panel[2]), organizer)
    later = actions.do_replace_from_reserves(run.deliberation, actor=organizer)
    assert [s.replaces for s in later] == [seat_of(drawn.panel[2]), one]
    drawn.refresh_from_db()
    assert [s["batch"] for s in drawn.replacements] == [1, 2, 2]
    chosen = [s["replacement"] for s in drawn.replacements]
    assert len(set(chosen)) == 3
    assert active_counts_meet_quotas(run)
    assert verify_record(selectors.audit_record(drawn)).ok


def test_verification_fails_when_a_batch_replacement_is_changed(run, drawn, organizer):
    drop(seat_of(drawn.panel[0]), organizer)
    actions.do_replace_from_reserves(run.deliberation, actor=organizer)
    drawn.refresh_from_db()
    record = selectors.audit_record(drawn)
    waiting = [r for r in drawn.reserves if r != record["replacements"][0]["replacement"]]
    record["replacements"][0]["replacement"] = waiting[-1]
    assert not verify_record(record).ok


@translation.override("en")
def test_a_batch_is_refused_without_drop_outs_or_without_reserves(run, organizer):
    actions.do_draw(run, "3", actor=organizer)
    seat = Panelist.objects.order_by("pk").first()
    drop(seat, organizer)
    with pytest.raises(actions.ReplacementRefused, match="no reserve list"):
        actions.do_replace_from_reserves(run.deliberation, actor=organizer)
    audit = SelectionAudit.objects.get()
    audit.reserves = ["V-00001"]
    audit.save()
    Panelist.objects.filter(pk=seat.pk).update(status=Panelist.Status.CONFIRMED)
    with pytest.raises(actions.ReplacementRefused, match="No one has declined"):
        actions.do_replace_from_reserves(run.deliberation, actor=organizer)
    assert not AuditLogEntry.objects.filter(event_type="panelists.replaced_from_reserves").exists()


def test_the_panel_page_lists_the_reserves_per_stratum_and_replaces_in_a_batch(
    client, run, drawn, organizer
):
    client.force_login(organizer)
    url = reverse("panels:panel", args=[run.deliberation.slug])
    page = client.get(url, **EN).content.decode()
    assert "8 reserves are waiting." in page
    for rid in drawn.reserves:
        assert rid in page
    people = run.inputs["people"]
    strata = {(people[r]["region"], people[r]["gender"]) for r in drawn.reserves}
    assert page.count('<ol class="reserve-list">') == len(strata)
    assert "current drop-out" not in page
    drop(seat_of(drawn.panel[0]), organizer)
    page = client.get(url, **EN).content.decode()
    assert "Replace 1 current drop-out from the reserves" in page
    response = client.post(
        reverse("panels:replace_from_reserves", args=[run.deliberation.slug]), **EN
    )
    assert response.status_code == 302
    new = Panelist.objects.get(replaces=seat_of(drawn.panel[0]))
    page = client.get(url, **EN).content.decode()
    assert f"seated as {new.pseudonym}" in page
    assert "7 reserves are waiting." in page
    assert "current drop-out from the reserves" not in page


def test_only_organizers_call_up_reserves(client, run, drawn, analyst):
    client.force_login(analyst)
    response = client.post(reverse("panels:replace_from_reserves", args=[run.deliberation.slug]))
    assert response.status_code == 403


def test_the_audit_page_counts_the_reserves_and_names_each_batch(client, run, drawn, organizer):
    drop(seat_of(drawn.panel[0]), organizer)
    actions.do_replace_from_reserves(run.deliberation, actor=organizer)
    client.force_login(organizer)
    page = client.get(reverse("panels:audit", args=[run.deliberation.slug]), **EN)
    text = page.content.decode()
    assert "<dt>Reserves</dt><dd>8</dd>" in text
    assert "reserve list, batch 1" in text


def type_of(run, record_id: str) -> tuple[str, str]:
    person = run.inputs["people"][record_id]
    return person["region"], person["gender"]


def test_a_single_replacement_takes_the_next_reserve_of_the_seat_s_stratum(run, drawn, organizer):
    seat = seat_of(drawn.panel[0])
    drop(seat, organizer)
    new = actions.do_replace_panelist(seat, actor=organizer)
    same = [r for r in drawn.reserves if type_of(run, r) == type_of(run, drawn.panel[0])]
    assert new.volunteer.record_id == same[0]
    assert active_counts_meet_quotas(run)
    drawn.refresh_from_db()
    (step,) = drawn.replacements
    assert (step["replacement"], step["source"], step["batch"]) == (same[0], "reserves", 1)
    entry = AuditLogEntry.objects.get(event_type="panelist.replaced")
    assert entry.actor == organizer
    assert (entry.extra["source"], entry.extra["batch"], entry.extra["seat"]) == (
        "reserves",
        1,
        new.pseudonym,
    )
    assert verify_record(selectors.audit_record(drawn)).ok


def test_single_replacements_and_batches_pass_over_each_other_s_reserves(run, drawn, organizer):
    first, second = seat_of(drawn.panel[0]), seat_of(drawn.panel[1])
    drop(first, organizer)
    one = actions.do_replace_panelist(first, actor=organizer)
    drop(second, organizer)
    (two,) = actions.do_replace_from_reserves(run.deliberation, actor=organizer)
    assert one.volunteer.record_id != two.volunteer.record_id
    drawn.refresh_from_db()
    assert [s["batch"] for s in drawn.replacements] == [1, 2]
    assert verify_record(selectors.audit_record(drawn)).ok


def test_a_replacement_with_no_reserve_left_is_refused_and_changes_nothing(client, run, organizer):
    audit = actions.do_draw(run, "2017", actor=organizer, reserves=1)
    (reserve,) = audit.reserves
    alike = next(p for p in audit.panel if type_of(run, p) == type_of(run, reserve))
    drop(seat_of(alike), organizer)
    actions.do_replace_panelist(seat_of(alike), actor=organizer)
    other = seat_of(next(p for p in audit.panel if p != alike))
    drop(other, organizer)
    seats = Panelist.objects.count()
    client.force_login(organizer)
    response = client.post(
        reverse("panels:replace", args=[run.deliberation.slug, other.pk]),
        follow=True,
        **EN,
    )
    assert "No reserve is left for the stratum of" in response.content.decode()
    assert other.pseudonym in response.content.decode()
    audit.refresh_from_db()
    assert len(audit.replacements) == 1
    assert Panelist.objects.count() == seats
    assert AuditLogEntry.objects.filter(event_type="panelist.replaced").count() == 1
    assert Volunteer.objects.get(record_id=other.volunteer.record_id).status != "withdrawn"
