import codecs
import datetime
import gc
import io
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from niaga.registry.errors import RosterFileError
from niaga.registry.mapping import STANDARD_COLUMNS
from niaga.registry.parsing import ParsedRoster, read_roster

HEADER = ",".join(STANDARD_COLUMNS)
# tmp_path is shared by a test's examples; each example overwrites its own file.
FIXTURE = [HealthCheck.function_scoped_fixture]
SARI = (
    "A1,kemenperin,CV Kopi Sari Jaya,Siti Aminah,9120001234567,,,,,,Jl. Merdeka 5,ID-JB,"
    "Bandung,40111,0812-3456-7890,siti@kopisari.id,kopi,1.250.000.000,IDR"
)


def write(tmp_path: Path, content: bytes | str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read(tmp_path: Path, content: bytes | str, name: str = "roster.csv", **kwargs) -> ParsedRoster:
    return read_roster(write(tmp_path, content, name), name, **kwargs)


def refused(tmp_path: Path, content: bytes | str, name: str = "roster.csv", **kwargs):
    with pytest.raises(RosterFileError) as error:
        read(tmp_path, content, name, **kwargs)
    assert error.value.status == 400
    assert str(error.value.message)
    return error.value


def xlsx(tmp_path: Path, build, name: str = "roster.xlsx") -> Path:
    workbook = Workbook()
    build(workbook)
    path = tmp_path / name
    workbook.save(path)
    return path


# -- CSV: the ordinary file --------------------------------------------------------------------


def test_a_standard_csv_is_read(tmp_path):
    roster = read(tmp_path, f"{HEADER}\n{SARI}\n")
    assert (roster.format, roster.encoding, roster.delimiter) == ("csv", "utf-8", ",")
    assert roster.headers == STANDARD_COLUMNS
    assert roster.header_row == 1 and roster.warnings == []
    [row] = list(roster.rows)
    assert row.number == 2
    assert row.cells == SARI.split(",")
    assert row.problems == []
    assert len(roster.rows) == roster.row_count == 1


def test_a_utf8_bom_is_not_part_of_the_first_header(tmp_path):
    roster = read(tmp_path, codecs.BOM_UTF8 + f"{HEADER}\r\n{SARI}\r\n".encode())
    assert roster.encoding == "utf-8-sig"
    assert roster.headers[0] == "record_id"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_common_separators_are_recognised(tmp_path, delimiter):
    header = delimiter.join(["business_name", "address", "phone"])
    # Commas inside quoted addresses must not fool the sniffer on ; tab and | files.
    line = delimiter.join(["Toko Maju", '"Jl. Asia Afrika 8, Bandung"', "0812-3456-7890"])
    roster = read(tmp_path, f"{header}\n{line}\n{line}\n")
    assert roster.delimiter == delimiter
    assert [row.cells for row in roster.rows] == [
        ["Toko Maju", "Jl. Asia Afrika 8, Bandung", "0812-3456-7890"]
    ] * 2


def test_a_single_column_file_is_read(tmp_path):
    roster = read(tmp_path, "business_name\nToko Maju\nCV Sari\n")
    assert roster.headers == ["business_name"]
    assert [row.cells for row in roster.rows] == [["Toko Maju"], ["CV Sari"]]


def test_quoted_newlines_stay_in_their_cell_and_rows_count_as_spreadsheet_rows(tmp_path):
    content = (
        'business_name,address\n"Toko ""Maju""","Jl. Merdeka 5\nRT 02/RW 03\nBandung"\n'
        "\n"
        'CV Sari,"Jl. Braga 1"\n'
    )
    rows = list(read(tmp_path, content).rows)
    assert [row.number for row in rows] == [2, 4]  # the blank row 3 is skipped, still counted
    assert rows[0].cells == ['Toko "Maju"', "Jl. Merdeka 5\nRT 02/RW 03\nBandung"]


def test_blank_rows_are_skipped(tmp_path):
    roster = read(tmp_path, "business_name,phone\n\n,\n  ,  \nToko Maju,1\n\n")
    assert [(row.number, row.cells) for row in roster.rows] == [(5, ["Toko Maju", "1"])]


def test_old_mac_and_windows_line_endings(tmp_path):
    roster = read(tmp_path, "business_name,phone\rToko A,1\r\nToko B,2\n")
    assert [row.cells[0] for row in roster.rows] == ["Toko A", "Toko B"]


# -- CSV: encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom(tmp_path, codec):
    text = "business_name\tcity\nKopi Ñusantara\tJakarta\nचाय घर\tPune\n"
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    roster = read(tmp_path, bom + text.encode(codec))
    assert roster.encoding in {"utf-16", "utf-32"}
    assert roster.delimiter == "\t"
    assert [row.cells[0] for row in roster.rows] == ["Kopi Ñusantara", "चाय घर"]


def test_utf16_without_a_bom_is_recognised(tmp_path):
    roster = read(tmp_path, "business_name,city\nToko Maju,Bandung\n".encode("utf-16-le"))
    assert roster.encoding == "utf-16-le"
    assert [row.cells for row in roster.rows] == [["Toko Maju", "Bandung"]]


def test_invalid_utf8_is_read_as_cp1252(tmp_path):
    content = "business_name,owner_name\nCafé Sari,Siti Aminé\n".encode("cp1252")
    roster = read(tmp_path, content)
    assert roster.encoding == "cp1252"
    assert [row.cells for row in roster.rows] == [["Café Sari", "Siti Aminé"]]


def test_cp1252_punctuation_from_word_survives(tmp_path):
    content = "business_name\n\u201cToko\u201d \u2013 Maju\u2122\n".encode("cp1252")
    assert [row.cells for row in read(tmp_path, content).rows] == [["“Toko” – Maju™"]]


def test_utf8_with_stray_cp1252_bytes_keeps_both(tmp_path):
    content = "business_name\nKopi Ñusantara\n".encode() + "Café Sari\n".encode("cp1252")
    roster = read(tmp_path, content)
    assert roster.encoding == "utf-8+cp1252"
    assert [row.cells[0] for row in roster.rows] == ["Kopi Ñusantara", "Café Sari"]


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_bytes_no_encoding_knows_are_refused_with_their_place(tmp_path, byte):
    content = b"business_name\nToko A\nToko " + bytes([byte]) + b"B\n"
    error = refused(tmp_path, content)
    assert error.code == "encoding"
    assert error.params == {"offset": 26, "line": 3}
    assert f"0x{byte:02X}" in str(error.message) and "line 3" in str(error.message)


def test_undefined_bytes_after_real_utf8_are_refused_too(tmp_path):
    content = "business_name\nKopi Ñusantara\n".encode() + b"Toko \x81\n"
    assert refused(tmp_path, content).code == "encoding"


def test_a_broken_utf16_file_is_refused(tmp_path):
    content = codecs.BOM_UTF16_LE + "business_name\nToko\n".encode("utf-16-le") + b"\x00\xd8A"
    assert refused(tmp_path, content).code == "encoding"


def test_binary_content_is_refused(tmp_path):
    error = refused(tmp_path, b"business_name\nToko\x00A\n")
    assert error.code == "encoding" and error.params == {"offset": 18}


# -- whole-file refusals -----------------------------------------------------------------------


def test_an_empty_file_is_refused(tmp_path):
    assert refused(tmp_path, b"").code == "file_empty"


@pytest.mark.parametrize("content", ["\n\n\n", ",,,\n,,\n", "  \r\n\t\n"])
def test_a_file_of_blank_rows_is_empty(tmp_path, content):
    assert refused(tmp_path, content).code == "file_empty"


@pytest.mark.parametrize("content", [HEADER, HEADER + "\n", HEADER + "\n\n,,,\n"])
def test_a_header_alone_is_refused(tmp_path, content):
    error = refused(tmp_path, content)
    assert error.code == "header_only"
    assert error.params == {"row": 1}


@pytest.mark.parametrize("name", ["roster.xls", "roster.XLSM", "roster.xlsb", "roster.ods"])
def test_other_spreadsheet_formats_are_refused_with_advice(tmp_path, name):
    error = refused(tmp_path, b"anything", name)
    assert error.code == "wrong_extension"
    assert ".xlsx" in str(error.message) and ".csv" in str(error.message)


@pytest.mark.parametrize("name", ["roster.txt", "roster.pdf", "roster", "roster.csv.exe", ""])
def test_other_files_are_refused(tmp_path, name):
    error = refused(tmp_path, b"business_name\nToko\n", name or "unnamed")
    assert error.code == "wrong_extension"


def test_the_extension_is_not_case_sensitive(tmp_path):
    assert read(tmp_path, "business_name\nToko\n", "ROSTER.CSV").format == "csv"


def test_a_workbook_named_csv_is_refused_clearly(tmp_path):
    workbook = xlsx(tmp_path, lambda wb: wb.active.append(["business_name"]))
    error = refused(tmp_path, workbook.read_bytes(), "roster.csv")
    assert error.code == "wrong_extension"
    assert "Excel workbook" in str(error.message)


def test_an_old_xls_named_csv_is_refused_clearly(tmp_path):
    error = refused(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "roster.csv")
    assert error.code == "wrong_extension" and ".xls" in str(error.message)


def test_size_limit(tmp_path):
    content = f"{HEADER}\n{SARI}\n"
    assert refused(tmp_path, content, max_bytes=100).code == "too_large"
    assert read(tmp_path, content, max_bytes=10_000).row_count == 1


def test_size_limit_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NIAGA_ROSTER_MAX_BYTES", "50")
    error = refused(tmp_path, f"{HEADER}\n{SARI}\n")
    assert error.code == "too_large" and error.params["limit"] == 50


def test_an_unclosed_quote_over_a_huge_cell_is_refused_with_its_row(tmp_path):
    content = 'business_name,address\nToko A,"Jl. Merdeka\n' + ("x" * 200_000) + "\n"
    error = refused(tmp_path, content)
    assert error.code == "malformed" and error.params == {"row": 2}


def test_an_unclosed_quote_at_the_end_keeps_the_text(tmp_path):
    [row] = read(tmp_path, 'business_name,address\nToko A,"Jl. Merdeka 5\n').rows
    assert row.cells == ["Toko A", "Jl. Merdeka 5\n"]


# -- headers -----------------------------------------------------------------------------------


def test_duplicate_headers_are_named_with_their_columns(tmp_path):
    error = refused(tmp_path, "Email,business_name, EMAIL ,phone,Phone\nx,y,z,1,2\n")
    assert error.code == "duplicate_headers"
    assert error.params["duplicates"] == {"Email": ["A", "C"], "phone": ["D", "E"]}
    assert "Email" in str(error.message) and "A, C" in str(error.message)


def test_a_header_without_a_name_is_named_after_its_column(tmp_path):
    roster = read(tmp_path, "business_name,,phone,,\nToko,x,1,,\n")
    assert roster.headers == ["business_name", "column_2", "phone"]
    [warning] = roster.warnings
    assert (warning.reason, warning.column, warning.position) == ("header_missing", "column_2", 2)
    assert "column B" in warning.message.replace("Column", "column")
    [row] = roster.rows
    assert row.cells == ["Toko", "x", "1"] and row.problems == []


def test_header_names_are_tidied(tmp_path):
    roster = read(tmp_path, '" Nama\n Usaha ",Kode  Pos\nToko,40111\n')
    assert roster.headers == ["Nama Usaha", "Kode Pos"]


def test_a_file_that_starts_with_data_has_no_header(tmp_path):
    assert refused(tmp_path, "1,2025-01-12,6281234567\n2,2025-01-13,6281234568\n").code == (
        "no_header"
    )


def test_title_rows_above_the_header_are_skipped(tmp_path):
    content = "Daftar UMKM Binaan 2025,,,\n,,,\nDinas Koperasi,,,\n" + (
        "business_name,phone,province,email\nToko,1,Bali,a@b.id\n"
    )
    roster = read(tmp_path, content)
    assert roster.header_row == 4
    assert roster.headers == ["business_name", "phone", "province", "email"]
    assert roster.warnings[0].reason == "rows_skipped"
    assert [row.number for row in roster.rows] == [5]


def test_a_one_column_roster_is_not_mistaken_for_titles(tmp_path):
    roster = read(tmp_path, "business_name\nPT Maju, Tbk\nToko\n")
    assert roster.header_row == 1 and roster.headers == ["business_name"]


# -- rows of the wrong width -------------------------------------------------------------------


def test_rows_of_one_and_of_five_hundred_cells_are_kept_with_a_problem(tmp_path):
    wide = ",".join(f"v{i}" for i in range(500))
    roster = read(tmp_path, f"{HEADER}\nToko Maju\n{wide}\n{SARI}\n")
    short, long, fine = list(roster.rows)
    assert short.cells == ["Toko Maju"] + [""] * (len(STANDARD_COLUMNS) - 1)
    assert [p.reason for p in short.problems] == ["cell_count"]
    assert "1 cells" in short.problems[0].message and "19" in short.problems[0].message
    assert long.cells == wide.split(",")  # nothing is lost
    assert "500" in long.problems[0].message
    assert fine.problems == []


def test_empty_cells_past_the_header_are_no_problem(tmp_path):
    [row] = read(tmp_path, "business_name,phone\nToko,1,,,\n").rows
    assert row.cells == ["Toko", "1"] and row.problems == []


# -- streaming access --------------------------------------------------------------------------


def test_rows_can_be_read_in_batches_indexed_and_previewed(tmp_path):
    lines = "\n".join(f"Toko {i},{i}" for i in range(10))
    rows = read(tmp_path, f"business_name,phone\n{lines}\n").rows
    assert len(rows) == 10
    batches = [rows[start : start + 3] for start in range(0, len(rows), 3)]
    assert [len(batch) for batch in batches] == [3, 3, 3, 1]
    assert [row.number for batch in batches for row in batch] == list(range(2, 12))
    assert rows[0].cells == ["Toko 0", "0"]  # going back starts again from the top
    assert rows[-1].number == 11 and rows[5:5] == [] and rows[::4][1].number == 6
    assert [row.number for row in rows.head(2)] == [2, 3]
    with pytest.raises(IndexError):
        rows[10]
    assert list(rows) == list(rows)


def test_a_50_mb_csv_parses_in_bounded_time(tmp_path):
    line = (
        "A{},kemenperin,CV Kopi Sari Jaya,Siti Aminah,9120001234567,,,,,,"
        '"Jl. Merdeka 5, Bandung",ID-JB,Bandung,40111,0812-3456-7890,siti@kopisari.id,kopi,'
        "1.250.000.000,IDR\n"
    )
    path = tmp_path / "big.csv"
    size = count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\n")
        while size < 50_000_000:
            block = "".join(line.format(count + i) for i in range(1000))
            handle.write(block)
            size, count = size + len(block), count + 1000
    started = time.perf_counter()
    roster = read_roster(path, "big.csv")
    seen = sum(1 for _row in roster.rows)
    elapsed = time.perf_counter() - started
    assert path.stat().st_size >= 50_000_000
    assert roster.row_count == seen == count
    assert roster.rows[count - 1].cells[0] == f"A{count - 1}"
    assert elapsed < 20, f"{elapsed:.1f} s"


# -- XLSX --------------------------------------------------------------------------------------


def test_an_xlsx_roster_is_read_with_numbers_and_dates_as_typed(tmp_path):
    def build(workbook):
        sheet = workbook.active
        sheet.append(["business_name", "phone", "postcode", "turnover", "completed", "flag"])
        sheet.append(["CV A", 6281234567890, 40111, 1250000000, datetime.date(2025, 1, 12), True])
        morning = datetime.datetime(2025, 1, 12, 9)
        sheet.append(["CV B", 6.28123456789e11, 40111.0, 12.5, morning, 0.1])

    roster = read_roster(xlsx(tmp_path, build), "roster.xlsx")
    assert (roster.format, roster.encoding, roster.delimiter) == ("xlsx", None, None)
    assert roster.sheet == "Sheet"
    first, second = roster.rows
    assert first.cells == ["CV A", "6281234567890", "40111", "1250000000", "2025-01-12", "TRUE"]
    assert second.cells == ["CV B", "628123456789", "40111", "12.5", "2025-01-12T09:00:00", "0.1"]
    assert first.problems == second.problems == []


def test_xlsx_formulas_are_kept_with_a_problem(tmp_path):
    def build(workbook):
        sheet = workbook.active
        sheet.append(["business_name", "annual_turnover"])
        sheet.append(["CV A", "=SUM(1,2)"])
        sheet.append(['=HYPERLINK("http://x","y")', 5])

    first, second = read_roster(xlsx(tmp_path, build), "roster.xlsx").rows
    assert first.cells == ["CV A", "=SUM(1,2)"]
    [problem] = first.problems
    assert (problem.reason, problem.column, problem.value) == (
        "formula",
        "annual_turnover",
        "=SUM(1,2)",
    )
    assert "formulas are not accepted; paste the values" in problem.message
    assert "B2" in problem.message
    assert [p.column for p in second.problems] == ["business_name"]


def test_xlsx_merged_cells_are_filled_and_reported_on_every_row(tmp_path):
    def build(workbook):
        sheet = workbook.active
        sheet.append(["Daftar UMKM Jawa Barat 2025"])
        sheet.merge_cells("A1:D1")  # a title over the header
        sheet.append(["business_name", "province", "district", "phone"])
        sheet.append(["CV A", "Jawa Barat", "Bandung", "0812"])
        sheet.append(["CV B", None, "Bogor", "0813"])
        sheet.append(["CV C", None, "Bekasi", "0814"])
        sheet.append(["CV D", "Bali", "Denpasar", "0815"])
        sheet.merge_cells("B3:B5")
        sheet.append(["CV E", "Banten", None, None])
        sheet.merge_cells("C7:D7")

    roster = read_roster(xlsx(tmp_path, build), "roster.xlsx")
    assert roster.header_row == 2
    assert [w.reason for w in roster.warnings] == ["rows_skipped"]
    rows = list(roster.rows)
    assert [row.cells[1] for row in rows] == ["Jawa Barat"] * 3 + ["Bali", "Banten"]
    assert [[p.reason for p in row.problems] for row in rows] == [
        ["merged_cells"],
        ["merged_cells"],
        ["merged_cells"],
        [],
        [],  # an empty merge copies nothing
    ]
    problem = rows[1].problems[0]
    assert problem.column == "province" and problem.value == "Jawa Barat"
    assert "B3:B5" in problem.message


def test_xlsx_merged_cells_across_columns_are_filled(tmp_path):
    def build(workbook):
        sheet = workbook.active
        sheet.append(["business_name", "address", "district"])
        sheet.append(["CV A", "Jl. Braga 1", None])
        sheet.merge_cells("B2:C2")

    [row] = read_roster(xlsx(tmp_path, build), "roster.xlsx").rows
    assert row.cells == ["CV A", "Jl. Braga 1", "Jl. Braga 1"]
    assert [p.reason for p in row.problems] == ["merged_cells"]


def test_xlsx_merged_header_cells_are_a_warning(tmp_path):
    def build(workbook):
        sheet = workbook.active
        sheet.append(["business_name", "phone", None])
        sheet.merge_cells("B1:C1")
        sheet.append(["CV A", "0812", "0813"])

    roster = read_roster(xlsx(tmp_path, build), "roster.xlsx")
    assert roster.headers == ["business_name", "phone"]
    assert "merged_cells" in [w.reason for w in roster.warnings]
    [row] = roster.rows
    assert row.cells == ["CV A", "0812", "0813"]
    assert [p.reason for p in row.problems] == ["cell_count"]


def test_xlsx_blank_rows_short_rows_and_error_cells(tmp_path):
    def build(workbook):
        sheet = workbook.active
        sheet.append(["business_name", "phone", "email"])
        sheet.append(["CV A"])
        sheet.append([])
        sheet.append([None, None, None])
        sheet.append(["CV B", "#N/A", None, None, "stray"])

    first, second = read_roster(xlsx(tmp_path, build), "roster.xlsx").rows
    assert (first.number, first.cells, first.problems) == (2, ["CV A", "", ""], [])
    assert second.number == 5
    assert second.cells == ["CV B", "#N/A", "", "", "stray"]
    assert [p.reason for p in second.problems] == ["cell_error", "cell_count"]


def test_xlsx_uses_the_first_sheet_with_data(tmp_path):
    def build(workbook):
        workbook.active.title = "Petunjuk"
        data = workbook.create_sheet("Data")
        data.append(["business_name"])
        data.append(["CV A"])

    roster = read_roster(xlsx(tmp_path, build), "roster.xlsx")
    assert roster.sheet == "Data"
    assert [row.cells for row in roster.rows] == [["CV A"]]


def test_xlsx_rows_are_parsed_once_and_replayed_from_a_private_spool(tmp_path, monkeypatch):
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool_dir))

    def build(workbook):
        sheet = workbook.active
        sheet.append(["business_name", "phone"])
        for i in range(50):
            sheet.append([f"CV {i}", "=1+1" if i == 3 else "0812"])

    roster = read_roster(xlsx(tmp_path, build), "roster.xlsx")
    assert len(list(spool_dir.iterdir())) == 1  # written while read_roster counted the rows
    first, again = list(roster.rows), list(roster.rows)
    assert first == again and len(first) == 50
    assert [p.reason for p in again[3].problems] == ["formula"]
    assert [row.number for row in roster.rows[10:12]] == [12, 13]
    del roster, first, again
    gc.collect()
    assert list(spool_dir.iterdir()) == []


def test_xlsx_empty_and_header_only(tmp_path):
    empty = xlsx(tmp_path, lambda wb: None, "empty.xlsx")
    with pytest.raises(RosterFileError) as error:
        read_roster(empty, "empty.xlsx")
    assert error.value.code == "file_empty"
    header = xlsx(tmp_path, lambda wb: wb.active.append(STANDARD_COLUMNS), "header.xlsx")
    with pytest.raises(RosterFileError) as error:
        read_roster(header, "header.xlsx")
    assert error.value.code == "header_only"


def test_xlsx_duplicate_headers(tmp_path):
    path = xlsx(tmp_path, lambda wb: wb.active.append(["Nama Usaha", "NAMA  USAHA"]))
    with pytest.raises(RosterFileError) as error:
        read_roster(path, "roster.xlsx")
    assert error.value.code == "duplicate_headers"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"business_name\nToko\n", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "password"),
        (b"", "empty"),
    ],
)
def test_unreadable_workbooks_are_refused(tmp_path, content, words):
    error = refused(tmp_path, content, "roster.xlsx")
    assert error.code in {"xlsx_unreadable", "file_empty"}
    assert words in str(error.message)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(tmp_path, buffer.getvalue(), "roster.xlsx").code == "xlsx_unreadable"


@pytest.fixture(scope="module")
def good_workbook(tmp_path_factory) -> bytes:
    """Built once: a workbook records when it was saved, and every example must start alike."""

    def build(workbook):
        sheet = workbook.active
        sheet.append(["business_name", "phone"])
        sheet.append(["CV A", "=1+1"])
        sheet.merge_cells("A3:B3")

    return xlsx(tmp_path_factory.mktemp("workbook"), build, "good.xlsx").read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE)
@given(data=st.data())
def test_a_damaged_workbook_never_raises_anything_else(tmp_path, good_workbook, data):
    content = bytearray(good_workbook)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(content) - 1))
        content[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(content) // 2, len(content)))
    path = write(tmp_path, bytes(content[:cut]), "damaged.xlsx")
    try:
        roster = read_roster(path, "damaged.xlsx")
        list(roster.rows)
    except RosterFileError:
        pass


# -- never anything but RosterFileError --------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE)
@given(content=st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_anything_else(tmp_path, content):
    path = write(tmp_path, content, "fuzz.csv")
    try:
        roster = read_roster(path, "fuzz.csv")
    except RosterFileError as error:
        assert str(error.message)
        return
    rows = list(roster.rows)
    assert len(rows) == roster.row_count >= 1
    assert all(len(row.cells) >= len(roster.headers) for row in rows)


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE)
@given(
    text=st.lists(
        st.text(alphabet=st.sampled_from('ab,;\t|"\n\r =+-@é€1\ufeff'), max_size=40), max_size=8
    ).map("\n".join),
    codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_csv_like_text_never_raises_anything_else(tmp_path, text, codec):
    path = write(tmp_path, text.encode(codec, "replace"), "fuzz.csv")
    try:
        roster = read_roster(path, "fuzz.csv")
    except RosterFileError:
        return
    for row in roster.rows:
        assert row.number > roster.header_row
        assert "".join(row.cells).strip()
