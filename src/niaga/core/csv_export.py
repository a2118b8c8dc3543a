"""CSV files that are safe to open in a spreadsheet: UTF-8 with a BOM, formulas neutralised.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a
tab or carriage return) as a formula, so a business named ``=HYPERLINK("http://x","y")`` could
become a live link or worse in an officer's Excel (CSV injection). Following OWASP, every such
cell is prefixed with a single quote, which spreadsheets show as text.

Decision: the prefix also goes on plain negative numbers ("-12.5" becomes "'-12.5"). Telling a
number from a payload ("-1+1", "-2+3+cmd|' /C calc'!A0") is exactly the guessing the rule exists
to avoid; a report that needs signed amounts should write them in their own column as plain
digits or with accounting parentheses. Full-width look-alikes (＝＋－＠), which some East Asian
Excel builds also treat as formula starts, and a trigger hidden behind leading spaces are
prefixed too. Export only: stored data is never changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

__all__ = ["BOM", "csv_response_rows", "safe_cell", "write_csv"]

BOM = "\ufeff"  # Excel reads a UTF-8 CSV as UTF-8 only when it starts with this

_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def safe_cell(value: Any) -> str:
    """The cell as text, prefixed with ``'`` when a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    first = text.lstrip(" ")[:1]
    if text[:1] in _TRIGGERS or first in _TRIGGERS:
        return "'" + text
    return text


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, text: str) -> str:
        return text


def _cells(headers: Sequence[Any], row: Sequence[Any] | Mapping[str, Any]) -> list[str]:
    if isinstance(row, Mapping):
        return [safe_cell(row.get(header, "")) for header in headers]
    return [safe_cell(cell) for cell in row]


def csv_response_rows(
    headers: Sequence[Any], rows: Iterable[Sequence[Any] | Mapping[str, Any]]
) -> Iterator[str]:
    """CSV text line by line, BOM first, for a StreamingHttpResponse (charset=utf-8).

    A row is a sequence of cells or a mapping keyed by header; every cell goes through
    :func:`safe_cell`, headers included.
    """
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([safe_cell(header) for header in headers])
    for row in rows:
        yield writer.writerow(_cells(headers, row))


def _is_binary(file: Any) -> bool:
    if isinstance(file, io.TextIOBase):
        return False
    if isinstance(file, io.RawIOBase | io.BufferedIOBase):
        return True
    return "b" in str(getattr(file, "mode", ""))


def write_csv(
    file: IO[str] | IO[bytes] | Any,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
) -> int:
    """Write a BOM, the header and the rows to ``file``; return the number of rows written.

    ``file`` is a text file opened with ``newline=""``, a binary file (UTF-8 is written), or
    anything with a ``write(str)`` method such as Django's HttpResponse.
    """
    binary = _is_binary(file)
    count = -1
    for count, line in enumerate(csv_response_rows(headers, rows)):  # noqa: B007
        file.write(line.encode("utf-8") if binary else line)
    return count
