"""File-level errors of roster intake: the upload as a whole cannot be read."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from niaga.core.errors import NiagaError

__all__ = ["RosterFileError"]


def _shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RosterFileError(NiagaError):
    """The uploaded roster cannot be read at all; ``code`` says why, ``params`` says where.

    Codes: ``wrong_extension``, ``too_large``, ``file_empty``, ``no_header``, ``header_only``,
    ``encoding``, ``duplicate_headers``, ``malformed`` (CSV quoting gone wrong), and
    ``xlsx_unreadable``. Row-level trouble is never raised: it is reported on the row.
    """

    code = "roster_file_invalid"
    status = 400

    def __init__(self, message: Any, *, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, field="file", params=params)

    # Constructors keep every message in one place, so callers cannot invent wording.

    @classmethod
    def wrong_extension(cls, name: str, extension: str) -> RosterFileError:
        shown = _shown(name)
        if extension in {".xls", ".xlsm", ".xlsb", ".ods", ".numbers"}:
            message = _(
                "%(name)s is a %(extension)s file, which Niaga cannot read. Open it in your "
                "spreadsheet program and save it as an Excel workbook (.xlsx) or as CSV (.csv)."
            ) % {"name": shown, "extension": extension}
        else:
            message = _(
                "%(name)s is not a roster file: upload an Excel workbook (.xlsx) or a CSV file "
                "(.csv)."
            ) % {"name": shown}
        return cls(message, code="wrong_extension", params={"name": name, "extension": extension})

    @classmethod
    def misnamed(cls, name: str, actual: str) -> RosterFileError:
        """The name says CSV but the bytes are a workbook (``actual`` is ".xlsx" or ".xls")."""
        message = _(
            "%(name)s is named .csv but is really an Excel workbook (%(actual)s). Save it as an "
            "Excel workbook (.xlsx) and upload that, or save it as CSV (.csv)."
        ) % {"name": _shown(name), "actual": actual}
        return cls(message, code="wrong_extension", params={"name": name, "actual": actual})

    @classmethod
    def too_large(cls, size: int, limit: int) -> RosterFileError:
        message = _(
            "The file is %(size)s MB; the largest roster Niaga accepts is %(limit)s MB. Split it "
            "into smaller files."
        ) % {"size": _megabytes(size), "limit": _megabytes(limit)}
        return cls(message, code="too_large", params={"size": size, "limit": limit})

    @classmethod
    def file_empty(cls) -> RosterFileError:
        return cls(_("The file is empty."), code="file_empty")

    @classmethod
    def no_header(cls) -> RosterFileError:
        return cls(
            _("The file has no header row: the first filled row must name the columns."),
            code="no_header",
        )

    @classmethod
    def header_only(cls, header_row: int) -> RosterFileError:
        message = _("The file has a header (row %(row)s) but no businesses below it.") % {
            "row": header_row
        }
        return cls(message, code="header_only", params={"row": header_row})

    @classmethod
    def encoding(cls, offset: int, line: int, byte: int | None) -> RosterFileError:
        if byte is None:
            message = _(
                "The file is not text Niaga can read: the characters stop making sense at byte "
                "%(offset)s (line %(line)s). Save it as CSV UTF-8."
            ) % {"offset": offset, "line": line}
        else:
            message = _(
                "The file is not text Niaga can read: byte 0x%(byte)s at position %(offset)s "
                "(line %(line)s) is not a character in UTF-8 or Windows-1252. Save it as CSV "
                "UTF-8."
            ) % {"byte": f"{byte:02X}", "offset": offset, "line": line}
        return cls(message, code="encoding", params={"offset": offset, "line": line})

    @classmethod
    def binary(cls, offset: int) -> RosterFileError:
        message = _(
            "The file is not a CSV file: it holds binary data (a zero byte at position %(offset)s)."
        ) % {"offset": offset}
        return cls(message, code="encoding", params={"offset": offset})

    @classmethod
    def duplicate_headers(cls, duplicates: dict[str, list[str]]) -> RosterFileError:
        """``duplicates`` maps each repeated header (as first written) to its column letters."""
        parts = [
            _("“%(name)s” (columns %(columns)s)")
            % {"name": _shown(name, 40), "columns": ", ".join(columns)}
            for name, columns in duplicates.items()
        ]
        message = _(
            "Each column needs its own header, but these appear more than once: %(headers)s."
        ) % {"headers": "; ".join(parts)}
        return cls(message, code="duplicate_headers", params={"duplicates": duplicates})

    @classmethod
    def malformed(cls, row: int, detail: str) -> RosterFileError:
        message = _(
            "The CSV file cannot be read from row %(row)s on: %(detail)s. Often a cell opens a "
            'quote (") and never closes it.'
        ) % {"row": row, "detail": _shown(detail, 120)}
        return cls(message, code="malformed", params={"row": row})

    @classmethod
    def xlsx_unreadable(cls, name: str, why: str | None = None) -> RosterFileError:
        params = {"name": name}
        if why == "ole":
            message = _(
                "%(name)s cannot be opened as an .xlsx workbook: it is an old Excel (.xls) file or "
                "it is protected with a password. Remove the password and save it as .xlsx."
            ) % {"name": _shown(name)}
        elif why == "no_sheet":
            message = _("%(name)s has no worksheet with data.") % {"name": _shown(name)}
        else:
            message = _(
                "%(name)s cannot be opened as an .xlsx workbook: the file is damaged or is not an "
                "Excel workbook. Open it in your spreadsheet program and save it again as .xlsx."
            ) % {"name": _shown(name)}
        return cls(message, code="xlsx_unreadable", params=params)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".removesuffix(".0")
