import json

import numpy as np
import pandas as pd
import pytest

from niaga.registry.linkage import (
    IDENTIFIER_COLUMNS,
    explain_pair,
    link,
    link_identifiers_only,
)
from niaga.registry.linkage.engine import IDENTIFIER_MATCH_WEIGHT
from niaga.registry.linkage.evaluate import pairwise_scores

from .conftest import record, records

PAIR_COLUMNS = [
    "record_id_l",
    "record_id_r",
    "match_weight",
    "match_probability",
    "method",
    "explanation",
]


def assert_covers_every_record_once(result, ids):
    assert sorted(result.clusters["record_id"]) == sorted(ids)
    assert result.clusters["record_id"].is_unique
    # A cluster is named after its smallest member.
    smallest = result.clusters.groupby("cluster_id")["record_id"].min()
    assert (smallest.index == smallest.to_numpy()).all()


def test_identifier_columns():
    assert IDENTIFIER_COLUMNS == ("gstin", "pan", "udyam", "iec", "nib", "npwp")


def test_a_shared_identifier_is_a_certain_match_whatever_the_names():
    frame = records(
        record("A1", "Sharma Textiles", gstin="27AAPFU0939F1ZV", province="IN-MH"),
        record("B7", "Kohinoor Fabrics", gstin="27AAPFU0939F1ZV", province="IN-MH"),
        record("C3", "Toko Berkah", nib="8120000123456", province="ID-JI"),
    )
    result = link(frame)
    pair = result.pairs.iloc[0]
    assert list(result.pairs.columns) == PAIR_COLUMNS
    assert (pair.record_id_l, pair.record_id_r) == ("A1", "B7")
    assert pair.method == "identifier:gstin"
    assert pair.match_probability == 1.0
    assert pair.match_weight == IDENTIFIER_MATCH_WEIGHT
    assert pair.explanation[0]["comparison"] == "gstin"
    clusters = dict(zip(result.clusters.record_id, result.clusters.cluster_id, strict=True))
    assert clusters == {"A1": "A1", "B7": "A1", "C3": "C3"}


def test_a_gstin_matches_the_pan_it_embeds():
    frame = records(
        record("1", "Balaji Traders", gstin="27AAPFU0939F1ZV"),
        record("2", "Shree Balaji Traders", pan="AAPFU0939F"),
    )
    result = link(frame)
    assert result.pairs.method.tolist() == ["identifier:pan"]
    assert result.clusters.cluster_id.tolist() == ["1", "1"]


def test_records_with_nothing_in_common_stay_apart():
    frame = records(
        record("1", "Toko Berkah", district="Kota Malang", province="ID-JI"),
        record("2", "Balaji Textiles", district="Surat", province="IN-GJ"),
    )
    result = link(frame)
    assert result.pairs.empty
    assert list(result.pairs.columns) == PAIR_COLUMNS
    assert result.clusters.cluster_id.tolist() == ["1", "2"]


@pytest.mark.parametrize("size", [0, 1, 2, 5])
def test_tiny_inputs(size, roster_400):
    frame = roster_400.drop(columns=["true_entity"]).head(size)
    result = link(frame)
    assert_covers_every_record_once(result, frame.record_id.tolist())
    assert list(result.pairs.columns) == PAIR_COLUMNS
    if size >= 2:
        assert result.diagnostics["trained"] is False


def test_obvious_duplicates_merge_without_identifiers_even_untrained():
    common = dict(
        owner_name="Budi Santoso",
        address="Jl. Sudirman No. 12",
        district="Kota Surabaya",
        province="ID-JI",
        postcode="60111",
        phone="+6281234567890",
    )
    frame = records(
        record("1", "CV Djaja Abadi", **common),
        record("2", "Jaya Abadi", **{**common, "address": "Jalan Soedirman No 12"}),
        record("3", "Warung Barokah", owner_name="Siti", district="Kota Malang", province="ID-JI"),
    )
    result = link(frame)
    assert result.clusters.cluster_id.tolist() == ["1", "1", "3"]
    pair = result.pairs.iloc[0]
    assert pair.method == "probabilistic"
    assert pair.match_probability >= 0.95


def test_synthetic_roster_reaches_a_good_pairwise_f1(roster_400, linked_400):
    merged = linked_400.clusters.merge(roster_400[["record_id", "true_entity"]], on="record_id")
    scores = pairwise_scores(merged.cluster_id, merged.true_entity)
    assert linked_400.diagnostics["trained"] is True
    assert scores.f1 >= 0.9, scores
    assert_covers_every_record_once(linked_400, roster_400.record_id.tolist())


def test_pairs_are_ordered_unique_and_above_the_review_threshold(linked_400):
    pairs = linked_400.pairs
    assert (pairs.record_id_l < pairs.record_id_r).all()
    assert not pairs.duplicated(["record_id_l", "record_id_r"]).any()
    assert (pairs.match_probability >= 0.5).all()
    assert pairs.match_probability.between(0, 1).all()
    assert set(pairs.method) <= {"probabilistic"} | {f"identifier:{c}" for c in IDENTIFIER_COLUMNS}
    # Clusters come from identifier pairs and pairs at or above the merge threshold only.
    sure = pairs[pairs.match_probability >= 0.95]
    cluster = dict(zip(linked_400.clusters.record_id, linked_400.clusters.cluster_id, strict=True))
    assert all(
        cluster[a] == cluster[b] for a, b in zip(sure.record_id_l, sure.record_id_r, strict=True)
    )


def test_explanations_are_json_and_readable(linked_400):
    probabilistic = linked_400.pairs[linked_400.pairs.method == "probabilistic"].iloc[0]
    explanation = explain_pair(linked_400, probabilistic.record_id_r, probabilistic.record_id_l)
    json.dumps(explanation)
    comparisons = [item["comparison"] for item in explanation]
    assert comparisons[:2] == ["business_name", "owner_name"]
    assert all(isinstance(item["level"], str) and item["level"] for item in explanation)
    # The parts add up to the pair's weight once the prior is added back.
    prior = linked_400.model["probability_two_random_records_match"]
    total = np.log2(prior / (1 - prior)) + sum(item["match_weight"] for item in explanation)
    assert total == pytest.approx(probabilistic.match_weight, abs=0.1)
    json.dumps(linked_400.model)
    with pytest.raises(KeyError):
        explain_pair(linked_400, "R0000001", "no such record")


def test_same_input_same_result(roster_400, linked_400):
    shuffled = roster_400.drop(columns=["true_entity"]).sample(frac=1, random_state=3)
    again = link(shuffled)
    pd.testing.assert_frame_equal(again.clusters, linked_400.clusters)
    pd.testing.assert_frame_equal(
        again.pairs[PAIR_COLUMNS[:3] + ["method"]],
        linked_400.pairs[PAIR_COLUMNS[:3] + ["method"]],
        atol=1e-6,
    )


def test_numeric_looking_ids_sort_by_value():
    frame = records(
        record("10", "Sharma Textiles", pan="AAPFU0939F"),
        record("9", "Sharma Textile", pan="AAPFU0939F"),
    )
    result = link(frame)
    assert (result.pairs.record_id_l.iloc[0], result.pairs.record_id_r.iloc[0]) == ("9", "10")
    assert result.clusters.cluster_id.tolist() == ["9", "9"]


def test_integer_ids_are_kept():
    frame = records(record("x", "A"), record("y", "B"))
    frame["record_id"] = [20, 3]
    result = link(frame)
    assert result.clusters.record_id.tolist() == [3, 20]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="business_name"):
        link(pd.DataFrame({"record_id": ["1"]}))
    with pytest.raises(ValueError, match="not unique"):
        link(records(record("1", "A"), record("1", "B")))
    with pytest.raises(ValueError, match="threshold"):
        link(records(record("1", "A")), merge_threshold=0.4, review_threshold=0.5)


def test_identifier_only_baseline(roster_400, linked_400):
    frame = roster_400.drop(columns=["true_entity"])
    baseline = link_identifiers_only(frame)
    assert_covers_every_record_once(baseline, frame.record_id.tolist())
    assert baseline.pairs.method.str.startswith("identifier:").all()
    ours = linked_400.pairs
    identifier_pairs = set(
        zip(
            ours.record_id_l[ours.method != "probabilistic"],
            ours.record_id_r[ours.method != "probabilistic"],
            strict=True,
        )
    )
    assert (
        set(zip(baseline.pairs.record_id_l, baseline.pairs.record_id_r, strict=True))
        == identifier_pairs
    )
