"""The rake command: weights with mean 1 that meet the margins, and clear errors."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

DATA = "id,region,gender\n" + "".join(
    f"R{i},{'도심권' if i % 4 == 0 else '동북권'},{'여성' if i % 3 else '남성'}\n"
    for i in range(40)
)
MARGINS = (
    "variable,category,share\n"
    "region,도심권,0.5\nregion,동북권,0.5\ngender,여성,0.5\ngender,남성,0.5\n"
)


def run(tmp_path, data=DATA, margins=MARGINS, **options):
    (tmp_path / "data.csv").write_text(data, encoding="utf-8")
    (tmp_path / "margins.csv").write_text(margins, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "rake",
        data=str(tmp_path / "data.csv"),
        margins=str(tmp_path / "margins.csv"),
        out=str(tmp_path / "out.csv"),
        stdout=out,
        **options,
    )
    return out.getvalue()


def read_out(tmp_path):
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_rake_writes_weights_with_mean_one_meeting_the_margins(tmp_path):
    report = run(tmp_path)
    rows = read_out(tmp_path)
    weights = [float(r["weight"]) for r in rows]
    assert len(rows) == 40 and rows[0]["id"] == "R0"
    assert sum(weights) / len(weights) == pytest.approx(1)
    central = sum(w for r, w in zip(rows, weights, strict=True) if r["region"] == "도심권")
    assert central / sum(weights) == pytest.approx(0.5)
    assert "converged" in report and "Design effect" in report and "Effective sample size" in report


def test_rake_cap_limits_the_largest_weight(tmp_path):
    report = run(tmp_path, cap=2.4)
    assert max(float(r["weight"]) for r in read_out(tmp_path)) <= 2.4 + 1e-9
    assert "Cap 2.4" in report


def test_margins_that_do_not_sum_to_one_are_refused(tmp_path):
    margins = MARGINS.replace("region,동북권,0.5", "region,동북권,0.4")
    with pytest.raises(CommandError, match="sum to"):
        run(tmp_path, margins=margins)
    assert not (tmp_path / "out.csv").exists()


def test_a_category_missing_from_the_margins_is_refused(tmp_path):
    data = DATA + "R99,서북권,여성\n"
    with pytest.raises(CommandError, match="서북권"):
        run(tmp_path, data=data)


def test_margin_on_an_unknown_column_is_refused(tmp_path):
    with pytest.raises(CommandError, match="not a column"):
        run(tmp_path, margins=MARGINS + "age,60+,1\n")


def test_duplicate_respondent_ids_are_refused(tmp_path):
    with pytest.raises(CommandError, match="repeats"):
        run(tmp_path, data=DATA + "R1,동북권,여성\n")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command(
            "rake", data=str(tmp_path / "none.csv"), margins="m.csv", out=str(tmp_path / "o.csv")
        )
