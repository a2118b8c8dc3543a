import pandas as pd

from niaga.core.identifiers import is_valid_identifier
from niaga.registry.linkage.engine import IDENTIFIER_COLUMNS
from niaga.registry.synthetic import ROSTER_COLUMNS, generate_roster


def test_deterministic_and_shaped():
    first = generate_roster(500, seed=3)
    pd.testing.assert_frame_equal(first, generate_roster(500, seed=3))
    assert not first.equals(generate_roster(500, seed=4))
    assert list(first.columns) == [*ROSTER_COLUMNS, "true_entity"]
    assert first.record_id.is_unique
    assert len(first) - first.true_entity.nunique() == 150  # duplicate_rate 0.3


def test_identifiers_are_valid_and_phones_e164():
    roster = generate_roster(400, seed=9)
    for column in IDENTIFIER_COLUMNS:
        values = roster[column][roster[column] != ""]
        assert len(values) > 0, column
        assert values.map(lambda v, c=column: is_valid_identifier(c, v)).all(), column
    phones = roster.phone[roster.phone != ""]
    assert phones.str.fullmatch(r"\+(62|91)\d{9,12}").all()
    assert roster.province[roster.province != ""].str.fullmatch(r"(ID|IN)-[A-Z]{2}").all()


def test_noise_the_engine_must_cope_with_is_there():
    roster = generate_roster(3000, seed=1)
    names = " ".join(roster.business_name)
    assert "Djaja" in names or "Tjahaja" in names or "Soerabaja" in names
    assert "Toko Berkah" in names
    berkah = roster[roster.business_name == "Toko Berkah"]
    assert berkah.true_entity.nunique() > 1  # the same name, different businesses


def test_tiny_rosters():
    assert generate_roster(0).empty
    assert len(generate_roster(1)) == 1
    assert generate_roster(2, duplicate_rate=0.5).true_entity.nunique() == 1
