"""A figure as a file: CSV (spreadsheet-safe, see core.csv_export) and Parquet (pyarrow).

Only what the figure carries goes out: aggregates with small cells already blanked, never a
person or a single business.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from niaga.core.csv_export import csv_response_rows
from niaga.insights import suppression
from niaga.insights.figures import Figure

FILTER_NAMES = ("programme", "month_from", "month_to", "region")

ARROW_TYPES = {
    "text": pa.string(),
    "int": pa.int64(),
    "usd_minor": pa.int64(),
    "native_minor": pa.int64(),
    "percent": pa.decimal128(18, 4),
    "days": pa.decimal128(18, 4),
    "rate": pa.decimal128(24, 12),
    "bool": pa.bool_(),
}


def plain(value: Any) -> Any:
    """A cell as JSON and CSV carry it: decimals as text, so nothing is rounded on the way."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def plain_json(value: Any) -> Any:
    """A cell as JSON carries it: decimals as text, the rest as they are."""
    return str(value) if isinstance(value, Decimal) else value


def csv_lines(figure: Figure) -> Iterator[str]:
    names = figure.column_names
    return csv_response_rows(names, ([plain(row.get(n)) for n in names] for row in figure.rows))


def parquet_bytes(figure: Figure, *, filters: dict[str, str]) -> bytes:
    schema = pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.kind]) for c in figure.columns],
        metadata={
            "figure": figure.slug,
            "title": str(figure.title),
            "min_cell": str(suppression.threshold()),
            **{f"filter.{key}": value for key, value in filters.items()},
        },
    )
    columns = {
        column.name: [row.get(column.name) for row in figure.rows] for column in figure.columns
    }
    table = pa.Table.from_pydict(columns, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
