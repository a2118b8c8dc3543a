"""Where each value of a business came from, and which one is current.

The rule, shown on every business page:

1. an empty value never wins;
2. the value from the source with the lowest priority number wins (officers set priorities,
   for example a tax authority's roster above a trade fair's sign-up sheet);
3. between sources of equal priority, the most recently imported value wins (later upload,
   then later row).

Every value any source gave is kept, so a disagreement is shown, never lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from niaga.registry.linkage.normalise import normalise_business_name

CURRENT_VALUE_RULE = _(
    "An empty value never wins; the source with the lowest priority number wins; between "
    "sources of equal priority, the most recently imported value wins."
)

# Roster field → Business attribute, for the fields that are copied as text.
TEXT_FIELDS = {
    "business_name": "name",
    "owner_name": "owner_name",
    "nib": "nib",
    "npwp": "npwp",
    "udyam": "udyam",
    "gstin": "gstin",
    "pan": "pan",
    "iec": "iec",
    "address": "address",
    "province": "province",
    "district": "district",
    "postcode": "postcode",
    "phone": "phone",
    "email": "email",
    "sector": "sector",
    "products": "products",
    "mentoring_programme": "mentoring_programme",
    "country": "country",
}
IDENTIFIER_FIELDS = ("gstin", "pan", "udyam", "iec", "nib", "npwp")
TRACKED_FIELDS = (*TEXT_FIELDS, "employees", "annual_turnover", "mentoring_completed_on")


@dataclass(frozen=True)
class Observation:
    field: str
    value: str
    priority: int
    observed_at: datetime
    row_number: int
    source: str = ""
    row_id: int | None = None


def observations_from(values: dict) -> dict[str, str]:
    """A validated row's values as the text each field records, empty ones left out."""
    texts: dict[str, str] = {}
    for field in TRACKED_FIELDS:
        value = values.get(field)
        if value in (None, "", {}):
            continue
        if field == "annual_turnover":
            texts[field] = f"{value['amount']} {value['currency']}"
        else:
            texts[field] = str(value)
    return texts


def current_values(observations: Iterable[Observation]) -> dict[str, str]:
    """The current value of each field under the rule above."""
    best: dict[str, Observation] = {}
    for observation in observations:
        if not observation.value:
            continue
        held = best.get(observation.field)
        if held is None or _outranks(observation, held):
            best[observation.field] = observation
    return {field: observation.value for field, observation in best.items()}


def _outranks(candidate: Observation, held: Observation) -> bool:
    if candidate.priority != held.priority:
        return candidate.priority < held.priority
    return (candidate.observed_at, candidate.row_number) > (held.observed_at, held.row_number)


def business_attributes(current: dict[str, str]) -> dict[str, object]:
    """Business model attributes from current text values."""
    attributes: dict[str, object] = {
        attribute: current.get(field, "") for field, attribute in TEXT_FIELDS.items()
    }
    attributes["normalised_name"] = normalise_business_name(attributes["name"] or "")[:255]
    employees = current.get("employees")
    attributes["employees"] = int(employees) if employees else None
    turnover = current.get("annual_turnover")
    if turnover:
        amount, currency = turnover.split(" ")
        attributes["annual_turnover_minor"], attributes["turnover_currency"] = int(amount), currency
    else:
        attributes["annual_turnover_minor"], attributes["turnover_currency"] = None, ""
    completed = current.get("mentoring_completed_on")
    attributes["mentoring_completed_on"] = date.fromisoformat(completed) if completed else None
    return attributes
