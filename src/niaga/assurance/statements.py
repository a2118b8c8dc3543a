"""Bank statements a finance officer uploads, read into the credits they contain.

Two formats:

* **CSV** as banks' online portals export it: UTF-8 (with or without a BOM), UTF-16 with a BOM
  (Excel's "Unicode text") or Windows-1252; comma, semicolon or tab separated; a header row that
  names the columns (a few lines of account details above it are passed over). Amounts are
  read exactly by :func:`niaga.core.money.parse_amount`, so "1,234.56" and "1.234,56" both work
  and "1.234" in dollars is refused as ambiguous.
* **camt.053** (ISO 20022 BankToCustomerStatement), any version from .001.02 to .001.08: the
  elements are matched by local name, so the namespace's version does not matter.

Only credits come out as :class:`StatementLine`; debits, reversals, pending entries and rows
without an amount are listed in ``Statement.skipped`` in plain words, so the officer can see
that nothing was silently dropped. Anything unreadable raises :class:`StatementInvalid`
saying what is wrong and where (row and column; entry and element).

Pure: no database, no files on disk. Storing the upload and its errors is the service's job.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 — DTDs are refused before parsing, see _refuse_dtd
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from django.utils.translation import gettext as _

from niaga.core.errors import NiagaError
from niaga.core.money import Money, currency_exponent, parse_amount

__all__ = [
    "MAX_BYTES",
    "MAX_ID_LENGTH",
    "MAX_LINES",
    "Statement",
    "StatementInvalid",
    "StatementLine",
    "parse_statement",
]

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 100_000
MAX_ID_LENGTH = 100  # ISO 20022 references are at most 35; room for "/n" on batch parts
_MAX_PROBLEMS = 20  # reported together, so one upload fixes many mistakes
_HEADER_SEARCH_ROWS = 10  # account details a bank prints above the header
_SNIFF_CHARS = 8192


class StatementInvalid(NiagaError):
    """The statement cannot be read; ``params`` holds where (row/column or entry/element)."""

    code = "statement_invalid"
    status = 422


@dataclass(frozen=True)
class StatementLine:
    """One credit on the account."""

    external_id: str
    booked_on: date
    amount: Money
    reference_text: str
    payer: str
    line: int


@dataclass(frozen=True)
class Statement:
    format: Literal["csv", "camt053"]
    account_currency: str | None
    lines: tuple[StatementLine, ...]
    skipped: tuple[str, ...]


@dataclass
class _Problem:
    message: str
    where: dict[str, Any] = field(default_factory=dict)


def _shown(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _raise_problems(problems: Sequence[_Problem]) -> None:
    if not problems:
        return
    first = problems[0]
    message = first.message
    if len(problems) > 1:
        message = _("%(first)s (and %(count)s more problems in the file)") % {
            "first": first.message,
            "count": len(problems) - 1,
        }
    raise StatementInvalid(
        message,
        field="file",
        params={
            **first.where,
            "problems": [{"message": p.message, **p.where} for p in problems],
        },
    )


def _invalid(message: str, **where: Any) -> StatementInvalid:
    return StatementInvalid(message, field="file", params=where)


def parse_statement(data: bytes, *, filename: str) -> Statement:
    """The credits in an uploaded bank statement (CSV or camt.053 XML).

    The format is chosen by the file's name (``.xml`` is camt.053) and, whatever the name, a
    file whose first character is ``<`` is read as XML.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _invalid(_("The statement is not a file."))
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise _invalid(
            _("The statement is %(size)s MB; the largest accepted is %(limit)s MB.")
            % {"size": _megabytes(len(data)), "limit": MAX_BYTES // (1024 * 1024)},
            size=len(data),
        )
    if not data.strip():
        raise _invalid(_("The statement file is empty."))
    if _looks_like_xml(data) or (filename or "").lower().endswith(".xml"):
        return _parse_camt053(data)
    return _parse_csv(data)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _looks_like_xml(data: bytes) -> bool:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            head = data[len(bom) : len(bom) + 400].decode(encoding, "ignore")
            return head.lstrip()[:1] == "<"
    return data.lstrip()[:1] == b"<"


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _external_id(
    seen: Counter[str], booked_on: date, amount: Money, reference_text: str, payer: str
) -> str:
    """A stable id for a line the bank gave none: its content and its place among equal lines.

    The same file uploaded twice gives the same ids; two identical credits in one file differ
    by their occurrence number; and since nothing else about the position counts, the same
    credit in two overlapping exports (1–15 and 10–20 November) keeps one id, so it is not
    counted twice.
    """
    content = json.dumps(
        [booked_on.isoformat(), amount.amount, amount.currency, reference_text, payer],
        ensure_ascii=False,
    )
    seen[content] += 1
    return hashlib.sha256(f"{content}#{seen[content]}".encode()).hexdigest()


# -- CSV -----------------------------------------------------------------------------------------

# Normalised header text -> the column's meaning. The first alias listed wins when a file has
# several columns of one meaning (a booking date beats a value date).
_ALIASES: dict[str, tuple[str, ...]] = {
    "date": (
        "booking date", "booked on", "booked", "date", "posting date", "post date",
        "transaction date", "entry date", "value date", "tanggal", "tanggal transaksi",
        "buchungstag", "buchungsdatum", "datum", "date comptable", "fecha",
    ),
    "amount": ("amount", "transaction amount", "amt", "value", "betrag", "jumlah", "nominal",
               "montant", "importe", "bedrag"),
    "credit": ("credit", "credit amount", "credits", "paid in", "money in", "kredit", "haben"),
    "debit": ("debit", "debit amount", "debits", "paid out", "money out", "debet", "soll"),
    "currency": ("currency", "ccy", "cur", "curr", "currency code", "mata uang", "währung",
                 "waehrung", "devise", "moneda", "valuta"),
    "reference": (
        "reference", "payment reference", "remittance", "remittance information",
        "remittance info", "description", "details", "narrative", "memo", "purpose",
        "transaction details", "berita", "keterangan", "verwendungszweck", "libellé",
        "libelle", "concepto", "omschrijving",
    ),
    "payer": ("payer", "payer name", "name", "counterparty", "counterparty name", "debtor",
              "debtor name", "remitter", "sender", "ordering party", "from", "nama",
              "auftraggeber", "name auftraggeber", "zahlungspflichtiger"),
    "id": ("id", "entry id", "entry reference", "entry ref", "transaction id",
           "bank reference", "acctsvcrref", "account servicer reference"),
    "indicator": ("credit/debit", "debit/credit", "cr/dr", "dr/cr", "c/d", "d/c",
                  "credit debit indicator", "cdtdbtind", "indicator", "s/h", "soll/haben",
                  "db/cr", "cr/db"),
}  # fmt: skip

_REQUIRED = ("date", "amount", "currency", "reference")

_CREDIT_MARKS = frozenset({"C", "CR", "CRDT", "CREDIT", "K", "KREDIT", "H", "HABEN", "+"})
_DEBIT_MARKS = frozenset({"D", "DR", "DB", "DBIT", "DEBIT", "DEBET", "S", "SOLL", "-"})
_REVERSAL_MARKS = frozenset({"RC", "RD", "REVERSAL", "STORNO"})

_DATE_FORMATS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), "%d/%m/%Y"),
    (re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}"), "%d.%m.%Y"),
)


def _header_key(text: str) -> str:
    text = text.strip().lstrip("\ufeff").strip().strip('"').casefold()
    text = re.sub(r"[_\-.:]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_LOOKUP = {alias: kind for kind, aliases in _ALIASES.items() for alias in aliases}


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the letter a spreadsheet shows above the column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass(frozen=True)
class _Columns:
    headers: tuple[str, ...]
    index: dict[str, int]
    references: tuple[int, ...]  # every remittance-like column, left to right

    def where(self, kind: str) -> str:
        position = self.index[kind]
        return _("column “%(name)s” (%(letter)s)") % {
            "name": _shown(self.headers[position]),
            "letter": column_letter(position),
        }

    def cell(self, row: Sequence[str], kind: str) -> str:
        position = self.index.get(kind)
        if position is None or position >= len(row):
            return ""
        return row[position].strip()


def _map_header(cells: Sequence[str]) -> dict[str, int]:
    """Meaning -> column index, for the cells of one row."""
    found: dict[str, tuple[int, int]] = {}  # kind -> (alias rank, column)
    for position, cell in enumerate(cells):
        kind = _LOOKUP.get(_header_key(cell))
        if kind is None:
            continue
        rank = _ALIASES[kind].index(_header_key(cell))
        if kind not in found or rank < found[kind][0]:
            found[kind] = (rank, position)
    return {kind: position for kind, (_rank, position) in found.items()}


def _decode(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _invalid(
            _(
                "This is a spreadsheet workbook, not a CSV file. Open it in your spreadsheet "
                "program, save it as CSV and upload that."
            )
        )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise _invalid(
                    _("The file says it is %(encoding)s but byte %(position)s is not.")
                    % {"encoding": encoding.upper(), "position": error.start + len(bom) + 1},
                    byte=error.start + len(bom) + 1,
                ) from None
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as error:
                raise _invalid(
                    _(
                        "The file is neither UTF-8 nor Windows-1252 text (byte %(position)s). "
                        "Save it again as CSV UTF-8."
                    )
                    % {"position": error.start + 1},
                    byte=error.start + 1,
                ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise _invalid(
            _("Line %(line)s holds a NUL character: this is not a text (CSV) file.")
            % {"line": line},
            row=line,
        )
    return text


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _sniff_delimiter(text: str) -> str:
    """The separator: the only candidate on the first line that has one, else csv.Sniffer's
    pick among the candidates there (European files hold commas in amounts, so a candidate
    absent from the header line is never chosen)."""
    candidates = ",;\t"
    for line in text[:_SNIFF_CHARS].splitlines()[:_HEADER_SEARCH_ROWS]:
        present = [d for d in candidates if _count_outside_quotes(line, d)]
        if len(present) == 1:
            return present[0]
        if present:
            sample = text[:_SNIFF_CHARS]
            cut = sample.rfind("\n")
            try:
                sniffed = csv.Sniffer().sniff(sample[: cut if cut > 0 else None], "".join(present))
            except csv.Error:
                sniffed = None
            if sniffed is not None and sniffed.delimiter in present:
                return sniffed.delimiter
            return max(present, key=lambda d: _count_outside_quotes(line, d))
    return ","


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based row number, cells), blank rows included so numbers match a spreadsheet's."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _invalid(
                _("Row %(row)s cannot be read as CSV: %(reason)s")
                % {"row": number + 1, "reason": str(error)},
                row=number + 1,
            ) from None
        number += 1
        yield number, cells


def _find_header(
    rows: Iterator[tuple[int, list[str]]],
) -> tuple[_Columns, Iterator[tuple[int, list[str]]]]:
    """The header row's columns and the rows after it.

    The header is the first of the first few non-blank rows that names at least two known
    columns; rows above it (account number, period) are passed over.
    """
    looked: list[tuple[int, list[str]]] = []
    first: tuple[int, list[str], dict[str, int]] | None = None
    for number, cells in rows:
        looked.append((number, cells))
        if not any(cell.strip() for cell in cells):
            continue
        mapping = _map_header(cells)
        if first is None:
            first = (number, cells, mapping)
        if len(set(mapping) & {"date", "amount", "credit", "currency", "reference"}) >= 2:
            return _check_columns(number, cells, mapping), rows
        if len(looked) >= _HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise _invalid(_("The statement file has no rows."))
    number, cells, mapping = first
    if mapping:
        after = [row for row in looked if row[0] > number]
        return _check_columns(number, cells, mapping), itertools.chain(after, rows)
    raise _invalid(
        _(
            "The statement has no header row: the first row should name the columns, e.g. "
            "Date, Amount, Currency, Reference (found “%(cells)s” in row %(row)s)."
        )
        % {"cells": _shown(", ".join(cells), 60), "row": number},
        row=number,
    )


def _check_columns(number: int, cells: Sequence[str], mapping: dict[str, int]) -> _Columns:
    required = list(_REQUIRED)
    if "amount" not in mapping and "credit" in mapping:
        required.remove("amount")  # separate credit and debit columns instead
    missing = [kind for kind in required if kind not in mapping]
    if missing:
        raise _invalid(
            _(
                "The header row (row %(row)s) lacks these columns: %(columns)s. Name them, e.g. "
                "Date, Amount, Currency, Reference."
            )
            % {"row": number, "columns": ", ".join(_column_word(kind) for kind in missing)},
            row=number,
            missing=missing,
        )
    references = tuple(
        position
        for position, cell in enumerate(cells)
        if _LOOKUP.get(_header_key(cell)) == "reference"
    )
    return _Columns(tuple(cell.strip() for cell in cells), mapping, references)


def _column_word(kind: str) -> str:
    words = {
        "date": _("date"),
        "amount": _("amount"),
        "currency": _("currency"),
        "reference": _("reference (or description, remittance)"),
    }
    return words[kind]


def _id_too_long() -> str:
    return _("the bank's reference is longer than %(limit)s characters.") % {"limit": MAX_ID_LENGTH}


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for pattern, form in _DATE_FORMATS:
        if pattern.fullmatch(text):
            try:
                return datetime.strptime(text, form).date()  # noqa: DTZ007 — a calendar date
            except ValueError:
                return None
    return None


class _RowProblem(Exception):
    def __init__(self, problem: _Problem):
        self.problem = problem


def _cell_problem(number: int, columns: _Columns, kind: str, reason: str) -> _RowProblem:
    return _RowProblem(
        _Problem(
            _("Row %(row)s, %(column)s: %(reason)s")
            % {"row": number, "column": columns.where(kind), "reason": reason},
            {"row": number, "column": columns.headers[columns.index[kind]]},
        )
    )


def _row_amount(
    number: int, columns: _Columns, kind: str, text: str, currency: str
) -> Money | None:
    if not text:
        return None
    try:
        return parse_amount(text, currency)
    except NiagaError as error:
        raise _cell_problem(number, columns, kind, str(error.message)) from None


def _parse_csv(data: bytes) -> Statement:
    text = _decode(data)
    columns, rows = _find_header(_rows(text, _sniff_delimiter(text)))
    lines: list[StatementLine] = []
    skipped: list[str] = []
    problems: list[_Problem] = []
    seen: Counter[str] = Counter()
    ids: dict[str, int] = {}
    count = 0
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_LINES:
            raise _invalid(
                _("The statement has more than %(limit)s rows; split it into smaller files.")
                % {"limit": f"{MAX_LINES:,}"},
                row=number,
            )
        try:
            line = _csv_line(number, cells, columns, skipped, seen)
        except _RowProblem as error:
            problems.append(error.problem)
            if len(problems) >= _MAX_PROBLEMS:
                break
            continue
        if line is None:
            continue
        if "id" in columns.index and line.external_id in ids:
            problems.append(
                _Problem(
                    _("Row %(row)s, %(column)s: “%(id)s” already appears in row %(first)s.")
                    % {
                        "row": number,
                        "column": columns.where("id"),
                        "id": _shown(line.external_id),
                        "first": ids[line.external_id],
                    },
                    {"row": number, "column": columns.headers[columns.index["id"]]},
                )
            )
            continue
        ids[line.external_id] = number
        lines.append(line)
    _raise_problems(problems)
    return Statement("csv", None, tuple(lines), tuple(skipped))


def _csv_line(
    number: int,
    cells: Sequence[str],
    columns: _Columns,
    skipped: list[str],
    seen: Counter[str],
) -> StatementLine | None:
    cell = columns.cell
    problems: list[_RowProblem] = []

    booked_on = _parse_date(cell(cells, "date"))
    if booked_on is None:
        shown = cell(cells, "date")
        problems.append(
            _cell_problem(
                number,
                columns,
                "date",
                _("“%(value)s” is not a date; write 2025-11-20, 20/11/2025 or 20.11.2025.")
                % {"value": _shown(shown)}
                if shown
                else _("the date is empty."),
            )
        )

    currency = cell(cells, "currency").upper()
    try:
        if not currency:
            raise ValueError
        currency_exponent(currency)
    except (NiagaError, ValueError):
        problems.append(
            _cell_problem(
                number,
                columns,
                "currency",
                _("“%(value)s” is not an ISO 4217 currency code such as USD or EUR.")
                % {"value": _shown(currency)}
                if currency
                else _("the currency is empty."),
            )
        )
        currency = ""
    if problems:
        raise problems[0]

    assert booked_on is not None
    if "amount" in columns.index:
        amount = _row_amount(number, columns, "amount", cell(cells, "amount"), currency)
        debit_amount = None
    else:
        amount = _row_amount(number, columns, "credit", cell(cells, "credit"), currency)
        debit_amount = (
            _row_amount(number, columns, "debit", cell(cells, "debit"), currency)
            if "debit" in columns.index
            else None
        )
        if amount is not None and amount.is_zero():
            amount = None
        if amount is not None and debit_amount is not None and not debit_amount.is_zero():
            raise _cell_problem(
                number, columns, "credit", _("a row has an amount in both credit and debit.")
            )
        if amount is None and debit_amount is not None and not debit_amount.is_zero():
            amount = -abs(debit_amount)

    if amount is None or amount.is_zero():
        skipped.append(_("Row %(row)s has no amount and was skipped.") % {"row": number})
        return None

    mark = cell(cells, "indicator").upper()
    if "indicator" in columns.index:
        if mark in _REVERSAL_MARKS:
            skipped.append(
                _("Row %(row)s is a reversal (%(amount)s) and was skipped.")
                % {"row": number, "amount": str(abs(amount))}
            )
            return None
        if mark in _DEBIT_MARKS:
            amount = -abs(amount)
        elif mark in _CREDIT_MARKS:
            if amount.is_negative():
                raise _cell_problem(
                    number,
                    columns,
                    "amount",
                    _("the row is marked as a credit but its amount is negative."),
                )
        else:
            raise _cell_problem(
                number,
                columns,
                "indicator",
                _("“%(value)s” is neither credit (C, CR, CRDT) nor debit (D, DR, DBIT).")
                % {"value": _shown(mark)},
            )
    if amount.is_negative():
        skipped.append(
            _("Row %(row)s is a debit of %(amount)s and was skipped.")
            % {"row": number, "amount": str(abs(amount))}
        )
        return None

    references = [
        cells[position].strip() for position in columns.references if position < len(cells)
    ]
    reference_text = " / ".join(part for part in references if part)
    payer = cell(cells, "payer")
    bank_id = cell(cells, "id")
    if len(bank_id) > MAX_ID_LENGTH:
        raise _cell_problem(number, columns, "id", _id_too_long())
    external_id = bank_id or _external_id(seen, booked_on, amount, reference_text, payer)
    return StatementLine(external_id, booked_on, amount, reference_text, payer, number)


# -- camt.053 ------------------------------------------------------------------------------------

_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


def _refuse_dtd(data: bytes) -> None:
    """No DTD is needed by camt.053, and a DTD is how XML bombs and external entities get in:
    refuse the document before any parser sees it, in whatever encoding it is written."""
    lowered = data.lower()  # ASCII-only lower-casing: also right for UTF-16/32 ASCII characters
    if any(marker in lowered for marker in _DTD_MARKERS):
        raise _invalid(
            _(
                "The XML holds a DOCTYPE or ENTITY declaration, which bank statements never "
                "need; it is refused for safety."
            )
        )


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if child.tag == name]


def _first(element: ET.Element | None, *path: str) -> ET.Element | None:
    for name in path:
        if element is None:
            return None
        element = next((child for child in element if child.tag == name), None)
    return element


def _all(element: ET.Element, *path: str) -> list[ET.Element]:
    found = [element]
    for name in path:
        found = [child for parent in found for child in parent if child.tag == name]
    return found


def _text(element: ET.Element | None, *path: str) -> str:
    found = _first(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _entry_problem(number: int, element: str, reason: str) -> _RowProblem:
    return _RowProblem(
        _Problem(
            _("Entry %(entry)s, element %(element)s: %(reason)s")
            % {"entry": number, "element": element, "reason": reason},
            {"entry": number, "element": element},
        )
    )


def _parse_xml(data: bytes) -> ET.Element:
    _refuse_dtd(data)
    try:
        root = ET.fromstring(data)  # noqa: S314 — no DTD can reach the parser (_refuse_dtd)
    except ET.ParseError as error:
        line, column = error.position
        raise _invalid(
            _("The XML cannot be read at line %(line)s, column %(column)s: %(reason)s")
            % {"line": line, "column": column + 1, "reason": _expat_reason(error)},
            line=line,
            column=column + 1,
        ) from None
    except (ValueError, LookupError, RecursionError):
        raise _invalid(_("The XML cannot be read: it is not a well-formed document.")) from None
    for element in root.iter():
        element.tag = _local(element.tag)
    return root


def _expat_reason(error: ET.ParseError) -> str:
    # "not well-formed (invalid token): line 1, column 0" -> "not well-formed (invalid token)"
    return str(error).split(": line", 1)[0]


def _parse_camt053(data: bytes) -> Statement:
    root = _parse_xml(data)
    report = _first(root, "BkToCstmrStmt") if root.tag == "Document" else None
    if report is None:
        raise _invalid(
            _(
                "The XML is not a camt.053 bank statement: it should start with Document and "
                "BkToCstmrStmt (found %(element)s)."
            )
            % {"element": _shown(root.tag or "?")},
            element=root.tag,
        )
    statements = _children(report, "Stmt")
    if not statements:
        raise _invalid(
            _("The camt.053 document holds no statement (Stmt)."), element="BkToCstmrStmt"
        )
    currencies = {_text(stmt, "Acct", "Ccy").upper() for stmt in statements} - {""}
    account_currency = currencies.pop() if len(currencies) == 1 else None

    entries = [entry for stmt in statements for entry in _children(stmt, "Ntry")]
    if len(entries) > MAX_LINES:
        raise _invalid(
            _("The statement has more than %(limit)s entries; split it into smaller files.")
            % {"limit": f"{MAX_LINES:,}"},
        )
    lines: list[StatementLine] = []
    skipped: list[str] = []
    problems: list[_Problem] = []
    seen: Counter[str] = Counter()
    ids: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        try:
            found = _camt_lines(number, entry, skipped, seen)
        except _RowProblem as error:
            problems.append(error.problem)
            if len(problems) >= _MAX_PROBLEMS:
                break
            continue
        for line, from_bank in found:
            if line.external_id in ids and from_bank:
                problems.append(
                    _Problem(
                        _("Entry %(entry)s: the bank's reference “%(id)s” already appears in "
                          "entry %(first)s.")
                        % {"entry": number, "id": _shown(line.external_id),
                           "first": ids[line.external_id]},
                        {"entry": number, "element": "AcctSvcrRef"},
                    )
                )  # fmt: skip
                continue
            if line.external_id in ids:
                # A payer's EndToEndId need not be unique: tell repeated ones apart.
                line = replace(line, external_id=f"{line.external_id}#{number}")
            ids[line.external_id] = number
            lines.append(line)
    _raise_problems(problems)
    return Statement("camt053", account_currency, tuple(lines), tuple(skipped))


def _camt_money(number: int, element: ET.Element | None, where: str) -> Money:
    if element is None:
        raise _entry_problem(number, where, _("the amount is missing."))
    currency = (element.get("Ccy") or "").strip().upper()
    if not currency:
        raise _entry_problem(number, where, _("the amount has no Ccy (currency) attribute."))
    try:
        money = Money.from_decimal((element.text or "").strip(), currency)
    except NiagaError as error:
        raise _entry_problem(number, where, str(error.message)) from None
    if money.is_negative():
        raise _entry_problem(
            number, where, _("amounts are never negative; CdtDbtInd says the direction.")
        )
    return money


_XML_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?")
_XML_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")


def _camt_date(number: int, entry: ET.Element) -> date:
    for parent in ("BookgDt", "ValDt"):
        holder = _first(entry, parent)
        if holder is None:
            continue
        day = _text(holder, "Dt")
        moment = _text(holder, "DtTm")
        try:
            if day and _XML_DATE.fullmatch(day):
                return date.fromisoformat(day[:10])
            if moment and not day and _XML_DATE_TIME.fullmatch(moment):
                # The bank's own calendar day, as it printed it: no time-zone conversion.
                return date.fromisoformat(moment[:10])
            if day or moment:
                raise ValueError(day or moment)
        except ValueError:
            raise _entry_problem(
                number,
                f"{parent}/{'Dt' if day else 'DtTm'}",
                _("“%(value)s” is not a date.") % {"value": _shown(day or moment)},
            ) from None
        raise _entry_problem(number, parent, _("it holds neither Dt nor DtTm."))
    raise _entry_problem(number, "BookgDt", _("the booking date is missing."))


def _camt_lines(
    number: int, entry: ET.Element, skipped: list[str], seen: Counter[str]
) -> list[tuple[StatementLine, bool]]:
    """The entry's credit lines, each with whether its id is the bank's own reference."""
    amount = _camt_money(number, _first(entry, "Amt"), "Amt")
    direction = _text(entry, "CdtDbtInd").upper()
    if direction not in {"CRDT", "DBIT"}:
        raise _entry_problem(
            number,
            "CdtDbtInd",
            _("“%(value)s” is neither CRDT nor DBIT.") % {"value": _shown(direction)}
            if direction
            else _("the credit/debit indicator is missing."),
        )
    if _text(entry, "RvslInd").lower() in {"true", "1"}:
        skipped.append(
            _("Entry %(entry)s is a reversal (%(amount)s) and was skipped.")
            % {"entry": number, "amount": str(amount)}
        )
        return []
    if direction == "DBIT":
        skipped.append(
            _("Entry %(entry)s is a debit of %(amount)s and was skipped.")
            % {"entry": number, "amount": str(amount)}
        )
        return []
    status = (_text(entry, "Sts", "Cd") or _text(entry, "Sts")).upper()
    if status and status != "BOOK":
        skipped.append(
            _("Entry %(entry)s is not booked yet (status %(status)s) and was skipped.")
            % {"entry": number, "status": _shown(status)}
        )
        return []
    if amount.is_zero():
        skipped.append(_("Entry %(entry)s has no amount and was skipped.") % {"entry": number})
        return []
    booked_on = _camt_date(number, entry)
    details = _all(entry, "NtryDtls", "TxDtls")

    bank_id = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    if len(bank_id) > MAX_ID_LENGTH:
        raise _entry_problem(number, "AcctSvcrRef", _id_too_long())
    split = _split_amounts(number, amount, details)
    if split is None:
        reference_text = _remittance(details) or _text(entry, "AddtlNtryInf")
        payer = next((name for name in map(_payer, details) if name), "")
        end_to_end = next(
            (ref for ref in (_text(tx, "Refs", "EndToEndId") for tx in details)
             if ref and ref.upper() != "NOTPROVIDED" and len(ref) <= MAX_ID_LENGTH),
            "",
        )  # fmt: skip
        external_id = (
            bank_id or end_to_end or _external_id(seen, booked_on, amount, reference_text, payer)
        )
        line = StatementLine(external_id, booked_on, amount, reference_text, payer, number)
        return [(line, bool(bank_id))]

    # A batch booking: one entry, several payments, each with its own amount and remittance.
    lines: list[tuple[StatementLine, bool]] = []
    for position, (tx, part) in enumerate(zip(details, split, strict=True), start=1):
        reference_text = _remittance([tx])
        payer = _payer(tx)
        base = bank_id or _external_id(seen, booked_on, amount, "", "")
        line = StatementLine(f"{base}/{position}", booked_on, part, reference_text, payer, number)
        lines.append((line, bool(bank_id)))
    return lines


def _split_amounts(number: int, amount: Money, details: list[ET.Element]) -> list[Money] | None:
    """Each payment's amount when a batch entry lists them and they add up to the entry."""
    if len(details) < 2:
        return None
    parts = []
    for tx in details:
        element = _first(tx, "Amt")
        if element is None:
            element = _first(tx, "AmtDtls", "TxAmt", "Amt")
        if element is None:
            return None
        part = _camt_money(number, element, "TxDtls/Amt")
        if part.currency != amount.currency or (
            _text(tx, "CdtDbtInd") and _text(tx, "CdtDbtInd").upper() != "CRDT"
        ):
            return None
        parts.append(part)
    if sum(part.amount for part in parts) != amount.amount:
        return None
    return parts


def _remittance(details: Sequence[ET.Element]) -> str:
    parts: list[str] = []
    for tx in details:
        for info in _all(tx, "RmtInf"):
            parts.extend(text for u in _children(info, "Ustrd") if (text := (u.text or "").strip()))
            parts.extend(
                text
                for ref in _all(info, "Strd", "CdtrRefInf", "Ref")
                if (text := (ref.text or "").strip())
            )
    if not parts:
        parts = [text for tx in details if (text := _text(tx, "AddtlTxInf"))]
    return " ".join(parts)


def _payer(tx: ET.Element) -> str:
    for path in (
        ("RltdPties", "Dbtr", "Nm"),
        ("RltdPties", "Dbtr", "Pty", "Nm"),
        ("RltdPties", "UltmtDbtr", "Nm"),
        ("RltdPties", "UltmtDbtr", "Pty", "Nm"),
    ):
        name = _text(tx, *path)
        if name:
            return name
    return ""
