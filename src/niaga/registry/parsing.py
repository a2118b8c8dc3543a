"""Reading an uploaded roster (CSV or XLSX) into text cells, without judging the data.

What is wrong with the file as a whole raises :class:`RosterFileError`; what is wrong with one
row (a formula, merged cells, a cell too many) is reported on that row as a :class:`CellProblem`
and the row is kept. Nothing in the data is validated here: that is ``validation``'s job.

Rows are streamed: :class:`RosterRows` re-reads the file each time it is iterated, so a roster
of any size is held one row at a time. :func:`read_roster` walks it once up front, so every
file-level error is raised there and later iterations do not raise (unless the file changes).
The file at ``path`` must therefore stay in place while the rows are used. XLSX rows are kept
in a private temporary file during that first walk (openpyxl is slow; see ``_Spooled``).

Decisions:

* Row numbers are the spreadsheet's: the header is row 1 unless rows above it were skipped, and
  blank rows count although they are not returned.
* Rows above the header that hold a single filled cell (titles such as "Daftar UMKM 2025") are
  skipped with a warning when a later row, among the first ten, has three or more filled cells.
* Merged cells (XLSX) in data rows: the anchor's value is copied into every covered cell, so the
  row reads as the officer sees it, and each row the merge touches gets a ``merged_cells``
  problem, because a value copied down may not be what was meant. Merged ranges are found by
  streaming the sheet's XML for ``<mergeCell>`` elements (read-only openpyxl does not report
  them), which works on workbooks of any size.
* Formulas (XLSX) keep their text (``=SUM(B2:B9)``) with a ``formula`` problem: the stored
  result may be stale or missing, so Niaga never guesses it.
* A header cell with no name is called ``column_<n>`` (a warning); empty header cells after the
  last name are dropped. Headers that repeat (ignoring case and spacing) are fatal.
* CSV rows with a different number of cells than the header keep every cell (padded with "" to
  the header's width) and get a ``cell_count`` problem; empty cells past the header are dropped
  without a problem, because spreadsheet programs pad rows with them.
* Encodings: a BOM decides (UTF-8, UTF-16, UTF-32); otherwise UTF-8, then Windows-1252. A file
  that is valid UTF-8 up to a stray Windows-1252 byte (two exports pasted together) is read as
  UTF-8 with those bytes decoded as Windows-1252, recorded as ``utf-8+cp1252``. UTF-16 without
  a BOM is recognised by its zero bytes; any other zero byte means the file is not text.
* Separators: when the header line holds exactly one of ``, ; tab |`` (outside quotes), that
  is it; when it holds several, csv.Sniffer chooses among them on a sample of the file, and
  failing that the commonest one on the header line wins.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import datetime
import io
import itertools
import marshal
import os
import re
import tempfile
import weakref
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, overload

from django.utils.translation import gettext as _

from niaga.registry.errors import RosterFileError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "CellProblem",
    "ParsedRoster",
    "RawRow",
    "RosterRows",
    "column_letter",
    "read_roster",
]

DEFAULT_MAX_BYTES = 200_000_000

_CHUNK = 1 << 20
_SNIFF_CHARS = 8192  # csv.Sniffer's quote regex can go quadratic: keep its sample small
_DELIMITERS = ",;\t|"
_HEADER_SEARCH = 10
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx encrypted with a password
# A workbook is a zip; its XML may legitimately be ~10-20x the file, never this much more.
_XLSX_EXPANSION_LIMIT = 40
_MIXED = "utf-8+cp1252"
_FALLBACK_ERRORS = "niaga-cp1252-fallback"

Record = tuple[int, list[str], list["CellProblem"]]
Source = Callable[[int], Iterator[Record]]


@dataclass(slots=True)
class CellProblem:
    """An issue the file itself has on a row or cell (a formula, merged cells, a cell too many).

    Shaped like ``validation.Problem`` (column, value, reason, message) so both kinds can be
    reported together. ``column`` is the header of the cell ("" for the row as a whole, or a
    cell past the header); ``position`` its 1-based column number.
    """

    column: str
    value: str
    reason: str
    message: str
    position: int | None = None


@dataclass(slots=True)
class RawRow:
    """One non-blank data row: its spreadsheet row number and its cells as text.

    ``cells`` has at least as many entries as the header (short rows are padded with "");
    cells beyond the header are kept, with a problem.
    """

    number: int
    cells: list[str]
    problems: list[CellProblem] = field(default_factory=list)


class RosterRows(Sequence[RawRow]):
    """The data rows of a roster, read from the file again on each iteration.

    It is a read-only sequence: ``len(rows)``, ``rows[i]`` and ``rows[a:b]`` work. Reading
    batches in order (``rows[0:500]``, ``rows[500:1000]``...) continues from where the last one
    stopped, so a whole import reads the file once; going backwards starts again from the top.
    """

    def __init__(self, source: Source, header_row: int, headers: list[str], *, strict_width: bool):
        self._source = source
        self._header_row = header_row
        self._headers = headers
        self._strict_width = strict_width
        self._count: int | None = None
        self._cursor: Iterator[RawRow] | None = None
        self._position = 0  # index of the row the cursor yields next

    def __iter__(self) -> Iterator[RawRow]:
        for number, cells, problems in self._source(self._header_row):
            if number <= self._header_row or not cells:
                continue
            yield self._build(number, cells, problems)

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(1 for _row in self)
        return self._count

    def head(self, count: int) -> list[RawRow]:
        """The first ``count`` rows (a preview) without reading the rest of the file."""
        return list(itertools.islice(iter(self), max(count, 0)))

    @overload
    def __getitem__(self, index: int) -> RawRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[RawRow]: ...

    def __getitem__(self, index: int | slice) -> RawRow | list[RawRow]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return self._take(0, len(self))[index]
            return self._take(start, stop) if start < stop else []
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError("roster row index out of range")
        return self._take(position, position + 1)[0]

    def _take(self, start: int, stop: int) -> list[RawRow]:
        if self._cursor is None or start < self._position:
            self._cursor, self._position = iter(self), 0
        skipped = start - self._position
        if skipped:
            next(itertools.islice(self._cursor, skipped - 1, None), None)
        rows = list(itertools.islice(self._cursor, stop - start))
        self._position = start + len(rows)
        return rows

    def _build(self, number: int, cells: list[str], problems: list[CellProblem]) -> RawRow:
        width = len(self._headers)
        if len(cells) > width:
            last = len(cells)
            while last > width and not cells[last - 1].strip():
                last -= 1
            del cells[last:]
        if len(cells) > width and not self._strict_width:
            problems.append(
                CellProblem(
                    "",
                    cells[-1],
                    "cell_count",
                    _(
                        "Row %(row)s has a value in column %(column)s, past the header's last "
                        "column (%(last)s)."
                    )
                    % {
                        "row": number,
                        "column": column_letter(len(cells)),
                        "last": column_letter(width),
                    },
                    position=len(cells),
                )
            )
        elif len(cells) != width and self._strict_width:
            problems.append(
                CellProblem(
                    "",
                    "",
                    "cell_count",
                    _("Row %(row)s has %(count)s cells; the header has %(expected)s.")
                    % {"row": number, "count": len(cells), "expected": width},
                )
            )
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        for problem in problems:
            if problem.position is not None and problem.position <= width and not problem.column:
                problem.column = self._headers[problem.position - 1]
        return RawRow(number, cells, problems)


@dataclass
class ParsedRoster:
    """What :func:`read_roster` found: the format, how it was decoded, the header and rows."""

    format: Literal["csv", "xlsx"]
    encoding: str | None
    delimiter: str | None
    headers: list[str]
    rows: RosterRows
    header_row: int = 1
    sheet: str | None = None
    warnings: list[CellProblem] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.rows)


def column_letter(column: int) -> str:
    """1 -> "A", 28 -> "AB": how spreadsheets name columns."""
    from openpyxl.utils.cell import get_column_letter  # openpyxl loads in 0.7 s: on demand

    return str(get_column_letter(column))


# -- entry point -------------------------------------------------------------------------------


def read_roster(
    path: Path | str, original_name: str, *, max_bytes: int | None = None
) -> ParsedRoster:
    """Open an uploaded roster; ``original_name`` (the name the officer gave it) sets the format.

    ``max_bytes`` defaults to ``NIAGA_ROSTER_MAX_BYTES`` from the environment, or 200 MB.
    Raises RosterFileError for anything that makes the file as a whole unreadable.
    """
    path = Path(path)
    extension = Path(original_name or "").suffix.lower()
    if extension not in {".csv", ".xlsx"}:
        raise RosterFileError.wrong_extension(original_name, extension)
    limit = max_bytes if max_bytes is not None else max_roster_bytes()
    size = path.stat().st_size
    if size > limit:
        raise RosterFileError.too_large(size, limit)
    if size == 0:
        raise RosterFileError.file_empty()
    with path.open("rb") as handle:
        magic = handle.read(8)
    if extension == ".csv":
        if magic.startswith(_ZIP_MAGIC):
            raise RosterFileError.misnamed(original_name, ".xlsx")
        if magic.startswith(_OLE_MAGIC):
            raise RosterFileError.misnamed(original_name, ".xls")
        roster = _read_csv(path)
    else:
        if magic.startswith(_OLE_MAGIC):
            raise RosterFileError.xlsx_unreadable(original_name, "ole")
        if not magic.startswith(_ZIP_MAGIC):
            raise RosterFileError.xlsx_unreadable(original_name)
        roster = _read_xlsx(path, original_name, limit)
    # One full pass now, so that every file-level error surfaces here and not mid-import.
    if len(roster.rows) == 0:
        raise RosterFileError.header_only(roster.header_row)
    return roster


def max_roster_bytes() -> int:
    """The largest roster accepted, from ``NIAGA_ROSTER_MAX_BYTES``."""
    try:
        return int(os.environ.get("NIAGA_ROSTER_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ValueError:
        return DEFAULT_MAX_BYTES


# -- header ------------------------------------------------------------------------------------


def _filled(cells: list[str]) -> int:
    return sum(1 for cell in cells if cell.strip())


def _find_header(records: Iterator[Record]) -> tuple[Record, list[int]]:
    """The header record and the numbers of title rows skipped above it."""
    candidates: list[Record] = []
    for record in records:
        if record[1]:
            candidates.append(record)
            if len(candidates) == _HEADER_SEARCH:
                break
    if not candidates:
        raise RosterFileError.file_empty()
    # Title rows hold one filled cell; anything else above a header would be guessing.
    for index, record in enumerate(candidates):
        filled = _filled(record[1])
        if index == 0 and filled >= 2:
            break
        if index > 0 and filled >= 3:
            return record, [skipped[0] for skipped in candidates[:index]]
        if filled != 1:
            break
    return candidates[0], []


_WHITESPACE = re.compile(r"\s+")
_DATA_LIKE = re.compile(r"[0-9\s.,:/+()-]+")


def _clean_header(text: str) -> str:
    return _WHITESPACE.sub(" ", text.replace("\ufeff", "")).strip()


def header_key(name: str) -> str:
    """Headers compare ignoring case and spacing ("Kode  Pos" is "kode pos")."""
    return _clean_header(name).casefold()


def _name_headers(cells: list[str], number: int) -> tuple[list[str], list[CellProblem]]:
    names = [_clean_header(cell) for cell in cells]
    while names and not names[-1]:
        names.pop()
    if all(_DATA_LIKE.fullmatch(name) for name in names if name):
        # "1, 2025-01-12, 628123..." is a first data row, not a header.
        raise RosterFileError.no_header()
    warnings = []
    taken = {header_key(name) for name in names if name}
    for index, name in enumerate(names):
        if name:
            continue
        generated = f"column_{index + 1}"
        while generated.casefold() in taken:
            generated += "_"
        taken.add(generated.casefold())
        names[index] = generated
        warnings.append(
            CellProblem(
                generated,
                "",
                "header_missing",
                _("Column %(column)s has no header in row %(row)s; it is called %(name)s.")
                % {"column": column_letter(index + 1), "row": number, "name": generated},
                position=index + 1,
            )
        )
    seen: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        seen.setdefault(header_key(name), []).append(index)
    duplicates = {
        names[indexes[0]]: [column_letter(i + 1) for i in indexes]
        for indexes in seen.values()
        if len(indexes) > 1
    }
    if duplicates:
        raise RosterFileError.duplicate_headers(duplicates)
    return names, warnings


def _roster(
    source: Source,
    *,
    format: Literal["csv", "xlsx"],
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    strict_width: bool,
) -> ParsedRoster:
    records = source(0)
    try:
        (number, cells, problems), skipped = _find_header(records)
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()
    headers, warnings = _name_headers(cells, number)
    if skipped:
        warnings.insert(
            0,
            CellProblem(
                "",
                "",
                "rows_skipped",
                _("Title rows above the header (row %(header)s) were skipped: %(rows)s.")
                % {"rows": ", ".join(map(str, skipped)), "header": number},
            ),
        )
    for problem in problems:
        if problem.position is not None and problem.position <= len(headers):
            problem.column = headers[problem.position - 1]
        warnings.append(problem)
    rows = RosterRows(source, number, headers, strict_width=strict_width)
    return ParsedRoster(
        format=format,
        encoding=encoding,
        delimiter=delimiter,
        headers=headers,
        rows=rows,
        header_row=number,
        sheet=sheet,
        warnings=warnings,
    )


# -- CSV ---------------------------------------------------------------------------------------


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 refused as Windows-1252, or fail on its five undefined bytes."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    try:
        return chunk.decode("cp1252"), error.end
    except UnicodeDecodeError as inner:
        raise UnicodeDecodeError(
            "cp1252", error.object, error.start + inner.start, error.start + inner.end, inner.reason
        ) from None


codecs.register_error(_FALLBACK_ERRORS, _cp1252_fallback)


@dataclass
class _DecodeFailure:
    offset: int
    line: int
    byte: int | None
    clean_before: bool  # nothing but ASCII before the failure


def _first_decode_failure(path: Path, codec: str, errors: str) -> _DecodeFailure | None:
    """Decode the whole file in chunks; where it first fails, if it does. Also refuses NULs."""
    decoder = codecs.getincrementaldecoder(codec)(errors)
    wide = codec.startswith(("utf-16", "utf-32"))
    consumed = 0  # bytes handed to the decoder before this chunk
    lines = 1
    ascii_so_far = True
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            pending = decoder.getstate()[0]
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                data = pending + chunk
                position = consumed - len(pending) + error.start
                if codec == "utf-8-sig" and consumed == 0:
                    position += 3  # the BOM was stripped before decoding began
                before = data[: max(error.start, 0)]
                text_before = before.decode(codec, "replace")
                return _DecodeFailure(
                    offset=position,
                    line=lines + text_before.count("\n"),
                    byte=error.object[error.start] if error.start < len(error.object) else None,
                    clean_before=ascii_so_far and before.isascii(),
                )
            if not wide and b"\x00" in chunk:
                raise RosterFileError.binary(consumed + chunk.index(b"\x00"))
            if wide and "\x00" in text:
                raise RosterFileError.binary(consumed + text.index("\x00"))
            ascii_so_far = ascii_so_far and chunk.isascii()
            lines += text.count("\n")
            consumed += len(chunk)
            if not chunk:
                return None


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 saved without a BOM shows as a zero byte beside every ASCII character."""
    sample = head[: len(head) & ~1]
    half = len(sample) // 2
    if half < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= 0.3 * half and even <= 0.02 * half:
        return "utf-16-le"
    if even >= 0.3 * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


def _choose_encoding(path: Path) -> tuple[str, str, str]:
    """(codec, error handler, name recorded for the officer)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        codec = "utf-32"
    elif head.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    else:
        codec = _utf16_without_bom(head) or "utf-8"
    failure = _first_decode_failure(path, codec, "strict")
    if failure is None:
        return codec, "strict", codec
    if codec != "utf-8":
        raise RosterFileError.encoding(failure.offset, failure.line, None)
    if failure.clean_before:
        codec, errors, name = "cp1252", "strict", "cp1252"
    else:
        # Real UTF-8 came before the bad byte: re-reading it all as cp1252 would garble it.
        codec, errors, name = "utf-8", _FALLBACK_ERRORS, _MIXED
    failure = _first_decode_failure(path, codec, errors)
    if failure is not None:
        raise RosterFileError.encoding(failure.offset, failure.line, failure.byte)
    return codec, errors, name


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _sniff_delimiter(sample: str) -> str:
    """The separator: the only candidate on the header line, or csv.Sniffer's pick among those
    there, or the commonest of them."""
    first = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {d: _count_outside_quotes(first, d) for d in _DELIMITERS}
    present = "".join(d for d in _DELIMITERS if counts[d])
    if len(present) <= 1:
        return present or ","
    cut = sample.rfind("\n")
    try:
        sniffed = csv.Sniffer().sniff(sample[: cut if cut > 0 else None], present).delimiter
    except csv.Error:
        sniffed = None
    if sniffed and sniffed in present:
        return sniffed
    return max(present, key=lambda d: counts[d])  # ties go to the comma, listed first


def _open_text(path: Path, codec: str, errors: str) -> io.TextIOWrapper:
    # newline="" hands line endings to the csv module, which keeps quoted newlines intact.
    return io.TextIOWrapper(path.open("rb"), encoding=codec, errors=errors, newline="")


def _read_csv(path: Path) -> ParsedRoster:
    codec, errors, encoding = _choose_encoding(path)
    with _open_text(path, codec, errors) as text:
        sample = text.read(_SNIFF_CHARS)
    delimiter = _sniff_delimiter(sample)

    def source(_header_row: int) -> Iterator[Record]:
        number = 0
        with _open_text(path, codec, errors) as text:
            reader = csv.reader(text, delimiter=delimiter, quotechar='"', strict=False)
            try:
                for cells in reader:
                    number += 1
                    # Blank rows come back empty; the row number still counts them.
                    yield number, (cells if "".join(cells).strip() else []), []
            except csv.Error as error:
                raise RosterFileError.malformed(number + 1, str(error)) from None
            except UnicodeDecodeError as error:  # the file changed since it was checked
                raise RosterFileError.encoding(error.start, number + 1, None) from None

    return _roster(source, format="csv", encoding=encoding, delimiter=delimiter, strict_width=True)


# -- XLSX --------------------------------------------------------------------------------------


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


class _Spooled:
    """A source whose first complete read of the data rows is kept in a temporary file.

    openpyxl needs several microseconds a cell, so counting the rows and then importing them
    would parse a workbook twice; replaying the spool reads at CSV speed. The file holds the
    rows' text (marshal records) and is removed when the roster is garbage-collected. A read
    that stops early keeps nothing.
    """

    def __init__(self, source: Source):
        self._source = source
        self._path: str | None = None
        self._header_row: int | None = None

    def __call__(self, header_row: int) -> Iterator[Record]:
        if self._path is not None and header_row == self._header_row:
            return self._replay(self._path)
        if header_row <= 0:
            return self._source(header_row)  # the header search reads a few rows only
        return self._record(header_row)

    def _record(self, header_row: int) -> Iterator[Record]:
        handle, path = tempfile.mkstemp(prefix="niaga-roster-", suffix=".rows")
        complete = False
        try:
            with os.fdopen(handle, "wb") as spool:
                for record in self._source(header_row):
                    number, cells, problems = record
                    if number > header_row and cells:
                        marshal.dump(
                            (number, cells, [dataclasses.astuple(p) for p in problems]), spool
                        )
                    yield record
            complete = True
        finally:
            if complete and self._path is None:
                self._path, self._header_row = path, header_row
                weakref.finalize(self, _unlink, path)
            else:
                _unlink(path)

    @staticmethod
    def _replay(path: str) -> Iterator[Record]:
        with open(path, "rb") as spool:
            while True:
                try:
                    # Only this process wrote the file (mkstemp: private, unguessable name).
                    number, cells, problems = marshal.load(spool)  # noqa: S302
                except EOFError:
                    return
                yield number, cells, [CellProblem(*problem) for problem in problems]


def _cell_text(value: Any) -> str:
    """A cell's value as the officer would type it: no "6.28e+11", no trailing ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    text = getattr(value, "text", None)  # ArrayFormula and DataTableFormula
    return text if isinstance(text, str) else str(value)


_MERGE_SECTION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCells[\s>/]")
_MERGE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref=\"([A-Za-z0-9:$]+)\"")


def _merged_ranges(path: Path, member: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range, streaming the sheet's XML.

    ``<mergeCells>`` follows ``<sheetData>``, so the scan looks for its opening tag chunk by
    chunk and only keeps what follows it.
    """
    ranges = []
    with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        tail = b""
        while True:
            chunk = xml.read(_CHUNK)
            if not chunk:
                return []
            buffer = tail + chunk
            found = _MERGE_SECTION.search(buffer)
            if found:
                section = buffer[found.start() :] + xml.read()
                break
            tail = buffer[-64:]
    for match in _MERGE_CELL.finditer(section):
        ref = match.group(1).decode("ascii").replace("$", "")
        if ":" not in ref:
            continue
        try:
            from openpyxl.utils.cell import range_boundaries

            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if min_col and min_row and max_col and max_row:
            ranges.append((min_col, min_row, max_col, max_row))
    return sorted(ranges, key=lambda r: (r[1], r[0]))


def _uncompressed_size(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


@contextlib.contextmanager
def _workbook(path: Path, name: str) -> Iterator[Any]:
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception:
        # openpyxl raises whatever its zip, XML and descriptor layers raise (BadZipFile,
        # KeyError, ValueError, TypeError, ParseError...) for a damaged or foreign file.
        raise RosterFileError.xlsx_unreadable(name) from None
    try:
        yield workbook
    finally:
        workbook.close()


def _sheet_rows(worksheet: Any) -> Iterator[tuple[Any, ...]]:
    # Dimensions written by some programs are wrong ("A1:A1"); reading them would cut rows.
    worksheet.reset_dimensions()
    return worksheet.iter_rows()


def _first_sheet_with_data(workbook: Any) -> Any:
    sheets = list(workbook.worksheets)
    visible = [sheet for sheet in sheets if sheet.sheet_state == "visible"]
    for sheet in visible + [sheet for sheet in sheets if sheet not in visible]:
        for row in _sheet_rows(sheet):
            if any(_cell_text(cell.value).strip() for cell in row):
                return sheet
    return None


def _convert_row(row: tuple[Any, ...], number: int) -> tuple[list[str], list[CellProblem]]:
    cells = []
    problems = []
    for index, cell in enumerate(row):
        text = _cell_text(cell.value)
        cells.append(text)
        kind = getattr(cell, "data_type", None)
        if kind == "f":
            problems.append(
                CellProblem(
                    "",
                    text,
                    "formula",
                    _(
                        "Cell %(cell)s holds a formula (%(formula)s): formulas are not accepted; "
                        "paste the values."
                    )
                    % {"cell": f"{column_letter(index + 1)}{number}", "formula": text[:60]},
                    position=index + 1,
                )
            )
        elif kind == "e":
            problems.append(
                CellProblem(
                    "",
                    text,
                    "cell_error",
                    _("Cell %(cell)s shows the error %(error)s.")
                    % {"cell": f"{column_letter(index + 1)}{number}", "error": text},
                    position=index + 1,
                )
            )
    return cells, problems


def _merged_problem(area: tuple[int, int, int, int], value: str) -> CellProblem:
    min_col, min_row, max_col, max_row = area
    anchor = f"{column_letter(min_col)}{min_row}"
    cells = f"{anchor}:{column_letter(max_col)}{max_row}"
    return CellProblem(
        "",
        value,
        "merged_cells",
        _(
            "Cells %(cells)s are merged: the value is only in %(anchor)s and was copied into "
            "the others. Unmerge them and fill each cell."
        )
        % {"cells": cells, "anchor": anchor},
        position=min_col,
    )


def _read_xlsx(path: Path, name: str, limit: int) -> ParsedRoster:
    try:
        expanded = _uncompressed_size(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise RosterFileError.xlsx_unreadable(name) from None
    if expanded > limit * _XLSX_EXPANSION_LIMIT:
        raise RosterFileError.too_large(expanded, limit * _XLSX_EXPANSION_LIMIT)
    with _workbook(path, name) as workbook:
        try:
            sheet = _first_sheet_with_data(workbook)
        except Exception:
            raise RosterFileError.xlsx_unreadable(name) from None
        if sheet is None:
            raise RosterFileError.file_empty()
        title = sheet.title
        member = getattr(sheet, "_worksheet_path", None)
    try:
        merged = _merged_ranges(path, member) if member else []
    except Exception:
        # A damaged member fails in zipfile or zlib (BadZipFile, zlib.error, EOFError...).
        raise RosterFileError.xlsx_unreadable(name) from None

    def source(header_row: int) -> Iterator[Record]:
        # Merges below the header are filled; a merge across the header is reported once by
        # read_roster and its covered cells keep generated names.
        pending = [area for area in merged if area[1] > header_row] if header_row else []
        active: list[tuple[tuple[int, int, int, int], str]] = []
        with _workbook(path, name) as workbook:
            rows = _sheet_rows(workbook[title])
            number = 0
            try:
                for row in rows:
                    number += 1
                    cells, problems = _convert_row(row, number)
                    blank = not "".join(cells).strip()
                    while pending and pending[0][1] <= number:
                        area = pending.pop(0)
                        anchor = cells[area[0] - 1] if area[0] <= len(cells) else ""
                        active.append((area, anchor))
                    if active and not blank:
                        for area, anchor in active:
                            if not anchor:
                                continue  # an empty merge copies nothing and hides nothing
                            min_col, _min_row, max_col, _max_row = area
                            if len(cells) < max_col:
                                cells.extend([""] * (max_col - len(cells)))
                            for column in range(min_col, max_col + 1):
                                if not cells[column - 1]:
                                    cells[column - 1] = anchor
                            problems.append(_merged_problem(area, anchor))
                    active = [(area, anchor) for area, anchor in active if area[3] > number]
                    yield number, ([] if blank else cells), problems
            except RosterFileError:
                raise
            except Exception:
                # A damaged sheet can fail anywhere in openpyxl's XML stream.
                raise RosterFileError.xlsx_unreadable(name) from None

    roster = _roster(_Spooled(source), format="xlsx", sheet=title, strict_width=False)
    for area in merged:
        if area[1] <= roster.header_row <= area[3]:
            roster.warnings.append(_merged_problem(area, ""))
    return roster
