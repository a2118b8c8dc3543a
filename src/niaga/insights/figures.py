"""A figure as the dashboard, the API and the open data files all carry it: named columns and
rows of plain values, with small cells already blanked (see suppression)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    # text, int, usd_minor, native_minor, percent, days and rate (Decimal), bool
    kind: str


@dataclass
class Figure:
    slug: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def suppressed_cells(self) -> int:
        return sum(1 for row in self.rows if row.get("suppressed"))
