"""The demo's year of history: through the services, the ledger still balances, and the
dashboard shows figures past suppression."""

import time

import pytest

from niaga.demo import world
from niaga.insights import selectors
from niaga.insights.selectors import Filters
from niaga.ledger import check
from niaga.programs.models import Programme

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_history_settles_through_the_services_and_shows_on_the_dashboard(settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 5
    started = time.perf_counter()
    counts = world.seed(size=60, seed=3)
    elapsed = time.perf_counter() - started
    assert counts["settled orders of the past year"] == 96
    assert elapsed < 30
    assert check.violations(check.run()) == []
    ids = list(Programme.objects.values_list("pk", flat=True))
    total = selectors.export_total(ids, Filters()).rows[0]
    assert total["orders"] >= 96 and not total["suppressed"]
    months = selectors.figure("export-by-month", ids, Filters())
    assert sum(1 for row in months.rows if not row["suppressed"]) >= 6
    share = selectors.figure("msme-share", ids, Filters())
    assert any(not row["suppressed"] for row in share.rows)
