"""Plain-language sentences about a change between waves, written from the numbers.

Sentences are gettext templates (English source, Korean translation), so the report reads
naturally in either language and no number is ever typed in by hand.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from surveys.stats import ItemResult

SIGNIFICANCE = 0.05


def format_p(p: float | None) -> str:
    """'p < 0.001' or 'p = 0.002' (three decimals), as reports usually print it."""
    if p is None:
        return "p = –"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def fixed(x: float, digits: int, *, signed: bool = False) -> str:
    """x with ``digits`` decimals; a value that rounds to zero has no sign ("0.0", not "-0.0").

    ``signed`` puts a "+" before positive values, as changes are printed.
    """
    text = f"{x:.{digits}f}"
    if text.lstrip("+-").strip("0.") == "":
        return f"{0:.{digits}f}"
    return f"+{text}" if signed and x > 0 else text


def percent(x: float) -> str:
    return f"{fixed(100 * x, 0)}%"


def _share(distribution: Mapping, key) -> float | None:
    counts = {str(k): float(v) for k, v in distribution.items()}
    total = sum(counts.values())
    return counts.get(str(key), 0.0) / total if total else None


def _direction(before: float, after: float, precision: float) -> str:
    if round(after / precision) > round(before / precision):
        return "up"
    if round(after / precision) < round(before / precision):
        return "down"
    return "same"


def _significance(result: ItemResult) -> str:
    p = result.p_adjusted if result.p_adjusted is not None else result.p_value
    if p is not None and p < SIGNIFICANCE:
        return _("The change is statistically significant.")
    return _("The change is not statistically significant; it may be due to chance.")


def _numbers(result: ItemResult) -> str:
    p = result.p_adjusted if result.p_adjusted is not None else result.p_value
    return format_p(p)


def describe_change(
    result: ItemResult,
    label: str,
    wave_a: str,
    wave_b: str,
    value_labels: Mapping | None = None,
) -> str:
    """One or two sentences saying how an item changed between two waves, and how surely."""
    values = {"label": label, "wave_a": wave_a, "wave_b": wave_b, "p": _numbers(result)}
    if result.test is None:
        return (
            _(
                "%(label)s: too few panelists answered in both %(wave_a)s"
                " and %(wave_b)s to test a change."
            )
            % values
        )
    if result.item_type in ("binary", "knowledge"):
        before = _share(result.distribution_a, 1)
        after = _share(result.distribution_b, 1)
        values.update(before=percent(before or 0.0), after=percent(after or 0.0))
        direction = _direction(before or 0.0, after or 0.0, 0.01)
        if result.item_type == "knowledge":
            templates = {
                "up": _(
                    "%(label)s: correct answers rose from %(before)s in"
                    " %(wave_a)s to %(after)s in %(wave_b)s (%(p)s)."
                ),
                "down": _(
                    "%(label)s: correct answers fell from %(before)s in"
                    " %(wave_a)s to %(after)s in %(wave_b)s (%(p)s)."
                ),
                "same": _(
                    "%(label)s: correct answers stayed at %(before)s from"
                    " %(wave_a)s to %(wave_b)s (%(p)s)."
                ),
            }
        else:
            templates = {
                "up": _(
                    "%(label)s: support rose from %(before)s in %(wave_a)s to"
                    " %(after)s in %(wave_b)s (%(p)s)."
                ),
                "down": _(
                    "%(label)s: support fell from %(before)s in %(wave_a)s to"
                    " %(after)s in %(wave_b)s (%(p)s)."
                ),
                "same": _(
                    "%(label)s: support stayed at %(before)s from %(wave_a)s to %(wave_b)s (%(p)s)."
                ),
            }
        return f"{templates[direction] % values} {_significance(result)}"
    if result.item_type in ("ordinal", "interval"):
        before, after = _mean(result.distribution_a), _mean(result.distribution_b)
        values.update(before=fixed(before, 2), after=fixed(after, 2))
        direction = _direction(before, after, 0.01)
        templates = {
            "up": _(
                "%(label)s: the average answer rose from %(before)s in"
                " %(wave_a)s to %(after)s in %(wave_b)s (%(p)s)."
            ),
            "down": _(
                "%(label)s: the average answer fell from %(before)s in"
                " %(wave_a)s to %(after)s in %(wave_b)s (%(p)s)."
            ),
            "same": _(
                "%(label)s: the average answer stayed at %(before)s from"
                " %(wave_a)s to %(wave_b)s (%(p)s)."
            ),
        }
        return f"{templates[direction] % values} {_significance(result)}"
    top_a = _mode(result.distribution_a)
    top_b = _mode(result.distribution_b)
    values.update(
        top_a=scale_label(value_labels, top_a[0]),
        share_a=percent(top_a[1]),
        top_b=scale_label(value_labels, top_b[0]),
        share_b=percent(top_b[1]),
    )
    sentence = (
        _(
            "%(label)s: the most common answer was %(top_a)s (%(share_a)s)"
            " in %(wave_a)s and %(top_b)s (%(share_b)s) in %(wave_b)s (%(p)s)."
        )
        % values
    )
    return f"{sentence} {_significance(result)}"


def scale_label(labels: Mapping | None, code) -> str:
    if isinstance(labels, Mapping):
        for key, text in labels.items():
            same_number = _is_number(key) and _is_number(code) and float(key) == float(code)
            if str(key) == str(code) or same_number:
                return str(text)
    return str(code)


def _is_number(x) -> bool:
    try:
        float(x)
    except (TypeError, ValueError):
        return False
    return True


def _mean(distribution: Mapping) -> float:
    if "mean" in distribution:
        return float(distribution["mean"] or 0.0)
    total = sum(float(v) for v in distribution.values())
    if not total:
        return 0.0
    return sum(float(k) * float(v) for k, v in distribution.items()) / total


def _mode(distribution: Mapping) -> tuple[object, float]:
    total = sum(float(v) for v in distribution.values())
    if not total:
        return ("–", 0.0)
    key, count = max(distribution.items(), key=lambda kv: float(kv[1]))
    return key, float(count) / total


EFFECT_NAMES = {
    "proportion_change": gettext_noop("Change in proportion"),
    "rank_biserial": gettext_noop("Rank-biserial r"),
    "cohen_dz": gettext_noop("Cohen's dz"),
}
TEST_NAMES = {
    "mcnemar_exact": gettext_noop("McNemar (exact)"),
    "mcnemar_chi2": gettext_noop("McNemar (chi-square)"),
    "stuart_maxwell": gettext_noop("Stuart-Maxwell"),
    "bowker": gettext_noop("Bowker"),
    "wilcoxon": gettext_noop("Wilcoxon signed-rank"),
    "paired_t": gettext_noop("Paired t-test"),
}


def effect_name(name: str | None) -> str:
    return _(EFFECT_NAMES[name]) if name in EFFECT_NAMES else (name or "–")


def statistical_test_name(name: str | None) -> str:
    return _(TEST_NAMES[name]) if name in TEST_NAMES else _("not tested")
