import csv
import io
from decimal import Decimal

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from hypothesis import given
from hypothesis import strategies as st

from niaga.core.csv_export import BOM, csv_response_rows, safe_cell, write_csv

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",  # full-width equals sign
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_starts_are_neutralised(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CV Kopi Sari Jaya", "CV Kopi Sari Jaya"),
        ("Jl. Merdeka 5, Bandung", "Jl. Merdeka 5, Bandung"),
        ("a=b", "a=b"),
        ("'already quoted", "'already quoted"),
        ("", ""),
        (None, ""),
        (12, "12"),
        (Decimal("12.50"), "12.50"),
        ("-12.5", "'-12.5"),  # the safe choice: negative numbers are prefixed too
        (-5, "'-5"),
        ("+6281234567890", "'+6281234567890"),
    ],
)
def test_other_values(value, expected):
    assert safe_cell(value) == expected


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM.encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_write_csv_to_a_binary_file_escapes_every_cell():
    buffer = io.BytesIO()
    count = write_csv(
        buffer,
        ["business_name", "=header"],
        [['=HYPERLINK("http://x","y")', "Toko, Maju"], ['Kopi "Sari"\nJaya', None]],
    )
    assert count == 2
    assert read_back(buffer.getvalue()) == [
        ["business_name", "'=header"],
        ['\'=HYPERLINK("http://x","y")', "Toko, Maju"],
        ['Kopi "Sari"\nJaya', ""],
    ]


def test_write_csv_to_a_text_file_and_from_mappings():
    buffer = io.StringIO(newline="")
    write_csv(buffer, ["a", "b"], [{"a": "@SUM(A1)", "b": "x"}, {"b": "y"}])
    text = buffer.getvalue()
    assert text.startswith(BOM)
    assert text == BOM + "a,b\r\n'@SUM(A1),x\r\n,y\r\n"


def test_write_csv_to_an_http_response():
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    write_csv(response, ["row", "value"], [[2, '=HYPERLINK("http://x","y")']])
    assert read_back(response.content) == [["row", "value"], ["2", '\'=HYPERLINK("http://x","y")']]


def test_write_csv_with_no_rows_writes_the_header():
    buffer = io.BytesIO()
    assert write_csv(buffer, ["a"], []) == 0
    assert read_back(buffer.getvalue()) == [["a"]]


def test_csv_response_rows_stream():
    response = StreamingHttpResponse(
        csv_response_rows(["name"], iter([["=1+1"], ["Toko"]])),
        content_type="text/csv; charset=utf-8",
    )
    assert read_back(b"".join(response.streaming_content)) == [["name"], ["'=1+1"], ["Toko"]]


def test_an_exported_roster_reads_back_through_the_parser(tmp_path):
    from niaga.registry.parsing import read_roster

    path = tmp_path / "export.csv"
    with path.open("wb") as handle:
        write_csv(handle, ["business_name", "phone"], [['=HYPERLINK("http://x","y")', "0812"]])
    [row] = read_roster(path, "export.csv").rows
    assert row.cells == ['\'=HYPERLINK("http://x","y")', "0812"]


@given(st.text())
def test_no_cell_ever_starts_a_formula(text):
    cell = safe_cell(text)
    assert cell in (text, "'" + text)
    assert cell[:1] not in {"=", "+", "-", "@", "\t", "\r"}
    assert cell.lstrip(" ")[:1] not in {"=", "+", "-", "@"}
