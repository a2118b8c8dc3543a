"""Payment references: ISO 11649 structured creditor references ("RF" references).

A buyer quotes one reference per payment milestone, so a bank credit can be matched to the
milestone it pays without anyone reading the remittance text. The reference is

    RF <2 check digits> NGA <order number, at least 7 digits> M <milestone sequence>

e.g. ``RF32NGA0001234M2`` for order 1234, milestone 2, printed as ``RF32 NGA0 0012 34M2``. The
check digits (ISO 7064 Mod 97-10, computed and verified by python-stdnum) catch every single
typo and almost every transposition, and the form fits the 25 characters that SEPA, camt and
most banks' remittance fields carry for a structured reference.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

from niaga.core.errors import NiagaError

__all__ = [
    "MAX_ORDER_NUMBER",
    "MAX_SEQUENCE",
    "ReferenceInvalid",
    "find_references",
    "milestone_reference",
    "parse_reference",
]

_PREFIX = "NGA"
_ORDER_DIGITS = 7  # zero-padded to this width, so references of early orders look alike
MAX_ORDER_NUMBER = 9_999_999_999  # 10 digits
MAX_SEQUENCE = 999
_MAX_LENGTH = 25  # ISO 11649

# The compact, canonical form: no leading zeros beyond the padding, none in the sequence.
_CANONICAL = re.compile(r"RF([0-9]{2})NGA([0-9]{7}|[1-9][0-9]{7,9})M([1-9][0-9]{0,2})")

# Shaped like a Niaga reference, whatever its check digits and padding.
_LOOSE = re.compile(r"RF[0-9]{2}NGA[0-9]+M[0-9]+")

_START = re.compile(r"[Rr][Ff]")

# Between two characters of a reference a bank or a person may put a space (groups of four), a
# line break (fixed-width remittance lines) or both; never more.
_GAP = re.compile(r"[ \t\r\n\u00a0]{1,3}")


class ReferenceInvalid(NiagaError):
    code = "reference_invalid"
    status = 422


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def milestone_reference(order_number: int, sequence: int) -> str:
    """The compact payment reference of milestone ``sequence`` (1-based) of an order."""
    if type(order_number) is not int or not 1 <= order_number <= MAX_ORDER_NUMBER:
        raise ReferenceInvalid(
            _("An order number is a whole number from 1 to %(maximum)s, not %(value)s.")
            % {"maximum": MAX_ORDER_NUMBER, "value": _shown(order_number)},
            field="order_number",
            params={"value": _shown(order_number)},
        )
    if type(sequence) is not int or not 1 <= sequence <= MAX_SEQUENCE:
        raise ReferenceInvalid(
            _("A milestone number is a whole number from 1 to %(maximum)s, not %(value)s.")
            % {"maximum": MAX_SEQUENCE, "value": _shown(sequence)},
            field="sequence",
            params={"value": _shown(sequence)},
        )
    body = f"{_PREFIX}{order_number:0{_ORDER_DIGITS}d}M{sequence}"
    # ISO 11649: the check digits make body + "RF" + check ≡ 1 (mod 97).
    reference = "RF" + mod_97_10.calc_check_digits(body + "RF") + body
    assert len(reference) <= _MAX_LENGTH and iso11649.is_valid(reference)
    return reference


def _canonical_parts(compact: str) -> tuple[int, int] | None:
    """(order, sequence) when ``compact`` is exactly a reference this module would build."""
    match = _CANONICAL.fullmatch(compact)
    if not match or not iso11649.is_valid(compact):
        return None
    order, sequence = int(match[2]), int(match[3])
    if not 1 <= order <= MAX_ORDER_NUMBER:
        return None
    return order, sequence


def parse_reference(reference: str) -> tuple[int, int]:
    """(order number, milestone sequence) of a Niaga payment reference.

    Spaces, dashes and lower case are forgiven (``rf35 nga0 0012 34m2``); anything that is not
    a Niaga reference with correct check digits is refused.
    """
    if not isinstance(reference, str):
        raise ReferenceInvalid(
            _("%(reference)s is not a payment reference.") % {"reference": _shown(reference)},
            field="reference",
        )
    compact = iso11649.compact(reference)
    parts = _canonical_parts(compact)
    if parts is not None:
        return parts
    if _LOOSE.fullmatch(compact) and not iso11649.is_valid(compact):
        message = _(
            "“%(reference)s” is not a valid payment reference: its check digits do not match. "
            "Copy it again from the order."
        )
    else:
        message = _(
            "“%(reference)s” is not a Niaga payment reference; they look like RF32 NGA0 0012 34M2."
        )
    raise ReferenceInvalid(
        message % {"reference": _shown(reference)},
        field="reference",
        params={"reference": _shown(reference)},
    )


def _candidates(text: str, start: int) -> list[tuple[int, str, tuple[int, ...]]]:
    """Every prefix of the token that starts at ``start``: (end, compact form, gap positions).

    The token is letters and digits with at most a short run of whitespace between any two; a
    gap's position is the number of characters before it.
    """
    found: list[tuple[int, str, tuple[int, ...]]] = []
    compact: list[str] = []
    gaps: list[int] = []
    position = start
    while position < len(text) and len(compact) < _MAX_LENGTH:
        char = text[position]
        if char.isascii() and char.isalnum():
            compact.append(char.upper())
            position += 1
            following = text[position] if position < len(text) else ""
            # A reference does not end in the middle of a run of digits ("M23" is not "M2").
            if not (following.isascii() and following.isdigit()):
                found.append((position, "".join(compact), tuple(gaps)))
            continue
        gap = _GAP.match(text, position)
        if not gap or not compact:
            break
        gaps.append(len(compact))
        position = gap.end()
    return found


def _printed_as_usual(compact: str, gaps: tuple[int, ...]) -> bool:
    """Written whole, or in groups of four: the two ways references are printed."""
    return not gaps or gaps == tuple(range(4, len(compact), 4))


def find_references(text: str) -> list[str]:
    """Every valid Niaga payment reference in free remittance text, compact and upper-case.

    Banks and payers add prefixes ("/RF32…", "REF:"), lower-case it, print it in groups of four
    or break it across lines; all of that is forgiven. A reference whose check digits do not
    match is ignored. Each reference is listed once, in order of first appearance.

    When more than one reading is valid ("RF… M2 5 pallets" where "…M25" also checks out, one
    time in 97), a reading printed whole or in groups of four beats one broken elsewhere, and
    then the longer one wins.
    """
    if not isinstance(text, str):
        return []
    found: list[str] = []
    position = 0
    while match := _START.search(text, position):
        start = match.start()
        best: tuple[int, str] | None = None
        best_rank: tuple[bool, int] | None = None
        for end, compact, gaps in _candidates(text, start):
            if _canonical_parts(compact) is None:
                continue
            rank = (not _printed_as_usual(compact, gaps), -len(compact))
            if best_rank is None or rank < best_rank:
                best, best_rank = (end, compact), rank
        if best is None:
            position = start + 1
            continue
        if best[1] not in found:
            found.append(best[1])
        position = best[0]
    return found
