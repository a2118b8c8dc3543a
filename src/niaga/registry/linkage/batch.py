"""Batch de-duplication of a roster CSV file: records in, ``record_id,cluster_id`` out.

The input is a raw roster, not yet validated, so only cheap normalisation happens here
(trimming, upper-case identifiers without spaces or dashes, phones reduced to digits);
validation proper belongs to the identifier module. No database is touched.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from niaga.core.csv_export import safe_cell
from niaga.registry.linkage.engine import IDENTIFIER_COLUMNS, link

__all__ = ["REQUIRED_COLUMNS", "MissingColumnsError", "dedupe_file"]

REQUIRED_COLUMNS: tuple[str, ...] = ("record_id", "business_name")


class MissingColumnsError(ValueError):
    """The input file lacks columns the engine needs; ``columns`` names them."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = columns
        names = ", ".join(columns)
        super().__init__(f"{path.name} has no {names} column{'s' if len(columns) > 1 else ''}")


def _read(input_path: Path) -> pd.DataFrame:
    # utf-8-sig reads files with and without a byte-order mark alike.
    frame = pd.read_csv(
        input_path,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        skipinitialspace=True,
    )
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise MissingColumnsError(input_path, missing)
    return frame


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.apply(lambda column: column.str.strip())
    for column in IDENTIFIER_COLUMNS:
        if column in frame:
            frame[column] = frame[column].str.upper().str.replace(r"[\s.\-/]", "", regex=True)
    if "phone" in frame:
        frame["phone"] = frame["phone"].str.replace(r"\D", "", regex=True)
    if "province" in frame:
        frame["province"] = frame["province"].str.upper()
    empty_ids = frame["record_id"].eq("")
    if empty_ids.any():
        rows = ", ".join(str(i + 2) for i in frame.index[empty_ids][:5])
        raise ValueError(f"record_id is empty on line(s) {rows}")
    return frame


def dedupe_file(
    input_path: Path,
    output_path: Path,
    *,
    engine: str = "duckdb",
    progress: Callable[[str], None] | None = None,
) -> int:
    """Cluster the roster at ``input_path``; write ``record_id,cluster_id`` rows to
    ``output_path`` (UTF-8, header included, in the input's row order). Returns the number of
    records.

    Raises ``MissingColumnsError`` (a ``ValueError``) when record_id or business_name is
    missing, and ``ValueError`` for empty or repeated record ids.
    """
    say = progress or (lambda _message: None)
    input_path, output_path = Path(input_path), Path(output_path)
    started = time.perf_counter()
    frame = _tidy(_read(input_path))
    say(f"read {len(frame):,} records from {input_path.name}")
    if engine not in ("duckdb", "spark"):
        raise ValueError(f"unknown engine {engine!r}: use 'duckdb' or 'spark'")
    result = link(frame, engine=engine)  # type: ignore[arg-type]
    clusters = result.clusters.set_index("record_id")["cluster_id"]
    out = pd.DataFrame(
        {"record_id": frame["record_id"], "cluster_id": clusters.loc[frame["record_id"]].values}
    )
    output_path.parent.mkdir(parents=True, exist_ok=True)
    # Ids come from whoever wrote the roster: a formula-looking one must not run in a spreadsheet.
    out = out.astype(str).map(safe_cell)
    out.to_csv(output_path, index=False, encoding="utf-8", quoting=csv.QUOTE_MINIMAL)
    say(
        f"{out['cluster_id'].nunique():,} businesses among {len(out):,} records; "
        f"wrote {output_path.name} in {time.perf_counter() - started:.1f} s"
    )
    return len(out)
