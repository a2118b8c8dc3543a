import pandas as pd
import pytest

from niaga.registry.linkage import link
from niaga.registry.synthetic import ROSTER_COLUMNS, generate_roster


def record(record_id: str, business_name: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(ROSTER_COLUMNS, "")
    row.update(record_id=record_id, business_name=business_name, **fields)
    return row


def records(*rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(ROSTER_COLUMNS))


@pytest.fixture(scope="session")
def roster_400() -> pd.DataFrame:
    return generate_roster(400, seed=11)


@pytest.fixture(scope="session")
def linked_400(roster_400):
    return link(roster_400.drop(columns=["true_entity"]))
