"""Synthetic Indonesian and Indian rosters with known duplicates, for tests and benchmarks.

``generate_roster`` draws businesses (entities), then renders each roster row from one entity
through the noise that real ministry spreadsheets carry:

- typing errors in names and addresses, upper-/lower-case rows, dropped legal forms
  ("PT", "Pvt Ltd") or a different spelling of them;
- transliteration variants (Shri/Shree/Sri, Laxmi/Lakshmi, Mohammed/Mohammad/Muhammad,
  Nur/Noor) and old Indonesian spellings (Djaja/Jaya, Soerabaja/Surabaya, Tjahaja/Cahaya);
- missing fields and missing identifiers (each roster collects different ones);
- WRONG identifiers: each identifier a row shows is, with probability
  ``wrong_identifier_rate`` (0.5 % by default), another business's valid one of the same kind
  (a clerk copied the neighbouring row). Exact identifier matching then merges two different
  businesses; the pairwise F1 measured against ``true_entity`` counts those merges as the false
  positives they are, so a benchmark's precision is capped below 1 by design (about two points
  at the default rate);
- owner and business name swapped between columns;
- common names ("Toko Berkah", "Shri Ganesh Traders") held by different businesses, usually in
  different districts, and another phone number given in some rows.

Rows are shuffled so duplicates are not adjacent. Identifiers are already normalised (as the
validation module returns them), phones are E.164, provinces ISO 3166-2. The output is a pure
function of the arguments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pandas as pd

from niaga.core.identifiers import (
    fake_gstin,
    fake_iec_from_pan,
    fake_nib,
    fake_npwp,
    fake_pan,
    fake_udyam,
)
from niaga.registry.mapping import STANDARD_COLUMNS

__all__ = ["ROSTER_COLUMNS", "generate_roster"]

ROSTER_COLUMNS: tuple[str, ...] = tuple(STANDARD_COLUMNS)

# -- vocabulary: each entry is one word's spellings, the current (EYD / usual) one first ------

_ID_CORES: tuple[tuple[str, ...], ...] = (
    ("Jaya", "Djaja"),
    ("Cahaya", "Tjahaja"),
    ("Maju", "Madjoe"),
    ("Baru", "Baroe"),
    ("Rejeki", "Redjeki"),
    ("Sejahtera", "Sedjahtera"),
    ("Makmur", "Makmoer"),
    ("Mulia", "Moelia"),
    ("Sumber", "Soember"),
    ("Bunga", "Boenga"),
    ("Kencana", "Kentjana"),
    ("Murni", "Moerni"),
    ("Utama", "Oetama"),
    ("Usaha", "Oesaha"),
    ("Cipta", "Tjipta"),
    ("Nusantara", "Noesantara"),
    ("Putra", "Poetra"),
    ("Putri", "Poetri"),
    ("Sukses", "Soekses"),
    ("Tunggal", "Toenggal"),
    ("Wijaya", "Widjaja"),
    ("Surya", "Soerja"),
    ("Sentosa",),
    ("Abadi",),
    ("Sinar",),
    ("Berkah",),
    ("Barokah",),
    ("Lestari",),
    ("Harapan",),
    ("Bintang",),
    ("Indah",),
    ("Agung",),
    ("Sari",),
    ("Mandiri",),
    ("Bersama",),
    ("Sehat",),
    ("Rasa",),
    ("Timur",),
    ("Kartika",),
    ("Mekar",),
    ("Pelangi",),
    ("Merapi",),
    ("Rahayu",),
    ("Anugerah",),
    ("Karya",),
    ("Tani",),
    ("Gemilang",),
    ("Sakti",),
    ("Permata",),
    ("Mutiara",),
    ("Kurnia",),
    ("Bahari",),
    ("Sederhana",),
    ("Perkasa",),
    ("Pratama",),
    ("Melati",),
)
_ID_TRADES: tuple[tuple[str, ...], ...] = (
    ("Toko",),
    ("Warung",),
    ("Kedai",),
    ("Rumah Makan",),
    ("Bengkel",),
    ("Konveksi",),
    ("Kerajinan",),
    ("Batik",),
    ("Kopi",),
    ("Katering",),
    ("Percetakan", "Pertjetakan"),
    ("Mebel",),
    ("Roti",),
    ("Keripik",),
    ("Sambal",),
    ("Tenun",),
)
_ID_PLACES: tuple[tuple[str, ...], ...] = (
    ("Surabaya", "Soerabaja"),
    ("Bandung", "Bandoeng"),
    ("Jakarta", "Djakarta"),
    ("Cirebon", "Tjirebon"),
    ("Semarang",),
    ("Medan",),
    ("Makassar",),
    ("Malang",),
    ("Solo",),
    ("Bali",),
    ("Jepara", "Djepara"),
    ("Kudus",),
)
_ID_LEGAL: tuple[tuple[str, ...], ...] = (
    ("PT", "P.T.", "PT."),
    ("CV", "C.V.", "CV."),
    ("UD", "U.D.", "UD."),
    ("Koperasi", "Kop."),
)
_ID_GIVEN: tuple[tuple[str, ...], ...] = (
    ("Joko", "Djoko"),
    ("Sukarno", "Soekarno"),
    ("Suharto", "Soeharto"),
    ("Cahyo", "Tjahjo"),
    ("Nur", "Noor"),
    ("Ahmad", "Achmad"),
    ("Muhammad", "Mohammad", "Muhamad"),
    ("Wahyu", "Wahjoe"),
    ("Yusuf", "Joesoef"),
    ("Suparman", "Soeparman"),
    ("Surya", "Soerja"),
    ("Rudi", "Roedi"),
    ("Sutrisno", "Soetrisno"),
    ("Purnomo", "Poernomo"),
    ("Kusuma", "Koesoema"),
    ("Nyoman", "Njoman"),
    ("Tuti", "Toeti"),
    ("Sulastri", "Soelastri"),
    ("Budi",),
    ("Siti",),
    ("Agus",),
    ("Sri",),
    ("Dewi",),
    ("Yanti",),
    ("Eko",),
    ("Rina",),
    ("Hendra",),
    ("Wati",),
    ("Bambang",),
    ("Hartono",),
    ("Slamet",),
    ("Hidayat",),
    ("Rahmat",),
    ("Fitri",),
    ("Ratna",),
    ("Ayu",),
    ("Putu",),
    ("Made",),
    ("Ketut",),
    ("Wayan",),
    ("Andi",),
    ("Hasan",),
    ("Ismail",),
    ("Dian",),
    ("Lina",),
    ("Teguh",),
    ("Yudha",),
    ("Gita",),
    ("Indra",),
    ("Fajar",),
)
_ID_FAMILY: tuple[tuple[str, ...], ...] = (
    ("Wijaya", "Widjaja"),
    ("Susanto", "Soesanto"),
    ("Nugroho", "Noegroho"),
    ("Kurniawan", "Koerniawan"),
    ("Tanjung", "Tandjoeng"),
    ("Sulistyo", "Soelistyo"),
    ("Utomo", "Oetomo"),
    ("Prasetyo", "Prasetjo"),
    ("Santoso",),
    ("Setiawan",),
    ("Gunawan",),
    ("Hidayat",),
    ("Saputra",),
    ("Pratama",),
    ("Halim",),
    ("Siregar",),
    ("Nasution",),
    ("Harahap",),
    ("Simanjuntak",),
    ("Lubis",),
    ("Wibowo",),
    ("Handoko",),
    ("Salim",),
    ("Rahman",),
    ("Lestari",),
    ("Hartati",),
    ("Permana",),
    ("Firmansyah",),
    ("Ramadhan",),
    ("Syahputra",),
)
_IN_HONORIFIC = ("Shri", "Shree", "Sri")
_IN_FIRST: tuple[tuple[str, ...], ...] = (
    ("Ganesh", "Ganesha"),
    ("Lakshmi", "Laxmi"),
    ("Krishna", "Krisna"),
    ("Mahalakshmi", "Mahalaxmi"),
    ("Kaveri", "Cauvery"),
    ("Vinayaka", "Vinayak"),
    ("Venkateswara", "Venkateshwara"),
    ("Jyoti", "Jyothi"),
    ("Sai",),
    ("Balaji",),
    ("Durga",),
    ("Om",),
    ("Jai Ambe",),
    ("Annapurna",),
    ("Ganga",),
    ("Royal",),
    ("Star",),
    ("New India",),
    ("Bharat",),
    ("Surya",),
    ("Anand",),
    ("Hindustan",),
    ("Kohinoor",),
    ("Sagar",),
    ("Murugan",),
    ("Amba",),
    ("Sunrise",),
    ("Golden",),
    ("Diamond",),
    ("Everest",),
    ("Apex",),
    ("Pioneer",),
    ("Supreme",),
    ("Modern",),
    ("National",),
    ("Orient",),
    ("Deccan",),
    ("Malabar",),
    ("Rajdhani",),
    ("Shakti",),
    ("Kamal",),
    ("Tirupati",),
    ("Navrang",),
    ("Sangam",),
    ("Vishal",),
)
_IN_TRADES: tuple[tuple[str, ...], ...] = (
    ("Traders",),
    ("Textiles",),
    ("Handicrafts",),
    ("Spices",),
    ("Foods",),
    ("Exports",),
    ("Leather Works",),
    ("Garments",),
    ("Engineering Works",),
    ("Jewellers", "Jewelers"),
    ("Pottery",),
    ("Tea Estates",),
    ("Agro Products",),
    ("Handloom",),
    ("Carpets",),
    ("Brass Works",),
    ("Silks",),
    ("Fabrics",),
    ("Dairy",),
    ("Stores",),
    ("Printers",),
    ("Furniture",),
    ("Ceramics",),
    ("Chemicals",),
    ("Plastics",),
)
_IN_LEGAL: tuple[tuple[str, ...], ...] = (
    ("Pvt Ltd", "Private Limited", "Pvt. Ltd."),
    ("Enterprises",),
    ("Industries",),
    ("LLP",),
    ("& Sons", "and Sons"),
    ("& Co.", "and Company"),
)
_IN_GIVEN: tuple[tuple[str, ...], ...] = (
    ("Mohammed", "Mohammad", "Muhammad", "Mohd."),
    ("Lakshmi", "Laxmi"),
    ("Kavita", "Kavitha"),
    ("Venkatesh", "Venkatesan"),
    ("Srinivas", "Shrinivas", "Sreenivas"),
    ("Pooja", "Puja"),
    ("Lalita", "Lalitha"),
    ("Geeta", "Gita", "Geetha"),
    ("Noor", "Nur"),
    ("Naveen", "Navin"),
    ("Meena", "Mina"),
    ("Rajesh",),
    ("Suresh",),
    ("Ramesh",),
    ("Priya",),
    ("Anil",),
    ("Sunita",),
    ("Vijay",),
    ("Sanjay",),
    ("Deepak",),
    ("Ganesh",),
    ("Mahesh",),
    ("Anjali",),
    ("Rahul",),
    ("Amit",),
    ("Arjun",),
    ("Harish",),
    ("Imran",),
    ("Farhan",),
    ("Abdul",),
    ("Ravi",),
    ("Kiran",),
    ("Manoj",),
    ("Prakash",),
    ("Ashok",),
    ("Vinod",),
    ("Rekha",),
    ("Usha",),
    ("Gopal",),
    ("Hari",),
    ("Nisha",),
    ("Sachin",),
    ("Arun",),
    ("Divya",),
    ("Karthik",),
)
_IN_FAMILY: tuple[tuple[str, ...], ...] = (
    ("Agarwal", "Aggarwal"),
    ("Chaudhary", "Choudhary", "Chowdhury"),
    ("Banerjee", "Banerji"),
    ("Mukherjee", "Mukherji"),
    ("Qureshi", "Quraishi"),
    ("Bhat", "Bhatt"),
    ("Sharma",),
    ("Patel",),
    ("Kumar",),
    ("Singh",),
    ("Gupta",),
    ("Reddy",),
    ("Iyer",),
    ("Nair",),
    ("Khan",),
    ("Das",),
    ("Joshi",),
    ("Mehta",),
    ("Shah",),
    ("Verma",),
    ("Yadav",),
    ("Pillai",),
    ("Rao",),
    ("Naidu",),
    ("Desai",),
    ("Kulkarni",),
    ("Jain",),
    ("Ansari",),
    ("Menon",),
    ("Mishra",),
    ("Pandey",),
    ("Saxena",),
    ("Thakur",),
    ("Bose",),
    ("Ghosh",),
)
_ID_COMMON = (
    ("Toko", "Berkah"),
    ("Warung", "Barokah"),
    ("Toko", "Sumber", "Rejeki"),
    ("Toko", "Maju", "Jaya"),
    ("Rumah Makan", "Sederhana"),
    ("Toko", "Sinar", "Jaya"),
)
_IN_COMMON = (
    (_IN_HONORIFIC, "Ganesh", "Traders"),
    ("Lakshmi", "Traders"),
    ("Sai", "Stores"),
    ("New India", "Traders"),
    ("Balaji", "Textiles"),
    ("Krishna", "Handicrafts"),
)
_ID_STREETS: tuple[tuple[str, ...], ...] = (
    ("Sudirman", "Soedirman"),
    ("Gajah Mada", "Gadjah Mada"),
    ("Pemuda", "Pemoeda"),
    ("Cikini", "Tjikini"),
    ("Hayam Wuruk", "Hajam Woeroek"),
    ("Gatot Subroto", "Gatot Soebroto"),
    ("Imam Bonjol", "Imam Bondjol"),
    ("Teuku Umar", "Teukoe Oemar"),
    ("Kebon Jeruk", "Kebon Djeroek"),
    ("Cendana", "Tjendana"),
    ("Juanda", "Djuanda"),
    ("Diponegoro",),
    ("Ahmad Yani",),
    ("Pahlawan",),
    ("Merdeka",),
    ("Veteran",),
    ("Kartini",),
    ("Raya Bogor",),
    ("Mangga Dua",),
    ("Melati",),
    ("Mawar",),
    ("Anggrek",),
    ("Kenanga",),
    ("Dahlia",),
    ("Siliwangi",),
    ("Pattimura",),
    ("Basuki Rahmat",),
    ("Panglima Polim",),
    ("Pemuda Raya",),
    ("Sisingamangaraja",),
)
_IN_STREETS = (
    "MG Road",
    "Station Road",
    "Gandhi Nagar",
    "Nehru Marg",
    "Main Bazaar",
    "Industrial Area Phase 2",
    "Linking Road",
    "Anna Salai",
    "Park Street",
    "Brigade Road",
    "Ring Road",
    "Civil Lines",
    "Sadar Bazar",
    "Laxmi Nagar",
    "Shivaji Nagar",
    "Rajaji Nagar",
    "Kamla Nagar",
    "Sector 18",
    "Old Market Road",
    "Temple Street",
    "Mill Road",
    "Jail Road",
    "Court Road",
    "Canal Road",
    "Nehru Place",
    "Subhash Road",
)

# (province, district spellings, postcode prefixes). Indonesian postcodes have five digits,
# Indian PINs six; each prefix covers a block of codes.
_ID_DISTRICTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("ID-JK", ("Jakarta Selatan", "Jaksel"), ("121", "122", "123")),
    ("ID-JK", ("Jakarta Barat", "Jakbar"), ("111", "112", "115")),
    ("ID-JK", ("Jakarta Timur", "Jaktim"), ("131", "133", "134")),
    ("ID-JK", ("Jakarta Utara",), ("141", "142")),
    ("ID-JK", ("Jakarta Pusat",), ("101", "102", "104")),
    ("ID-JB", ("Kota Bandung", "Bandung", "Bandoeng"), ("401", "402", "403")),
    ("ID-JB", ("Kabupaten Bogor", "Kab. Bogor", "Bogor"), ("161", "167", "168")),
    ("ID-JB", ("Kota Bekasi", "Bekasi"), ("171", "172")),
    ("ID-JB", ("Kota Depok", "Depok"), ("164", "165")),
    ("ID-JB", ("Kota Cirebon", "Cirebon", "Tjirebon"), ("451",)),
    ("ID-JB", ("Kabupaten Garut", "Garut"), ("441",)),
    ("ID-JT", ("Kota Semarang", "Semarang"), ("501", "502")),
    ("ID-JT", ("Kota Surakarta", "Solo"), ("571",)),
    ("ID-JT", ("Kabupaten Kudus", "Kudus"), ("593",)),
    ("ID-JT", ("Kabupaten Jepara", "Jepara", "Djepara"), ("594",)),
    ("ID-JT", ("Kota Pekalongan", "Pekalongan"), ("511",)),
    ("ID-JI", ("Kota Surabaya", "Surabaya", "Soerabaja"), ("601", "602", "603")),
    ("ID-JI", ("Kota Malang", "Malang"), ("651",)),
    ("ID-JI", ("Kabupaten Sidoarjo", "Sidoarjo", "Sidoardjo"), ("612",)),
    ("ID-JI", ("Kabupaten Gresik", "Gresik"), ("611",)),
    ("ID-JI", ("Kota Kediri", "Kediri"), ("641",)),
    ("ID-YO", ("Kota Yogyakarta", "Yogyakarta", "Jogja"), ("551", "552")),
    ("ID-YO", ("Kabupaten Sleman", "Sleman"), ("555",)),
    ("ID-YO", ("Kabupaten Bantul", "Bantul"), ("557",)),
    ("ID-BA", ("Kota Denpasar", "Denpasar"), ("801", "802")),
    ("ID-BA", ("Kabupaten Gianyar", "Gianyar"), ("805",)),
    ("ID-BA", ("Kabupaten Badung", "Badung"), ("803",)),
    ("ID-SU", ("Kota Medan", "Medan"), ("201", "202")),
    ("ID-SU", ("Kabupaten Deli Serdang", "Deli Serdang"), ("203",)),
    ("ID-SN", ("Kota Makassar", "Makassar"), ("902", "901")),
    ("ID-SN", ("Kabupaten Gowa", "Gowa"), ("921",)),
)
_IN_DISTRICTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("IN-MH", ("Mumbai", "Bombay"), ("400",)),
    ("IN-MH", ("Pune", "Poona"), ("411",)),
    ("IN-MH", ("Nagpur",), ("440",)),
    ("IN-MH", ("Nashik", "Nasik"), ("422",)),
    ("IN-KA", ("Bengaluru", "Bangalore"), ("560",)),
    ("IN-KA", ("Mysuru", "Mysore"), ("570",)),
    ("IN-KA", ("Hubballi", "Hubli"), ("580",)),
    ("IN-TN", ("Chennai", "Madras"), ("600",)),
    ("IN-TN", ("Coimbatore",), ("641",)),
    ("IN-TN", ("Madurai",), ("625",)),
    ("IN-GJ", ("Ahmedabad", "Amdavad"), ("380",)),
    ("IN-GJ", ("Surat",), ("395",)),
    ("IN-GJ", ("Rajkot",), ("360",)),
    ("IN-UP", ("Lucknow",), ("226",)),
    ("IN-UP", ("Kanpur", "Cawnpore"), ("208",)),
    ("IN-UP", ("Varanasi", "Benares"), ("221",)),
    ("IN-UP", ("Agra",), ("282",)),
    ("IN-DL", ("New Delhi", "Delhi"), ("110",)),
    ("IN-WB", ("Kolkata", "Calcutta"), ("700",)),
    ("IN-WB", ("Howrah",), ("711",)),
    ("IN-RJ", ("Jaipur",), ("302",)),
    ("IN-RJ", ("Jodhpur",), ("342",)),
    ("IN-PB", ("Ludhiana",), ("141",)),
    ("IN-PB", ("Amritsar",), ("143",)),
)
_ID_SOURCES = (
    "KemenKopUKM UMKM Naik Kelas 2023",
    "Kemenperin IKM Binaan 2024",
    "Dinas Koperasi Jawa Timur 2022",
    "Bank Indonesia UMKM Binaan",
    "Kemendag Export Coaching 2024",
)
_IN_SOURCES = (
    "MSME Champions 2023",
    "DGFT Niryat Bandhu",
    "Ministry of Textiles Handloom Cluster",
    "KVIC PMEGP Beneficiaries",
    "EPCH Artisan Roster 2024",
)
_ID_SECTORS = ("food", "textiles", "handicrafts", "furniture", "agriculture", "coffee", "batik")
_IN_SECTORS = ("textiles", "handicrafts", "spices", "leather", "jewellery", "food", "engineering")
_ID_DOMAINS = ("gmail.com", "yahoo.co.id", "yahoo.com", "outlook.com")
_IN_DOMAINS = ("gmail.com", "rediffmail.com", "yahoo.in", "outlook.com")

# Which identifiers each roster collects (probability a row of that roster shows it).
_ID_FIELD_SHOWN = {"nib": 0.75, "npwp": 0.55}
_IN_FIELD_SHOWN = {"gstin": 0.7, "pan": 0.5, "udyam": 0.7, "iec": 0.5}


@dataclass(frozen=True)
class _Noise:
    name_typo: float = 0.12
    owner_typo: float = 0.10
    address_typo: float = 0.10
    variant_spelling: float = 0.15
    upper_case: float = 0.08
    lower_case: float = 0.04
    legal_form_dropped: float = 0.35
    swapped_names: float = 0.02
    wrong_identifier: float = 0.005
    other_phone: float = 0.05
    postcode_typo: float = 0.03
    owner_missing: float = 0.12
    address_missing: float = 0.12
    district_missing: float = 0.08
    district_variant: float = 0.2
    province_missing: float = 0.04
    postcode_missing: float = 0.2
    phone_missing: float = 0.25
    email_missing: float = 0.4
    common_name: float = 0.04


_NOISE = _Noise()
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(text: str, rnd: random.Random) -> str:
    """One keyboard slip: a letter deleted, doubled, replaced, or two letters transposed."""
    if len(text) < 3:
        return text
    i = rnd.randrange(1, len(text) - 1)  # first letters are typed with more care
    kind = rnd.random()
    if kind < 0.3:
        return text[:i] + text[i + 1 :]
    if kind < 0.5:
        return text[:i] + text[i] + text[i:]
    if kind < 0.8:
        letter = rnd.choice(_LETTERS)
        return text[:i] + (letter.upper() if text[i].isupper() else letter) + text[i + 1 :]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _spell(group: tuple[str, ...], mode: int, rnd: random.Random) -> str:
    """Mode 0: usual spelling; 1: old Indonesian (second form); 2: any variant."""
    if len(group) == 1 or mode == 0:
        return group[0]
    if mode == 1:
        return group[1]
    return rnd.choice(group)


def _render(
    parts: tuple[tuple[str, ...], ...], mode: int, rnd: random.Random, drop_last: bool = False
) -> str:
    if drop_last and len(parts) > 1:
        parts = parts[:-1]
    return " ".join(_spell(p, mode, rnd) for p in parts)


def _entity_names(
    rnd: random.Random, country: str, family: tuple[str, ...]
) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...], bool]:
    """(business name parts, legal form parts, whether the legal form leads) of one business."""
    if country == "ID":
        if rnd.random() < _NOISE.common_name:
            return tuple((w,) for w in rnd.choice(_ID_COMMON)), (), True
        parts: list[tuple[str, ...]] = []
        if rnd.random() < 0.6:
            parts.append(rnd.choice(_ID_TRADES))
        parts.append(rnd.choice(_ID_CORES))
        if rnd.random() < 0.75:
            parts.append(rnd.choice(_ID_CORES))
        roll = rnd.random()
        if roll < 0.2:
            parts.append(rnd.choice(_ID_PLACES))
        elif roll < 0.3:
            parts.append(family)
        legal = (rnd.choice(_ID_LEGAL),) if rnd.random() < 0.45 else ()
        return tuple(parts), legal, True
    if rnd.random() < _NOISE.common_name:
        common = rnd.choice(_IN_COMMON)
        return tuple(w if isinstance(w, tuple) else (w,) for w in common), (), False
    parts = []
    if rnd.random() < 0.25:
        parts.append(_IN_HONORIFIC)
    if rnd.random() < 0.3:
        parts.append(family)
    else:
        parts.append(rnd.choice(_IN_FIRST))
        if rnd.random() < 0.3:
            parts.append(rnd.choice(_IN_FIRST))
    parts.append(rnd.choice(_IN_TRADES))
    legal = (rnd.choice(_IN_LEGAL),) if rnd.random() < 0.5 else ()
    return tuple(parts), legal, False


def _phone(country: str, rnd: random.Random) -> str:
    if country == "ID":
        return f"+628{rnd.randint(11, 99)}{rnd.randint(1_000_000, 99_999_999)}"
    return f"+91{rnd.randint(6, 9)}{rnd.randint(100_000_000, 999_999_999)}"


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())[:20]


def _address(country: str, street: int, number: int, rnd: random.Random, mode: int) -> str:
    if country == "ID":
        name = _spell(_ID_STREETS[street], mode, rnd)
        lead = rnd.choice(("Jl.", "Jalan", "Jln.", "JL.", "Jl"))
        no = rnd.choice(("No.", "No", "Nomor", "no."))
        tail = f" RT {number % 9 + 1:02d}/RW {number % 7 + 1:02d}" if number % 3 == 0 else ""
        return f"{lead} {name} {no} {number}{tail}"
    name = _IN_STREETS[street % len(_IN_STREETS)]
    if rnd.random() < 0.4:
        name = name.replace("Road", "Rd").replace("Nagar", "Ngr").replace("Street", "St")
    lead = rnd.choice((f"{number}", f"{number}/{number % 9 + 1}", f"Shop No. {number}"))
    return f"{lead}, {name}"


def generate_roster(
    n_records: int,
    *,
    seed: int = 0,
    duplicate_rate: float = 0.3,
    wrong_identifier_rate: float = _NOISE.wrong_identifier,
) -> pd.DataFrame:
    """A roster of ``n_records`` rows (standard columns plus ``true_entity``).

    ``duplicate_rate`` is the share of rows that repeat a business already in the roster; a
    repeated business appears 2-5 times in all. ``wrong_identifier_rate``: see the module
    docstring; 0 gives rosters whose identifiers never lie.
    """
    if n_records < 0:
        raise ValueError("n_records must not be negative")
    if not 0 <= duplicate_rate < 1:
        raise ValueError("duplicate_rate must be in [0, 1)")
    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    n_dup = round(n_records * duplicate_rate)
    n_entities = n_records - n_dup
    if n_records == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ROSTER_COLUMNS}).assign(
            true_entity=pd.Series(dtype="int64")
        )

    # -- which entity each row renders: every entity once, the duplicates on top ---------------
    extra = rng.choice([1, 2, 3, 4], p=[0.6, 0.25, 0.1, 0.05], size=max(n_dup, 1))
    owners = rng.permutation(n_entities)
    repeated = np.repeat(owners[: len(extra)], extra[: len(owners)])[:n_dup]
    if len(repeated) < n_dup:  # tiny rosters: spread what is left over the first entities
        repeated = np.concatenate([repeated, np.resize(owners, n_dup - len(repeated))])
    ent = rng.permutation(np.concatenate([np.arange(n_entities), repeated]))

    # -- entities ------------------------------------------------------------------------------
    e_country = np.where(rng.random(n_entities) < 0.55, "ID", "IN")
    id_district = rng.integers(0, len(_ID_DISTRICTS), n_entities)
    in_district = rng.integers(0, len(_IN_DISTRICTS), n_entities)
    e_postcode_tail = rng.integers(0, 100, n_entities)
    e_street = rng.integers(0, max(len(_ID_STREETS), len(_IN_STREETS)), n_entities)
    e_number = rng.integers(1, 250, n_entities)
    e_has_phone = rng.random(n_entities) < 0.85
    e_has_email = rng.random(n_entities) < 0.55
    e_turnover = np.round(np.exp(rng.normal(20.0, 1.2, n_entities)), -3)

    entities = []
    for i in range(n_entities):
        country = str(e_country[i])
        if country == "ID":
            province, districts, prefixes = _ID_DISTRICTS[id_district[i]]
            given = [rnd.choice(_ID_GIVEN)]
            family = rnd.choice(_ID_FAMILY)
            owner = (*given, family) if rnd.random() < 0.6 else tuple(given)
            postcode = rnd.choice(prefixes) + f"{e_postcode_tail[i]:02d}"
            ids = {
                "nib": fake_nib(rnd) if rnd.random() < 0.6 else "",
                "npwp": fake_npwp(rnd, legacy=rnd.random() < 0.3) if rnd.random() < 0.5 else "",
            }
        else:
            province, districts, prefixes = _IN_DISTRICTS[in_district[i]]
            family = rnd.choice(_IN_FAMILY)
            owner = (rnd.choice(_IN_GIVEN), family)
            postcode = prefixes[0] + f"{e_postcode_tail[i] * 3 % 100 + 1:03d}"
            # A GSTIN embeds its holder's PAN, and since 2020 the IEC is the PAN itself.
            gstin = fake_gstin(rnd, province) if rnd.random() < 0.5 else ""
            pan = gstin[2:12] if gstin else fake_pan(rnd, holder_type=rnd.choice("CFP"))
            ids = {
                "gstin": gstin,
                "pan": pan if rnd.random() < 0.6 else "",
                "udyam": fake_udyam(rnd, province) if rnd.random() < 0.6 else "",
                "iec": fake_iec_from_pan(pan) if rnd.random() < 0.3 else "",
            }
        name, legal, legal_leads = _entity_names(rnd, country, family)
        entities.append(
            (country, province, districts, postcode, owner, name, legal, legal_leads, ids)
        )

    phones = [_phone(e[0], rnd) if e_has_phone[i] else "" for i, e in enumerate(entities)]
    emails = []
    for i, e in enumerate(entities):
        if not e_has_email[i]:
            emails.append("")
            continue
        domains = _ID_DOMAINS if e[0] == "ID" else _IN_DOMAINS
        base = _slug(" ".join(p[0] for p in e[5]))
        emails.append(f"{base}{rnd.randint(1, 999)}@{rnd.choice(domains)}")

    # Donors for wrong identifiers: each kind's values, drawn from other businesses.
    pools: dict[str, list[str]] = {}
    for e in entities:
        for kind, value in e[8].items():
            if value:
                pools.setdefault(kind, []).append(value)

    # -- rows ----------------------------------------------------------------------------------
    n = n_records
    u = rng.random((n, 20))
    columns: dict[str, list[object]] = {c: [] for c in ROSTER_COLUMNS}
    noise = _NOISE
    for r in range(n):
        e = int(ent[r])
        country, province, districts, postcode, owner, name, legal, legal_leads, ids = entities[e]
        row = u[r]
        source = rnd.choice(_ID_SOURCES if country == "ID" else _IN_SOURCES)
        # Old spellings are an Indonesian roster habit; variants of Indian names are any.
        mode = (1 if country == "ID" else 2) if row[0] < noise.variant_spelling else 0
        business = _render(name, mode, rnd)
        if legal and row[1] >= noise.legal_form_dropped:
            form = _spell(legal[0], 2, rnd)
            business = f"{form} {business}" if legal_leads else f"{business} {form}"
        if row[2] < noise.name_typo:
            business = _typo(business, rnd)
        person = _render(owner, mode, rnd)
        if row[3] < noise.owner_typo:
            person = _typo(person, rnd)
        if row[4] < 0.08:
            title = rnd.choice(("Bapak", "Ibu", "H.")) if country == "ID" else "Shri"
            person = f"{title} {person}"
        if row[5] < noise.upper_case:
            business, person = business.upper(), person.upper()
        elif row[5] > 1 - noise.lower_case:
            business = business.lower()
        if row[6] < noise.owner_missing:
            person = ""
        if row[7] < noise.swapped_names and person:
            business, person = person, business

        shown = _ID_FIELD_SHOWN if country == "ID" else _IN_FIELD_SHOWN
        for kind in ("nib", "npwp", "udyam", "gstin", "pan", "iec"):
            value = ids.get(kind, "")
            if value and rnd.random() >= shown[kind]:
                value = ""
            if value and rnd.random() < wrong_identifier_rate:
                value = rnd.choice(pools[kind])
            columns[kind].append(value)

        address = ""
        if row[8] >= noise.address_missing:
            address = _address(country, int(e_street[e]), int(e_number[e]), rnd, mode)
            if row[9] < noise.address_typo:
                address = _typo(address, rnd)
        district = ""
        if row[10] >= noise.district_missing:
            district = rnd.choice(districts) if row[11] < noise.district_variant else districts[0]
        code = ""
        if row[12] >= noise.postcode_missing:
            code = postcode
            if row[13] < noise.postcode_typo:
                i = rnd.randrange(2, len(code))
                code = code[:i] + str((int(code[i]) + rnd.randint(1, 9)) % 10) + code[i + 1 :]
        phone = phones[e]
        if phone and row[14] < noise.other_phone:
            phone = _phone(country, rnd)
        if row[15] < noise.phone_missing:
            phone = ""
        email = emails[e] if row[16] >= noise.email_missing else ""

        columns["record_id"].append(f"R{r + 1:07d}")
        columns["source"].append(source)
        columns["business_name"].append(business)
        columns["owner_name"].append(person)
        columns["address"].append(address)
        columns["province"].append(province if row[17] >= noise.province_missing else "")
        columns["district"].append(district)
        columns["postcode"].append(code)
        columns["phone"].append(phone)
        columns["email"].append(email)
        sectors = _ID_SECTORS if country == "ID" else _IN_SECTORS
        columns["sector"].append(sectors[e % len(sectors)])
        if row[18] < 0.6:
            turnover = e_turnover[e] * (1 + (row[19] - 0.5) * 0.2)
            columns["annual_turnover"].append(f"{round(turnover, -3):.0f}")
            columns["turnover_currency"].append("IDR" if country == "ID" else "INR")
        else:
            columns["annual_turnover"].append("")
            columns["turnover_currency"].append("")

    frame = pd.DataFrame(columns, columns=list(ROSTER_COLUMNS))
    frame["true_entity"] = ent.astype("int64")
    return frame
