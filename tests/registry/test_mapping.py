import random

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from niaga.registry.mapping import (
    OPTIONAL_COLUMNS,
    STANDARD_COLUMNS,
    STANDARD_FIELDS,
    apply_mapping,
    field_names,
    is_standard,
    standard_mapping,
    suggest_mapping,
    validate_mapping,
)


def test_the_standard_columns_are_the_template_header():
    template = (
        "record_id,source,business_name,owner_name,nib,npwp,udyam,gstin,pan,iec,address,"
        "province,district,postcode,phone,email,sector,annual_turnover,turnover_currency"
    )
    assert ",".join(STANDARD_COLUMNS) == template
    assert OPTIONAL_COLUMNS == [
        "products",
        "employees",
        "mentoring_programme",
        "mentoring_completed_on",
    ]
    assert field_names() == STANDARD_COLUMNS + OPTIONAL_COLUMNS


def test_only_the_business_name_is_required():
    assert [f.name for f in STANDARD_FIELDS if f.required] == ["business_name"]


def test_labels_are_text_in_any_language():
    for language in ("en", "id", "hi"):
        with translation.override(language):
            assert all(str(f.label).strip() for f in STANDARD_FIELDS)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nama Usaha", "business_name"),
        ("Nama Perusahaan", "business_name"),
        ("Business Name", "business_name"),
        ("Company", "business_name"),
        ("Name of Enterprise", "business_name"),
        ("NAMA UMKM", "business_name"),
        ("Nama Pemilik", "owner_name"),
        ("Owner", "owner_name"),
        ("Proprietor Name", "owner_name"),
        ("Provinsi", "province"),
        ("State", "province"),
        ("State/UT", "province"),
        ("Kabupaten/Kota", "district"),
        ("District", "district"),
        ("Kode Pos", "postcode"),
        ("PIN Code", "postcode"),
        ("Pincode", "postcode"),
        ("No. HP", "phone"),
        ("No HP/WA", "phone"),
        ("Telepon", "phone"),
        ("Mobile", "phone"),
        ("Mobile No.", "phone"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("Alamat Email", "email"),
        ("Omzet", "annual_turnover"),
        ("Omzet (Rp)", "annual_turnover"),
        ("Turnover", "annual_turnover"),
        ("Annual Turnover (INR)", "annual_turnover"),
        ("Mata Uang", "turnover_currency"),
        ("Jumlah Karyawan", "employees"),
        ("Tenaga Kerja", "employees"),
        ("Produk", "products"),
        ("Sektor", "sector"),
        ("Program Pendampingan", "mentoring_programme"),
        ("Tanggal Selesai", "mentoring_completed_on"),
        ("NIB", "nib"),
        ("NPWP", "npwp"),
        ("Udyam Registration Number", "udyam"),
        ("GSTIN", "gstin"),
        ("GST No.", "gstin"),
        ("PAN No.", "pan"),
        ("IEC Code", "iec"),
        ("Alamat", "address"),
        ("Alamat Usaha", "address"),
        ("annual_turnover", "annual_turnover"),
        ("Record ID", "record_id"),
        ("Sumber", "source"),
        ("मोबाइल", "phone"),
        ("व्यवसाय का नाम", "business_name"),
    ],
)
def test_headers_in_english_indonesian_and_indian_usage_are_recognised(header, field):
    assert suggest_mapping([header]) == {header: field}


def test_qualified_headers_go_to_the_field_not_the_qualifier():
    suggestion = suggest_mapping(["Email Pemilik", "No. HP Pemilik", "Omzet Usaha", "NPWP Pemilik"])
    assert suggestion == {
        "Email Pemilik": "email",
        "No. HP Pemilik": "phone",
        "Omzet Usaha": "annual_turnover",
        "NPWP Pemilik": "npwp",
    }


def test_a_whole_indonesian_roster_is_mapped():
    headers = [
        "No.", "Nama Usaha", "Nama Pemilik", "NIB", "Alamat", "Provinsi", "Kabupaten/Kota",
        "Kode Pos", "No. HP", "Email", "Sektor", "Omzet", "Mata Uang", "Jumlah Karyawan",
        "Keterangan",
    ]  # fmt: skip
    suggestion = suggest_mapping(headers)
    assert suggestion["Nama Usaha"] == "business_name"
    assert suggestion["Keterangan"] is None
    assert not validate_mapping(headers, suggestion)


def test_no_field_is_suggested_twice_and_the_closer_match_wins():
    suggestion = suggest_mapping(["Telepon Kantor", "Telepon", "Nama", "Nama Usaha"])
    assert suggestion == {
        "Telepon Kantor": None,
        "Telepon": "phone",
        "Nama": None,
        "Nama Usaha": "business_name",
    }


def test_unknown_headers_are_not_guessed():
    assert suggest_mapping(["Keterangan", "Catatan", "", "  ", "Remarks"]) == {
        "Keterangan": None,
        "Catatan": None,
        "": None,
        "  ": None,
        "Remarks": None,
    }


@given(st.lists(st.text(max_size=30), max_size=30))
def test_suggestions_never_fail_and_never_repeat_a_field(headers):
    suggestion = suggest_mapping(headers)
    assert set(suggestion) == set(headers)
    chosen = [field for field in suggestion.values() if field]
    assert len(chosen) == len(set(chosen))
    assert set(chosen) <= set(field_names())


# -- standard files ----------------------------------------------------------------------------


def test_the_template_header_needs_no_mapping():
    assert is_standard(STANDARD_COLUMNS)
    assert is_standard(STANDARD_COLUMNS + OPTIONAL_COLUMNS)
    shuffled = STANDARD_COLUMNS[:]
    random.Random(4).shuffle(shuffled)
    assert is_standard(shuffled)
    assert is_standard(["business_name", "phone"])
    assert is_standard([name.upper() for name in STANDARD_COLUMNS])


@pytest.mark.parametrize(
    "headers",
    [
        [],
        ["phone", "email"],  # no business_name
        ["business_name", "Keterangan"],
        ["business_name", "business name"],  # not the field's name
        ["business_name", "BUSINESS_NAME"],
    ],
)
def test_other_headers_need_a_mapping(headers):
    assert not is_standard(headers)


def test_the_standard_mapping_and_an_identity_mapping_both_apply():
    headers = ["BUSINESS_NAME", "Phone"]
    cells = ["Toko Maju", "0812"]
    assert standard_mapping(headers) == {"BUSINESS_NAME": "business_name", "Phone": "phone"}
    assert apply_mapping(headers, cells, standard_mapping(headers)) == {
        "business_name": "Toko Maju",
        "phone": "0812",
    }
    # A caller may map each header to itself: field names are matched regardless of case.
    assert apply_mapping(headers, cells, {h: h for h in headers}) == {
        "business_name": "Toko Maju",
        "phone": "0812",
    }


# -- checking and applying a mapping -----------------------------------------------------------

HEADERS = ["Nama Usaha", "Nama Pemilik", "No HP", "Keterangan"]


def test_a_good_mapping_has_no_errors():
    mapping = {
        "Nama Usaha": "business_name",
        "Nama Pemilik": "owner_name",
        "No HP": "phone",
        "Keterangan": None,
    }
    assert validate_mapping(HEADERS, mapping) == []


def test_mapping_errors_are_each_reported():
    mapping = {
        "Nama Usaha": "owner_name",
        "Nama Pemilik": "owner_name",
        "No HP": "telefon",
        "Tidak Ada": "email",
    }
    errors = validate_mapping(HEADERS, mapping)
    assert len(errors) == 4
    joined = " | ".join(errors)
    assert "Tidak Ada" in joined  # not a column of the file
    assert "telefon" in joined  # not a field
    assert "Nama Usaha" in joined and "Nama Pemilik" in joined  # owner_name twice
    assert "Business name" in joined  # the required field is unmapped


def test_an_empty_mapping_misses_the_business_name():
    [error] = validate_mapping(HEADERS, {})
    assert "Business name" in error


def test_mapping_errors_are_translated():
    with translation.override("id"):
        errors = validate_mapping(HEADERS, {})
    assert errors and all(isinstance(error, str) for error in errors)


def test_apply_mapping_takes_the_mapped_cells():
    mapping = {"Nama Usaha": "business_name", "No HP": "phone", "Keterangan": None}
    values = apply_mapping(HEADERS, ["Toko Maju", "Siti", "0812", "catatan"], mapping)
    assert values == {"business_name": "Toko Maju", "phone": "0812"}


def test_apply_mapping_tolerates_short_rows_and_respelt_headers():
    mapping = {"NAMA USAHA": "business_name", "No  HP": "phone"}
    assert apply_mapping(HEADERS, ["Toko Maju"], mapping) == {
        "business_name": "Toko Maju",
        "phone": "",
    }


def test_apply_mapping_with_a_field_twice_keeps_the_first_filled_cell():
    mapping = {"Nama Usaha": "business_name", "Nama Pemilik": "business_name"}
    assert apply_mapping(HEADERS, ["", "Toko Siti"], mapping) == {"business_name": "Toko Siti"}
    assert apply_mapping(HEADERS, ["Toko A", "Toko B"], mapping) == {"business_name": "Toko A"}


def test_apply_mapping_ignores_targets_that_are_not_fields():
    assert apply_mapping(HEADERS, ["Toko", "Siti"], {"Nama Usaha": "foo"}) == {}
