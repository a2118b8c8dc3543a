"""Accuracy of the de-duplication engine on the FEBRL benchmark, beside recordlinkage.

FEBRL 1-4 (person records with known duplicates) ship inside recordlinkage. On each set, in
the same run:

  ours   ``niaga.registry.linkage.link`` with ``FEBRL_SPEC`` below: Splink on DuckDB, trained
         without labels (prior from deterministic rules, u by random sampling, m by EM),
         pairs at match probability >= 0.95 clustered by connected components
  rl     recordlinkage's own pipeline: a union of blocking indexes (given name, surname, date
         of birth, postcode), Compare with Jaro-Winkler >= 0.85 on names and address and exact
         on the rest, classified by its unsupervised ECMClassifier (EM on binary features);
         its match pairs are clustered the same way

The labels are used for scoring only. Both are scored pairwise (precision, recall, F1) on the
pairs inside their clusters, against the true pairs, because a registry merges clusters.

FEBRL 4 is two files (A: originals, B: one duplicate of each) meant for linkage. Here it is
de-duplicated as the union of A and B: harder than link-only, since pairs inside A or inside B
are candidates too and count as false positives if predicted.

    uv run python bench/dedupe.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from typing import Any

import numpy as np
import pandas as pd

from niaga.registry.linkage.engine import (
    LinkageSpec,
    cap_block_sizes,
    custom_comparison,
    link,
)

FEBRL_COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def prepare_febrl(records: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for column in FEBRL_COLUMNS:
        values = records[column].fillna("").astype(str).str.strip().str.lower()
        out[column] = values.where(values.astype(bool), None)
    frame = pd.DataFrame(out, index=records.index)
    frame["bk_postcode_number"] = cap_block_sizes(
        frame["postcode"] + "|" + frame["street_number"], 200
    )
    frame["bk_suburb_surname"] = cap_block_sizes(frame["suburb"] + "|" + frame["surname"], 200)
    return frame


def _name(column: str, other: str) -> Any:
    import splink.comparison_level_library as cll

    return custom_comparison(
        column,
        [
            (cll.NullLevel(column), "missing", None, None),
            (
                cll.ExactMatchLevel(column, term_frequency_adjustments=True),
                "identical",
                0.8,
                0.005,
            ),
            (cll.ColumnsReversedLevel(column, other, symmetrical=True), "swapped", 0.02, 1e-5),
            (cll.JaroWinklerLevel(column, 0.92), "nearly identical (JW ≥ 0.92)", 0.1, 0.005),
            (cll.JaroWinklerLevel(column, 0.8), "similar (JW ≥ 0.8)", 0.05, 0.05),
            (cll.ElseLevel(), "different", 0.03, 0.94),
        ],
    )


def _edit(column: str, m_exact: float, u_exact: float) -> Any:
    import splink.comparison_level_library as cll

    return custom_comparison(
        column,
        [
            (cll.NullLevel(column), "missing", None, None),
            (cll.ExactMatchLevel(column), "identical", m_exact, u_exact),
            (cll.LevenshteinLevel(column, 1), "one character different", 0.1, u_exact * 10),
            (cll.LevenshteinLevel(column, 2), "two characters different", 0.05, u_exact * 50),
            (cll.ElseLevel(), "different", 0.05, 1 - u_exact * 61),
        ],
    )


def febrl_comparisons() -> list[Any]:
    import splink.comparison_level_library as cll

    return [
        _name("given_name", "surname"),
        _name("surname", "given_name"),
        _edit("date_of_birth", 0.8, 1e-4),
        _edit("soc_sec_id", 0.8, 1e-6),
        custom_comparison(
            "address_1",
            [
                (cll.NullLevel("address_1"), "missing", None, None),
                (cll.ExactMatchLevel("address_1"), "identical", 0.7, 0.001),
                (cll.JaroWinklerLevel("address_1", 0.9), "nearly identical", 0.15, 0.01),
                (cll.JaroWinklerLevel("address_1", 0.75), "similar", 0.08, 0.2),
                (cll.ElseLevel(), "different", 0.07, 0.789),
            ],
        ),
        custom_comparison(
            "street_number",
            [
                (cll.NullLevel("street_number"), "missing", None, None),
                (cll.ExactMatchLevel("street_number"), "identical", 0.85, 0.01),
                (cll.ElseLevel(), "different", 0.15, 0.99),
            ],
        ),
        custom_comparison(
            "suburb",
            [
                (cll.NullLevel("suburb"), "missing", None, None),
                (cll.ExactMatchLevel("suburb"), "identical", 0.8, 0.002),
                (cll.JaroWinklerLevel("suburb", 0.88), "similar", 0.1, 0.01),
                (cll.ElseLevel(), "different", 0.1, 0.988),
            ],
        ),
        _edit("postcode", 0.8, 0.001),
        custom_comparison(
            "state",
            [
                (cll.NullLevel("state"), "missing", None, None),
                (cll.ExactMatchLevel("state"), "identical", 0.9, 0.25),
                (cll.ElseLevel(), "different", 0.1, 0.75),
            ],
        ),
    ]


def febrl_blocking_rules() -> list[Any]:
    from splink import block_on

    return [
        block_on("given_name", "surname"),
        block_on("surname", "date_of_birth"),
        block_on("given_name", "date_of_birth"),
        block_on("soc_sec_id"),
        block_on("date_of_birth", "postcode"),
        block_on("bk_postcode_number"),
        block_on("bk_suburb_surname"),
    ]


def febrl_deterministic_rules() -> list[Any]:
    return [
        "l.given_name = r.given_name AND l.surname = r.surname "
        "AND l.date_of_birth = r.date_of_birth",
        "l.soc_sec_id = r.soc_sec_id AND l.date_of_birth = r.date_of_birth",
    ]


def febrl_em_rules() -> list[Any]:
    from splink import block_on

    return [block_on("date_of_birth"), block_on("surname", "given_name")]


FEBRL_SPEC = LinkageSpec(
    name="FEBRL persons",
    unique_id_column="rec_id",
    required_columns=("rec_id", *FEBRL_COLUMNS),
    prepare=prepare_febrl,
    comparisons=febrl_comparisons,
    blocking_rules=febrl_blocking_rules,
    deterministic_rules=febrl_deterministic_rules,
    em_blocking_rules=febrl_em_rules,
    identifier_columns=(),
    deterministic_recall=0.6,
    fallback_prior=1e-3,
)


# -- recordlinkage's pipeline ------------------------------------------------------------------


def recordlinkage_pairs(records: pd.DataFrame) -> pd.MultiIndex:
    import recordlinkage

    frame = records.set_index("rec_id")
    indexer = recordlinkage.Index()
    for column in ("given_name", "surname", "date_of_birth", "postcode"):
        indexer.block(column)
    candidates = indexer.index(frame)
    compare = recordlinkage.Compare()
    for column in ("given_name", "surname", "address_1"):
        compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    for column in ("date_of_birth", "suburb", "state", "postcode", "soc_sec_id", "street_number"):
        compare.exact(column, column, label=column)
    features = compare.compute(candidates, frame)
    classifier = recordlinkage.ECMClassifier(binarize=None)
    return classifier.fit_predict(features)


# -- scoring -----------------------------------------------------------------------------------


def clusters_from_pairs(ids: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    position = {value: i for i, value in enumerate(ids)}
    rows = np.array([position[v] for v in left], dtype=np.int64)
    cols = np.array([position[v] for v in right], dtype=np.int64)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
    return connected_components(graph, directed=False)[1]


def score_clusters(
    ids: np.ndarray, labels: np.ndarray, true_pairs: pd.MultiIndex
) -> tuple[float, float, float]:
    label_of = dict(zip(ids, labels, strict=True))
    sizes = pd.Series(labels).value_counts().to_numpy()
    predicted = int((sizes * (sizes - 1) // 2).sum())
    correct = sum(1 for a, b in true_pairs if label_of[a] == label_of[b])
    precision = correct / predicted if predicted else 1.0
    recall = correct / len(true_pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load(number: int) -> tuple[pd.DataFrame, pd.MultiIndex]:
    from recordlinkage import datasets

    if number == 4:
        a, b, links = datasets.load_febrl4(return_links=True)
        frame = pd.concat([a, b])
    else:
        frame, links = getattr(datasets, f"load_febrl{number}")(return_links=True)
    frame = frame.reset_index().rename(columns={frame.index.name or "index": "rec_id"})
    return frame, links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="1,2,3,4")
    parser.add_argument("--threshold", type=float, default=0.95)
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, merge threshold {args.threshold}"
    )
    header = (
        "| dataset | records | true pairs | ours P | ours R | ours F1 | ours s "
        "| rl P | rl R | rl F1 | rl s | F1 ours/rl | time ours/rl |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for number in (int(s) for s in args.sets.split(",")):
        frame, links = load(number)
        ids = frame["rec_id"].to_numpy()

        started = time.perf_counter()
        result = link(frame, spec=FEBRL_SPEC, merge_threshold=args.threshold)
        ours_s = time.perf_counter() - started
        clusters = result.clusters.set_index("record_id")["cluster_id"].loc[ids]
        ours = score_clusters(ids, pd.factorize(clusters)[0], links)

        started = time.perf_counter()
        matches = recordlinkage_pairs(frame)
        rl_labels = clusters_from_pairs(
            ids, matches.get_level_values(0).to_numpy(), matches.get_level_values(1).to_numpy()
        )
        rl_s = time.perf_counter() - started
        theirs = score_clusters(ids, rl_labels, links)

        print(
            f"| FEBRL{number} | {len(frame):,} | {len(links):,} "
            f"| {ours[0]:.4f} | {ours[1]:.4f} | {ours[2]:.4f} | {ours_s:.1f} "
            f"| {theirs[0]:.4f} | {theirs[1]:.4f} | {theirs[2]:.4f} | {rl_s:.1f} "
            f"| {ours[2] / theirs[2]:.3f} | {ours_s / rl_s:.1f} |",
            flush=True,
        )
        for note in result.diagnostics.get("notes", []):
            print(f"  note (FEBRL{number}): {note}")


if __name__ == "__main__":
    main()
