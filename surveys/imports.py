"""The Django side of imports: the deliberation's strata, and reports for organizers."""

from __future__ import annotations

from deliberation.core.uploads import upload_limits
from panels.models import PopulationMargin
from surveys import poll_import, selectors
from surveys.models import PollImport, Wave
from surveys.poll_files import Table, read_table
from surveys.questionnaires import item_index, problem_message, questions_of, specs_of

REPORT_ROW_LIMIT = 5000


def strata_for(wave: Wave) -> poll_import.Strata:
    margins = PopulationMargin.objects.filter(deliberation_id=wave.deliberation_id)
    by_feature: dict[str, list[str]] = {}
    for feature, value in margins.values_list("feature", "value"):
        by_feature.setdefault(feature, []).append(value)
    return poll_import.Strata(
        regions=selectors.regions_for(wave),
        districts=selectors.region_mapping(wave),
        genders=by_feature.get("gender", []),
        age_bands=selectors.age_bands_for(wave),
        reference_year=selectors.reference_year(wave),
    )


def suggest_mapping(
    columns: list[str], items: list[str], wave: Wave | None = None
) -> dict[str, str]:
    """Columns mapped as in the wave's last import, else by their names."""
    return poll_import.suggest_mapping(columns, items, wave.import_mapping if wave else None)


def load(poll: PollImport) -> Table:
    return read_table(poll.filename, bytes(poll.content), upload_limits())


def validate(wave: Wave, table: Table, mapping: dict[str, str]):
    """(validation, index) for a table and mapping, against the wave's questionnaire."""
    questions = questions_of(wave.questionnaire)
    specs = specs_of(questions)
    validation = poll_import.validate(table, mapping, specs, strata_for(wave))
    return validation, item_index(questions, specs)


def mapping_problems(wave: Wave, mapping: dict[str, str]) -> list[str]:
    return poll_import.check_mapping(mapping, specs_of(questions_of(wave.questionnaire)))


def report(validation: poll_import.Validation) -> dict:
    cells = [
        [bad.row, bad.column, bad.value, problem_message(bad.problem)]
        for bad in validation.bad[:REPORT_ROW_LIMIT]
    ]
    return {
        "total_rows": validation.total_rows,
        "good_rows": len(validation.good),
        "bad_rows": len(validation.bad_rows),
        "bad_cells": len(validation.bad),
        "cells": cells,
    }
