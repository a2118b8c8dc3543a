import datetime
import json

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from niaga.core.sectors import Sector
from niaga.registry.mapping import field_names
from niaga.registry.validation import (
    Problem,
    RowResult,
    match_sector,
    parse_date,
    resolve_province,
    validate_row,
)

TODAY = datetime.date(2025, 6, 30)

INDONESIAN = {
    "record_id": "KMP-0001",
    "source": "kemenperin",
    "business_name": "  CV Kopi Sari Jaya ",
    "owner_name": "Siti Aminah",
    "nib": "9120 0012 34567",
    "npwp": "01.312.166.0-091.000",
    "address": "Jl. Merdeka No. 5, RT 02/RW 03",
    "province": "Jawa Barat",
    "district": " Kota Bandung ",
    "postcode": "40111",
    "phone": "0812-3456-7890",
    "email": "Siti@KopiSari.ID",
    "sector": "Kopi bubuk",
    "annual_turnover": "Rp 1.250.000.000",
    "turnover_currency": "",
    "products": "Kopi arabika, kopi luwak",
    "employees": "12",
    "mentoring_programme": "Pendampingan Ekspor 2024",
    "mentoring_completed_on": "12 Januari 2025",
}

INDIAN = {
    "record_id": "MH-77",
    "source": "msme-dfo",
    "business_name": "Kaveri Spices LLP",
    "owner_name": "Rohan Iyer",
    "udyam": "udyam mh 26 0012345",
    "gstin": "27aapfu0939f1zv",
    "pan": "AAPFU0939F",
    "iec": "AAPFU0939F",
    "address": "12 MG Road",
    "province": "Maharashtra",
    "district": "Pune",
    "postcode": "411 001",
    "phone": "98765 43210",
    "email": "rohan@kaveri.in",
    "sector": "Spices & masala",
    "annual_turnover": "12,34,567.50",
    "turnover_currency": "inr",
    "employees": "1,200",
    "mentoring_completed_on": "05/03/2024",
}


def check(values, **kwargs) -> RowResult:
    result = validate_row(values, today=TODAY, **kwargs)
    json.dumps(result.values)  # stored as JSON: must always serialise
    return result


def reasons(result: RowResult) -> dict[str, str]:
    return {problem.column: problem.reason for problem in result.problems}


# -- whole rows --------------------------------------------------------------------------------


def test_a_realistic_indonesian_row_is_normalised():
    result = check(INDONESIAN)
    assert result.ok, result.problems
    assert result.country == "ID"
    values = result.values
    assert values["business_name"] == "CV Kopi Sari Jaya"
    assert values["nib"] == "9120001234567"
    assert values["npwp"] == "013121660091000"
    assert values["province"] == "ID-JB"
    assert values["district"] == "Kota Bandung"
    assert values["phone"] == "+6281234567890"
    assert values["email"] == "siti@kopisari.id"
    assert values["annual_turnover"] == {"amount": 125_000_000_000, "currency": "IDR"}
    assert values["turnover_currency"] == "IDR"
    assert values["employees"] == 12
    assert values["mentoring_completed_on"] == "2025-01-12"
    assert (values["sector"], values["sector_raw"]) == ("coffee_tea_cocoa", "Kopi bubuk")
    assert values["products"] == "Kopi arabika, kopi luwak"
    assert values["country"] == "ID"
    assert set(field_names()) <= set(values)


def test_a_realistic_indian_row_is_normalised():
    result = check(INDIAN)
    assert result.ok, result.problems
    assert result.country == "IN"
    values = result.values
    assert values["gstin"] == "27AAPFU0939F1ZV"
    assert values["udyam"] == "UDYAM-MH-26-0012345"
    assert values["province"] == "IN-MH"
    assert values["postcode"] == "411001"
    assert values["phone"] == "+919876543210"
    assert values["annual_turnover"] == {"amount": 123_456_750, "currency": "INR"}
    assert values["employees"] == 1200
    assert values["mentoring_completed_on"] == "2024-03-05"
    assert values["sector"] == "spices"
    assert values["mentoring_programme"] == ""  # absent fields are present, empty


def test_a_row_with_only_a_name_is_fine():
    result = check({"business_name": "Toko Maju"})
    assert result.ok and result.country is None
    assert result.values["annual_turnover"] is None and result.values["employees"] is None


def test_extra_keys_are_kept_stripped():
    assert check({"business_name": "Toko", "catatan": " x "}).values["catatan"] == "x"


# -- business name -----------------------------------------------------------------------------


@pytest.mark.parametrize("values", [{}, {"business_name": ""}, {"business_name": " \t\n"}])
def test_the_business_name_is_required(values):
    result = check(values)
    assert reasons(result) == {"business_name": "required"}
    assert not result.ok


def test_a_business_name_longer_than_255_is_refused():
    result = check({"business_name": "x" * 256})
    assert reasons(result) == {"business_name": "too_long"}
    assert check({"business_name": "x" * 255}).ok


# -- identifiers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("nib", "12345", "identifier_length"),
        ("nib", "91200O1234567", "identifier_format"),
        ("npwp", "01.312.166.1-091.000", "identifier_checksum"),
        ("gstin", "27AAPFU0939F1ZX", "identifier_checksum"),
        ("gstin", "99AAPFU0939F1ZV", "identifier_state_code"),
        ("pan", "AAPFU0939", "identifier_length"),
        ("udyam", "UDYAM-XX-26-0012345", "identifier_state_code"),
        ("iec", "12345", "identifier_length"),
    ],
)
def test_invalid_identifiers_say_why_and_keep_the_value(column, value, reason):
    result = check({"business_name": "Toko", column: f" {value} "})
    [problem] = result.problems
    assert (problem.column, problem.reason, problem.value) == (column, reason, f" {value} ")
    assert value in problem.message and "not valid" in problem.message
    assert result.values[column] == value  # never lost


def test_a_pan_that_is_not_the_gstins_is_a_problem():
    result = check({"business_name": "Toko", "gstin": "27AAPFU0939F1ZV", "pan": "ACUPA7085R"})
    assert reasons(result) == {"pan": "pan_mismatch"}
    assert "AAPFU0939F" in result.problems[0].message


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"pan": "AAPFU0939F", "iec": "AAPFU0939F"}, {}),
        ({"pan": "AAPFU0939F", "iec": "ACUPA7085R"}, {"iec": "iec_mismatch"}),
        ({"gstin": "27AAPFU0939F1ZV", "iec": "ACUPA7085R"}, {"iec": "iec_mismatch"}),
        ({"gstin": "27AAPFU0939F1ZV", "iec": "aapfu0939f"}, {}),
        ({"pan": "AAPFU0939F", "iec": "0304000000"}, {}),  # a pre-2020 IEC: not comparable
        ({"iec": "ACUPA7085R"}, {}),  # nothing to compare with
    ],
)
def test_a_pan_shaped_iec_must_be_the_firms_pan(row, expected):
    assert reasons(check({"business_name": "Toko", **row})) == expected


# -- country -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "country"),
    [
        ({"nib": "9120001234567"}, "ID"),
        ({"npwp": "013121660091000"}, "ID"),
        ({"nib": "123"}, "ID"),  # an invalid NIB still says Indonesia
        ({"gstin": "27AAPFU0939F1ZV"}, "IN"),
        ({"pan": "AAPFU0939F"}, "IN"),
        ({"udyam": "UDYAM-MH-26-0012345"}, "IN"),
        ({"iec": "0304000000"}, "IN"),
        ({"province": "Bali"}, "ID"),
        ({"province": "Kerala"}, "IN"),
        ({"phone": "+91 98765 43210"}, "IN"),
        ({"phone": "+62 812-3456-7890"}, "ID"),
    ],
)
def test_the_country_is_inferred(row, country):
    result = check({"business_name": "Toko", **row})
    assert result.country == country
    assert result.values["country"] == country


def test_the_default_country_applies_only_without_evidence():
    assert check({"business_name": "Toko"}, default_country="id").country == "ID"
    assert check({"business_name": "Toko", "province": "Goa"}, default_country="ID").country == (
        "IN"
    )
    result = check({"business_name": "Toko", "phone": "0812-3456-7890"}, default_country="ID")
    assert result.values["phone"] == "+6281234567890"


def test_indonesian_and_indian_identifiers_together_conflict():
    result = check({"business_name": "Toko", "nib": "9120001234567", "gstin": "27AAPFU0939F1ZV"})
    assert reasons(result) == {"gstin": "country_conflict"}
    assert "NIB" in result.problems[0].message and "GSTIN" in result.problems[0].message
    assert result.country is None


def test_a_conflicting_row_still_takes_its_country_from_the_province():
    row = {"business_name": "T", "nib": "9120001234567", "pan": "AAPFU0939F", "province": "Bali"}
    result = check(row)
    assert result.country == "ID" and result.values["province"] == "ID-BA"
    assert reasons(result) == {"pan": "country_conflict"}


# -- provinces ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ID-JB", "ID-JB"),
        ("id-jb", "ID-JB"),
        ("Jawa Barat", "ID-JB"),
        ("JAWA BARAT", "ID-JB"),
        ("jawa   barat", "ID-JB"),
        ("Provinsi Jawa Barat", "ID-JB"),
        ("Prov. Jawa Barat", "ID-JB"),
        ("West Java", "ID-JB"),
        ("West Java Province", "ID-JB"),
        ("Jabar", "ID-JB"),
        ("DKI Jakarta", "ID-JK"),
        ("Daerah Khusus Ibukota Jakarta", "ID-JK"),
        ("Jakarta Raya", "ID-JK"),
        ("DI Yogyakarta", "ID-YO"),
        ("D.I. Yogyakarta", "ID-YO"),
        ("Daerah Istimewa Yogyakarta", "ID-YO"),
        ("Kepulauan Bangka Belitung", "ID-BB"),
        ("Nusa Tenggara Timur", "ID-NT"),
        ("NTB", "ID-NB"),
        ("Papua Pegunungan", "ID-PE"),
        ("Sulawesi Selatan", "ID-SN"),
        ("Maharashtra", "IN-MH"),
        ("MAHARASHTRA", "IN-MH"),
        ("Mahārāshtra", "IN-MH"),
        ("Tamil Nadu", "IN-TN"),
        ("Tamilnadu", "IN-TN"),
        ("IN-MH", "IN-MH"),
        ("West Bengal", "IN-WB"),
        ("Orissa", "IN-OD"),
        ("Telangana", "IN-TS"),
        ("Jammu & Kashmir", "IN-JK"),
        ("NCT of Delhi", "IN-DL"),
        ("State of Kerala", "IN-KL"),
        ("Dadra and Nagar Haveli and Daman and Diu", "IN-DH"),
    ],
)
def test_provinces_and_states_in_their_common_forms(text, code):
    result = check({"business_name": "Toko", "province": text})
    assert result.ok, result.problems
    assert result.values["province"] == code
    assert result.country == code[:2]


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ({"nib": "9120001234567", "province": "JB"}, "ID-JB"),
        ({"gstin": "27AAPFU0939F1ZV", "province": "MH"}, "IN-MH"),
        ({"nib": "9120001234567", "province": "PB"}, "ID-PB"),  # Papua Barat, not Punjab
        ({"pan": "AAPFU0939F", "province": "PB"}, "IN-PB"),
        ({"pan": "AAPFU0939F", "province": "OR"}, "IN-OD"),
    ],
)
def test_bare_codes_are_read_in_the_rows_country(row, code):
    result = check({"business_name": "Toko", **row})
    assert result.ok, result.problems
    assert result.values["province"] == code


def test_an_ambiguous_bare_code_without_a_country_is_a_problem():
    result = check({"business_name": "Toko", "province": "PB"})
    assert reasons(result) == {"province": "province_ambiguous"}
    assert (
        check({"business_name": "Toko", "province": "PB"}, default_country="IN").values["province"]
        == "IN-PB"
    )


@pytest.mark.parametrize("text", ["ID-ZZ", "Atlantis", "Jawa", "Sumatera", "27", "XX-12"])
def test_unknown_provinces_are_a_problem_and_keep_the_value(text):
    result = check({"business_name": "Toko", "nib": "9120001234567", "province": text})
    assert set(reasons(result).values()) <= {"province_unknown", "province_country"}
    assert "province" in reasons(result)
    assert result.values["province"] == text


def test_a_province_of_the_other_country_is_a_problem():
    result = check({"business_name": "Toko", "nib": "9120001234567", "province": "Maharashtra"})
    assert reasons(result) == {"province": "province_country"}
    assert "Indonesia" in result.problems[0].message


def test_resolve_province_lists_candidates():
    assert resolve_province("PB") == ["ID-PB", "IN-PB"]
    assert resolve_province("Punjab") == ["IN-PB"]
    assert resolve_province("") == []
    assert resolve_province("MY-10") == ["MY-10"]  # a full code of any country


# -- phone, email, postcode --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "e164"),
    [
        ({"nib": "9120001234567", "phone": "0812-3456-7890"}, "+6281234567890"),
        ({"nib": "9120001234567", "phone": "62 812 3456 7890"}, "+6281234567890"),
        ({"nib": "9120001234567", "phone": "81234567890"}, "+6281234567890"),  # lost its 0
        ({"nib": "9120001234567", "phone": "(022) 4231234"}, "+62224231234"),
        ({"pan": "AAPFU0939F", "phone": "98765 43210"}, "+919876543210"),
        ({"pan": "AAPFU0939F", "phone": "+91-98765-43210"}, "+919876543210"),
        ({"pan": "AAPFU0939F", "phone": "09876543210"}, "+919876543210"),
        ({"phone": "+6281234567890"}, "+6281234567890"),
    ],
)
def test_phones_become_e164(row, e164):
    result = check({"business_name": "Toko", **row})
    assert result.ok, result.problems
    assert result.values["phone"] == e164


@pytest.mark.parametrize("phone", ["not-a-phone", "12", "0812", "0812-3456-7890 / 0813-1111-2222"])
def test_invalid_phones_are_a_problem(phone):
    result = check({"business_name": "Toko", "nib": "9120001234567", "phone": phone})
    assert reasons(result) == {"phone": "phone_invalid"}
    assert result.problems[0].value == phone


def test_a_phone_without_a_country_cannot_be_read():
    result = check({"business_name": "Toko", "phone": "0812-3456-7890"})
    assert reasons(result) == {"phone": "phone_country_unknown"}
    assert "+62" in result.problems[0].message


def test_emails_are_lower_cased_and_checked():
    assert check({"business_name": "T", "email": " Siti@KopiSari.ID "}).values["email"] == (
        "siti@kopisari.id"
    )
    for bad in ["nope", "a@b", "siti@@kopi.id", "siti kopi@sari.id"]:
        assert reasons(check({"business_name": "T", "email": bad})) == {"email": "email_invalid"}


@pytest.mark.parametrize(
    ("row", "postcode", "ok"),
    [
        ({"nib": "9120001234567"}, "40111", True),
        ({"nib": "9120001234567"}, "4011", False),
        ({"nib": "9120001234567"}, "401111", False),
        ({"nib": "9120001234567"}, "04011", False),
        ({"pan": "AAPFU0939F"}, "411001", True),
        ({"pan": "AAPFU0939F"}, "411 001", True),
        ({"pan": "AAPFU0939F"}, "011001", False),
        ({"pan": "AAPFU0939F"}, "41100", False),
        ({"pan": "AAPFU0939F"}, "४११००१", False),
        ({}, "SW1A 1AA", True),  # no country known: kept as written
    ],
)
def test_postcodes_by_country(row, postcode, ok):
    result = check({"business_name": "Toko", "postcode": postcode, **row})
    assert result.ok is ok
    if not ok:
        assert reasons(result) == {"postcode": "postcode_invalid"}


def test_the_district_is_free_text():
    assert check({"business_name": "T", "district": "  Kab. Sleman "}).values["district"] == (
        "Kab. Sleman"
    )


# -- turnover ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "money"),
    [
        ({"nib": "9120001234567", "annual_turnover": "1.250.000.000"}, (125_000_000_000, "IDR")),
        ({"nib": "9120001234567", "annual_turnover": "Rp 50.000"}, (5_000_000, "IDR")),
        ({"pan": "AAPFU0939F", "annual_turnover": "₹12,34,567"}, (123_456_700, "INR")),
        ({"annual_turnover": "1500000", "turnover_currency": "IDR"}, (150_000_000, "IDR")),
        ({"annual_turnover": "1,500.25", "turnover_currency": "usd"}, (150_025, "USD")),
        ({"annual_turnover": "2000000", "turnover_currency": "Rp"}, (200_000_000, "IDR")),
        ({"annual_turnover": "0", "turnover_currency": "INR"}, (0, "INR")),
    ],
)
def test_turnover_becomes_money_in_minor_units(row, money):
    result = check({"business_name": "Toko", **row})
    assert result.ok, result.problems
    assert result.values["annual_turnover"] == {"amount": money[0], "currency": money[1]}
    assert result.values["turnover_currency"] == money[1]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {"nib": "9120001234567", "annual_turnover": "-5.000.000"},
            {"annual_turnover": "amount_negative"},
        ),
        (
            {"nib": "9120001234567", "annual_turnover": "lima juta"},
            {"annual_turnover": "amount_invalid"},
        ),
        (
            {"annual_turnover": "12.345", "turnover_currency": "USD"},
            {"annual_turnover": "amount_invalid"},
        ),
        (
            {"annual_turnover": "5000", "turnover_currency": "RUPIAHS"},
            {"turnover_currency": "currency_invalid"},
        ),
        ({"annual_turnover": "5000"}, {"turnover_currency": "currency_missing"}),
        ({"turnover_currency": "XYZ"}, {"turnover_currency": "currency_invalid"}),
    ],
)
def test_bad_turnover_is_a_problem(row, expected):
    result = check({"business_name": "Toko", **row})
    assert reasons(result) == expected
    assert result.values["annual_turnover"] is None


# -- employees and dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [("12", 12), ("0", 0), ("1.200", 1200), ("1,200", 1200), ("12.0", 12), ("1 200", 1200),
     ("120000", 120000), (" 7 ", 7)],
)  # fmt: skip
def test_employees_are_whole_numbers(text, count):
    result = check({"business_name": "Toko", "employees": text})
    assert result.ok and result.values["employees"] == count


@pytest.mark.parametrize("text", ["-3", "twelve", "12.5", "1,20", "1.2.3", "9" * 5000, "١٢"])
def test_other_employee_counts_are_a_problem(text):
    result = check({"business_name": "Toko", "employees": text})
    assert reasons(result) == {"employees": "employees_invalid"}
    assert result.values["employees"] is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2025-01-12", "2025-01-12"),
        ("2025-01-12T00:00:00", "2025-01-12"),
        ("2025-01-12 10:30:00", "2025-01-12"),
        ("12/01/2025", "2025-01-12"),
        ("12-01-2025", "2025-01-12"),
        ("12.1.2025", "2025-01-12"),
        ("1/2/2025", "2025-02-01"),
        ("12 Januari 2025", "2025-01-12"),
        ("12 januari 2025", "2025-01-12"),
        ("3 Agustus 2024", "2024-08-03"),
        ("17 Desember 2024", "2024-12-17"),
        ("12 Jan 2025", "2025-01-12"),
        ("12-Jan-2025", "2025-01-12"),
        ("12 Mei 2025", "2025-05-12"),
        ("January 12, 2025", "2025-01-12"),
        ("Oct 5 2024", "2024-10-05"),
    ],
)
def test_completion_dates_in_common_forms(text, iso):
    assert parse_date(text) == datetime.date.fromisoformat(iso)
    result = check({"business_name": "Toko", "mentoring_completed_on": text})
    assert result.ok and result.values["mentoring_completed_on"] == iso


@pytest.mark.parametrize("text", ["31/02/2024", "2025-13-01", "12 Smarch 2025", "yesterday", "12"])
def test_invalid_dates_are_a_problem(text):
    result = check({"business_name": "Toko", "mentoring_completed_on": text})
    assert reasons(result) == {"mentoring_completed_on": "date_invalid"}


def test_a_completion_date_in_the_future_is_a_problem():
    result = check({"business_name": "Toko", "mentoring_completed_on": "1 Juli 2025"})
    assert reasons(result) == {"mentoring_completed_on": "date_future"}
    assert check({"business_name": "Toko", "mentoring_completed_on": "30/06/2025"}).ok


def test_today_defaults_to_the_real_date():
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    result = validate_row({"business_name": "T", "mentoring_completed_on": tomorrow.isoformat()})
    assert [p.reason for p in result.problems] == ["date_future"]


# -- sectors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("kopi", Sector.COFFEE_TEA_COCOA),
        ("Kopi Arabika", Sector.COFFEE_TEA_COCOA),
        ("Minuman Kopi", Sector.COFFEE_TEA_COCOA),
        ("coffee_tea_cocoa", Sector.COFFEE_TEA_COCOA),
        ("Coffee, tea and cocoa", Sector.COFFEE_TEA_COCOA),
        ("batik", Sector.BATIK_HANDLOOM),
        ("Batik Tulis", Sector.BATIK_HANDLOOM),
        ("Handloom", Sector.BATIK_HANDLOOM),
        ("handicraft", Sector.HANDICRAFTS),
        ("Kerajinan", Sector.HANDICRAFTS),
        ("Kerajinan Tangan", Sector.HANDICRAFTS),
        ("spices", Sector.SPICES),
        ("Rempah-rempah", Sector.SPICES),
        ("textile", Sector.TEXTILES),
        ("Tekstil", Sector.TEXTILES),
        ("Garment", Sector.TEXTILES),
        ("Furniture", Sector.FURNITURE),
        ("Mebel", Sector.FURNITURE),
        ("food", Sector.FOOD),
        ("Makanan", Sector.FOOD),
        ("Makanan dan Minuman", Sector.FOOD),
        ("Pangan Olahan", Sector.FOOD),
        ("Kerajinan Kulit", Sector.LEATHER),
        ("Perhiasan Perak", Sector.JEWELLERY),
        ("Jamu", Sector.COSMETICS),
        ("Gerabah", Sector.CERAMICS),
        ("Buah-buahan", Sector.FRESH_PRODUCE),
    ],
)
def test_sector_text_is_matched(text, sector):
    assert match_sector(text) == sector.value
    result = check({"business_name": "Toko", "sector": text})
    assert result.ok
    assert (result.values["sector"], result.values["sector_raw"]) == (sector.value, text)


@pytest.mark.parametrize("text", ["Jasa Konsultan", "Perbengkelan", "tehnik", ""])
def test_an_unknown_sector_keeps_its_text_without_a_problem(text):
    result = check({"business_name": "Toko", "sector": text})
    assert result.ok
    assert result.values["sector"] == "" and result.values["sector_raw"] == text


def test_sector_labels_in_indonesian_are_recognised_too():
    with translation.override("id"):
        label = str(Sector.FURNITURE.label)
    assert match_sector(label) == Sector.FURNITURE.value


# -- values are data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A9)", "'quoted"]
)
def test_formula_looking_text_is_valid_data(name):
    result = check({"business_name": name, "owner_name": name, "address": name})
    assert result.ok
    assert result.values["business_name"] == name


def test_problems_quote_the_value_as_given():
    result = check({"business_name": "Toko", "nib": "9120001234567", "phone": "  0812  "})
    [problem] = result.problems
    assert isinstance(problem, Problem)
    assert problem.value == "  0812  "


def test_non_text_values_are_read_as_text():
    result = check({"business_name": 123, "employees": 7, "phone": None})
    assert result.ok
    assert result.values["business_name"] == "123" and result.values["employees"] == 7


def test_messages_follow_the_active_language():
    with translation.override("id"):
        result = check({"business_name": "", "email": "nope"})
    assert all(isinstance(problem.message, str) and problem.message for problem in result.problems)


text_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "9120001234567", "27AAPFU0939F1ZV", "AAPFU0939F", "UDYAM-MH-26-0012345",
            "0812-3456-7890", "+91 98765 43210", "Jawa Barat", "PB", "IN-MH", "ID-ZZ",
            "1.250.000.000", "-5", "IDR", "Rp", "12 Januari 2025", "31/02/2024", "kopi",
            "=HYPERLINK(\"x\")", "9" * 5000, "\x00", "١٢٣", "\u202e", "e\u0301",
        ]
    ),
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    values=st.dictionaries(
        st.one_of(st.sampled_from(field_names()), st.text(max_size=10)), text_values, max_size=24
    ),
    default_country=st.sampled_from([None, "ID", "IN", "MY", "id", "XX", ""]),
)
def test_validate_row_never_raises(values, default_country):
    result = validate_row(values, default_country=default_country, today=TODAY)
    json.dumps(result.values)
    assert result.ok is (result.problems == [])
    for problem in result.problems:
        assert problem.reason and problem.message
        assert problem.value == values.get(problem.column, "")
    for column in field_names():
        assert column in result.values
