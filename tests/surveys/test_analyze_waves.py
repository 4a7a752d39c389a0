"""The analyze_waves command: good input, every kind of bad input, and its numbers vs scipy."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pyreadstat
import pytest
from django.core.management import CommandError, call_command
from scipy import stats as sps
from statsmodels.stats import contingency_tables as sm_ct
from statsmodels.stats import multitest as sm_mt

TOL = dict(rel=1e-9, abs=1e-12)
ITEMS = [
    # item, type, correct, label, value_labels
    ("b_small", "binary", "", "소각장 찬성", "0=반대;1=찬성"),
    ("b_large", "binary", "", "Reduce packaging", ""),
    ("nom", "nominal", "", "Preferred option", "1=A;2=B;3=C"),
    ("ord", "ordinal", "", "Trust in the city", "1=전혀;2=별로;3=보통;4=조금;5=매우"),
    ("int", "interval", "", "Thermometer", ""),
    ("k1", "knowledge", "2", "Landfill closes in", ""),
    ("k2", "knowledge", "1", "Recycling rate", ""),
    ("never", "ordinal", "", "Asked but never answered", ""),
]


def crafted_answers(seed: int = 7) -> list[tuple[str, str, str, str]]:
    """80 panelists, 3 waves: ties, zero differences, skipped items, panelists missing waves."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(80):
        pid = f"P{k:03d}"
        waves = ["W1", "W2", "W3"]
        if k % 9 == 0:
            waves.remove("W2")  # missed the second survey
        if k % 13 == 0:
            waves.remove("W1")
        base = {
            "b_small": int(k % 3 == 0),
            "b_large": int(rng.random() < 0.35),
            "nom": int(rng.integers(1, 4)),
            "ord": int(rng.integers(1, 6)),
            "int": float(rng.integers(0, 11) * 10),
            "k1": int(rng.integers(1, 4)),
            "k2": int(rng.integers(1, 3)),
        }
        for w_index, wave in enumerate(["W1", "W2", "W3"]):
            if wave not in waves:
                continue
            for item, value in base.items():
                if w_index > 0:
                    if item == "b_small":
                        value = 1 if (k % 3 == 0 or k in (4, 5, 7, 8, 10)) else 0
                    elif item == "b_large":
                        value = 1 - value if rng.random() < 0.5 else value
                    elif item == "nom":
                        value = value if rng.random() < 0.6 else int(rng.integers(1, 4))
                    elif item == "ord":
                        value = int(min(5, max(1, value + rng.integers(-1, 3))))
                    elif item == "int":
                        value = value + float(rng.integers(-1, 3) * 10)
                    elif item == "k1":
                        value = 2 if rng.random() < 0.5 else value
                if (k + w_index) % 11 == 0 and item in ("ord", "int", "nom"):
                    rows.append((pid, wave, item, ""))  # skipped question
                    continue
                rows.append((pid, wave, item, str(value)))
    return rows


def write_csv(path: Path, header: list[str], rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path):
    answers = write_csv(
        tmp_path / "answers.csv", ["panelist_id", "wave", "item", "value"], crafted_answers()
    )
    items = write_csv(
        tmp_path / "items.csv", ["item", "type", "correct", "label", "value_labels"], ITEMS
    )
    return answers, items, tmp_path / "result.json"


def run(answers, items, out, wave_a="W1", wave_b="W2", **extra) -> dict:
    call_command(
        "analyze_waves",
        answers=str(answers),
        items=str(items),
        wave_a=wave_a,
        wave_b=wave_b,
        out=str(out),
        **extra,
    )
    return json.loads(Path(out).read_text(encoding="utf-8"))


def paired(rows, item: str, wave_a: str, wave_b: str) -> tuple[np.ndarray, np.ndarray]:
    """Pairs built independently of the code under test: both waves answered, not skipped."""
    a = {p: v for p, w, i, v in rows if i == item and w == wave_a and v != ""}
    b = {p: v for p, w, i, v in rows if i == item and w == wave_b and v != ""}
    both = sorted(set(a) & set(b))
    return np.array([float(a[p]) for p in both]), np.array([float(b[p]) for p in both])


def square(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    cats = sorted(set(x) | set(y))
    t = np.zeros((len(cats), len(cats)))
    for u, v in zip(x, y, strict=True):
        t[cats.index(u), cats.index(v)] += 1
    return t


def test_result_has_one_entry_per_item_with_the_documented_fields(files):
    result = run(*files)
    assert result["schema"] == "gongnon.analysis/1"
    assert [e["item"] for e in result["items"]] == [row[0] for row in ITEMS]
    for entry in result["items"]:
        for key in (
            "item",
            "type",
            "n_pairs",
            "test",
            "statistic",
            "p_value",
            "p_adjusted",
            "effect_size",
            "effect_size_name",
            "distributions",
        ):
            assert key in entry
        assert set(entry["distributions"]) == {"W1", "W2"}
    assert result["knowledge_index"]["items"] == ["k1", "k2"]


def test_tests_are_chosen_by_item_type(files):
    tests = {e["item"]: e["test"] for e in run(*files)["items"]}
    assert tests == {
        "b_small": "mcnemar_exact",
        "b_large": "mcnemar_chi2",
        "nom": "stuart_maxwell",
        "ord": "wilcoxon",
        "int": "paired_t",
        "k1": tests["k1"],
        "k2": tests["k2"],
        "never": None,
    }
    assert {tests["k1"], tests["k2"]} <= {"mcnemar_exact", "mcnemar_chi2"}


def test_numbers_equal_scipy_and_statsmodels(files):
    rows = crafted_answers()
    result = {e["item"]: e for e in run(*files)["items"]}

    x, y = paired(rows, "b_small", "W1", "W2")
    ref = sm_ct.mcnemar(square(x, y), exact=True)
    assert result["b_small"]["n_pairs"] == x.size
    assert result["b_small"]["statistic"] == pytest.approx(ref.statistic, **TOL)
    assert result["b_small"]["p_value"] == pytest.approx(ref.pvalue, **TOL)
    assert result["b_small"]["effect_size"] == pytest.approx(y.mean() - x.mean(), **TOL)

    x, y = paired(rows, "b_large", "W1", "W2")
    ref = sm_ct.mcnemar(square(x, y), exact=False, correction=True)
    assert result["b_large"]["statistic"] == pytest.approx(ref.statistic, **TOL)
    assert result["b_large"]["p_value"] == pytest.approx(ref.pvalue, **TOL)

    x, y = paired(rows, "nom", "W1", "W2")
    ref = sm_ct.SquareTable(square(x, y), shift_zeros=False).homogeneity()
    assert result["nom"]["n_pairs"] == x.size
    assert result["nom"]["statistic"] == pytest.approx(ref.statistic, **TOL)
    assert result["nom"]["p_value"] == pytest.approx(ref.pvalue, **TOL)
    bowker = sm_ct.SquareTable(square(x, y), shift_zeros=False).symmetry()
    assert result["nom"]["secondary"][0]["statistic"] == pytest.approx(bowker.statistic, **TOL)

    x, y = paired(rows, "ord", "W1", "W2")
    assert np.any(y == x) and len(np.unique(np.abs(y - x))) < x.size  # zeros and ties
    ref = sps.wilcoxon(y, x, zero_method="wilcox")
    assert result["ord"]["statistic"] == pytest.approx(ref.statistic, **TOL)
    assert result["ord"]["p_value"] == pytest.approx(ref.pvalue, **TOL)

    x, y = paired(rows, "int", "W1", "W2")
    ref = sps.ttest_rel(y, x)
    d = y - x
    assert result["int"]["statistic"] == pytest.approx(ref.statistic, **TOL)
    assert result["int"]["p_value"] == pytest.approx(ref.pvalue, **TOL)
    assert result["int"]["effect_size"] == pytest.approx(d.mean() / d.std(ddof=1), **TOL)

    for item, correct in (("k1", 2.0), ("k2", 1.0)):
        x, y = paired(rows, item, "W1", "W2")
        table = square((x == correct).astype(float), (y == correct).astype(float))
        exact = table[0, 1] + table[1, 0] < 25
        ref = sm_ct.mcnemar(table, exact=exact, correction=True)
        assert result[item]["p_value"] == pytest.approx(ref.pvalue, **TOL)

    tested = [e for e in result.values() if e["p_value"] is not None]
    _, adjusted, _, _ = sm_mt.multipletests([e["p_value"] for e in tested], method="holm")
    for entry, p_adj in zip(tested, adjusted, strict=True):
        assert entry["p_adjusted"] == pytest.approx(p_adj, **TOL)
    assert result["never"]["p_adjusted"] is None


def test_knowledge_index_equals_the_paired_t_test_of_shares_correct(files):
    rows = crafted_answers()
    index = run(*files)["knowledge_index"]
    answers = {(p, w, i): v for p, w, i, v in rows}
    in_a = {p for p, w, _, _ in rows if w == "W1"}
    in_b = {p for p, w, _, _ in rows if w == "W2"}
    both = sorted(in_a & in_b)

    def share(p, w):
        return np.mean([answers.get((p, w, "k1")) == "2", answers.get((p, w, "k2")) == "1"])

    a = np.array([share(p, "W1") for p in both])
    b = np.array([share(p, "W2") for p in both])
    ref = sps.ttest_rel(b, a)
    assert index["n_pairs"] == len(both)
    assert index["mean"]["W1"] == pytest.approx(a.mean(), **TOL)
    assert index["comparison"]["p_value"] == pytest.approx(ref.pvalue, **TOL)


def test_panelists_missing_a_wave_are_not_paired(files):
    result = run(*files)
    rows = crafted_answers()
    in_w1 = {p for p, w, _, _ in rows if w == "W1"}
    in_w2 = {p for p, w, _, _ in rows if w == "W2"}
    assert result["n_panelists"] == {"W1": len(in_w1), "W2": len(in_w2), "both": len(in_w1 & in_w2)}
    b_small = next(e for e in result["items"] if e["item"] == "b_small")
    assert b_small["n_pairs"] == len(in_w1 & in_w2)


def test_other_wave_pairs_can_be_compared(files):
    answers, items, out = files
    result = run(answers, items, out, wave_a="W2", wave_b="W3")
    assert (result["wave_a"], result["wave_b"]) == ("W2", "W3")


def test_sav_output_is_wide_with_variable_and_value_labels(files):
    answers, items, out = files
    sav = out.parent / "waves.sav"
    run(answers, items, out, sav_out=str(sav))
    frame, meta = pyreadstat.read_sav(str(sav))
    rows = crafted_answers()
    assert len(frame) == len({r[0] for r in rows})
    assert "b_small_W1" in frame.columns and "ord_W3" in frame.columns
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["b_small_W1"] == "소각장 찬성 (W1)"
    assert meta.variable_value_labels["ord_W2"][5.0] == "매우"
    assert meta.variable_measure["int_W1"] == "scale"
    p5 = frame.set_index("panelist_id").loc["P005"]
    expected = {(w, i): v for p, w, i, v in rows if p == "P005"}
    assert p5["ord_W2"] == float(expected[("W2", "ord")])
    skipped = [(p, w, i) for p, w, i, v in rows if v == "" and i == "ord"]
    p, w, _ = skipped[0]
    assert math.isnan(frame.set_index("panelist_id").loc[p, f"ord_{w}"])


# Bad input: a clear message naming the row/column, and nothing written ----------------


def answers_file(tmp_path, rows, header=("panelist_id", "wave", "item", "value")):
    return write_csv(tmp_path / "answers.csv", list(header), rows)


def items_file(tmp_path, rows=None, header=("item", "type", "correct")):
    rows = rows if rows is not None else [("q1", "binary", ""), ("q2", "ordinal", "")]
    return write_csv(tmp_path / "items.csv", list(header), rows)


GOOD_ROWS = [
    ("P1", "W1", "q1", "0"),
    ("P1", "W2", "q1", "1"),
    ("P2", "W1", "q1", "1"),
    ("P2", "W2", "q1", "1"),
    ("P1", "W1", "q2", "3"),
    ("P1", "W2", "q2", "4"),
]


def assert_refused(tmp_path, answers, items, message, **extra):
    out = tmp_path / "out" / "result.json"
    out.parent.mkdir(exist_ok=True)
    sav = tmp_path / "out" / "waves.sav"
    options = {"wave_a": "W1", "wave_b": "W2", **extra}
    with pytest.raises(CommandError) as error:
        call_command(
            "analyze_waves",
            answers=str(answers),
            items=str(items),
            out=str(out),
            sav_out=str(sav),
            **options,
        )
    for part in message if isinstance(message, tuple) else (message,):
        assert part in str(error.value)
    assert list(out.parent.iterdir()) == []


def test_good_minimal_input_is_accepted(tmp_path):
    out = tmp_path / "r.json"
    result = run(answers_file(tmp_path, GOOD_ROWS), items_file(tmp_path), out)
    assert result["items"][0]["n_pairs"] == 2


def test_unknown_wave_is_refused(tmp_path):
    assert_refused(
        tmp_path,
        answers_file(tmp_path, GOOD_ROWS),
        items_file(tmp_path),
        ("unknown --to wave 'W9'", "W1, W2"),
        wave_b="W9",
    )


def test_unknown_item_type_is_refused(tmp_path):
    items = items_file(tmp_path, [("q1", "binary", ""), ("q2", "likert", "")])
    assert_refused(
        tmp_path,
        answers_file(tmp_path, GOOD_ROWS),
        items,
        ("items.csv line 3, column 'type'", "'likert'"),
    )


def test_non_numeric_value_is_refused(tmp_path):
    rows = [*GOOD_ROWS, ("P2", "W1", "q2", "four")]
    assert_refused(
        tmp_path,
        answers_file(tmp_path, rows),
        items_file(tmp_path),
        ("answers.csv line 8, column 'value'", "'four'"),
    )


def test_binary_value_other_than_0_or_1_is_refused(tmp_path):
    rows = [*GOOD_ROWS, ("P3", "W1", "q1", "2")]
    assert_refused(
        tmp_path, answers_file(tmp_path, rows), items_file(tmp_path), "answers.csv line 8"
    )


def test_item_missing_from_items_is_refused(tmp_path):
    rows = [*GOOD_ROWS, ("P2", "W1", "q9", "1")]
    assert_refused(
        tmp_path,
        answers_file(tmp_path, rows),
        items_file(tmp_path),
        ("answers.csv line 8, column 'item'", "'q9'"),
    )


def test_duplicate_answer_is_refused(tmp_path):
    rows = [*GOOD_ROWS, ("P1", "W2", "q1", "0")]
    assert_refused(
        tmp_path,
        answers_file(tmp_path, rows),
        items_file(tmp_path),
        ("answers.csv line 8", "duplicate", "line 3"),
    )


def test_missing_column_is_refused(tmp_path):
    rows = [r[:3] for r in GOOD_ROWS]
    answers = answers_file(tmp_path, rows, header=("panelist_id", "wave", "item"))
    assert_refused(tmp_path, answers, items_file(tmp_path), "missing column 'value'")


def test_missing_items_column_is_refused(tmp_path):
    items = items_file(tmp_path, [("q1", "binary")], header=("item", "type"))
    assert_refused(
        tmp_path, answers_file(tmp_path, GOOD_ROWS), items, "items.csv: missing column 'correct'"
    )


def test_empty_answers_file_is_refused(tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text("", encoding="utf-8")
    assert_refused(tmp_path, answers, items_file(tmp_path), "answers.csv is empty")


def test_header_only_answers_file_is_refused(tmp_path):
    answers = answers_file(tmp_path, [])
    assert_refused(tmp_path, answers, items_file(tmp_path), "answers.csv has a header but no data")


def test_knowledge_item_without_correct_answer_is_refused(tmp_path):
    items = items_file(tmp_path, [("q1", "binary", ""), ("q2", "knowledge", "")])
    assert_refused(
        tmp_path,
        answers_file(tmp_path, GOOD_ROWS),
        items,
        "items.csv line 3, column 'correct'",
    )


def test_existing_output_is_left_untouched_on_error(tmp_path):
    out = tmp_path / "result.json"
    out.write_text("previous", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "analyze_waves",
            answers=str(answers_file(tmp_path, [*GOOD_ROWS, ("P1", "W1", "q1", "x")])),
            items=str(items_file(tmp_path)),
            wave_a="W1",
            wave_b="W2",
            out=str(out),
        )
    assert out.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv", "items.csv", "result.json"]
