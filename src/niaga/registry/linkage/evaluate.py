"""Pairwise precision, recall and F1 of a clustering against ground truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PairwiseScores", "pairwise_scores", "pairwise_scores_from_pairs"]


@dataclass(frozen=True)
class PairwiseScores:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs_within(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> PairwiseScores:
    """Scores of cluster labels ``predicted`` against ``truth`` (aligned, one row per record).

    A pair counts as predicted when both records share a predicted cluster, as true when they
    share a true entity: transitive closure included, as a merge would apply it.
    """
    frame = pd.DataFrame({"p": predicted.to_numpy(), "t": truth.to_numpy()})
    both = frame.groupby(["p", "t"], sort=False).size().to_numpy()
    return PairwiseScores(
        true_pairs=_pairs_within(frame.groupby("t", sort=False).size().to_numpy()),
        predicted_pairs=_pairs_within(frame.groupby("p", sort=False).size().to_numpy()),
        correct_pairs=_pairs_within(both),
    )


def pairwise_scores_from_pairs(
    predicted: pd.DataFrame, true_pairs: set[tuple[object, object]]
) -> PairwiseScores:
    """Scores of explicit predicted pairs (columns record_id_l, record_id_r), order-free."""
    found = {
        (a, b) if a <= b else (b, a)
        for a, b in zip(predicted["record_id_l"], predicted["record_id_r"], strict=True)
    }
    truth = {(a, b) if a <= b else (b, a) for a, b in true_pairs}
    return PairwiseScores(len(truth), len(found), len(found & truth))
