"""Small-cell suppression: a figure built from fewer orders or exporters than the threshold is
blanked and marked, the same way on the page, in the API and in the open data files.

When one cell of a breakdown is blanked, the total and the other cells would give it away by
subtraction, so the next smallest cell is blanked with it (secondary suppression).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings


def threshold() -> int:
    return int(getattr(settings, "NIAGA_OPEN_DATA_MIN_CELL", 5))


def too_small(count: int | None) -> bool:
    return count is not None and 0 < count < threshold()


def blank(row: dict[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    for name in columns:
        row[name] = None
    row["suppressed"] = True
    return row


def suppress_breakdown(
    rows: list[dict[str, Any]], *, count: str, value: str, blanked: Iterable[str]
) -> list[dict[str, Any]]:
    """Blank the rows whose ``count`` is below the threshold, then one more if only one was."""
    blanked = tuple(blanked)
    for row in rows:
        row["suppressed"] = False
    small = [row for row in rows if too_small(row[count])]
    if len(small) == 1 and len(rows) > 1:
        others = [row for row in rows if row is not small[0]]
        small.append(min(others, key=lambda row: (row[value] or 0, row[count] or 0)))
    for row in small:
        blank(row, blanked)
    return rows
