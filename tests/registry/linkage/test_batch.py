import csv

import pytest

from niaga.registry.linkage.batch import MissingColumnsError, dedupe_file
from niaga.registry.synthetic import generate_roster


def test_round_trip_with_a_byte_order_mark(tmp_path):
    roster = generate_roster(60, seed=5)
    source = tmp_path / "roster.csv"
    source.write_text(roster.drop(columns=["true_entity"]).to_csv(index=False), "utf-8-sig")
    target = tmp_path / "out" / "clusters.csv"
    messages = []

    count = dedupe_file(source, target, progress=messages.append)

    assert count == 60
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["record_id", "cluster_id"]
    assert [r[0] for r in rows[1:]] == roster.record_id.tolist()
    clusters = {r[0]: r[1] for r in rows[1:]}
    assert set(clusters.values()) <= set(clusters)
    assert messages and "60" in messages[0]


def test_raw_identifiers_and_phones_are_tidied(tmp_path):
    source = tmp_path / "raw.csv"
    source.write_text(
        "Record_ID, Business_Name ,udyam,phone\n"
        "a,Durga Carpets,UDYAM-PB-02-6859091,+91 98765 43210\n"
        "b,Durga Carpet,udyam pb 02 6859091,\n"
        "c,Balaji Stores,,\n",
        "utf-8",
    )
    target = tmp_path / "out.csv"
    assert dedupe_file(source, target) == 3
    assert target.read_text("utf-8").splitlines() == [
        "record_id,cluster_id",
        "a,a",
        "b,a",
        "c,c",
    ]


@pytest.mark.parametrize(
    ("header", "missing"),
    [("record_id,owner_name", "business_name"), ("name,owner_name", "record_id, business_name")],
)
def test_missing_columns_are_named(tmp_path, header, missing):
    source = tmp_path / "bad.csv"
    source.write_text(f"{header}\nx,y\n", "utf-8")
    with pytest.raises(MissingColumnsError) as caught:
        dedupe_file(source, tmp_path / "out.csv")
    assert isinstance(caught.value, ValueError)
    assert missing in str(caught.value)
    assert not (tmp_path / "out.csv").exists()
