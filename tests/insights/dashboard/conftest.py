import pytest

from tests.insights.dashboard.helpers import world as make_world


@pytest.fixture(autouse=True)
def _no_timers(settings):
    settings.NIAGA_ASSURANCE_TIMERS = False
    settings.NIAGA_OPEN_DATA_MIN_CELL = 3


@pytest.fixture
def world(db):
    return make_world()
