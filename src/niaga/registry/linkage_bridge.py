"""From registry records to the linkage engine and back: the registry's side of linkage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from niaga.registry.models import Business
from niaga.registry.provenance import TEXT_FIELDS

if TYPE_CHECKING:
    import pandas as pd

# The roster columns linkage compares, read from the Business attributes that hold them.
LINKED_FIELDS = (
    "business_name", "owner_name", "nib", "npwp", "udyam", "gstin", "pan", "iec",
    "address", "province", "district", "postcode", "phone", "email",
)  # fmt: skip
COLUMNS = {"record_id": "pk", **{field: TEXT_FIELDS[field] for field in LINKED_FIELDS}}


@dataclass(frozen=True)
class Proposal:
    left: int
    right: int
    probability: float
    weight: float
    method: str
    explanation: list
    sure: bool


def merge_threshold() -> float:
    return float(getattr(settings, "NIAGA_MERGE_THRESHOLD", 0.95))


def review_threshold() -> float:
    return float(getattr(settings, "NIAGA_REVIEW_THRESHOLD", 0.5))


def current_record_count() -> int:
    return Business.objects.filter(merged_into=None).exclude(name="").count()


def current_records() -> pd.DataFrame:
    """Every record that is not merged into another, with the columns linkage compares."""
    import pandas as pd

    rows = Business.objects.filter(merged_into=None).exclude(name="").values_list(*COLUMNS.values())
    frame = pd.DataFrame.from_records(list(rows), columns=list(COLUMNS))
    frame["record_id"] = frame["record_id"].astype(str)
    frame["source"] = "registry"
    return frame.fillna("")


def propose_pairs(progress: Callable[[str], None] | None = None) -> Iterator[Proposal]:
    from niaga.registry.linkage.engine import link

    records = current_records()
    if len(records) < 2:
        return iter(())
    if progress:
        progress(f"linking {len(records)} records")
    result = link(records, merge_threshold=merge_threshold(), review_threshold=review_threshold())
    pairs = result.pairs.sort_values("match_probability", ascending=False)
    return (
        Proposal(
            left=int(row.record_id_l),
            right=int(row.record_id_r),
            probability=float(row.match_probability),
            weight=float(min(row.match_weight, 1e6)),
            method=str(row.method),
            explanation=list(row.explanation),
            sure=float(row.match_probability) >= merge_threshold(),
        )
        for row in pairs.itertuples(index=False)
    )
