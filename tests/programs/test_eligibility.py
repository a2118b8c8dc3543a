import json

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from niaga.core.identifiers import IdentifierKind
from niaga.core.sectors import Sector
from niaga.programs.eligibility import (
    MAX_RULES,
    RULE_KINDS,
    SCREENING_KINDS,
    CountryIn,
    Facts,
    IdentifiersRequired,
    MentoringCompleted,
    ProvinceIn,
    ReadinessAtLeast,
    RulesInvalid,
    SectorIn,
    TurnoverBelow,
    describe,
    evaluate,
    is_eligible,
    parse_rules,
    rules_document,
)

FACTS = Facts(
    country="IN",
    province="IN-KA",
    sector="food",
    turnover_minor=2_000_000_00,
    turnover_currency="INR",
    identifiers=frozenset({"gstin", "udyam"}),
    mentored_by=frozenset({7}),
    readiness=72,
)


def facts(**changes):
    return Facts(**{**FACTS.__dict__, **changes})


def only(rule, facts_):
    [outcome] = evaluate([rule], facts_)
    assert outcome.rule == rule
    return outcome


# -- parsing ---------------------------------------------------------------------------------


def test_every_kind_parses_and_normalises():
    rules = parse_rules(
        [
            {"kind": "turnover_below", "amount_minor": 5_000_000_000, "currency": "inr"},
            {"kind": "sector_in", "sectors": ["food", "textiles"]},
            {"kind": "province_in", "provinces": ["id-jb", "IN-KA"]},
            {"kind": "country_in", "countries": ["in", "ID"]},
            {"kind": "identifiers_required", "identifiers": ["GSTIN", "udyam"]},
            {"kind": "mentoring_completed", "ministries": [12, 7]},
            {"kind": "readiness_at_least", "score": 60},
        ]
    )
    assert rules == [
        TurnoverBelow(amount_minor=5_000_000_000, currency="INR"),
        SectorIn(sectors=("food", "textiles")),
        ProvinceIn(provinces=("ID-JB", "IN-KA")),
        CountryIn(countries=("IN", "ID")),
        IdentifiersRequired(identifiers=("gstin", "udyam")),
        MentoringCompleted(ministries=(12, 7)),
        ReadinessAtLeast(score=60),
    ]
    assert [rule.kind for rule in rules] == list(RULE_KINDS)
    document = rules_document(rules)
    assert document[0] == {
        "kind": "turnover_below",
        "amount_minor": 5_000_000_000,
        "currency": "INR",
    }
    assert parse_rules(json.loads(json.dumps(document))) == rules


def test_an_empty_document_is_open_to_all():
    assert parse_rules([]) == []
    assert is_eligible(evaluate([], FACTS))


def test_at_most_fifty_rules():
    with pytest.raises(RulesInvalid) as caught:
        parse_rules([{"kind": "readiness_at_least", "score": 1}] * (MAX_RULES + 1))
    assert caught.value.field == "rules"
    assert caught.value.status == 422
    assert caught.value.code == "rules_invalid"


TURNOVER = {"kind": "turnover_below", "amount_minor": 100, "currency": "INR"}


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"kind": "sector_in"}, "rules"),
        ("[]", "rules"),
        ([TURNOVER, "turnover_below"], "rules[1]"),
        ([{"sectors": ["food"]}], "rules[0].kind"),
        ([{"kind": "turnover_above", "amount_minor": 1}], "rules[0].kind"),
        ([{"kind": 3}], "rules[0].kind"),
        ([TURNOVER, {"kind": "readiness_at_least", "score": 1}, TURNOVER], "rules[2].kind"),
        ([{"kind": "turnover_below", "amount_minor": 100}], "rules[0].currency"),
        ([TURNOVER, TURNOVER | {"kind": "sector_in"}], "rules[1].sectors"),
        ([TURNOVER | {"note": "x"}], "rules[0].note"),
        ([TURNOVER | {"amount_minor": 0}], "rules[0].amount_minor"),
        ([TURNOVER | {"amount_minor": -5}], "rules[0].amount_minor"),
        ([TURNOVER | {"amount_minor": True}], "rules[0].amount_minor"),
        ([TURNOVER | {"amount_minor": 10.0}], "rules[0].amount_minor"),
        ([TURNOVER | {"amount_minor": "100"}], "rules[0].amount_minor"),
        ([TURNOVER | {"amount_minor": 2**63}], "rules[0].amount_minor"),
        (
            [
                {"kind": "readiness_at_least", "score": 60},
                TURNOVER,
                TURNOVER | {"currency": "EURO"},
            ],
            "rules[2].kind",
        ),
        (
            [
                {"kind": "readiness_at_least", "score": 60},
                {"kind": "country_in", "countries": ["IN"]},
                TURNOVER | {"currency": "EURO"},
            ],
            "rules[2].currency",
        ),
        ([TURNOVER | {"currency": "XAU"}], "rules[0].currency"),
        ([TURNOVER | {"currency": 356}], "rules[0].currency"),
        ([{"kind": "sector_in", "sectors": []}], "rules[0].sectors"),
        ([{"kind": "sector_in", "sectors": "food"}], "rules[0].sectors"),
        ([{"kind": "sector_in", "sectors": ["food", "cars"]}], "rules[0].sectors[1]"),
        ([{"kind": "sector_in", "sectors": ["food", "spices", "food"]}], "rules[0].sectors[2]"),
        ([{"kind": "province_in", "provinces": ["ID-JB", "ID-XX"]}], "rules[0].provinces[1]"),
        ([{"kind": "province_in", "provinces": ["Karnataka"]}], "rules[0].provinces[0]"),
        ([{"kind": "province_in", "provinces": ["ID-JB", "id-jb"]}], "rules[0].provinces[1]"),
        ([{"kind": "country_in", "countries": ["IND"]}], "rules[0].countries[0]"),
        ([{"kind": "country_in", "countries": ["ID", "ZZ"]}], "rules[0].countries[1]"),
        ([{"kind": "country_in", "countries": [None]}], "rules[0].countries[0]"),
        (
            [{"kind": "identifiers_required", "identifiers": ["gstin", "ssn"]}],
            "rules[0].identifiers[1]",
        ),
        (
            [{"kind": "identifiers_required", "identifiers": ["nib", "NIB"]}],
            "rules[0].identifiers[1]",
        ),
        ([{"kind": "mentoring_completed", "ministries": [1, 0]}], "rules[0].ministries[1]"),
        ([{"kind": "mentoring_completed", "ministries": ["1"]}], "rules[0].ministries[0]"),
        ([{"kind": "mentoring_completed", "ministries": [True]}], "rules[0].ministries[0]"),
        ([{"kind": "mentoring_completed", "ministries": [4, 4]}], "rules[0].ministries[1]"),
        ([{"kind": "readiness_at_least", "score": 101}], "rules[0].score"),
        ([{"kind": "readiness_at_least", "score": -1}], "rules[0].score"),
        ([{"kind": "readiness_at_least", "score": None}], "rules[0].score"),
    ],
)
def test_invalid_documents_name_the_bad_part(document, path):
    with pytest.raises(RulesInvalid) as caught:
        parse_rules(document)
    assert caught.value.field == path
    assert str(caught.value)


def test_the_message_says_where_in_plain_words():
    with pytest.raises(RulesInvalid) as caught:
        parse_rules(
            [
                TURNOVER,
                {"kind": "country_in", "countries": ["IN"]},
                {"kind": "sector_in", "sectors": ["food", "food"]},
            ]
        )
    assert caught.value.field == "rules[2].sectors[1]"
    assert str(caught.value) == (
        "Rule 3, “sectors”, value 2: “food” appears more than once (first as value 1)."
    )


def test_a_second_sector_list_is_a_mistake():
    with pytest.raises(RulesInvalid) as caught:
        parse_rules([{"kind": "sector_in", "sectors": ["food"]}] * 2)
    assert caught.value.field == "rules[1].kind"
    assert "rule 1" in str(caught.value)


# -- a generated valid document survives the round trip --------------------------------------

_unique = {"unique": True, "min_size": 1, "max_size": 4}
_valid_rules = st.one_of(
    st.builds(
        lambda amount, currency: {
            "kind": "turnover_below",
            "amount_minor": amount,
            "currency": currency,
        },
        st.integers(1, 2**63 - 1),
        st.sampled_from(["INR", "IDR", "usd", "Jpy", "KWD"]),
    ),
    st.builds(
        lambda values: {"kind": "sector_in", "sectors": values},
        st.lists(st.sampled_from(Sector.values), **_unique),
    ),
    st.builds(
        lambda values: {"kind": "province_in", "provinces": values},
        st.lists(
            st.sampled_from(["ID-JB", "ID-JT", "IN-KA", "IN-MH", "ID-JW", "IN-TN"]), **_unique
        ),
    ),
    st.builds(
        lambda values: {"kind": "country_in", "countries": values},
        st.lists(st.sampled_from(["ID", "IN", "VN", "ph"]), **_unique),
    ),
    st.builds(
        lambda values: {"kind": "identifiers_required", "identifiers": values},
        st.lists(st.sampled_from([kind.value for kind in IdentifierKind]), **_unique),
    ),
    st.builds(
        lambda values: {"kind": "mentoring_completed", "ministries": values},
        st.lists(st.integers(1, 10**9), **_unique),
    ),
    st.builds(lambda score: {"kind": "readiness_at_least", "score": score}, st.integers(0, 100)),
)
_documents = st.lists(_valid_rules, max_size=7, unique_by=lambda rule: rule["kind"])


@given(_documents)
def test_parse_then_document_round_trips(document):
    rules = parse_rules(document)
    normalised = rules_document(rules)
    assert json.loads(json.dumps(normalised)) == normalised
    assert parse_rules(normalised) == rules
    assert rules_document(parse_rules(normalised)) == normalised


# -- each kind, passing and failing ----------------------------------------------------------


def test_turnover_below():
    rule = TurnoverBelow(amount_minor=5_000_000_00, currency="INR")
    outcome = only(rule, FACTS)
    assert outcome.passed
    assert "₹2,000,000.00" in outcome.explanation


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"turnover_minor": 5_000_000_00}, "must be below ₹5,000,000.00"),
        ({"turnover_minor": 9_000_000_00}, "Annual turnover is ₹9,000,000.00"),
        ({"turnover_minor": None}, "Turnover not known"),
        ({"turnover_currency": "IDR"}, "cannot be compared"),
    ],
)
def test_turnover_below_fails(changes, words):
    outcome = only(TurnoverBelow(amount_minor=5_000_000_00, currency="INR"), facts(**changes))
    assert not outcome.passed
    assert words in outcome.explanation


def test_sector_in():
    rule = SectorIn(sectors=("food", "spices"))
    assert only(rule, FACTS).passed
    outcome = only(rule, facts(sector="leather"))
    assert not outcome.passed
    assert "Leather and footwear" in outcome.explanation
    assert only(rule, facts(sector="")).explanation == "Sector not known"


def test_province_in_including_a_region_that_contains_the_province():
    rule = ProvinceIn(provinces=("ID-JW", "IN-KA"))
    assert only(rule, FACTS).passed
    assert only(rule, facts(province="ID-JB")).passed  # Jawa Barat lies in Jawa
    outcome = only(rule, facts(province="IN-MH"))
    assert not outcome.passed
    assert "Mahārāshtra" in outcome.explanation
    assert only(rule, facts(province="")).explanation == "Province or state not known"


def test_country_in():
    rule = CountryIn(countries=("ID",))
    assert only(rule, facts(country="ID")).passed
    outcome = only(rule, FACTS)
    assert not outcome.passed
    assert "India" in outcome.explanation


def test_identifiers_required():
    assert only(IdentifiersRequired(identifiers=("gstin",)), FACTS).passed
    assert only(
        IdentifiersRequired(identifiers=("gstin",)), facts(identifiers=frozenset({"GSTIN"}))
    ).passed
    outcome = only(
        IdentifiersRequired(identifiers=("gstin", "iec")), facts(identifiers=frozenset())
    )
    assert not outcome.passed
    assert outcome.explanation == "Not on record: GSTIN, IEC"
    outcome = only(IdentifiersRequired(identifiers=("gstin", "udyam", "iec")), FACTS)
    assert outcome.explanation == "No IEC on record"


def test_mentoring_completed_with_any_of_the_ministries():
    rule = MentoringCompleted(ministries=(12, 7))
    [outcome] = evaluate([rule], FACTS, organisation_names={7: "Ministry of Trade"})
    assert outcome.passed
    assert "Ministry of Trade" in outcome.explanation
    outcome = only(rule, facts(mentored_by=frozenset({3})))
    assert not outcome.passed
    assert "organisation #12" in outcome.explanation


def test_readiness_at_least():
    assert only(ReadinessAtLeast(score=72), FACTS).passed
    outcome = only(ReadinessAtLeast(score=60), facts(readiness=42))
    assert not outcome.passed
    assert outcome.explanation == "Readiness score is 42; 60 is needed"
    outcome = only(ReadinessAtLeast(score=60), facts(readiness=None))
    assert not outcome.passed
    assert "No export readiness score yet" in outcome.explanation


def test_evaluate_keeps_order_and_can_screen_registry_kinds_only():
    rules = [
        ReadinessAtLeast(score=90),
        SectorIn(sectors=("food",)),
        MentoringCompleted(ministries=(1,)),
        CountryIn(countries=("IN",)),
    ]
    outcomes = evaluate(rules, FACTS)
    assert [outcome.rule for outcome in outcomes] == rules
    assert not is_eligible(outcomes)
    screened = evaluate(rules, FACTS, kinds=SCREENING_KINDS)
    assert [outcome.rule for outcome in screened] == [rules[1], rules[3]]
    assert is_eligible(screened)
    assert set(RULE_KINDS) - {"mentoring_completed", "readiness_at_least"} == SCREENING_KINDS
    with pytest.raises(ValueError):
        evaluate(rules, FACTS, kinds=["sector"])


# -- describe --------------------------------------------------------------------------------


def test_describe_in_english():
    assert describe(TurnoverBelow(amount_minor=5_000_000_000, currency="INR")) == (
        "Annual turnover below ₹50,000,000.00"
    )
    assert describe(SectorIn(sectors=("food", "textiles"))) == (
        "Sector is one of: Processed food and beverages, Textiles and apparel"
    )
    assert describe(ProvinceIn(provinces=("ID-JB", "IN-KA"))) == (
        "Province or state is one of: Jawa Barat, Karnātaka"
    )
    assert describe(CountryIn(countries=("ID", "IN"))) == "Country is one of: Indonesia, India"
    assert describe(IdentifiersRequired(identifiers=("gstin", "udyam"))) == (
        "Holds these identifiers: GSTIN, Udyam"
    )
    assert describe(
        MentoringCompleted(ministries=(3, 12)), organisation_names={3: "Ministry of Trade"}
    ) == ("Completed mentoring with any of: Ministry of Trade, organisation #12")
    assert describe(ReadinessAtLeast(score=60)) == "Export readiness score of at least 60"


def test_money_follows_the_active_language():
    with translation.override("id"):
        text = describe(TurnoverBelow(amount_minor=150_000_000_00, currency="IDR"))
    assert "150.000.000,00" in text


@pytest.mark.parametrize("language", ["id", "hi"])
def test_describe_and_evaluate_in_other_languages(language):
    rules = parse_rules(
        [
            {"kind": "turnover_below", "amount_minor": 5_000_000_000, "currency": "INR"},
            {"kind": "sector_in", "sectors": ["food", "textiles"]},
            {"kind": "province_in", "provinces": ["ID-JB", "IN-KA"]},
            {"kind": "country_in", "countries": ["IN"]},
            {"kind": "identifiers_required", "identifiers": ["gstin", "iec"]},
            {"kind": "mentoring_completed", "ministries": [12]},
            {"kind": "readiness_at_least", "score": 60},
        ]
    )
    with translation.override(language):
        for rule in rules:
            assert isinstance(describe(rule), str) and describe(rule)
        outcomes = evaluate(rules, facts(readiness=None, turnover_currency="IDR"))
    assert all(isinstance(outcome.explanation, str) for outcome in outcomes)
    with translation.override(language), pytest.raises(RulesInvalid) as caught:
        parse_rules([{"kind": "sector_in", "sectors": ["cars"]}])
    assert caught.value.field == "rules[0].sectors[0]"
