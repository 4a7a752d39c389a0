"""Chart functions: SVG with Korean drawn in the bundled NanumGothic, with accessible names."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET

import pytest

from surveys.charts import (
    LikertRow,
    _spread,
    diverging_likert,
    funnel_bars,
    knowledge_change,
    proportion_slopes,
    representativeness_bars,
    wrap_label,
)
from surveys.fonts import regular_font_path

SCALE = ["전혀 아니다", "아니다", "보통", "그렇다", "매우 그렇다"]


def charts() -> dict[str, str]:
    return {
        "likert": diverging_likert(
            [
                LikertRow("소각장 신뢰", "W1", [10, 20, 30, 25, 15]),
                LikertRow("소각장 신뢰", "W2", [5, 15, 25, 35, 20]),
            ],
            SCALE,
            "신뢰도 변화",
        ),
        "slopes": proportion_slopes(
            {"소각장 찬성": {"W1": 0.35, "W2": 0.5}}, ["W1", "W2"], "찬성 비율"
        ),
        "representativeness": representativeness_bars(
            ["도심권", "동북권"], [0.05, 0.315], [0.06, 0.3], "권역 구성"
        ),
        "knowledge": knowledge_change(["W1", "W2"], [0.4, 0.6], "지식 지수"),
        "funnel": funnel_bars(["여론조사 응답자", "자원자"], [1000, 200], "모집 단계"),
    }


def test_font_comes_from_the_pinned_package():
    assert regular_font_path().name == "NanumGothic.ttf"
    assert "koreanize_matplotlib" in str(regular_font_path())


@pytest.mark.parametrize("name", ["likert", "slopes", "representativeness", "knowledge"])
def test_chart_is_valid_svg_with_korean_glyphs_from_nanum_gothic(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a matplotlib UserWarning
        svg = charts()[name]
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert root.get("role") == "img" and root.get("aria-label")
    assert re.search(r'id="c[0-9a-f]{8}-NanumGothic-[0-9a-f]+"', svg)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and re.search("[가-힣]", title.text)


def test_chart_named_by_its_caption_refers_to_it_and_carries_no_title_or_metadata():
    """A page that shows the title in a caption marks its Korean parts there; the chart is
    named by that caption rather than by an attribute that cannot mark them."""
    rows = [LikertRow("소각장 신뢰", "W1", [10, 20, 30, 25, 15])]
    svg = diverging_likert(rows, SCALE, "Trust: 1차 조사", label_id="likert-1")
    root = ET.fromstring(svg)
    assert root.get("aria-labelledby") == "likert-1" and root.get("aria-label") is None
    assert root.find("{http://www.w3.org/2000/svg}title") is None
    assert "<metadata" not in svg and "Matplotlib v" not in svg


def test_likert_chart_draws_the_korean_category_labels():
    svg = charts()["likert"]
    for label in SCALE:
        assert f"<!-- {label} -->" in svg


def test_likert_chart_refuses_counts_that_do_not_match_the_scale():
    with pytest.raises(ValueError, match="2 counts"):
        diverging_likert([LikertRow("q", "W1", [1, 2])], SCALE, "t")


def test_chart_output_is_deterministic():
    assert charts()["slopes"] == charts()["slopes"]


def test_charts_on_one_page_do_not_share_element_ids():
    ids = [set(re.findall(r'id="([^"]+)"', svg)) for svg in charts().values()]
    assert all(not (a & b) for k, a in enumerate(ids) for b in ids[k + 1 :])


def test_chart_for_the_pdf_keeps_korean_as_text_in_nanum_gothic():
    svg = knowledge_change(["1차", "2차"], [0.4, 0.6], "지식 지수", text_as_paths=False)
    assert ">지식 지수<" in svg
    assert "NanumGothic" in svg


WAVE_TITLES = [
    "시민참여단 1차 조사 (숙의 전)",
    "시민참여단 2차 조사 (권역별 토론 후)",
    "시민참여단 3차 조사 (시민대토론회 후)",
]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_long_labels_wrap_into_even_lines_counting_korean_as_wide():
    assert wrap_label("1차", 10) == "1차"
    assert wrap_label(WAVE_TITLES[2], 21) == "시민참여단 3차 조사\n(시민대토론회 후)"
    assert wrap_label("Pre-deliberation survey of the panel", 20) == (
        "Pre-deliberation\nsurvey of the panel"
    )
    assert wrap_label("한단어로된아주긴제목입니다", 6) == "한단어로된아주긴제목입니다"


def test_knowledge_chart_wraps_long_wave_titles_under_their_bars():
    svg = knowledge_change(WAVE_TITLES, [0.61, 0.74, 0.8], "지식 지수", text_as_paths=False)
    texts = _texts(svg)
    assert "시민참여단 3차 조사" in texts and "(시민대토론회 후)" in texts
    assert not any(title in texts for title in WAVE_TITLES)


def test_slope_chart_wraps_long_wave_titles():
    series = {"소각장 찬성": dict(zip(WAVE_TITLES, (0.3, 0.4, 0.5), strict=True))}
    texts = _texts(proportion_slopes(series, WAVE_TITLES, "찬성", text_as_paths=False))
    assert "(시민대토론회 후)" in texts and WAVE_TITLES[2] not in texts


def test_close_shares_get_labels_that_do_not_collide():
    positions = _spread([63.0, 65.0, 64.0, 20.0], gap=4.5)
    assert positions[3] == 20.0  # far from the others: stays at its point
    stacked = sorted(positions[:3])
    assert stacked[0] >= 65.0  # the cluster's labels start above its highest point
    assert all(b - a >= 4.5 - 1e-9 for a, b in zip(stacked, stacked[1:], strict=False))
    assert positions[0] < positions[2] < positions[1]  # in the order of the shares


def test_funnel_chart_names_itself_and_labels_each_step_with_its_count_and_share():
    svg = funnel_bars(
        ["여론조사 응답자", "자원자", "추출", "확정"],
        [20006, 5981, 500, 478],
        "모집 깔때기",
        text_as_paths=False,
    )
    assert 'role="img" aria-label="모집 깔때기"' in svg
    texts = _texts(svg)
    assert "자원자" in texts
    assert "5,981 (29.9%)" in texts
    assert "478 (2.4%)" in texts


def test_funnel_chart_of_an_empty_first_step_gives_counts_only():
    svg = funnel_bars(["자원자", "추출"], [0, 0], "모집", text_as_paths=False)
    assert "0" in _texts(svg)


def test_funnel_chart_refuses_counts_that_do_not_match_the_steps():
    with pytest.raises(ValueError):
        funnel_bars(["자원자"], [1, 2], "모집")
