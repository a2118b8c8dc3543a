import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

from niaga.assurance.references import (
    MAX_ORDER_NUMBER,
    MAX_SEQUENCE,
    ReferenceInvalid,
    find_references,
    milestone_reference,
    parse_reference,
)

orders = st.integers(min_value=1, max_value=MAX_ORDER_NUMBER)
sequences = st.integers(min_value=1, max_value=MAX_SEQUENCE)


# -- building ------------------------------------------------------------------------------------


def test_a_reference_names_the_order_and_the_milestone():
    reference = milestone_reference(1234, 2)
    assert reference == "RF32NGA0001234M2"
    assert iso11649.is_valid(reference)
    assert iso11649.format(reference) == "RF32 NGA0 0012 34M2"


def test_the_longest_reference_fits_iso_11649():
    reference = milestone_reference(MAX_ORDER_NUMBER, MAX_SEQUENCE)
    assert len(reference) <= 25
    assert iso11649.is_valid(reference)


@pytest.mark.parametrize(
    ("order", "sequence", "field"),
    [
        (0, 1, "order_number"),
        (-5, 1, "order_number"),
        (MAX_ORDER_NUMBER + 1, 1, "order_number"),
        (True, 1, "order_number"),
        ("12", 1, "order_number"),
        (12, 0, "sequence"),
        (12, MAX_SEQUENCE + 1, "sequence"),
        (12, 1.0, "sequence"),
    ],
)
def test_impossible_orders_and_milestones_are_refused(order, sequence, field):
    with pytest.raises(ReferenceInvalid) as caught:
        milestone_reference(order, sequence)
    assert caught.value.field == field
    assert caught.value.code == "reference_invalid"
    assert caught.value.status == 422


@given(orders, sequences)
def test_references_round_trip(order, sequence):
    reference = milestone_reference(order, sequence)
    assert iso11649.is_valid(reference)
    assert len(reference) <= 25
    assert parse_reference(reference) == (order, sequence)
    assert parse_reference(iso11649.format(reference).lower()) == (order, sequence)


# -- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["RF32NGA0001234M2", "rf32nga0001234m2", " RF32 NGA0 0012 34M2 ", "RF32-NGA0-0012-34M2"],
)
def test_parse_forgives_spacing_and_case(written):
    assert parse_reference(written) == (1234, 2)


def test_a_wrong_check_digit_is_named():
    with pytest.raises(ReferenceInvalid, match="check digits") as caught:
        parse_reference("RF33NGA0001234M2")
    assert caught.value.field == "reference"
    assert caught.value.params["reference"] == "RF33NGA0001234M2"


def test_a_typo_in_the_body_is_caught():
    with pytest.raises(ReferenceInvalid, match="check digits"):
        parse_reference("RF32NGA0001243M2")


@pytest.mark.parametrize(
    "written",
    [
        "",
        "hello",
        "RF18539007547034",  # a valid creditor reference, not ours
        iso11649.compact("RF45 NGA0 0001 234M 2X"),
        123,
        None,
    ],
)
def test_what_is_not_a_niaga_reference_is_refused(written):
    with pytest.raises(ReferenceInvalid) as caught:
        parse_reference(written)
    assert caught.value.code == "reference_invalid"


def test_a_valid_checksum_with_extra_padding_is_not_canonical():
    # Same order and milestone, but not the form Niaga hands out: a second spelling of one
    # reference would let one payment match under two names.
    body = "NGA00001234M2"
    padded = "RF" + mod_97_10.calc_check_digits(body + "RF") + body
    assert iso11649.is_valid(padded)
    with pytest.raises(ReferenceInvalid):
        parse_reference(padded)


# -- finding in remittance text ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "RF32NGA0001234M2",
        "Payment RF32NGA0001234M2 thanks",
        "payment rf32nga0001234m2",
        "/RF32 NGA0 0012 34M2",
        "/RFB/RF32 NGA0 0012 34M2 PO 4471",
        "INVOICE 88 PAYMENT RF32 NGA0 00\n12 34M2 KAVEH",
        "REF:RF32NGA0001234M2;INV-9",
        "RF32 NGA0\r\n0012 34M2",
        "RF32NGA0001234M2 12 pallets",
        "(RF32NGA0001234M2)",
    ],
)
def test_find_references_reads_what_banks_print(text):
    assert find_references(text) == ["RF32NGA0001234M2"]


def test_find_references_lists_each_once_in_order():
    text = "RF59NGA0001234M1 and rf32 nga0 0012 34m2, again RF59NGA0001234M1"
    assert find_references(text) == ["RF59NGA0001234M1", "RF32NGA0001234M2"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no reference here",
        "RF33NGA0001234M2",  # wrong check digits
        "RF32NGA0001234M23",  # runs on into another number
        "RF18539007547034",  # someone else's creditor reference
        "RF32 NGA0 0012 34M",
    ],
)
def test_find_references_ignores_what_is_not_a_valid_niaga_reference(text):
    assert find_references(text) == []


def test_find_references_takes_only_text():
    assert find_references(None) == []  # type: ignore[arg-type]


noise = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@given(orders, sequences, noise, noise, st.booleans(), st.booleans())
def test_find_references_finds_one_embedded_in_random_text(
    order, sequence, before, after, grouped, lower
):
    reference = milestone_reference(order, sequence)
    printed = iso11649.format(reference) if grouped else reference
    printed = printed.lower() if lower else printed
    # Text around a reference is set apart from it, as any bank prints it. A grouped reference
    # followed by a space and digits ("… 34M2 56") is ambiguous by nature: "…M256" may check
    # out too (one time in 97), so there the test ends the reference with punctuation.
    text = f"{before} {printed}{'; ' if grouped else ' '}{after}"
    assert reference in find_references(text)


@given(st.text(max_size=200))
def test_find_references_only_returns_valid_references(text):
    for found in find_references(text):
        assert iso11649.is_valid(found)
        order, sequence = parse_reference(found)
        assert milestone_reference(order, sequence) == found
