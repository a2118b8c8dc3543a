import codecs
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from niaga.assurance import statements
from niaga.assurance.references import find_references
from niaga.assurance.statements import (
    MAX_BYTES,
    Statement,
    StatementInvalid,
    StatementLine,
    parse_statement,
)
from niaga.core.money import Money

DATA = Path(__file__).parent / "data"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def refused(data: bytes, filename: str = "statement.csv") -> StatementInvalid:
    with pytest.raises(StatementInvalid) as caught:
        parse_statement(data, filename=filename)
    assert caught.value.code == "statement_invalid"
    assert caught.value.status == 422
    return caught.value


HEADER = "Date,Amount,Currency,Reference,Payer\n"


# -- the shipped samples ---------------------------------------------------------------------------


def test_bank_csv_sample_gives_its_credits():
    statement = parse_statement(read("statement.csv"), filename="statement.csv")
    assert isinstance(statement, Statement)
    assert statement.format == "csv"
    assert statement.account_currency is None
    assert [line.external_id for line in statement.lines] == [
        "TRX-20251117-0001",
        "TRX-20251118-0002",
        "TRX-20251119-0004",
        "TRX-20251120-0005",
    ]
    first = statement.lines[0]
    assert first == StatementLine(
        external_id="TRX-20251117-0001",
        booked_on=date(2025, 11, 17),
        amount=Money(450000, "USD"),
        reference_text="Payment RF59NGA0001234M1 deposit",
        payer="Harbor Foods LLC",
        line=2,
    )
    lowercase = statement.lines[1]
    assert lowercase.reference_text == "INV 88 / rf72 nga0 0000 88m3, thank you"
    assert find_references(lowercase.reference_text) == ["RF72NGA0000088M3"]
    no_reference = statement.lines[2]
    assert no_reference.reference_text == ""
    assert no_reference.amount == Money(20000, "USD")
    assert find_references(statement.lines[3].reference_text) == ["RF16NGA0000057M1"]
    assert statement.skipped == ("Row 4 is a debit of 35.00 USD and was skipped.",)


def test_european_csv_sample_with_preamble_semicolons_and_comma_decimals():
    statement = parse_statement(read("statement-semicolon.csv"), filename="umsaetze.csv")
    assert statement.format == "csv"
    assert [(line.line, line.amount, line.booked_on) for line in statement.lines] == [
        (5, Money(123456, "EUR"), date(2025, 11, 17)),
        (7, Money(1000000, "EUR"), date(2025, 11, 19)),
    ]
    assert statement.lines[0].payer == "Müller Feinkost GmbH"
    assert find_references(statement.lines[1].reference_text) == ["RF47NGA0002001M2"]
    assert statement.skipped == ("Row 6 is a debit of 89.90 EUR and was skipped.",)


def test_camt053_v2_sample():
    statement = parse_statement(read("camt053.xml"), filename="camt053.xml")
    assert statement.format == "camt053"
    assert statement.account_currency == "USD"
    assert statement.lines == (
        StatementLine(
            external_id="BNI20251120000123",
            booked_on=date(2025, 11, 20),
            amount=Money(450000, "USD"),
            reference_text="RF59NGA0001234M1",
            payer="Harbor Foods LLC",
            line=1,
        ),
        StatementLine(
            external_id="BNI20251120000187",
            booked_on=date(2025, 11, 20),
            amount=Money(125050, "USD"),
            reference_text="INVOICE 88 PAYMENT RF72 NGA0 00 00 88M3 KAVEH TRADING",
            payer="Kaveh Trading FZE",
            line=2,
        ),
    )
    # The reference broken across two Ustrd lines is still found.
    assert find_references(statement.lines[1].reference_text) == ["RF72NGA0000088M3"]
    assert statement.skipped == (
        "Entry 3 is a debit of 35.00 USD and was skipped.",
        "Entry 4 is a reversal (999.99 USD) and was skipped.",
    )


def test_camt053_v8_sample_with_a_batch_booking():
    statement = parse_statement(read("camt053-v8.xml"), filename="camt053-v8.xml")
    assert statement.account_currency == "EUR"
    single, *batch = statement.lines
    assert single.external_id == "2025112000017"  # NtryRef when there is no AcctSvcrRef
    assert single.booked_on == date(2025, 11, 20)  # from BookgDt/DtTm, the bank's own day
    assert single.payer == "Müller Feinkost GmbH"  # Dbtr/Pty/Nm
    assert single.reference_text == "RF74NGA0002001M1"
    assert [(line.external_id, line.amount, line.payer, line.line) for line in batch] == [
        ("COBA-20251120-BATCH-0042/1", Money(1000000, "EUR"), "Nordlys Import AS", 2),
        ("COBA-20251120-BATCH-0042/2", Money(1050000, "EUR"), "Harbor Foods LLC", 2),
    ]
    assert find_references(batch[1].reference_text) == ["RF32NGA0001234M2"]
    assert statement.skipped == (
        "Entry 3 is not booked yet (status PDNG) and was skipped.",
        "Entry 4 is a debit of 89.90 EUR and was skipped.",
    )


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08"])
def test_every_camt053_version_reads_alike(version):
    document = read("camt053.xml").replace(b"camt.053.001.02", f"camt.053.001.{version}".encode())
    statement = parse_statement(document, filename="stmt.xml")
    assert [line.external_id for line in statement.lines] == [
        "BNI20251120000123",
        "BNI20251120000187",
    ]


def test_xml_is_recognised_whatever_the_name():
    statement = parse_statement(read("camt053.xml"), filename="download")
    assert statement.format == "camt053"


# -- ids -----------------------------------------------------------------------------------------


def test_the_same_file_twice_gives_the_same_ids():
    first = parse_statement(read("statement-semicolon.csv"), filename="a.csv")
    again = parse_statement(read("statement-semicolon.csv"), filename="b.csv")
    assert [line.external_id for line in first.lines] == [line.external_id for line in again.lines]
    assert all(len(line.external_id) == 64 for line in first.lines)


def test_identical_lines_get_different_ids_and_overlapping_exports_agree():
    row = "2025-11-20,100.00,USD,RF59NGA0001234M1,Harbor Foods\n"
    other = "2025-11-21,5.00,USD,tip,Someone\n"
    twice = parse_statement(csv_bytes(HEADER + row + row), filename="s.csv")
    assert len({line.external_id for line in twice.lines}) == 2
    # The same credit after a different first row (an export covering more days).
    shifted = parse_statement(csv_bytes(HEADER + other + row), filename="s.csv")
    assert shifted.lines[1].external_id == twice.lines[0].external_id


def test_a_repeated_bank_id_is_refused_with_both_rows():
    text = (
        "Date,Amount,Currency,Reference,ID\n"
        "2025-11-20,1.00,USD,a,TRX-1\n"
        "2025-11-20,2.00,USD,b,TRX-1\n"
    )
    error = refused(csv_bytes(text))
    assert "Row 3" in error.message and "row 2" in error.message and "“ID” (E)" in error.message


def test_a_repeated_bank_reference_in_camt_is_refused():
    document = read("camt053.xml").replace(b"BNI20251120000187", b"BNI20251120000123")
    error = refused(document, "camt.xml")
    assert error.params["entry"] == 2
    assert "entry 1" in error.message


# -- CSV: accepted forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["2025-11-20", "20/11/2025", "20.11.2025", "20.11.2025 ", "5/1/2026"]
)
def test_csv_dates(written):
    statement = parse_statement(
        csv_bytes(HEADER + f"{written},10.00,USD,x,Payer\n"), filename="s.csv"
    )
    expected = date(2026, 1, 5) if written == "5/1/2026" else date(2025, 11, 20)
    assert statement.lines[0].booked_on == expected


@pytest.mark.parametrize(
    ("written", "currency", "minor"),
    [
        ("1234.56", "USD", 123456),
        ('"1,234.56"', "USD", 123456),
        ('"1.234,56"', "EUR", 123456),
        ('"12,5"', "EUR", 1250),
        ("1000", "JPY", 1000),
        ("0.125", "KWD", 125),
        ("50.000", "IDR", 5000000),
        ("USD 10.00", "USD", 1000),
    ],
)
def test_csv_amounts_are_exact(written, currency, minor):
    statement = parse_statement(
        csv_bytes(HEADER + f"2025-11-20,{written},{currency},x,P\n"), filename="s.csv"
    )
    assert statement.lines[0].amount == Money(minor, currency)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_encodings(encoding):
    text = HEADER + "2025-11-20,10.00,EUR,Zahlung für Müller,Société Générale\n"
    statement = parse_statement(text.encode(encoding), filename="s.csv")
    assert statement.lines[0].reference_text == "Zahlung für Müller"
    assert statement.lines[0].payer == "Société Générale"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(delimiter):
    text = (
        delimiter.join(["Booking Date", "Amount", "Currency", "Remittance Information", "Name"])
        + "\n"
        + delimiter.join(["2025-11-20", "10.00", "USD", "RF59NGA0001234M1", "A, B & Co"])
        + "\n"
    )
    if delimiter == ",":
        text = text.replace("A, B & Co", '"A, B & Co"')
    statement = parse_statement(csv_bytes(text), filename="s.csv")
    assert statement.lines[0].payer == "A, B & Co"
    assert statement.lines[0].reference_text == "RF59NGA0001234M1"


def test_header_aliases_are_case_insensitive():
    text = "DATUM;BETRAG;WÄHRUNG;VERWENDUNGSZWECK\n20.11.2025;1.234,56;EUR;RF74NGA0002001M1\n"
    statement = parse_statement(csv_bytes(text), filename="s.csv")
    assert statement.lines[0].amount == Money(123456, "EUR")
    assert statement.lines[0].payer == ""


def test_a_booking_date_beats_a_value_date():
    text = "Value Date,Booking Date,Amount,Currency,Description\n2025-11-21,2025-11-20,1,USD,x\n"
    statement = parse_statement(csv_bytes(text), filename="s.csv")
    assert statement.lines[0].booked_on == date(2025, 11, 20)


def test_reference_and_description_columns_are_both_kept():
    text = "Date,Amount,Currency,Reference,Description\n2025-11-20,1,USD,RF59NGA0001234M1,PO 7\n"
    statement = parse_statement(csv_bytes(text), filename="s.csv")
    assert statement.lines[0].reference_text == "RF59NGA0001234M1 / PO 7"


def test_an_indicator_column_says_credit_or_debit():
    text = (
        "Date,Amount,Currency,Reference,CR/DR\n"
        "2025-11-20,10.00,USD,in,CR\n"
        "2025-11-20,20.00,USD,out,D\n"
        "2025-11-20,30.00,USD,back,RC\n"
        "2025-11-20,40.00,USD,in2,crdt\n"
    )
    statement = parse_statement(csv_bytes(text), filename="s.csv")
    assert [line.reference_text for line in statement.lines] == ["in", "in2"]
    assert statement.skipped == (
        "Row 3 is a debit of 20.00 USD and was skipped.",
        "Row 4 is a reversal (30.00 USD) and was skipped.",
    )


def test_separate_credit_and_debit_columns():
    text = (
        "Date,Description,Debit,Credit,Currency\n"
        "2025-11-20,fee,5.00,,USD\n"
        "2025-11-20,RF59NGA0001234M1,,100.00,USD\n"
        "2025-11-20,opening balance,,,USD\n"
    )
    statement = parse_statement(csv_bytes(text), filename="s.csv")
    assert [line.amount for line in statement.lines] == [Money(10000, "USD")]
    assert statement.skipped == (
        "Row 2 is a debit of 5.00 USD and was skipped.",
        "Row 4 has no amount and was skipped.",
    )


def test_blank_rows_are_passed_over_and_rows_keep_their_numbers():
    text = HEADER + "\n2025-11-20,1.00,USD,x,P\n,,,,\n2025-11-21,2.00,USD,y,Q\n"
    statement = parse_statement(csv_bytes(text), filename="s.csv")
    assert [line.line for line in statement.lines] == [3, 5]


def test_a_file_without_credits_is_an_empty_statement():
    statement = parse_statement(csv_bytes(HEADER), filename="s.csv")
    assert statement.lines == () and statement.skipped == ()


# -- CSV: refusals -------------------------------------------------------------------------------


def test_no_header_row():
    error = refused(csv_bytes("2025-11-20,10.00,USD,x\n2025-11-21,5.00,USD,y\n"))
    assert "no header row" in error.message
    assert error.params["row"] == 1


def test_missing_columns_are_named():
    error = refused(csv_bytes("Date,Amount,Description\n2025-11-20,10.00,x\n"))
    assert "currency" in error.message
    assert error.params["missing"] == ["currency"]
    error = refused(csv_bytes("Date,Payer\n2025-11-20,A\n"))
    assert error.params["missing"] == ["amount", "currency", "reference"]
    assert "amount" in error.message and "reference" in error.message


@pytest.mark.parametrize(
    ("cells", "column", "needle"),
    [
        ("2025-13-01,10.00,USD,x,P", "“Date” (A)", "not a date"),
        ("20-11-2025,10.00,USD,x,P", "“Date” (A)", "not a date"),
        (",10.00,USD,x,P", "“Date” (A)", "the date is empty"),
        ("2025-11-20,ten,USD,x,P", "“Amount” (B)", "not a valid amount"),
        ("2025-11-20,10.1234,USD,x,P", "“Amount” (B)", "never rounded"),
        ("2025-11-20,100.5,JPY,x,P", "“Amount” (B)", "never rounded"),
        ("2025-11-20,1.234,USD,x,P", "“Amount” (B)", "thousands or decimals"),
        ("2025-11-20,10.00,XYZ,x,P", "“Currency” (C)", "ISO 4217"),
        ("2025-11-20,10.00,,x,P", "“Currency” (C)", "currency is empty"),
    ],
)
def test_bad_cells_are_named_by_row_and_column(cells, column, needle):
    error = refused(csv_bytes(HEADER + "2025-11-19,1.00,USD,ok,P\n" + cells + "\n"))
    assert error.message.startswith(f"Row 3, column {column}: ")
    assert needle in error.message
    assert error.params["row"] == 3
    assert error.params["column"] == column.split("”")[0].lstrip("“")


def test_an_unknown_indicator_is_refused():
    text = "Date,Amount,Currency,Reference,Dr/Cr\n2025-11-20,1,USD,x,maybe\n"
    error = refused(csv_bytes(text))
    assert "Row 2, column “Dr/Cr” (E)" in error.message


def test_a_credit_with_a_negative_amount_is_refused():
    text = "Date,Amount,Currency,Reference,C/D\n2025-11-20,-1.00,USD,x,C\n"
    error = refused(csv_bytes(text))
    assert "Row 2, column “Amount” (B)" in error.message and "negative" in error.message


def test_several_problems_are_reported_together():
    rows = "".join(f"2025-11-{day},bad,USD,x,P\n" for day in range(10, 15))
    error = refused(csv_bytes(HEADER + rows))
    assert error.message.endswith("(and 4 more problems in the file)")
    assert [problem["row"] for problem in error.params["problems"]] == [2, 3, 4, 5, 6]


def test_too_many_rows(monkeypatch):
    assert statements.MAX_LINES == 100_000
    monkeypatch.setattr(statements, "MAX_LINES", 3)
    rows = "".join(f"2025-11-20,{n}.00,USD,x,P\n" for n in range(1, 5))
    error = refused(csv_bytes(HEADER + rows))
    assert "more than 3 rows" in error.message


def test_a_hundred_thousand_rows_are_the_limit():
    row = b"2025-11-20,1.00,USD,x,P\n"
    error = refused(HEADER.encode() + row * 100_001)
    assert "more than 100,000 rows" in error.message


def test_too_large():
    error = refused(b"a" * (MAX_BYTES + 1))
    assert "10 MB" in error.message
    error = refused(b"<" + b"a" * MAX_BYTES, "camt.xml")
    assert "10 MB" in error.message


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b" \r\n ", "empty"),
        (b"PK\x03\x04rest-of-a-zip", "spreadsheet workbook"),
        (b"Date,Amount\x00,Currency\n", "NUL"),
        (b"Date,Amount,Currency,Reference\n2025-11-20,1,USD,\x81\x8d\n", "UTF-8 nor Windows-1252"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "UTF-16"),
    ],
)
def test_unreadable_files(data, needle):
    assert needle in refused(data).message


def test_an_overlong_csv_field_names_the_row():
    big = "x" * 200_000
    error = refused(csv_bytes(HEADER + f'2025-11-20,1,USD,"{big}",P\n'))
    assert "Row 2 cannot be read as CSV" in error.message


# -- camt.053: refusals --------------------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<Document><BkToCstmrStmt><Stmt><Ntry><AddtlNtryInf>&lol9;</AddtlNtryInf></Ntry></Stmt>
</BkToCstmrStmt></Document>
"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document><BkToCstmrStmt><Stmt/></BkToCstmrStmt></Document>
"""


@pytest.mark.parametrize(
    "document",
    [
        BOMB,
        EXTERNAL,
        BOMB.replace(b"DOCTYPE", b"doctype"),
        BOMB.decode()
        .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
        .encode("utf-16"),
    ],
    ids=["billion-laughs", "external-entity", "lowercase", "utf-16"],
)
def test_doctype_and_entities_are_refused_before_parsing(document):
    error = refused(document, "camt.xml")
    assert "DOCTYPE or ENTITY" in error.message


def test_malformed_xml_names_line_and_column():
    document = read("camt053.xml").replace(b"</NtryRef>", b"</NtryRf>", 1)
    error = refused(document, "camt.xml")
    assert error.params["line"] == 66
    assert "line 66, column" in error.message


def test_a_csv_named_xml_is_read_as_xml_and_refused():
    error = refused(read("statement.csv"), "statement.xml")
    assert "line 1, column 1" in error.message


@pytest.mark.parametrize(
    "document",
    [
        b"<Document><Other/></Document>",
        b"<html><body/></html>",
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">'
        b"<BkToCstmrDbtCdtNtfctn/></Document>",
    ],
)
def test_other_xml_is_not_a_camt053_statement(document):
    assert "not a camt.053 bank statement" in refused(document, "x.xml").message


def test_a_document_without_statements():
    error = refused(b"<Document><BkToCstmrStmt><GrpHdr/></BkToCstmrStmt></Document>", "x.xml")
    assert "no statement" in error.message


def entry(**parts: str) -> bytes:
    """A one-entry camt.053 document; parts replace the entry's defaults."""
    fields = {
        "Amt": '<Amt Ccy="USD">10.00</Amt>',
        "CdtDbtInd": "<CdtDbtInd>CRDT</CdtDbtInd>",
        "Sts": "<Sts>BOOK</Sts>",
        "BookgDt": "<BookgDt><Dt>2025-11-20</Dt></BookgDt>",
        "AcctSvcrRef": "<AcctSvcrRef>R1</AcctSvcrRef>",
    }
    fields.update(parts)
    body = "".join(fields.values())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"><BkToCstmrStmt>'
        f"<Stmt><Acct><Ccy>USD</Ccy></Acct><Ntry>{body}</Ntry></Stmt>"
        "</BkToCstmrStmt></Document>"
    ).encode()


def test_a_minimal_entry_reads():
    (line,) = parse_statement(entry(), filename="c.xml").lines
    assert line == StatementLine("R1", date(2025, 11, 20), Money(1000, "USD"), "", "", 1)


@pytest.mark.parametrize(
    ("parts", "element", "needle"),
    [
        ({"Amt": "<Amt>10.00</Amt>"}, "Amt", "no Ccy"),
        ({"Amt": ""}, "Amt", "amount is missing"),
        ({"Amt": '<Amt Ccy="USD">10.001</Amt>'}, "Amt", "never rounded"),
        ({"Amt": '<Amt Ccy="USD">1,000.00</Amt>'}, "Amt", "not a valid amount"),
        ({"Amt": '<Amt Ccy="USD">-5.00</Amt>'}, "Amt", "never negative"),
        ({"Amt": '<Amt Ccy="ZZZ">5.00</Amt>'}, "Amt", "ISO 4217"),
        ({"CdtDbtInd": ""}, "CdtDbtInd", "indicator is missing"),
        ({"CdtDbtInd": "<CdtDbtInd>IN</CdtDbtInd>"}, "CdtDbtInd", "neither CRDT nor DBIT"),
        ({"BookgDt": ""}, "BookgDt", "booking date is missing"),
        ({"BookgDt": "<BookgDt><Dt>20.11.2025</Dt></BookgDt>"}, "BookgDt/Dt", "not a date"),
        ({"BookgDt": "<BookgDt><Dt>2025-02-30</Dt></BookgDt>"}, "BookgDt/Dt", "not a date"),
        ({"BookgDt": "<BookgDt><DtTm>yesterday</DtTm></BookgDt>"}, "BookgDt/DtTm", "not a date"),
        ({"BookgDt": "<BookgDt/>"}, "BookgDt", "neither Dt nor DtTm"),
    ],
)
def test_bad_entries_are_named_by_entry_and_element(parts, element, needle):
    error = refused(entry(**parts), "c.xml")
    assert error.message.startswith(f"Entry 1, element {element}: ")
    assert needle in error.message
    assert error.params["entry"] == 1 and error.params["element"] == element


def test_a_value_date_stands_in_for_a_missing_booking_date():
    document = entry(BookgDt="<ValDt><Dt>2025-11-21</Dt></ValDt>")
    assert parse_statement(document, filename="c.xml").lines[0].booked_on == date(2025, 11, 21)


def test_camt_reversal_flag_forms():
    for flag in ("true", "1"):
        document = entry(CdtDbtInd=f"<CdtDbtInd>CRDT</CdtDbtInd><RvslInd>{flag}</RvslInd>")
        statement = parse_statement(document, filename="c.xml")
        assert statement.lines == ()
        assert "reversal" in statement.skipped[0]
    document = entry(CdtDbtInd="<CdtDbtInd>CRDT</CdtDbtInd><RvslInd>false</RvslInd>")
    assert len(parse_statement(document, filename="c.xml").lines) == 1


def test_camt_ids_fall_back_to_end_to_end_id_then_a_hash():
    details = (
        "<NtryDtls><TxDtls><Refs><EndToEndId>E2E-9</EndToEndId></Refs>"
        "<RmtInf><Ustrd>RF59NGA0001234M1</Ustrd></RmtInf></TxDtls></NtryDtls>"
    )
    (line,) = parse_statement(entry(AcctSvcrRef=details), filename="c.xml").lines
    assert line.external_id == "E2E-9"
    anonymous = details.replace("E2E-9", "NOTPROVIDED")
    (line,) = parse_statement(entry(AcctSvcrRef=anonymous), filename="c.xml").lines
    assert len(line.external_id) == 64
    (again,) = parse_statement(entry(AcctSvcrRef=anonymous), filename="c.xml").lines
    assert again.external_id == line.external_id


def test_camt_remittance_joins_unstructured_and_structured_parts():
    details = (
        "<NtryDtls><TxDtls><RltdPties><UltmtDbtr><Nm>Ultimate Buyer</Nm></UltmtDbtr></RltdPties>"
        "<RmtInf><Ustrd>INV 7</Ustrd><Ustrd>PO 9</Ustrd>"
        "<Strd><CdtrRefInf><Ref>RF59NGA0001234M1</Ref></CdtrRefInf></Strd></RmtInf>"
        "</TxDtls></NtryDtls>"
    )
    (line,) = parse_statement(entry(AcctSvcrRef=details), filename="c.xml").lines
    assert line.reference_text == "INV 7 PO 9 RF59NGA0001234M1"
    assert line.payer == "Ultimate Buyer"


def test_camt_additional_entry_information_when_no_remittance():
    document = entry(AcctSvcrRef="<AddtlNtryInf>TRF FROM X RF59NGA0001234M1</AddtlNtryInf>")
    (line,) = parse_statement(document, filename="c.xml").lines
    assert find_references(line.reference_text) == ["RF59NGA0001234M1"]


def test_a_batch_whose_parts_do_not_add_up_stays_one_line():
    details = (
        "<NtryDtls>"
        '<TxDtls><Amt Ccy="USD">4.00</Amt><RmtInf><Ustrd>A</Ustrd></RmtInf></TxDtls>'
        '<TxDtls><Amt Ccy="USD">5.00</Amt><RmtInf><Ustrd>B</Ustrd></RmtInf></TxDtls>'
        "</NtryDtls>"
    )
    (line,) = parse_statement(entry(AcctSvcrRef=details), filename="c.xml").lines
    assert line.amount == Money(1000, "USD")
    assert line.reference_text == "A B"


# -- never anything but StatementInvalid ----------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(["statement.csv", "camt053.xml"]))
def test_arbitrary_bytes_never_raise_anything_but_statement_invalid(data, filename):
    try:
        statement = parse_statement(data, filename=filename)
    except StatementInvalid as error:
        assert str(error.message)
    else:
        assert all(line.amount.is_positive() for line in statement.lines)


cell = st.one_of(
    st.sampled_from(
        ["2025-11-20", "20/11/2025", "1.234,56", "1,234.56", "-5", "USD", "EUR", "JPY", "C", "D",
         "RC", "", "RF59NGA0001234M1", '"', "0", "(12.00)", "99999999999999999999999999999999"]
    ),
    st.text(max_size=12),
)  # fmt: skip
header_cell = st.sampled_from(
    ["Date", "Amount", "Currency", "Reference", "Payer", "ID", "CR/DR", "Credit", "Debit", "x"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(header_cell, min_size=1, max_size=7),
    st.lists(st.lists(cell, max_size=8), max_size=6),
    st.sampled_from([",", ";", "\t"]),
)
def test_csv_shaped_input_never_raises_anything_but_statement_invalid(header, rows, delimiter):
    text = "\n".join(delimiter.join(row) for row in [header, *rows])
    try:
        statement = parse_statement(text.encode(), filename="s.csv")
    except StatementInvalid:
        return
    assert all(line.amount.is_positive() for line in statement.lines)


xml_part = st.sampled_from(
    [
        '<Amt Ccy="USD">10.00</Amt>',
        '<Amt Ccy="JPY">1.5</Amt>',
        "<Amt>3</Amt>",
        "<CdtDbtInd>CRDT</CdtDbtInd>",
        "<CdtDbtInd>DBIT</CdtDbtInd>",
        "<RvslInd>true</RvslInd>",
        "<Sts><Cd>BOOK</Cd></Sts>",
        "<Sts>PDNG</Sts>",
        "<BookgDt><Dt>2025-11-20</Dt></BookgDt>",
        "<BookgDt><DtTm>2025-11-20T10:00:00Z</DtTm></BookgDt>",
        "<BookgDt><Dt>nope</Dt></BookgDt>",
        "<AcctSvcrRef>R</AcctSvcrRef>",
        "<NtryRef>N</NtryRef>",
        '<NtryDtls><TxDtls><Amt Ccy="USD">5.00</Amt><RmtInf><Ustrd>u</Ustrd></RmtInf></TxDtls>'
        '<TxDtls><Amt Ccy="USD">5.00</Amt></TxDtls></NtryDtls>',
        "<NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>P</Nm></Pty></Dbtr></RltdPties></TxDtls>"
        "</NtryDtls>",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(xml_part, max_size=8), max_size=5))
def test_camt_shaped_input_never_raises_anything_but_statement_invalid(entries):
    body = "".join("<Ntry>" + "".join(parts) + "</Ntry>" for parts in entries)
    document = f"<Document><BkToCstmrStmt><Stmt>{body}</Stmt></BkToCstmrStmt></Document>"
    try:
        statement = parse_statement(document.encode(), filename="c.xml")
    except StatementInvalid:
        return
    assert all(line.amount.is_positive() for line in statement.lines)


def test_an_overlong_bank_reference_is_refused():
    text = f"Date,Amount,Currency,Reference,Entry Reference\n2025-11-20,1,USD,x,{'R' * 101}\n"
    error = refused(csv_bytes(text))
    assert error.message.startswith("Row 2, column “Entry Reference” (E): ")
    error = refused(entry(AcctSvcrRef=f"<AcctSvcrRef>{'R' * 101}</AcctSvcrRef>"), "c.xml")
    assert error.message.startswith("Entry 1, element AcctSvcrRef: ")
