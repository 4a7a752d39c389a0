"""The plain modules' diagnoses in the page's language.

`panels.margins`, `panels.pool_file` and `panels.selection` report problems as codes
with parameters (a `MarginIssue`, a `PoolIssue`, a feasibility `Conflict`); pages turn
them into sentences here, naming features and categories through `panels.labels`, so no
page shows an English sentence or a key such as ``region`` on a Korean page.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from panels.labels import StrataLabels, feature_label
from panels.margins import MarginIssue
from panels.pool_file import PoolIssue
from panels.selection import Conflict


def margin_issue(issue: MarginIssue, labels: StrataLabels) -> str:
    """One problem of a margins table, as a sentence."""
    params = dict(issue.params)
    if "feature" in params:
        feature = str(params["feature"])
        params["feature"] = feature_label(feature)
        if "value" in params:
            params["value"] = labels.category(feature, params["value"])
    if "total" in params:
        params["total"] = number_format(round(float(params["total"]), 6))
    sentences = {
        "empty": _("The file is empty."),
        "missing_columns": _("Missing column(s): %(columns)s."),
        "blank": _("Feature and value must not be empty."),
        "duplicate": _("%(feature)s %(value)s appears twice."),
        "share_not_number": _("The share “%(share)s” is not a number."),
        "share_out_of_range": _("The share %(share)s is not between 0 and 1."),
        "population_not_whole": _("The population “%(population)s” is not a whole number."),
        "shares_sum": _("The shares of %(feature)s add up to %(total)s, not 1."),
        "unknown_region": _(
            "%(region)s is not one of the deliberation's regions (see the regions page)."
        ),
    }
    sentence = sentences.get(issue.code)
    return sentence % params if sentence else issue.message


def conflict(found: Conflict, labels: StrataLabels) -> str:
    """One reason why no panel meets the quotas, as a sentence."""
    feature = found.feature or ""
    params = {
        "feature": feature_label(feature),
        "value": labels.category(feature, found.value),
        "needed": found.needed,
        "available": found.available,
    }
    if found.kind == "pool_too_small":
        return _("The pool has %(available)s volunteers; the panel needs %(needed)s.") % params
    if found.kind == "shortage":
        return (
            _(
                "%(feature)s %(value)s: %(available)s volunteers, but the quotas need at least "
                "%(needed)s."
            )
            % params
        )
    if found.kind == "min_sum":
        return (
            _(
                "The minimums for %(feature)s add up to %(needed)s, more than the panel size "
                "%(available)s."
            )
            % params
        )
    if found.kind == "max_sum":
        return (
            _(
                "The maximums for %(feature)s (capped by the volunteers available) add up to "
                "%(available)s, less than the panel size %(needed)s."
            )
            % params
        )
    if found.kind == "cross_feature":
        return _(
            "Each feature's quotas can be met on their own, but no panel meets all of them "
            "together."
        )
    return found.message


def pool_issue(issue: PoolIssue) -> str:
    """One problem of a pool file, as a sentence; an issue stored without a code keeps its
    English reason."""
    params = dict(issue.params)
    if "known" in params:
        # The values as the file must spell them, not their labels.
        params["known"] = ", ".join(str(value) for value in params["known"])
    sentences = {
        "empty": _("The file is empty."),
        "missing_column": _("Missing column."),
        "id_empty": _("The id is empty."),
        "id_too_long": _("The id is too long."),
        "duplicate_id": _("The same id as row %(row)s."),
        "id_in_pool": _("Already in the pool."),
        "unknown_value": _("Unknown value (known values: %(known)s)."),
        "not_email": _("Not an e-mail address."),
        "same_person_as_row": _("The same person as row %(row)s."),
        "person_in_pool": _("The same person is already in the pool."),
    }
    sentence = sentences.get(issue.code)
    return sentence % params if sentence else issue.reason
