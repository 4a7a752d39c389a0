"""A deliberation taken from pool to computed lottery, for draw and panel tests."""

from __future__ import annotations

from panels import actions
from panels.runner import execute_run
from tests.factories import DeliberationFactory
from tests.panels.pool_helpers import BALANCED_POOL, BALANCED_QUOTAS, add_pool, set_quotas


def computed_run(organizer, deliberation=None):
    deliberation = deliberation or DeliberationFactory()
    add_pool(deliberation, BALANCED_POOL)
    set_quotas(deliberation, BALANCED_QUOTAS, 10)
    run = actions.do_start_run(deliberation, actor=organizer)
    return execute_run(run.pk)
