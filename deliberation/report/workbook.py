"""The report as a workbook: one sheet per analysis, the numbers an analyst checks in R."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from deliberation.core.cells import text_cells
from deliberation.report.analysis import ReportAnalysis
from deliberation.report.analysis_json import analysis_document


def _sheet_title(text: str, taken: set[str]) -> str:
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in text)[:31] or "Sheet"
    name, n = clean, 1
    while name.lower() in taken:
        n += 1
        name = f"{clean[: 31 - len(str(n)) - 1]}~{n}"
    taken.add(name.lower())
    return name


Sheet = Callable[[str, Sequence[str], Sequence[Sequence[Any]]], None]


# The columns of one paired test, shared by the comparison and subgroup sheets.
_TEST_COLUMNS = [
    "test",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
    "effect_size",
    "effect_size_name",
    "change",
    "ci_low",
    "ci_high",
]


def _test_values(e: Mapping[str, Any]) -> list:
    return [
        e["test"],
        e["statistic"],
        e["df"],
        e["p_value"],
        e["p_adjusted"],
        e["effect_size"],
        e["effect_size_name"],
        e["change"],
        *(e["ci"] or [None, None]),
    ]


def _subgroup_sheet(sheet: Sheet, waves: Mapping[str, Any]) -> None:
    """The headline comparison within each group, one row per grouping, group and item.

    Rows resting on too few pairs keep their counts but not their tests: the note says why.
    """
    rows = []
    for grouping, by_group in waves["subgroups"].items():
        for group, comparison in by_group.items():
            for e in comparison["items"]:
                too_few = e["too_few_to_report"]
                tested = [None] * len(_TEST_COLUMNS) if too_few else _test_values(e)
                rows.append(
                    [
                        grouping,
                        group,
                        comparison["wave_a"],
                        comparison["wave_b"],
                        e["item"],
                        e["label"],
                        e["type"],
                        e["n_pairs"],
                        *tested,
                        too_few,
                        _("too few to report") if too_few else e["note"],
                    ]
                )
    sheet(
        "Subgroups",
        [
            "grouping",
            "group",
            "wave_a",
            "wave_b",
            "item",
            "label",
            "type",
            "n_pairs",
            *_TEST_COLUMNS,
            "too_few_to_report",
            "note",
        ],
        rows,
    )


def _attrition_sheet(sheet: Sheet, attrition: Mapping[str, Any] | None) -> None:
    """Stayers against leavers: a row per variable and category, the test on each row."""
    rows = []
    if attrition is not None:
        for v in attrition["variables"]:
            for category, share in v["shares_first_wave"].items():
                rows.append(
                    [
                        attrition["n_first_wave"],
                        attrition["stayers"],
                        attrition["leavers"],
                        attrition["rate"],
                        v["variable"],
                        category,
                        share,
                        v["shares_stayers"].get(category),
                        v["shares_leavers"].get(category),
                        v["max_shift"],
                        v["chi2"],
                        v["df"],
                        v["p_value"],
                    ]
                )
    sheet(
        "Attrition",
        [
            "n_first_wave",
            "stayers",
            "leavers",
            "attrition_rate",
            "variable",
            "category",
            "share_first_wave",
            "share_stayers",
            "share_leavers",
            "max_shift",
            "chi2",
            "df",
            "p_value",
        ],
        rows,
    )


def _panel_vs_poll_sheet(sheet: Sheet, rows: Sequence[Mapping[str, Any]]) -> None:
    sheet(
        "Panel vs poll",
        [
            "item",
            "label",
            "wave",
            "measure",
            "panel_estimate",
            "panel_n",
            "poll_estimate",
            "poll_effective_n",
            "poll_margin_of_error",
            "difference",
            "ci_low",
            "ci_high",
            "z",
            "p_value",
        ],
        [
            [
                r["item"],
                r["label"],
                r["wave"],
                r["measure"],
                r["panel_estimate"],
                r["panel_n"],
                r["poll_estimate"],
                r["poll_effective_n"],
                r["poll_margin_of_error"],
                r["difference"],
                *r["ci"],
                r["z"],
                r["p_value"],
            ]
            for r in rows
        ],
    )


def render_xlsx(analysis: ReportAnalysis) -> bytes:
    """A workbook with one sheet per analysis (process, representativeness, poll, tests...)."""
    from openpyxl import Workbook

    document = analysis_document(analysis)
    book = Workbook(write_only=True)
    taken: set[str] = set()

    def sheet(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        ws = book.create_sheet(_sheet_title(title, taken))
        ws.append(text_cells(ws, header))
        for row in rows:
            ws.append(text_cells(ws, row))

    process = document["process"]
    sheet(
        "Stages",
        ["kind", "label", "starts_on", "ends_on", "status"],
        [
            [s["kind"], s["label"], s["starts_on"], s["ends_on"], s["status"]]
            for s in process["stages"]
        ],
    )
    sheet(
        "Sessions",
        ["kind", "title", "starts_at", "ends_at", "groups", "members"],
        [
            [s["kind"], s["title"], s["starts_at"], s["ends_at"], s["groups"], s["members"]]
            for s in process["sessions"]
        ],
    )
    sheet(
        "Attendance",
        ["session", "expected", "attended"],
        [[a["session"], a["expected"], a["attended"]] for a in process["attendance"]],
    )
    funnel = document["funnel"]
    funnel_rows = [
        ["", "", "", "", s["step"], s["label"], s["count"], s["from_previous"], s["from_first"]]
        for s in funnel["steps"]
    ]
    for block in funnel["strata"]:
        for c in block["categories"]:
            for s in c["steps"]:
                funnel_rows.append(
                    [
                        block["feature"],
                        block["feature_label"],
                        c["category"],
                        c["label"],
                        s["step"],
                        s["label"],
                        s["count"],
                        s["from_previous"],
                        s["from_first"],
                    ]
                )
    sheet(
        "Funnel",
        [
            "feature",
            "feature_label",
            "category",
            "category_label",
            "step",
            "step_label",
            "count",
            "from_previous",
            "from_first",
        ],
        funnel_rows,
    )
    rep_rows = []
    for fit in document["representativeness"]:
        for c in fit["categories"]:
            rep_rows.append(
                [
                    fit["feature"],
                    fit["feature_label"],
                    c["category"],
                    c["label"],
                    c["population_share"],
                    c["sample_count"],
                    c["sample_share"],
                    c["expected_count"],
                    fit["statistic"],
                    fit["df"],
                    fit["p_value"],
                ]
            )
    sheet(
        "Representativeness",
        [
            "feature",
            "feature_label",
            "category",
            "category_label",
            "population_share",
            "panel_count",
            "panel_share",
            "expected_count",
            "chi2",
            "df",
            "p_value",
        ],
        rep_rows,
    )
    opinion = document["opinion_maps"]
    sheet(
        "Opinion groups",
        [
            "map",
            "seed",
            "participants",
            "clustered",
            "votes",
            "group",
            "size",
            "feature",
            "category",
            "members",
        ],
        [
            [
                m["label"],
                m["seed"],
                m["participants"],
                m["clustered"],
                m["votes"],
                g["id"],
                g["size"],
                feature,
                category,
                n,
            ]
            for m in opinion["maps"]
            for g in m["groups"]
            for feature, counts in g["composition"].items()
            for category, n in counts.items()
        ],
    )
    sheet(
        "Opinion statements",
        [
            "map",
            "kind",
            "group",
            "statement",
            "text",
            "side",
            "n_success",
            "n_trials",
            "p_success",
            "repness",
        ],
        [
            [
                m["label"],
                kind,
                group,
                s["statement"],
                s["text"],
                s["side"],
                s["n_success"],
                s["n_trials"],
                s["p_success"],
                s["repness"],
            ]
            for m in opinion["maps"]
            for kind, group, statements in [
                *(("representative", g["id"], g["representative"]) for g in m["groups"]),
                ("consensus", None, m["consensus"]),
            ]
            for s in statements
        ],
    )
    sheet(
        "Opinion map change",
        [
            "before",
            "after",
            "groups_before",
            "groups_after",
            "common_participants",
            "same_group_share",
            "common_statements",
            "consensus_changed",
            "consensus_changed_share",
            "group_before",
            "group_after",
            "participants",
        ],
        [
            [
                c["before"],
                c["after"],
                c["groups_before"],
                c["groups_after"],
                c["common_participants"],
                c["same_group_share"],
                c["common_statements"],
                c["consensus_changed"],
                c["consensus_changed_share"],
                x["before"],
                x["after"],
                x["participants"],
            ]
            for c in opinion["changes"]
            for x in c["crossing"]
        ],
    )
    poll_rows = []
    if document["poll"]:
        for q in document["poll"]["questions"]:
            for o in q["options"]:
                poll_rows.append(
                    [
                        q["question"],
                        o["label"],
                        o["estimate"],
                        o["margin_of_error"],
                        *o["ci"],
                        q["n"],
                        q["effective_n"],
                    ]
                )
    sheet(
        "Poll",
        [
            "question",
            "answer",
            "weighted_share",
            "margin_of_error",
            "ci_low",
            "ci_high",
            "n",
            "effective_n",
        ],
        poll_rows,
    )
    sheet(
        "Panel weights",
        [
            "wave",
            "respondents",
            "n",
            "design_effect",
            "effective_n",
            "margin_of_error",
            "item",
            "item_n",
            "unweighted",
            "weighted",
        ],
        [
            [
                w["wave"],
                w["respondents"],
                w["n"],
                w["design_effect"],
                w["effective_n"],
                w["margin_of_error"],
                s["item"],
                s["n"],
                s["unweighted"],
                s["weighted"],
            ]
            for w in document["panel_weights"]
            for s in w["shares"] or [dict.fromkeys(("item", "n", "unweighted", "weighted"))]
        ],
    )
    sheet(
        "Process evaluation",
        ["item", "question", "n", "agree_share", "mean"],
        [
            [e["item"], e["question"], e["n"], e["agree_share"], e["mean"]]
            for e in document["process_evaluation"]
        ],
    )
    for comparison in document["comparisons"]:
        sheet(
            f"{comparison['wave_a']}-{comparison['wave_b']}",
            [
                "item",
                "label",
                "type",
                "n_pairs",
                *_TEST_COLUMNS,
                f"distribution_{comparison['wave_a']}",
                f"distribution_{comparison['wave_b']}",
            ],
            [
                [
                    e["item"],
                    e["label"],
                    e["type"],
                    e["n_pairs"],
                    *_test_values(e),
                    json.dumps(e["distributions"][comparison["wave_a"]], ensure_ascii=False),
                    json.dumps(e["distributions"][comparison["wave_b"]], ensure_ascii=False),
                ]
                for e in comparison["items"]
            ],
        )
    if document["waves"]:
        sheet(
            "Knowledge index",
            ["wave", "mean_share_correct", "respondents"],
            [
                [
                    w,
                    document["waves"]["knowledge_index_by_wave"].get(w),
                    document["waves"]["respondents"].get(w),
                ]
                for w in document["waves"]["labels"]
            ],
        )
        _subgroup_sheet(sheet, document["waves"])
        _attrition_sheet(sheet, document["waves"]["attrition"])
    _panel_vs_poll_sheet(sheet, document["panel_vs_poll"])
    sheet(
        "Recommendations",
        ["session", "group", "text", "votes", "group_size", "support", "panel_support"],
        [
            [
                r["session"],
                r["group"],
                r["text"],
                r["votes"],
                r["group_size"],
                r["support"],
                r["panel_support"],
            ]
            for r in document["recommendations"]
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
