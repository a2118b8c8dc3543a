"""Normalisation of names, addresses and phones before records are compared.

Every function is pure, total (empty or junk input gives ``""``) and cheap enough to run over a
million roster rows.

Old Indonesian spellings
------------------------
Rosters still carry the pre-1972 spellings (Van Ophuijsen, Soewandi): *Djaja* for *Jaya*,
*Soerabaja* for *Surabaya*, *Tjahaja* for *Cahaya*. ``respell_indonesian`` maps a word to EYD:

1. ``dj``→``j``, ``tj``→``c``, ``sj``→``sy``, ``oe``→``u`` and ``ch``→``kh`` everywhere: these
   letter pairs do not occur in native EYD words, so the change is safe.
2. Only in a word that carried one of those old markers (``dj``, ``tj``, ``sj``, ``oe``) or that
   starts with ``nj``: ``nj``→``ny`` and every remaining ``j``→``y`` (old ``j`` was the sound
   /y/). Elsewhere ``j`` is left alone, because modern *jaya*, *maju*, *panjang* and *banjir*
   already use it for /dʒ/.

Both steps happen in one left-to-right pass, so the ``j`` made from ``dj`` is never turned into
``y`` again: *Djaja* → *jaya*, not *yaya*. Irregular respellings (*Djokjakarta* →
*Yogyakarta*) are out of reach of letter rules and come from ``_WORD_VARIANTS`` instead.
Indian records (``country="IN"``) skip the respelling: *Sanjay* and *Chandra* are not old
Indonesian.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "LEGAL_FORMS",
    "name_tokens",
    "normalise_address",
    "normalise_business_name",
    "normalise_email",
    "normalise_person_name",
    "normalise_phone_digits",
    "respell_indonesian",
]

# Multi-word forms first: the longest match must win ("pvt ltd" before "pvt").
LEGAL_FORMS: tuple[str, ...] = (
    "private limited",
    "pvt ltd",
    "pvt limited",
    "private ltd",
    "and sons",
    "and co",
    "and company",
    "sons",
    "pt",
    "cv",
    "ud",
    "fa",
    "firma",
    "koperasi",
    "kop",
    "tbk",
    "persero",
    "perum",
    "pvt",
    "private",
    "ltd",
    "limited",
    "llp",
    "opc",
    "inc",
    "corp",
    "corporation",
    "enterprises",
    "enterprise",
    "industries",
    "industry",
    "co",
    "company",
)
_LEGAL_FORM_RE = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in LEGAL_FORMS) + r")\b")

# Spelling variants of the same word, folded to one form after respelling. The keys are
# already case-folded and respelled, so "Shree" arrives as "shree", "Noor" as "noor".
_WORD_VARIANTS: dict[str, str] = {
    "shri": "sri",
    "shree": "sri",
    "sree": "sri",
    "sri": "sri",
    "laxmi": "lakshmi",
    "luxmi": "lakshmi",
    "lakshmi": "lakshmi",
    "lakshmy": "lakshmi",
    "mohammed": "muhammad",
    "mohammad": "muhammad",
    "mohamed": "muhammad",
    "mohamad": "muhammad",
    "muhamad": "muhammad",
    "muhammed": "muhammad",
    "mohd": "muhammad",
    "muhammad": "muhammad",
    "noor": "nur",
    "nour": "nur",
    "ganesha": "ganesh",
    "krisna": "krishna",
    "jogja": "yogyakarta",
    "jogjakarta": "yogyakarta",
    "jokyakarta": "yogyakarta",
    "yogya": "yogyakarta",
    "rezeki": "rejeki",
    "rezeky": "rejeki",
    "rizki": "rizki",
    "barakah": "barokah",
    "berkat": "berkat",
    "akhmad": "ahmad",
    "achmad": "ahmad",
}

# Honorifics and titles dropped from people's names (Indonesian, Indian, English).
_PERSON_TITLES = frozenset(
    {
        "bapak",
        "bpk",
        "pak",
        "ibu",
        "bu",
        "sdr",
        "sdri",
        "h",
        "hj",
        "haji",
        "hajjah",
        "ir",
        "dr",
        "drs",
        "dra",
        "prof",
        "se",
        "sh",
        "mm",
        "st",
        "skom",
        "spd",
        "mr",
        "mrs",
        "ms",
        "miss",
    }
)
# "Sri" is a common Indonesian given name but an honorific in India, so it is only dropped from
# Indian names; "Shri", "Shree" and "Smt" are honorifics wherever they appear.
_INDIAN_TITLES = frozenset({"shri", "shree", "smt", "shrimati", "kumari", "km"})
_INDIAN_ONLY_TITLES = frozenset({"sri", "sree"})

# Address abbreviations, expanded to one spelled-out form so "Jl." and "Jalan" agree.
_ADDRESS_ABBREVIATIONS: dict[str, str] = {
    "jl": "jalan",
    "jln": "jalan",
    "jalan": "jalan",
    "gg": "gang",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "kab": "kabupaten",
    "kp": "kampung",
    "kmp": "kampung",
    "ds": "desa",
    "komp": "komplek",
    "kompleks": "komplek",
    "perum": "perumahan",
    "blk": "blok",
    "block": "blok",
    "no": "no",
    "nomor": "no",
    "nomer": "no",
    "number": "no",
    "rd": "road",
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "nr": "near",
    "opp": "opposite",
    "bldg": "building",
    "flr": "floor",
    "fl": "floor",
    "ngr": "nagar",
    "mkt": "market",
    "dist": "district",
    "distt": "district",
    "po": "post office",
    "ps": "police station",
    "tq": "taluka",
    "tal": "taluka",
}

_NON_ALNUM_RE = re.compile(r"[^0-9a-z]+")
_AMPERSAND_RE = re.compile(r"&")
_OLD_MARKER_RE = re.compile(r"dj|tj|sj|oe|^nj")
_ALWAYS_RE = re.compile(r"dj|tj|sj|oe|ch")
_MARKED_RE = re.compile(r"dj|tj|sj|oe|ch|nj|j")
_ALWAYS_MAP = {"dj": "j", "tj": "c", "sj": "sy", "oe": "u", "ch": "kh"}
_MARKED_MAP = {**_ALWAYS_MAP, "nj": "ny", "j": "y"}


def _fold(text: object) -> str:
    """Case-folded ASCII text with punctuation turned into single spaces."""
    if not isinstance(text, str) or not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    # An ampersand is a word ("& Sons", "& Co."), not punctuation.
    text = _AMPERSAND_RE.sub(" and ", text)
    # Dots inside abbreviations ("P.T.", "C.V.") join letters rather than split words.
    text = re.sub(r"\b([a-z])\.(?=[a-z]\b\.?)", r"\1", text)
    return _NON_ALNUM_RE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def respell_indonesian(word: str) -> str:
    """One lower-case word from old Indonesian spelling to EYD (see the module docstring)."""
    if _OLD_MARKER_RE.search(word):
        return _MARKED_RE.sub(lambda m: _MARKED_MAP[m.group(0)], word)
    return _ALWAYS_RE.sub(lambda m: _ALWAYS_MAP[m.group(0)], word)


def _is_indian(country: str | None) -> bool:
    return bool(country) and country.upper().startswith("IN")


def _words(text: str, country: str | None) -> list[str]:
    words = text.split()
    if not _is_indian(country):
        words = [respell_indonesian(w) for w in words]
    return [_WORD_VARIANTS.get(w, w) for w in words]


def normalise_business_name(name: str, *, country: str | None = None) -> str:
    """Case-folded business name without punctuation or legal forms, in EYD spelling.

    ``country`` is an ISO 3166 code or an ISO 3166-2 province ("IN", "IN-MH"); Indian names are
    not respelled as old Indonesian. A name made only of legal forms ("PT") keeps them rather
    than becoming empty.
    """
    folded = _fold(name)
    if not folded:
        return ""
    stripped = _LEGAL_FORM_RE.sub(" ", folded).split()
    words = _words(" ".join(stripped) if stripped else folded, country)
    return " ".join(words)


def name_tokens(name: str, *, country: str | None = None) -> list[str]:
    """The distinct words of the normalised business name, in order of first appearance."""
    return list(dict.fromkeys(normalise_business_name(name, country=country).split()))


def normalise_person_name(name: str, *, country: str | None = None) -> str:
    """Case-folded person's name without titles or honorifics, in EYD spelling."""
    folded = _fold(name)
    if not folded:
        return ""
    titles = _PERSON_TITLES | _INDIAN_TITLES
    if _is_indian(country):
        titles |= _INDIAN_ONLY_TITLES
    # Titles go before variants are folded, so "Shri" the title is dropped, not kept as "sri".
    words = [w for w in folded.split() if w not in titles] or folded.split()
    return " ".join(_words(" ".join(words), country))


def normalise_address(address: str, *, country: str | None = None) -> str:
    """Case-folded address with common abbreviations spelled out (Jl. → jalan, Rd → road)."""
    folded = _fold(address)
    if not folded:
        return ""
    words = [_ADDRESS_ABBREVIATIONS.get(w, w) for w in folded.split()]
    return " ".join(_words(" ".join(words), country))


def normalise_phone_digits(phone: str, *, keep_last: int = 10) -> str:
    """The last ``keep_last`` digits of a phone number, "" when it has fewer than 7 digits.

    Keeping the tail makes "+62 812-3456-7890", "0812 3456 7890" and "6281234567890" agree
    whatever country prefix or trunk zero each roster used.
    """
    if not isinstance(phone, str):
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return ""
    return digits[-keep_last:]


def normalise_email(email: str) -> str:
    """Trimmed, case-folded e-mail address; "" unless it has one "@" with text either side."""
    if not isinstance(email, str):
        return ""
    value = email.strip().casefold()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or "@" in domain or " " in value:
        return ""
    return value
