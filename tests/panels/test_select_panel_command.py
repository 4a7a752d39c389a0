import json

import pytest
from django.core.management import CommandError, call_command

from tests.panels.helpers import shared_cases_dir

CATEGORIES = "feature,value,min,max\ngender,f,2,3\ngender,m,2,3\nregion,a,1,4\nregion,b,1,4\n"
PEOPLE = "id,gender,region\n" + "".join(
    f"p{i},{'f' if i % 2 else 'm'},{'a' if i % 3 else 'b'}\n" for i in range(20)
)


def run(tmp_path, people=PEOPLE, categories=CATEGORIES, size=5, seed=11, **extra):
    (tmp_path / "people.csv").write_text(people, encoding="utf-8")
    (tmp_path / "categories.csv").write_text(categories, encoding="utf-8")
    out = tmp_path / "result.json"
    call_command(
        "select_panel",
        people=str(tmp_path / "people.csv"),
        categories=str(tmp_path / "categories.csv"),
        size=size,
        seed=seed,
        out=str(out),
        **extra,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def test_select_panel_writes_the_panel_and_every_probability(tmp_path):
    result = run(tmp_path)
    assert len(result["selected"]) == 5
    assert set(result["probabilities"]) == {f"p{i}" for i in range(20)}
    assert result["seed"] == 11
    assert result["algorithm"].startswith("leximin")
    assert result["min_probability"] == pytest.approx(min(result["probabilities"].values()))


def test_select_panel_gives_the_same_panel_for_the_same_seed(tmp_path):
    assert run(tmp_path)["selected"] == run(tmp_path)["selected"]


def test_select_panel_stops_with_the_diagnosis_when_quotas_cannot_be_met(tmp_path, capsys):
    categories = CATEGORIES.replace("gender,f,2,3", "gender,f,12,13")
    with pytest.raises(CommandError):
        run(tmp_path, categories=categories)
    assert "gender=f" in capsys.readouterr().err


@pytest.mark.parametrize(
    "people,categories,fragment",
    [
        (PEOPLE.replace("p1,f,a", "p1,x,a"), CATEGORIES, "unknown value 'x'"),
        (PEOPLE.replace("p2,m", "p1,m"), CATEGORIES, "duplicate id 'p1'"),
        (PEOPLE.replace("id,gender,region", "id,sex,region"), CATEGORIES, "missing column"),
        (PEOPLE, CATEGORIES.replace("region,a,1,4", "region,a,5,4"), "min 5 exceeds max 4"),
    ],
    ids=["unknown-value", "duplicate-id", "missing-column", "min-above-max"],
)
def test_select_panel_explains_bad_csv(tmp_path, people, categories, fragment):
    with pytest.raises(CommandError, match=fragment):
        run(tmp_path, people=people, categories=categories)


def test_select_panel_reproduces_the_published_flanigan_minimum(tmp_path):
    cases = shared_cases_dir()
    if cases is None:
        pytest.skip("shared cases folder not found (set GONGNON_SHARED)")
    case = cases / "flanigan2021-example_large_200"
    out = tmp_path / "result.json"
    call_command(
        "select_panel",
        people=str(case / "respondents.csv"),
        categories=str(case / "categories.csv"),
        size=200,
        seed=2021,
        out=str(out),
    )
    result = json.loads(out.read_text())
    assert result["min_probability"] == pytest.approx(0.10, abs=1e-6)
    assert len(result["selected"]) == 200
    assert "2000" in result["probabilities"]


def test_select_panel_adds_ordered_reserves_disjoint_from_the_panel(tmp_path, capsys):
    result = run(tmp_path, reserves=6)
    assert len(result["reserves"]) == 6
    assert len(set(result["reserves"])) == 6
    assert not set(result["reserves"]) & set(result["selected"])
    assert run(tmp_path, reserves=6)["reserves"] == result["reserves"]
    assert run(tmp_path, reserves=3)["reserves"] == result["reserves"][:3]
    assert run(tmp_path, reserves=6, seed=12)["reserves"] != result["reserves"]
    assert "6 reserves, in order." in capsys.readouterr().out


def test_select_panel_has_no_reserves_unless_asked(tmp_path):
    assert run(tmp_path)["reserves"] == []


def test_select_panel_refuses_a_negative_number_of_reserves(tmp_path):
    with pytest.raises(CommandError, match="--reserves"):
        run(tmp_path, reserves=-1)


def test_select_panel_warns_when_too_few_reserves_cover_the_drop_outs(tmp_path, capsys):
    categories = "feature,value,min,max\ngroup,a,1,1\ngroup,b,1,1\ngroup,c,1,1\n"
    people = "id,group\n" + "".join(f"p{i},{'abc'[i % 3]}\n" for i in range(12))
    run(tmp_path, people=people, categories=categories, size=3, reserves=1)
    assert "at least 3 reserves cover every drop-out" in capsys.readouterr().err
    run(tmp_path, people=people, categories=categories, size=3, reserves=3)
    assert "cover every drop-out" not in capsys.readouterr().err
