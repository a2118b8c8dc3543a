"""Which column of an uploaded roster holds which field: standard names, suggestions, checks.

A mapping is ``{header as written in the file: standard field name or None}``; None (or a missing
header) means the column is not imported. Storing a source's mapping is someone else's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "OPTIONAL_COLUMNS",
    "STANDARD_COLUMNS",
    "STANDARD_FIELDS",
    "StandardField",
    "apply_mapping",
    "field_names",
    "is_standard",
    "standard_mapping",
    "suggest_mapping",
    "validate_mapping",
]


@dataclass(frozen=True)
class StandardField:
    name: str
    label: str | Promise
    required: bool = False


STANDARD_FIELDS: tuple[StandardField, ...] = (
    StandardField("record_id", gettext_lazy("Record ID")),
    StandardField("source", gettext_lazy("Source")),
    StandardField("business_name", gettext_lazy("Business name"), required=True),
    StandardField("owner_name", gettext_lazy("Owner's name")),
    StandardField("nib", "NIB"),
    StandardField("npwp", "NPWP"),
    StandardField("udyam", "Udyam"),
    StandardField("gstin", "GSTIN"),
    StandardField("pan", "PAN"),
    StandardField("iec", "IEC"),
    StandardField("address", gettext_lazy("Address")),
    StandardField("province", gettext_lazy("Province or state")),
    StandardField("district", gettext_lazy("District or city")),
    StandardField("postcode", gettext_lazy("Postcode")),
    StandardField("phone", gettext_lazy("Phone")),
    StandardField("email", gettext_lazy("Email")),
    StandardField("sector", gettext_lazy("Sector")),
    StandardField("annual_turnover", gettext_lazy("Annual turnover")),
    StandardField("turnover_currency", gettext_lazy("Turnover currency")),
    StandardField("products", gettext_lazy("Products")),
    StandardField("employees", gettext_lazy("Employees")),
    StandardField("mentoring_programme", gettext_lazy("Mentoring programme")),
    StandardField("mentoring_completed_on", gettext_lazy("Mentoring completed on")),
)

# The header of the roster template, in order; the optional columns may follow it.
STANDARD_COLUMNS: list[str] = [
    "record_id",
    "source",
    "business_name",
    "owner_name",
    "nib",
    "npwp",
    "udyam",
    "gstin",
    "pan",
    "iec",
    "address",
    "province",
    "district",
    "postcode",
    "phone",
    "email",
    "sector",
    "annual_turnover",
    "turnover_currency",
]
OPTIONAL_COLUMNS: list[str] = [
    "products",
    "employees",
    "mentoring_programme",
    "mentoring_completed_on",
]

_FIELDS = {f.name: f for f in STANDARD_FIELDS}


def field_names() -> list[str]:
    """Every standard field name, in template order."""
    return [f.name for f in STANDARD_FIELDS]


# Headers seen in ministries' files, in English, Bahasa Indonesia and Indian usage (Hinglish and
# Devanagari). Matched after normalising (see _normalise), so case, accents and punctuation
# do not matter: "No. HP" is "no hp", "Kabupaten/Kota" is "kabupaten kota".
# fmt: off
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "record_id": (
        "record id", "id", "no", "nomor", "no urut", "nomor urut", "id record", "kode", "id umkm",
        "sr no", "s no", "sl no", "serial no", "serial number", "ref", "reference", "ref no",
    ),
    "source": ("source", "sumber", "sumber data", "data source", "asal data"),
    "business_name": (
        "business name", "business", "name of business", "nama usaha", "nama perusahaan",
        "perusahaan", "nama umkm", "nama ukm", "umkm", "nama badan usaha", "nama toko",
        "nama bisnis", "usaha", "company", "company name", "name of company", "firm",
        "firm name", "name of firm", "name of the firm", "enterprise", "enterprise name",
        "name of enterprise", "name of the enterprise", "unit name", "name of unit", "msme name",
        "name of msme", "trade name", "name", "nama", "vyapar ka naam", "vyavsay ka naam",
        "फर्म का नाम", "व्यवसाय का नाम", "उद्यम का नाम",
    ),
    "owner_name": (
        "owner name", "owner", "owner s name", "name of owner", "nama pemilik", "pemilik",
        "nama pemilik usaha", "pemilik usaha", "nama pelaku usaha", "pelaku usaha",
        "penanggung jawab", "nama penanggung jawab", "proprietor", "proprietor name",
        "name of proprietor", "entrepreneur", "entrepreneur name", "name of entrepreneur",
        "promoter", "promoter name", "contact person", "malik", "malik ka naam",
        "मालिक का नाम", "मालिक", "उद्यमी का नाम",
    ),
    "nib": ("nib", "no nib", "nomor nib", "nomor induk berusaha"),
    "npwp": ("npwp", "no npwp", "nomor npwp", "nomor pokok wajib pajak"),
    "udyam": (
        "udyam", "udyam no", "udyam number", "udyam registration number", "udyam registration no",
        "udyam reg no", "urn", "udyam urn", "उद्यम पंजीकरण संख्या",
    ),
    "gstin": (
        "gstin", "gst", "gst no", "gst number", "gstin no", "gstin number", "gstin uin",
        "gst registration number", "gst registration no", "gstin of the unit",
    ),
    "pan": ("pan", "pan no", "pan number", "pan card", "pan card no", "permanent account number"),
    "iec": ("iec", "iec code", "iec no", "iec number", "ie code", "import export code"),
    "address": (
        "address", "business address", "full address", "registered address", "office address",
        "address of unit", "alamat", "alamat usaha", "alamat lengkap", "alamat perusahaan",
        "pata", "पता",
    ),
    "province": (
        "province", "provinsi", "propinsi", "prov", "state", "state ut", "state name",
        "name of state", "rajya", "राज्य",
    ),
    "district": (
        "district", "district name", "kabupaten kota", "kota kabupaten", "kab kota", "kabupaten",
        "kab", "kota", "regency", "city", "regency city", "city regency", "jila", "zila", "zilla",
        "जिला",
    ),
    "postcode": (
        "postcode", "post code", "postal code", "zip", "zip code", "zipcode", "kode pos",
        "kodepos", "pin code", "pincode", "pin", "पिन कोड",
    ),
    "phone": (
        "phone", "phone no", "phone number", "telephone", "telephone no", "telepon", "telpon",
        "telp", "tel", "no telp", "no telepon", "nomor telepon", "no hp", "nomor hp", "no hp wa",
        "hp", "handphone", "no handphone", "mobile", "mobile no", "mobile number", "contact",
        "contact no", "contact number", "whatsapp", "no wa", "nomor wa", "wa", "kontak",
        "मोबाइल", "फ़ोन", "फोन",
    ),
    "email": (
        "email", "e mail", "email address", "email id", "mail id", "alamat email", "surel",
        "alamat surel", "ईमेल",
    ),
    "sector": (
        "sector", "sektor", "sub sektor", "subsektor", "bidang usaha", "jenis usaha", "industry",
        "kategori", "kategori usaha", "category", "business category", "business type",
        "type of business", "line of business", "activity", "major activity", "क्षेत्र",
    ),
    "annual_turnover": (
        "annual turnover", "turnover", "omzet", "omset", "omzet per tahun", "omzet tahunan",
        "omset per tahun", "omset tahunan", "pendapatan", "pendapatan tahunan", "revenue",
        "annual revenue", "sales", "annual sales", "penjualan", "penjualan per tahun",
        "कारोबार", "टर्नओवर",
    ),
    "turnover_currency": (
        "turnover currency", "currency of turnover", "currency", "mata uang", "valuta",
        "currency code", "mata uang omzet", "मुद्रा",
    ),
    "products": (
        "products", "product", "produk", "produk utama", "main products", "main product",
        "jenis produk", "nama produk", "komoditas", "komoditi", "items", "product name",
        "उत्पाद",
    ),
    "employees": (
        "employees", "no of employees", "number of employees", "employee count", "workers",
        "staff", "headcount", "persons employed", "jumlah karyawan", "karyawan",
        "tenaga kerja", "jumlah tenaga kerja", "jumlah pekerja", "pekerja", "कर्मचारी",
    ),
    "mentoring_programme": (
        "mentoring programme", "mentoring program", "mentoring", "programme", "program",
        "program pendampingan", "pendampingan", "nama program", "program pembinaan",
        "pembinaan", "pelatihan", "training programme", "training program",
    ),
    "mentoring_completed_on": (
        "mentoring completed on", "completed on", "completion date", "date of completion",
        "tanggal selesai", "tgl selesai", "tanggal selesai pendampingan", "selesai",
        "tanggal lulus", "date completed",
    ),
}
# fmt: on


def _normalise(header: str) -> str:
    """Lower case, no accents, words separated by single spaces ("No. HP" -> "no hp")."""
    text = unicodedata.normalize("NFKD", str(header)).replace("&", " and ")
    # Drop accents from Latin letters only: Devanagari vowel signs are combining marks too.
    kept = []
    for char in text:
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


# Words that qualify another field ("Email Pemilik", "Omzet Usaha") match only a whole header.
_QUALIFIERS = frozenset(
    {
        "usaha",
        "umkm",
        "ukm",
        "business",
        "company",
        "perusahaan",
        "nama",
        "name",
        "owner",
        "pemilik",
        "malik",
        "firm",
        "enterprise",
        "unit",
        "program",
        "programme",
        "selesai",
    }
)


def _tables() -> tuple[dict[str, str], dict[str, str], list[tuple[str, str]]]:
    exact: dict[str, str] = {}
    compact: dict[str, str] = {}
    for name, words in _SYNONYMS.items():
        for word in (name.replace("_", " "), *words):
            key = _normalise(word)
            exact.setdefault(key, name)
            compact.setdefault(key.replace(" ", ""), name)
    # Inside a longer header, the most specific phrase wins: most words, then most letters.
    # Two-letter words ("no", "hp", "id") are too common to mean anything inside a header.
    phrases = sorted(
        ((key, name) for key, name in exact.items() if len(key) > 2 and key not in _QUALIFIERS),
        key=lambda item: (-len(item[0].split()), -len(item[0])),
    )
    return exact, compact, phrases


_EXACT, _COMPACT, _PHRASES = _tables()


def _guess(header: str) -> tuple[int, str] | None:
    """(score, field): 3 exact, 2 same letters without spaces or a generic word ("Nama"),
    1 contains a known phrase."""
    key = _normalise(header)
    if not key:
        return None
    if key in _EXACT:
        return (2 if key in _QUALIFIERS else 3), _EXACT[key]
    if key.replace(" ", "") in _COMPACT:
        return 2, _COMPACT[key.replace(" ", "")]
    padded = f" {key} "
    for phrase, name in _PHRASES:
        if f" {phrase} " in padded:
            return 1, name
    return None


def suggest_mapping(headers: Sequence[str]) -> dict[str, str | None]:
    """Each header's likely standard field, or None; no field is suggested twice.

    When two headers could be the same field, the closer match wins, then the leftmost one.
    """
    guesses = []
    for index, header in enumerate(headers):
        guess = _guess(header)
        if guess:
            guesses.append((-guess[0], index, guess[1]))
    suggestion: dict[str, str | None] = {header: None for header in headers}
    used: set[str] = set()
    for _score, index, name in sorted(guesses):
        if name not in used:
            suggestion[headers[index]] = name
            used.add(name)
    return suggestion


def _header_key(header: str) -> str:
    return " ".join(str(header).split()).casefold()


def _canonical(name: object) -> str | None:
    """A mapping target as a field name: "Business_Name" is business_name; "" and None are None.

    Anything else that is not a field comes back unchanged, for validate_mapping to report.
    """
    if name is None or not str(name).strip():
        return None
    key = _header_key(str(name))
    return key if key in _FIELDS else str(name)


def is_standard(headers: Sequence[str]) -> bool:
    """True when every header is a standard field's name (any case, any order, none twice) and
    business_name is among them: such a file needs no mapping."""
    keys = [_header_key(h) for h in headers]
    return (
        bool(keys)
        and len(set(keys)) == len(keys)
        and all(key in _FIELDS for key in keys)
        and all(f.name in keys for f in STANDARD_FIELDS if f.required)
    )


def standard_mapping(headers: Sequence[str]) -> dict[str, str | None]:
    """The mapping of a standard file (see :func:`is_standard`): each header to itself."""
    return {h: (_header_key(h) if _header_key(h) in _FIELDS else None) for h in headers}


def validate_mapping(headers: Sequence[str], mapping: Mapping[str, str | None]) -> list[str]:
    """Translated reasons the mapping cannot be used; empty when it can."""
    errors = []
    header_keys = {_header_key(h) for h in headers}
    by_field: dict[str, list[str]] = {}
    for header, name in mapping.items():
        if _header_key(header) not in header_keys:
            errors.append(_("The file has no column “%(header)s”.") % {"header": _shown(header)})
            continue
        name = _canonical(name)
        if name is None:
            continue
        if name not in _FIELDS:
            errors.append(
                _("Column “%(header)s” is mapped to “%(field)s”, which is not a roster field.")
                % {"header": _shown(header), "field": _shown(str(name))}
            )
            continue
        by_field.setdefault(name, []).append(header)
    for name, mapped in by_field.items():
        if len(mapped) > 1:
            errors.append(
                _("%(field)s is mapped from more than one column: %(headers)s.")
                % {
                    "field": _FIELDS[name].label,
                    "headers": ", ".join(f"“{_shown(h)}”" for h in mapped),
                }
            )
    for standard in STANDARD_FIELDS:
        if standard.required and standard.name not in by_field:
            errors.append(
                _("No column is mapped to %(field)s, which every row needs.")
                % {"field": standard.label}
            )
    return errors


def apply_mapping(
    headers: Sequence[str], cells: Sequence[Any], mapping: Mapping[str, str | None]
) -> dict[str, str]:
    """``{field: cell text}`` for the mapped columns of one row.

    Mapping keys match headers exactly or, failing that, ignoring case and spacing, so a mapping
    saved for a source survives "Kode Pos" becoming "KODE POS". Missing cells read as "".
    If an (invalid) mapping names a field twice, the first non-blank cell wins; targets that are
    not fields are ignored.
    """
    lookup = {_header_key(h): name for h, name in mapping.items()}
    values: dict[str, str] = {}
    for index, header in enumerate(headers):
        name = _canonical(mapping[header] if header in mapping else lookup.get(_header_key(header)))
        if name is None or name not in _FIELDS:
            continue
        cell = cells[index] if index < len(cells) else ""
        text = "" if cell is None else str(cell)
        if name not in values or (not values[name].strip() and text.strip()):
            values[name] = text
    return values


def _shown(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
