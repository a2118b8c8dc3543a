"""Entity resolution of roster records: exact identifiers first, then a Splink model.

``link`` takes a DataFrame of records and returns scored pairs and clusters. It is pure data
in, data out: no database, no Django models.

1. **Identifiers.** Records sharing any non-empty identifier (GSTIN, PAN, Udyam, IEC, NIB,
   NPWP) are the same business: probability 1, weight ``IDENTIFIER_MATCH_WEIGHT``.
2. **Probabilistic.** A Fellegi-Sunter model in Splink (DuckDB, or Spark for
   ``engine="spark"``) scores the pairs its blocking rules generate. It is trained without
   labels: the prior from deterministic rules, u by random sampling, m by expectation
   maximisation (EM) over two blocking rules.
3. **Clusters.** Connected components of the identifier pairs and the pairs at or above
   ``merge_threshold``; the cluster id is the smallest record id in the component.

The model is generic: a ``LinkageSpec`` says which columns to derive, compare and block on.
``BUSINESS_SPEC`` is the one for rosters; ``bench/dedupe.py`` builds one for FEBRL persons.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from niaga.registry.linkage.normalise import (
    normalise_address,
    normalise_business_name,
    normalise_email,
    normalise_person_name,
    normalise_phone_digits,
)

__all__ = [
    "BUSINESS_SPEC",
    "IDENTIFIER_COLUMNS",
    "IDENTIFIER_MATCH_WEIGHT",
    "LinkageResult",
    "LinkageSpec",
    "cap_block_sizes",
    "explain_pair",
    "link",
    "link_identifiers_only",
]

IDENTIFIER_COLUMNS: tuple[str, ...] = ("gstin", "pan", "udyam", "iec", "nib", "npwp")

# log2 Bayes factor given to an identifier match: about one false match in 10^12, stronger than
# any combination of fuzzy evidence, so identifier pairs sort first in a review queue.
IDENTIFIER_MATCH_WEIGHT = 40.0

# (splink level creator, label, fixed m, fixed u); m and u are None for the null level.
Level = tuple[Any, str, float | None, float | None]


@dataclass(frozen=True)
class LinkageSpec:
    """What to compare and how to block for one kind of record.

    ``prepare`` turns the input records into the columns Splink reads (normalised values,
    ``None`` for missing) and must keep the input's row order. The Splink objects are built by
    factories because Splink creators are mutable. ``comparisons`` carry fixed m and u values
    (``configure``) that are used as EM's starting point and, when the data is too small to
    train on, as the model itself.

    ``deterministic_rules`` and ``deterministic_recall`` estimate the prior (the share of
    random pairs that match), ``fallback_prior`` replaces it when that fails or the data is
    below ``min_records_for_training``. ``u_max_pairs`` and ``em_max_pairs`` bound the pairs
    sampled for u and for each EM session. A value of an ``identifier_columns`` column shared
    by more than ``max_identifier_group`` records is ignored as a placeholder.
    """

    name: str
    unique_id_column: str
    required_columns: tuple[str, ...]
    prepare: Callable[[pd.DataFrame], pd.DataFrame]
    comparisons: Callable[[], list[Any]]
    blocking_rules: Callable[[], list[Any]]
    deterministic_rules: Callable[[], list[Any]]
    em_blocking_rules: Callable[[], list[Any]]
    identifier_columns: tuple[str, ...] = ()
    deterministic_recall: float = 0.7
    fallback_prior: float = 1e-3
    min_records_for_training: int = 200
    u_max_pairs: float = 2e6
    em_max_pairs: float = 3e6
    max_identifier_group: int = 50


@dataclass
class LinkageResult:
    """Scored pairs at or above the review threshold, and clusters covering every record.

    ``pairs`` columns: record_id_l, record_id_r (record_id_l first in record-id order: by value
    for integers and all-digit strings, by text otherwise), match_weight (log2 Bayes factor),
    match_probability, method ("identifier:<column>" or "probabilistic"), explanation (list of
    {"comparison", "level", "match_weight"}). For a probabilistic pair the explanation's weights
    add up to match_weight less the prior's; an identifier pair's explanation starts with the
    identifier, followed by the model's evidence when the pair was also scored. Explanation
    lists are shared between pairs with the same evidence: treat them as read-only.

    ``clusters`` columns: record_id, cluster_id. ``model`` is the trained Splink model
    (JSON-serialisable; ``None`` for fewer than two records); ``diagnostics`` says how it was
    trained (notes on any fallback), how many pairs each step found and its seconds.
    """

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    model: dict[str, Any] | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)


# -- helpers for specs -------------------------------------------------------------------------


def custom_comparison(name: str, levels: Sequence[Level], description: str = "") -> Any:
    """A Splink comparison from (level, label, fixed m, fixed u) tuples.

    A level whose m is None is the null level: "not comparable", weight 0.
    """
    from splink.comparison_library import CustomComparison

    configured = []
    for level, label, m, u in levels:
        if m is None or u is None:
            level.configure(label_for_charts=label, is_null_level=True)
        else:
            level.configure(label_for_charts=label, m_probability=m, u_probability=u)
        configured.append(level)
    return CustomComparison(
        configured, output_column_name=name, comparison_description=description or name
    )


def cap_block_sizes(values: pd.Series, max_size: int) -> pd.Series:
    """``values`` with those that occur more than ``max_size`` times set to None.

    A blocking key shared by thousands of rows ("toko" in one province, a placeholder phone)
    would make the pair count explode while saying little; the other blocking rules still
    reach those records.
    """
    counts = values.map(values.value_counts(dropna=True))
    return values.where(counts.le(max_size) & values.notna(), None)


def map_unique(values: pd.Series, function: Callable[[str], Any]) -> pd.Series:
    """``values.map(function)``, calling ``function`` once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [function(u) for u in uniques]
    mapped[-1] = function("")
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _none_if_empty(values: pd.Series) -> pd.Series:
    return values.where(values.astype(bool), None)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    values = frame[column]
    return values.where(values.notna(), "").astype(str).str.strip()


def _join_keys(*parts: pd.Series) -> pd.Series:
    """Composite blocking key, None where any part is missing."""
    present = pd.concat([p.notna() for p in parts], axis=1).all(axis=1)
    joined = parts[0].fillna("").astype(str)
    for part in parts[1:]:
        joined = joined + "|" + part.fillna("").astype(str)
    return joined.where(present, None)


_VOWELS_RE = re.compile(r"[aeiouy\s]+")
_REPEATS_RE = re.compile(r"(.)\1+")
_PAN_RE = re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$")
_FIRST_NUMBER_RE = re.compile(r"\d+")


def _skeleton(name: str) -> str:
    """Consonant skeleton of a name ("sinar jaya" → "snrj"): survives most vowel slips."""
    if not name:
        return ""
    return _REPEATS_RE.sub(r"\1", _VOWELS_RE.sub("", name))


# -- the business roster spec ------------------------------------------------------------------

_DISTRICT_NOISE = frozenset({"kota", "kabupaten", "kab", "city", "district", "distt", "dist"})
_DISTRICT_ALIASES = {
    "jaksel": "jakarta selatan",
    "jakbar": "jakarta barat",
    "jaktim": "jakarta timur",
    "jakut": "jakarta utara",
    "jakpus": "jakarta pusat",
    "solo": "surakarta",
    "bombay": "mumbai",
    "poona": "pune",
    "nasik": "nashik",
    "bangalore": "bengaluru",
    "mysore": "mysuru",
    "hubli": "hubballi",
    "madras": "chennai",
    "amdavad": "ahmedabad",
    "cawnpore": "kanpur",
    "benares": "varanasi",
    "banaras": "varanasi",
    "calcutta": "kolkata",
    "delhi": "new delhi",
    "gurgaon": "gurugram",
    "baroda": "vadodara",
}


def normalise_district(district: str, *, country: str | None = None) -> str:
    """District without "Kota"/"Kabupaten"/"District", old names mapped to current ones."""
    words = [
        w for w in normalise_address(district, country=country).split() if w not in _DISTRICT_NOISE
    ]
    text = " ".join(words)
    return _DISTRICT_ALIASES.get(text, text)


def _country_of(province: pd.Series) -> pd.Series:
    return province.str.upper().str.slice(0, 2)


def _normalise_with_country(
    values: pd.Series, country: pd.Series, function: Callable[..., str]
) -> pd.Series:
    keyed = country + "\x1f" + values

    def one(key: str) -> str:
        code, _, text = key.partition("\x1f")
        return function(text, country=code or None)

    return _none_if_empty(map_unique(keyed, one))


def _derived_pan(pan: pd.Series, gstin: pd.Series, iec: pd.Series) -> pd.Series:
    """PAN as given, else the one a GSTIN embeds, else a PAN-shaped IEC (IEC = PAN since 2020)."""
    from_gstin = gstin.str.slice(2, 12).where(gstin.str.len().eq(15), "")
    from_iec = iec.where(iec.str.match(_PAN_RE.pattern), "")
    out = pan.where(pan.astype(bool), from_gstin)
    return out.where(out.astype(bool), from_iec)


BUSINESS_BLOCK_CAP = 400
M_FLOOR = 1e-3
M_FLOOR_OTHERWISE = 0.01


def prepare_business_records(records: pd.DataFrame) -> pd.DataFrame:
    """Normalised comparison and blocking columns of roster records (same row order)."""
    province = _text(records, "province").str.upper()
    country = _country_of(province)
    name = _normalise_with_country(
        _text(records, "business_name"), country, normalise_business_name
    )
    owner = _normalise_with_country(_text(records, "owner_name"), country, normalise_person_name)
    address = _normalise_with_country(_text(records, "address"), country, normalise_address)
    district = _normalise_with_country(_text(records, "district"), country, normalise_district)
    postcode = _none_if_empty(
        _text(records, "postcode").str.replace(r"\s+", "", regex=True).str.upper()
    )
    phone = _none_if_empty(map_unique(_text(records, "phone"), normalise_phone_digits))
    email = _none_if_empty(map_unique(_text(records, "email"), normalise_email))
    ids = {
        c: _text(records, c).str.upper().str.replace(r"\s+", "", regex=True)
        for c in IDENTIFIER_COLUMNS
    }
    ids["pan"] = _derived_pan(ids["pan"], ids["gstin"], ids["iec"])

    sorted_name = map_unique(name.fillna(""), lambda n: " ".join(sorted(set(n.split()))))
    tokens = map_unique(name.fillna(""), lambda n: sorted(set(n.split())) or None)
    skeleton = _none_if_empty(map_unique(name.fillna(""), _skeleton))
    longest = _none_if_empty(
        map_unique(name.fillna(""), lambda n: max(n.split(), key=len, default=""))
    )
    house = _none_if_empty(
        map_unique(address.fillna(""), lambda a: next(iter(_FIRST_NUMBER_RE.findall(a)), ""))
    )
    province = _none_if_empty(province)
    # A one-word owner name ("Budi") in a whole district is a weak key; its postcode is not.
    owner_area = district.where(owner.fillna("").str.contains(" "), postcode)

    cap = BUSINESS_BLOCK_CAP
    out = pd.DataFrame(
        {
            "name_norm": name,
            "name_sorted": _none_if_empty(sorted_name),
            "name_tokens": tokens,
            "owner_norm": owner,
            "address_norm": address,
            "district_norm": district,
            "province": province,
            "postcode": postcode,
            "phone_key": phone,
            "email": email,
            **{c: _none_if_empty(v) for c, v in ids.items()},
            "bk_name_district": cap_block_sizes(_join_keys(name, district), cap),
            "bk_sorted_postcode": cap_block_sizes(
                _join_keys(sorted_name.where(name.notna()), postcode), cap
            ),
            "bk_owner_area": cap_block_sizes(_join_keys(owner, owner_area), cap),
            "bk_owner_district": cap_block_sizes(_join_keys(owner, district), cap),
            # Skeletons collide more than names do; their big blocks add pairs, not recall.
            "bk_skeleton_province": cap_block_sizes(_join_keys(skeleton, province), cap // 3),
            "bk_longest_postcode": cap_block_sizes(_join_keys(longest, postcode), cap),
            "bk_house_postcode": cap_block_sizes(_join_keys(house, postcode), cap),
            "bk_phone": cap_block_sizes(phone, cap),
            "bk_email": cap_block_sizes(email, cap),
        },
        index=records.index,
    )
    return out


def _business_comparisons() -> list[Any]:
    import splink.comparison_level_library as cll

    ids = IDENTIFIER_COLUMNS
    any_pair = " OR ".join(f"({c}_l IS NOT NULL AND {c}_r IS NOT NULL)" for c in ids)
    any_equal = " OR ".join(f"{c}_l = {c}_r" for c in ids)
    return [
        custom_comparison(
            "business_name",
            [
                (cll.NullLevel("name_norm"), "missing", None, None),
                (
                    cll.ExactMatchLevel("name_norm", term_frequency_adjustments=True),
                    "identical",
                    0.6,
                    0.0005,
                ),
                (
                    cll.ColumnsReversedLevel("name_norm", "owner_norm", symmetrical=True),
                    "swapped with the owner's name",
                    0.02,
                    1e-6,
                ),
                (cll.ExactMatchLevel("name_sorted"), "same words, other order", 0.02, 1e-5),
                (
                    cll.JaroWinklerLevel("name_norm", 0.94),
                    "nearly identical (JW ≥ 0.94)",
                    0.2,
                    0.002,
                ),
                (
                    cll.ArrayIntersectLevel("name_tokens", 2),
                    "two or more words in common",
                    0.08,
                    0.01,
                ),
                (cll.JaroWinklerLevel("name_norm", 0.82), "similar (JW ≥ 0.82)", 0.05, 0.04),
                (cll.ElseLevel(), "different", 0.05, 0.95),
            ],
            "Business name, normalised",
        ),
        custom_comparison(
            "owner_name",
            [
                (cll.NullLevel("owner_norm"), "missing", None, None),
                (
                    cll.ExactMatchLevel("owner_norm", term_frequency_adjustments=True),
                    "identical",
                    0.7,
                    0.001,
                ),
                (
                    cll.ColumnsReversedLevel("name_norm", "owner_norm", symmetrical=True),
                    "swapped with the business name",
                    0.02,
                    1e-6,
                ),
                (
                    cll.JaroWinklerLevel("owner_norm", 0.92),
                    "nearly identical (JW ≥ 0.92)",
                    0.15,
                    0.003,
                ),
                (cll.JaroWinklerLevel("owner_norm", 0.8), "similar (JW ≥ 0.8)", 0.05, 0.05),
                (cll.ElseLevel(), "different", 0.08, 0.946),
            ],
            "Owner's name, without titles",
        ),
        custom_comparison(
            "address",
            [
                (cll.NullLevel("address_norm"), "missing", None, None),
                (cll.ExactMatchLevel("address_norm"), "identical", 0.5, 0.0005),
                (
                    cll.JaroWinklerLevel("address_norm", 0.92),
                    "nearly identical (JW ≥ 0.92)",
                    0.3,
                    0.01,
                ),
                (cll.JaroWinklerLevel("address_norm", 0.8), "similar (JW ≥ 0.8)", 0.12, 0.15),
                (cll.ElseLevel(), "different", 0.08, 0.8395),
            ],
            "Street address, abbreviations spelled out",
        ),
        custom_comparison(
            "location",
            [
                (
                    cll.CustomLevel(
                        "(postcode_l IS NULL OR postcode_r IS NULL) AND "
                        "(district_norm_l IS NULL OR district_norm_r IS NULL) AND "
                        "(province_l IS NULL OR province_r IS NULL)"
                    ),
                    "missing",
                    None,
                    None,
                ),
                (cll.ExactMatchLevel("postcode"), "same postcode", 0.75, 0.0005),
                (
                    cll.And(
                        cll.ExactMatchLevel("district_norm"), cll.LevenshteinLevel("postcode", 1)
                    ),
                    "same district, postcode one character different",
                    0.03,
                    0.003,
                ),
                (cll.ExactMatchLevel("district_norm"), "same district", 0.15, 0.02),
                (
                    cll.LevenshteinLevel("postcode", 1),
                    "postcode one character different",
                    0.01,
                    0.003,
                ),
                (
                    cll.CustomLevel(
                        "province_l = province_r AND "
                        "(district_norm_l IS NULL OR district_norm_r IS NULL)"
                    ),
                    "same province, district missing",
                    0.04,
                    0.02,
                ),
                (
                    cll.CustomLevel("province_l = province_r"),
                    "same province, other district",
                    0.01,
                    0.1,
                ),
                (cll.ElseLevel(), "elsewhere", 0.01, 0.8565),
            ],
            "Postcode, district and province together: they are not independent",
        ),
        custom_comparison(
            "phone",
            [
                (cll.NullLevel("phone_key"), "missing", None, None),
                (cll.ExactMatchLevel("phone_key"), "identical", 0.9, 1e-5),
                (cll.LevenshteinLevel("phone_key", 1), "one digit different", 0.02, 1e-4),
                (cll.ElseLevel(), "different", 0.08, 0.99989),
            ],
            "Phone number (last ten digits)",
        ),
        custom_comparison(
            "email",
            [
                (cll.NullLevel("email"), "missing", None, None),
                (cll.ExactMatchLevel("email"), "identical", 0.9, 1e-5),
                (cll.ElseLevel(), "different", 0.1, 0.99999),
            ],
            "E-mail address",
        ),
        custom_comparison(
            "identifiers",
            [
                (cll.CustomLevel(f"NOT ({any_pair})"), "none to compare", None, None),
                (cll.CustomLevel(any_equal), "one in common", 0.7, 1e-6),
                (cll.ElseLevel(), "all different", 0.3, 0.999999),
            ],
            "Identifiers present on both records",
        ),
    ]


def _business_blocking_rules() -> list[Any]:
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    return [
        block_on("bk_phone"),
        block_on("bk_email"),
        block_on("bk_name_district"),
        block_on("bk_sorted_postcode"),
        block_on("bk_owner_area"),
        block_on("bk_skeleton_province"),
        block_on("bk_longest_postcode"),
        block_on("bk_house_postcode"),
        # Owner and business name swapped between columns; a rule only looks one way.
        CustomRule("l.bk_name_district = r.bk_owner_district"),
        CustomRule("l.bk_owner_district = r.bk_name_district"),
    ]


def _business_deterministic_rules() -> list[Any]:
    return [
        "l.name_norm = r.name_norm AND l.owner_norm = r.owner_norm "
        "AND l.district_norm = r.district_norm",
        "l.phone_key = r.phone_key AND l.name_norm = r.name_norm",
        "l.email = r.email AND l.name_norm = r.name_norm",
        "l.name_norm = r.name_norm AND l.postcode = r.postcode AND l.address_norm = r.address_norm",
    ]


def _business_em_rules() -> list[Any]:
    from splink import block_on

    return [block_on("name_norm", "district_norm"), block_on("phone_key")]


BUSINESS_SPEC = LinkageSpec(
    name="business roster",
    unique_id_column="record_id",
    required_columns=("record_id", "business_name"),
    prepare=prepare_business_records,
    comparisons=_business_comparisons,
    blocking_rules=_business_blocking_rules,
    deterministic_rules=_business_deterministic_rules,
    em_blocking_rules=_business_em_rules,
    identifier_columns=IDENTIFIER_COLUMNS,
    deterministic_recall=0.6,
    fallback_prior=1e-3,
)


# -- the engine --------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_splink(verbose: bool) -> Iterator[None]:
    """Silence Splink's logger and warnings for the duration, restoring them afterwards."""
    if verbose:
        yield
        return
    splink_logger = logging.getLogger("splink")
    previous = splink_logger.level
    splink_logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"splink(\.|$)")
            warnings.filterwarnings("ignore", message=r".*[Ss]plink.*")
            yield
    finally:
        splink_logger.setLevel(previous)


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id_l": pd.Series(dtype=object),
            "record_id_r": pd.Series(dtype=object),
            "match_weight": pd.Series(dtype="float64"),
            "match_probability": pd.Series(dtype="float64"),
            "method": pd.Series(dtype=object),
            "explanation": pd.Series(dtype=object),
        }
    )


def _identifier_pairs(prepared: pd.DataFrame, spec: LinkageSpec) -> pd.DataFrame:
    """(uid_l, uid_r, column) for records sharing an identifier, first column in spec order."""
    frames = []
    for column in spec.identifier_columns:
        if column not in prepared:
            continue
        values = prepared[["unique_id", column]].dropna()
        if values.empty:
            continue
        sizes = values[column].map(values[column].value_counts())
        # A value on many records is a placeholder or a data-entry habit, not an identity.
        values = values[sizes.between(2, spec.max_identifier_group)]
        if values.empty:
            continue
        joined = values.merge(values, on=column, suffixes=("_l", "_r"))
        joined = joined[joined["unique_id_l"] < joined["unique_id_r"]]
        frames.append(
            pd.DataFrame(
                {
                    "uid_l": joined["unique_id_l"].to_numpy(),
                    "uid_r": joined["unique_id_r"].to_numpy(),
                    "column": column,
                }
            )
        )
    if not frames:
        return pd.DataFrame({"uid_l": [], "uid_r": [], "column": []}).astype(
            {"uid_l": "int64", "uid_r": "int64"}
        )
    pairs = pd.concat(frames, ignore_index=True)
    return pairs.drop_duplicates(["uid_l", "uid_r"], keep="first").reset_index(drop=True)


def _spark_api(spark_session: Any | None) -> tuple[Any, Any, bool]:
    """(SparkAPI, session, whether this call created the session)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import SparkAPI, similarity_jar_location

    created = False
    if spark_session is None:
        spark_session = SparkSession.getActiveSession()
    if spark_session is None:
        spark_session = (
            SparkSession.builder.master("local[2]")
            .appName("niaga-linkage")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        spark_session.sparkContext.setLogLevel("ERROR")
        created = True
    api = SparkAPI(spark_session=spark_session, break_lineage_method="persist")
    return api, spark_session, created


def _db_api(engine: str, spark_session: Any | None) -> tuple[Any, Callable[[], None]]:
    if engine == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect(":memory:")
        con.execute("SET enable_progress_bar = false")
        return DuckDBAPI(con), con.close
    if engine == "spark":
        api, session, created = _spark_api(spark_session)
        return api, (session.stop if created else lambda: None)
    raise ValueError(f"unknown engine {engine!r}: use 'duckdb' or 'spark'")


def _settings(spec: LinkageSpec, prior: float) -> Any:
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=spec.comparisons(),
        blocking_rules_to_generate_predictions=spec.blocking_rules(),
        probability_two_random_records_match=prior,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        max_iterations=25,
        em_convergence=1e-4,
    )


def _patch_model(trained: dict[str, Any], fallback: dict[str, Any]) -> list[str]:
    """Fill levels training left empty, or got backwards, from the spec's fixed values.

    EM leaves a level empty when no blocked pair fell into it, and Splink would then use 1e-6,
    a weight of about -20 that silently vetoes any pair at that level. Returns notes.
    """
    notes = []
    for comparison, default in zip(trained["comparisons"], fallback["comparisons"], strict=True):
        levels = comparison["comparison_levels"]
        defaults = default["comparison_levels"]
        for level, level_default in zip(levels, defaults, strict=True):
            if level.get("is_null_level"):
                continue
            for key in ("m_probability", "u_probability"):
                value = level.get(key)
                if not isinstance(value, int | float) or value <= 0:
                    level[key] = level_default[key]
                    notes.append(
                        f"{comparison['output_column_name']}: {key[0]} of "
                        f"'{level.get('label_for_charts')}' not estimated; fixed value used"
                    )
        real = [lv for lv in levels if not lv.get("is_null_level")]
        # Synthetic or tidy data can teach EM that a level never happens among matches (m = 0,
        # weight -inf): one real-world exception would then veto a certain match.
        for level in real:
            level["m_probability"] = max(level["m_probability"], M_FLOOR)
        if real:
            real[-1]["m_probability"] = max(real[-1]["m_probability"], M_FLOOR_OTHERWISE)
        # The most similar level must count for a match and the catch-all against one;
        # otherwise EM latched onto a spurious pattern, and the whole comparison is reset.
        if real and (
            real[0]["m_probability"] <= real[0]["u_probability"]
            or real[-1]["m_probability"] >= real[-1]["u_probability"]
        ):
            for level, level_default in zip(levels, defaults, strict=True):
                if not level.get("is_null_level"):
                    level["m_probability"] = level_default["m_probability"]
            notes.append(f"{comparison['output_column_name']}: EM result implausible; m reset")
    return notes


def _train(linker: Any, spec: LinkageSpec, n: int, seed: int, diagnostics: dict[str, Any]) -> None:
    """Estimate prior, u and m in place; each step falls back to fixed values if it fails."""
    notes = diagnostics["notes"]
    all_pairs = n * (n - 1) / 2
    try:
        linker.training.estimate_probability_two_random_records_match(
            spec.deterministic_rules(), recall=spec.deterministic_recall
        )
        prior = linker._settings_obj._probability_two_random_records_match
        if not prior or prior <= 0 or not math.isfinite(prior):
            raise ValueError("deterministic rules found no matches")
        diagnostics["prior_source"] = "deterministic rules"
    except Exception as error:  # noqa: BLE001 - any failure means: keep the fixed prior
        linker._settings_obj._probability_two_random_records_match = spec.fallback_prior
        notes.append(f"prior not estimated ({error}); fixed value used")
    try:
        # When every pair fits in the sample there is nothing to stop early for, and Splink's
        # ten probe chunks cost ten round trips (tens of seconds on Spark).
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(spec.u_max_pairs, all_pairs),
            seed=seed,
            num_chunks=1 if all_pairs <= spec.u_max_pairs else 10,
        )
        diagnostics["u_source"] = "random sampling"
    except Exception as error:  # noqa: BLE001
        notes.append(f"u not estimated ({error}); fixed values used")
    sessions = 0
    # Sampling for EM costs a probe query; pointless when all pairs fit under the bound.
    em_max_pairs = spec.em_max_pairs if all_pairs > spec.em_max_pairs else None
    for number, rule in enumerate(spec.em_blocking_rules(), start=1):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule,
                estimate_without_term_frequencies=True,
                max_pairs=em_max_pairs,
            )
            sessions += 1
        except Exception as error:  # noqa: BLE001
            notes.append(f"EM session {number} failed ({error}); fixed m values kept")
    diagnostics["em_sessions"] = sessions


def _intern_explanations(
    predictions: pd.DataFrame, comparisons: list[dict[str, Any]]
) -> list[list[dict[str, Any]]]:
    """One explanation list per row, shared between rows with the same evidence."""
    labels = []
    for comparison in comparisons:
        levels = comparison["comparison_levels"]
        # gamma counts down from the most similar level; the null level is -1.
        by_gamma = {-1: "missing"}
        real = [lv for lv in levels if not lv.get("is_null_level")]
        for position, level in enumerate(real):
            by_gamma[len(real) - 1 - position] = level.get("label_for_charts", "")
        for level in levels:
            if level.get("is_null_level"):
                by_gamma[-1] = level.get("label_for_charts", "missing")
        labels.append((comparison["output_column_name"], by_gamma))

    columns = []
    for name, _ in labels:
        gamma = predictions[f"gamma_{name}"].to_numpy()
        weight = predictions[f"mw_{name}"].to_numpy(dtype=float)
        adjustment = f"mw_tf_adj_{name}"
        if adjustment in predictions:
            weight = weight + predictions[adjustment].fillna(0).to_numpy(dtype=float)
        columns.append((gamma, np.round(weight, 2)))

    items: dict[tuple[Any, ...], dict[str, Any]] = {}
    lists: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    out: list[list[dict[str, Any]]] = []
    for row in range(len(predictions)):
        key = tuple((int(g[row]), float(w[row])) for g, w in columns)
        explanation = lists.get(key)
        if explanation is None:
            explanation = []
            for (name, by_gamma), (gamma, weight) in zip(labels, key, strict=True):
                item_key = (name, gamma, weight)
                item = items.get(item_key)
                if item is None:
                    item = {
                        "comparison": name,
                        "level": by_gamma.get(gamma, str(gamma)),
                        "match_weight": weight,
                    }
                    items[item_key] = item
                explanation.append(item)
            lists[key] = explanation
        out.append(explanation)
    return out


def _probabilistic_pairs(
    prepared: pd.DataFrame,
    spec: LinkageSpec,
    *,
    engine: str,
    review_threshold: float,
    seed: int,
    spark_session: Any | None,
    diagnostics: dict[str, Any],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    from splink import Linker

    n = len(prepared)
    api, close = _db_api(engine, spark_session)
    try:
        table = api.register(prepared)
        untrained = Linker(table, _settings(spec, spec.fallback_prior), log_level=None)
        fallback_model = untrained.misc.save_model_to_json()
        started = time.perf_counter()
        if n >= spec.min_records_for_training:
            _train(untrained, spec, n, seed, diagnostics)
            model = untrained.misc.save_model_to_json()
            diagnostics["notes"].extend(_patch_model(model, fallback_model))
            diagnostics["trained"] = True
        else:
            model = fallback_model
            diagnostics["trained"] = False
            diagnostics["notes"].append(
                f"{n} records are too few to train on; fixed m, u and prior used"
            )
        diagnostics["seconds"]["train"] = time.perf_counter() - started
        started = time.perf_counter()
        linker = Linker(table, model, log_level=None)
        predictions = linker.inference.predict(
            threshold_match_probability=review_threshold, warning_mode="never"
        )
        comparisons = model["comparisons"]
        wanted = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
        for comparison in comparisons:
            name = comparison["output_column_name"]
            wanted += [f"gamma_{name}", f"mw_{name}"]
            if any("tf_adjustment_column" in lv for lv in comparison["comparison_levels"]):
                wanted.append(f"mw_tf_adj_{name}")
        # Column and table names come from the model and Splink, never from the records.
        sql = f"SELECT {', '.join(wanted)} FROM {predictions.physical_name}"  # noqa: S608
        frame = linker.misc.query_sql(sql, output_type="pandas")
        predictions.drop_table_from_database_and_remove_from_cache()
    finally:
        close()
    frame = frame.sort_values(["unique_id_l", "unique_id_r"], kind="stable").reset_index(drop=True)
    frame["explanation"] = _intern_explanations(frame, comparisons)
    diagnostics["seconds"]["predict"] = time.perf_counter() - started
    diagnostics["prior"] = model.get("probability_two_random_records_match")
    return frame, model


def _clusters(n: int, uid_l: np.ndarray, uid_r: np.ndarray) -> np.ndarray:
    """Cluster of each internal id: the smallest internal id in its connected component.

    Vectorised union-find: every round hooks the larger of two joined roots under the smaller,
    then compresses paths until each node points at its root. Roots only ever point at
    smaller ids, so the last root standing is the component's smallest id.
    """
    parent = np.arange(n, dtype=np.int64)
    if n == 0 or len(uid_l) == 0:
        return parent
    while True:
        root_l, root_r = parent[uid_l], parent[uid_r]
        if np.array_equal(root_l, root_r):
            return parent
        np.minimum.at(parent, np.maximum(root_l, root_r), np.minimum(root_l, root_r))
        while True:
            grandparent = parent[parent]
            if np.array_equal(grandparent, parent):
                break
            parent = grandparent


def _sorted_ids(ids: pd.Series) -> np.ndarray:
    """Positions that sort the record ids in record-id order.

    Integers, and strings that are all digits (ids read from a CSV or a database key turned
    into text), sort by value, so "9" comes before "10"; anything else sorts by its text.
    """
    values = ids.to_numpy()
    if not pd.api.types.is_numeric_dtype(ids) and len(values):
        text = ids.astype(str)
        if text.str.fullmatch(r"\d{1,18}").all():
            return np.lexsort((text.to_numpy(), text.astype(np.int64).to_numpy()))
    try:
        return np.argsort(values, kind="stable")
    except TypeError:
        return np.argsort(ids.astype(str).to_numpy(), kind="stable")


def link(
    records: pd.DataFrame,
    *,
    engine: Literal["duckdb", "spark"] = "duckdb",
    merge_threshold: float = 0.95,
    review_threshold: float = 0.5,
    seed: int = 42,
    spec: LinkageSpec = BUSINESS_SPEC,
    spark_session: Any | None = None,
    verbose: bool = False,
) -> LinkageResult:
    """Resolve ``records`` into scored pairs and clusters (see the module docstring).

    Records need ``spec.required_columns`` (for rosters: record_id, business_name); other
    standard columns are optional. Record ids must be unique. With ``engine="spark"`` an active
    Spark session (or ``spark_session``) is used; otherwise a local one is started, with
    Splink's similarity jar, and stopped at the end.

    Below ``spec.min_records_for_training`` records (and whenever a training step fails) the
    model uses the spec's fixed m/u values and prior instead of estimating them, because EM on
    a handful of pairs diverges or fails outright; ``diagnostics["notes"]`` says which.
    """
    if not 0 <= review_threshold <= merge_threshold <= 1:
        raise ValueError("need 0 <= review_threshold <= merge_threshold <= 1")
    if engine not in ("duckdb", "spark"):
        raise ValueError(f"unknown engine {engine!r}: use 'duckdb' or 'spark'")
    missing = [c for c in spec.required_columns if c not in records.columns]
    if missing:
        raise ValueError(f"records lack required column(s): {', '.join(missing)}")
    ids = records[spec.unique_id_column]
    if ids.isna().any():
        raise ValueError(f"{spec.unique_id_column} must not be empty")
    if ids.duplicated().any():
        dupes = ids[ids.duplicated()].astype(str).unique()[:5]
        raise ValueError(f"{spec.unique_id_column} is not unique: {', '.join(dupes)}")

    order = _sorted_ids(ids)
    records = records.iloc[order].reset_index(drop=True)
    record_ids = records[spec.unique_id_column].to_numpy()
    n = len(records)
    seconds: dict[str, float] = {}
    diagnostics: dict[str, Any] = {"records": n, "engine": engine, "notes": [], "seconds": seconds}

    with _quiet_splink(verbose):
        started = time.perf_counter()
        prepared = spec.prepare(records).reset_index(drop=True)
        prepared.insert(0, "unique_id", np.arange(n, dtype=np.int64))
        seconds["prepare"] = time.perf_counter() - started
        identifier = _identifier_pairs(prepared, spec)
        diagnostics["identifier_pairs"] = len(identifier)
        model = None
        if n >= 2:
            scored, model = _probabilistic_pairs(
                prepared,
                spec,
                engine=engine,
                review_threshold=review_threshold,
                seed=seed,
                spark_session=spark_session,
                diagnostics=diagnostics,
            )
        else:
            scored = _no_scores()
    diagnostics["probabilistic_pairs"] = len(scored)

    started = time.perf_counter()
    pairs = _combine(identifier, scored)
    edges = pairs[(pairs["match_probability"] >= merge_threshold)]
    cluster_of = _clusters(
        n, edges["uid_l"].to_numpy(dtype=np.int64), edges["uid_r"].to_numpy(dtype=np.int64)
    )
    clusters = pd.DataFrame({"record_id": record_ids, "cluster_id": record_ids[cluster_of]})
    result_pairs = _result_pairs(pairs, record_ids)
    seconds["cluster"] = time.perf_counter() - started
    return LinkageResult(
        pairs=result_pairs, clusters=clusters, model=model, diagnostics=diagnostics
    )


def link_identifiers_only(
    records: pd.DataFrame, *, spec: LinkageSpec = BUSINESS_SPEC
) -> LinkageResult:
    """Step 1 of ``link`` alone: clusters from shared identifiers, no model.

    Fast and certain but blind to records without identifiers; the baseline that shows what
    the probabilistic step adds.
    """
    missing = [c for c in spec.required_columns if c not in records.columns]
    if missing:
        raise ValueError(f"records lack required column(s): {', '.join(missing)}")
    ids = records[spec.unique_id_column]
    if ids.duplicated().any():
        raise ValueError(f"{spec.unique_id_column} is not unique")
    records = records.iloc[_sorted_ids(ids)].reset_index(drop=True)
    record_ids = records[spec.unique_id_column].to_numpy()
    prepared = pd.DataFrame(
        {c: _none_if_empty(_text(records, c).str.upper()) for c in spec.identifier_columns}
    )
    if "pan" in prepared and {"gstin", "iec"} <= set(prepared):
        text = {c: prepared[c].fillna("") for c in ("pan", "gstin", "iec")}
        prepared["pan"] = _none_if_empty(_derived_pan(text["pan"], text["gstin"], text["iec"]))
    prepared.insert(0, "unique_id", np.arange(len(records), dtype=np.int64))
    pairs = _combine(_identifier_pairs(prepared, spec), _no_scores())
    cluster_of = _clusters(
        len(records), pairs["uid_l"].to_numpy(dtype=np.int64), pairs["uid_r"].to_numpy(np.int64)
    )
    return LinkageResult(
        pairs=_result_pairs(pairs, record_ids),
        clusters=pd.DataFrame({"record_id": record_ids, "cluster_id": record_ids[cluster_of]}),
        diagnostics={"records": len(records), "identifier_pairs": len(pairs), "notes": []},
    )


def _no_scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id_l": pd.Series(dtype="int64"),
            "unique_id_r": pd.Series(dtype="int64"),
            "match_weight": pd.Series(dtype="float64"),
            "match_probability": pd.Series(dtype="float64"),
            "explanation": pd.Series(dtype=object),
        }
    )


def _result_pairs(pairs: pd.DataFrame, record_ids: np.ndarray) -> pd.DataFrame:
    if pairs.empty:
        return _empty_pairs()
    return pd.DataFrame(
        {
            "record_id_l": record_ids[pairs["uid_l"].to_numpy(dtype=np.int64)],
            "record_id_r": record_ids[pairs["uid_r"].to_numpy(dtype=np.int64)],
            "match_weight": pairs["match_weight"].to_numpy(dtype=float),
            "match_probability": pairs["match_probability"].to_numpy(dtype=float),
            "method": pairs["method"].to_numpy(dtype=object),
            "explanation": pairs["explanation"].to_numpy(dtype=object),
        }
    )


def _combine(identifier: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """Identifier pairs (overriding any score) and probabilistic pairs, sorted by ids."""
    scored = pd.DataFrame(
        {
            "uid_l": scored["unique_id_l"].to_numpy(dtype=np.int64),
            "uid_r": scored["unique_id_r"].to_numpy(dtype=np.int64),
            "match_weight": scored["match_weight"].to_numpy(dtype=float),
            "match_probability": scored["match_probability"].to_numpy(dtype=float),
            "method": "probabilistic",
            "explanation": scored["explanation"].to_numpy(dtype=object),
        }
    )
    if identifier.empty:
        return scored.sort_values(["uid_l", "uid_r"], kind="stable").reset_index(drop=True)
    by_pair = scored.set_index(["uid_l", "uid_r"])["explanation"]
    keys = pd.MultiIndex.from_arrays([identifier["uid_l"], identifier["uid_r"]])
    earlier = by_pair.reindex(keys).to_numpy(dtype=object)
    explanations = []
    for column, previous in zip(identifier["column"], earlier, strict=True):
        head = {
            "comparison": column,
            "level": f"identical {column.upper()}",
            "match_weight": IDENTIFIER_MATCH_WEIGHT,
        }
        rest = previous if isinstance(previous, list) else []
        explanations.append([head, *rest])
    exact = pd.DataFrame(
        {
            "uid_l": identifier["uid_l"].to_numpy(dtype=np.int64),
            "uid_r": identifier["uid_r"].to_numpy(dtype=np.int64),
            "match_weight": IDENTIFIER_MATCH_WEIGHT,
            "match_probability": 1.0,
            "method": "identifier:" + identifier["column"].astype(str),
            "explanation": explanations,
        }
    )
    combined = pd.concat([exact, scored], ignore_index=True)
    combined = combined.drop_duplicates(["uid_l", "uid_r"], keep="first")
    return combined.sort_values(["uid_l", "uid_r"], kind="stable").reset_index(drop=True)


def explain_pair(result: LinkageResult, record_id_l: Any, record_id_r: Any) -> list[dict]:
    """Why two records were paired: one {"comparison", "level", "match_weight"} per evidence.

    The order of the two ids does not matter. Raises KeyError for a pair that is not in
    ``result.pairs`` (scored below the review threshold, or never compared).
    """
    pairs = result.pairs
    mask = ((pairs["record_id_l"] == record_id_l) & (pairs["record_id_r"] == record_id_r)) | (
        (pairs["record_id_l"] == record_id_r) & (pairs["record_id_r"] == record_id_l)
    )
    found = pairs.loc[mask, "explanation"]
    if found.empty:
        raise KeyError(f"no scored pair for {record_id_l!r} and {record_id_r!r}")
    return [dict(item) for item in found.iloc[0]]
