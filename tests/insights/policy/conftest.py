import copy
import math

import pytest


@pytest.fixture
def two_countries():
    """A hand-sized scenario: at T = e^10 the home country's median firm sits on the line."""
    return copy.deepcopy(
        {
            "home": "ID",
            "T": math.exp(10),
            "f": 0.02,
            "p": 0.5,
            "epsilon": 3.0,
            "countries": {
                "ID": {"N": 1000, "mu": 10.0, "sigma": 1.0, "s": 0.5, "x": {"IN": 0.2}},
                "IN": {"N": 2000, "mu": 11.0, "sigma": 2.0, "s": 0.4, "x": {"ID": 0.1}},
            },
        }
    )
