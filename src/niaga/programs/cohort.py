"""Choosing a programme's cohort from its eligible candidates.

The most export-ready go first (earlier applications win ties, then the key), and a programme
may cap the share of places any one province or sector takes, so a cohort is not all from one
place or one trade. Pure: the caller passes the candidates and stores the selection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import ngettext

from niaga.programs.eligibility import province_name, sector_label

__all__ = [
    "CAPACITY_REACHED",
    "PROVINCE_FULL",
    "SECTOR_FULL",
    "Candidate",
    "Ranked",
    "Selection",
    "select_cohort",
    "share_limit",
]

PROVINCE_FULL = "province_full"
SECTOR_FULL = "sector_full"
CAPACITY_REACHED = "capacity_reached"


@dataclass(frozen=True)
class Candidate:
    key: Hashable  # the caller's id (an application's pk); unique among the candidates
    readiness: int
    province: str  # compared as given: pass codes ("ID-JB"), not names
    sector: str
    applied_at: datetime


@dataclass(frozen=True)
class Ranked:
    rank: int  # from 1, within the selected or within the waiting list
    candidate: Candidate
    reason: str | None = None  # for the waiting list: PROVINCE_FULL, SECTOR_FULL, ...
    message: str = ""  # the reason in plain words, in the active language


@dataclass(frozen=True)
class Selection:
    selected: tuple[Ranked, ...]
    waitlisted: tuple[Ranked, ...]  # in the order places should be offered if some free up
    capacity: int
    province_limit: int | None  # places one province may take, or None for no cap
    sector_limit: int | None


def share_limit(capacity: int, share: int) -> int:
    """Places a whole-percent ``share`` of ``capacity`` allows: rounded down, at least one."""
    return max(1, capacity * share // 100)


def _checked_share(name: str, share: int | None) -> int | None:
    if share is not None and (type(share) is not int or not 1 <= share <= 100):
        raise ValueError(f"{name} must be a whole percent from 1 to 100, not {share!r}")
    return share


def _priority(candidate: Candidate) -> tuple[Any, ...]:
    return (-candidate.readiness, candidate.applied_at, candidate.key)


def _province_full(candidate: Candidate, limit: int) -> str:
    return ngettext(
        "%(province)s already has %(limit)s place, the most one province or state may take.",
        "%(province)s already has %(limit)s places, the most one province or state may take.",
        limit,
    ) % {"province": province_name(candidate.province), "limit": limit}


def _sector_full(candidate: Candidate, limit: int) -> str:
    return ngettext(
        "%(sector)s already has %(limit)s place, the most one sector may take.",
        "%(sector)s already has %(limit)s places, the most one sector may take.",
        limit,
    ) % {"sector": sector_label(candidate.sector), "limit": limit}


def capacity_reached_message(capacity: int) -> str:
    return ngettext(
        "The cohort is full: its %(capacity)s place is taken.",
        "The cohort is full: all %(capacity)s places are taken.",
        capacity,
    ) % {"capacity": capacity}


def select_cohort(
    candidates: Iterable[Candidate],
    *,
    capacity: int,
    max_share_per_province: int | None = None,
    max_share_per_sector: int | None = None,
    members: Iterable[tuple[str, str]] = (),
) -> Selection:
    """Fill ``capacity`` places greedily by readiness, skipping whoever would break a cap.

    ``members`` are the (province, sector) of those already in the cohort: they count against
    the caps, which are shares of the whole cohort (``capacity`` free places plus them).

    Order: readiness (highest first), then ``applied_at`` (earliest first), then ``key``; the
    result does not depend on the order candidates are given in. Keys must be unique
    (ValueError otherwise) and, where readiness and application time tie, comparable.
    """
    if type(capacity) is not int or capacity < 1:
        raise ValueError(f"capacity must be a whole number of at least 1, not {capacity!r}")
    province_share = _checked_share("max_share_per_province", max_share_per_province)
    sector_share = _checked_share("max_share_per_sector", max_share_per_sector)
    members = list(members)
    whole = capacity + len(members)
    province_limit = share_limit(whole, province_share) if province_share else None
    sector_limit = share_limit(whole, sector_share) if sector_share else None

    pool = list(candidates)
    keys = Counter(candidate.key for candidate in pool)
    repeated = [key for key, count in keys.items() if count > 1]
    if repeated:
        raise ValueError(f"candidate keys must be unique; repeated: {repeated[:5]!r}")

    selected: list[Candidate] = []
    waitlisted: list[tuple[Candidate, str, str]] = []
    per_province: Counter[str] = Counter(province for province, _sector in members)
    per_sector: Counter[str] = Counter(sector for _province, sector in members)
    for candidate in sorted(pool, key=_priority):
        if len(selected) >= capacity:
            waitlisted.append((candidate, CAPACITY_REACHED, capacity_reached_message(capacity)))
        elif province_limit is not None and per_province[candidate.province] >= province_limit:
            waitlisted.append((candidate, PROVINCE_FULL, _province_full(candidate, province_limit)))
        elif sector_limit is not None and per_sector[candidate.sector] >= sector_limit:
            waitlisted.append((candidate, SECTOR_FULL, _sector_full(candidate, sector_limit)))
        else:
            selected.append(candidate)
            per_province[candidate.province] += 1
            per_sector[candidate.sector] += 1

    return Selection(
        selected=tuple(Ranked(rank, candidate) for rank, candidate in enumerate(selected, 1)),
        waitlisted=tuple(
            Ranked(rank, candidate, reason, str(message))
            for rank, (candidate, reason, message) in enumerate(waitlisted, 1)
        ),
        capacity=capacity,
        province_limit=province_limit,
        sector_limit=sector_limit,
    )
