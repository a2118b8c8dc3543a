"""Eligibility rules of a programme: a JSON document parsed into typed rules and checked.

A programme's rules are data, versioned elsewhere: a list of objects, each with a ``kind`` and
that kind's parameters, for example::

    [
        {"kind": "turnover_below", "amount_minor": 5000000000, "currency": "INR"},
        {"kind": "sector_in", "sectors": ["food", "textiles"]},
        {"kind": "readiness_at_least", "score": 60},
    ]

A business is eligible when it passes every rule; an empty list is open to all. Nothing here
touches the database: the caller gathers a business's :class:`Facts` and the names of the
organisations that mentoring rules mention.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, TypeAlias

import pycountry
from django.conf import settings
from django.utils.translation import get_language, ngettext, to_locale
from django.utils.translation import gettext as _

from niaga.core.errors import NiagaError
from niaga.core.identifiers import IdentifierKind
from niaga.core.money import CurrencyError, Money, currency_exponent
from niaga.core.sectors import Sector

__all__ = [
    "MAX_RULES",
    "RULE_KINDS",
    "SCREENING_KINDS",
    "CountryIn",
    "Facts",
    "IdentifiersRequired",
    "MentoringCompleted",
    "Outcome",
    "ProvinceIn",
    "ReadinessAtLeast",
    "Rule",
    "RulesInvalid",
    "SectorIn",
    "TurnoverBelow",
    "country_name",
    "describe",
    "evaluate",
    "is_eligible",
    "parse_rules",
    "province_name",
    "rules_document",
    "sector_label",
]

MAX_RULES = 50

# Turnover limits are stored in a signed 64-bit column wherever they are stored.
_MAX_AMOUNT_MINOR = 2**63 - 1


class RulesInvalid(NiagaError):
    """A rules document that cannot be used; ``field`` is the path, e.g. "rules[2].currency"."""

    code = "rules_invalid"
    status = 422


# -- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnoverBelow:
    """Annual turnover known, in ``currency``, and strictly below ``amount_minor``."""

    kind: ClassVar[str] = "turnover_below"
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class SectorIn:
    kind: ClassVar[str] = "sector_in"
    sectors: tuple[str, ...]


@dataclass(frozen=True)
class ProvinceIn:
    """ISO 3166-2 codes; a business in a province within a listed region also passes."""

    kind: ClassVar[str] = "province_in"
    provinces: tuple[str, ...]


@dataclass(frozen=True)
class CountryIn:
    kind: ClassVar[str] = "country_in"
    countries: tuple[str, ...]


@dataclass(frozen=True)
class IdentifiersRequired:
    """The business holds every one of these identifier kinds."""

    kind: ClassVar[str] = "identifiers_required"
    identifiers: tuple[str, ...]


@dataclass(frozen=True)
class MentoringCompleted:
    """The business completed mentoring with any one of these organisations (by id)."""

    kind: ClassVar[str] = "mentoring_completed"
    ministries: tuple[int, ...]


@dataclass(frozen=True)
class ReadinessAtLeast:
    kind: ClassVar[str] = "readiness_at_least"
    score: int


Rule: TypeAlias = (
    TurnoverBelow
    | SectorIn
    | ProvinceIn
    | CountryIn
    | IdentifiersRequired
    | MentoringCompleted
    | ReadinessAtLeast
)

_RULE_CLASSES: tuple[type[Any], ...] = (
    TurnoverBelow,
    SectorIn,
    ProvinceIn,
    CountryIn,
    IdentifiersRequired,
    MentoringCompleted,
    ReadinessAtLeast,
)

RULE_KINDS: tuple[str, ...] = tuple(cls.kind for cls in _RULE_CLASSES)

# What registry data alone can answer: no mentoring record and no questionnaire needed.
SCREENING_KINDS: frozenset[str] = frozenset(RULE_KINDS) - {
    MentoringCompleted.kind,
    ReadinessAtLeast.kind,
}


# -- names in the active language --------------------------------------------------------------


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE or "en"


@lru_cache(maxsize=32)
def _pycountry_catalog(domain: str, language: str) -> gettext_module.NullTranslations:
    locale = to_locale(language)
    return gettext_module.translation(
        domain,
        pycountry.LOCALES_DIR,
        languages=[locale, locale.split("_")[0]],
        fallback=True,
    )


def country_name(code: str) -> str:
    """ "ID" -> "Indonesia", in the active language where pycountry has it; else the code."""
    country = pycountry.countries.get(alpha_2=code.strip().upper()) if code.strip() else None
    if country is None:
        return code
    return _pycountry_catalog("iso3166-1", _language()).gettext(country.name)


def province_name(code: str) -> str:
    """ "ID-JB" -> "Jawa Barat", in the active language where pycountry has it; else the code."""
    subdivision = _subdivision(code)
    if subdivision is None:
        return code
    return _pycountry_catalog("iso3166-2", _language()).gettext(subdivision.name)


def sector_label(code: str) -> str:
    """ "food" -> "Processed food and beverages" in the active language; else the code."""
    try:
        return str(Sector(code).label)
    except ValueError:
        return code


def _identifier_label(code: str) -> str:
    try:
        return IdentifierKind(code).label
    except ValueError:
        return code


def _subdivision(code: str) -> Any:
    code = code.strip().upper()
    return pycountry.subdivisions.get(code=code) if "-" in code else None


def _joined(names: Iterable[str]) -> str:
    return ", ".join(names)


def _organisation(organisation_id: int, names: Mapping[int, str] | None) -> str:
    if names and organisation_id in names:
        return names[organisation_id]
    return _("organisation #%(id)s") % {"id": organisation_id}


def _money(amount_minor: int, currency: str) -> str:
    return Money(amount_minor, currency).format(_language())


# -- parsing -----------------------------------------------------------------------------------


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


class _Where:
    """Where in the document a problem is: a machine path and the same in plain words."""

    def __init__(self, index: int | None = None, parameter: str | None = None) -> None:
        self.index = index
        self.parameter = parameter

    def path(self, item: int | None = None) -> str:
        path = "rules" if self.index is None else f"rules[{self.index}]"
        if self.parameter is not None:
            path += f".{self.parameter}"
        if item is not None:
            path += f"[{item}]"
        return path

    def words(self, item: int | None = None) -> str:
        if self.index is None:
            return _("The rules")
        number = self.index + 1
        if self.parameter is None:
            return _("Rule %(number)s") % {"number": number}
        if item is None:
            return _("Rule %(number)s, “%(parameter)s”") % {
                "number": number,
                "parameter": self.parameter,
            }
        return _("Rule %(number)s, “%(parameter)s”, value %(item)s") % {
            "number": number,
            "parameter": self.parameter,
            "item": item + 1,
        }

    def invalid(self, problem: str, *, item: int | None = None, **params: Any) -> RulesInvalid:
        return RulesInvalid(
            _("%(where)s: %(problem)s") % {"where": self.words(item), "problem": problem},
            field=self.path(item),
            params=params,
        )


def _whole_number(value: object, where: _Where, *, low: int, high: int) -> int:
    if type(value) is not int:  # bool is an int subclass; True is not a number of anything
        raise where.invalid(_("it must be a whole number."), value=_shown(value))
    if not low <= value <= high:
        raise where.invalid(
            _("it must be between %(low)s and %(high)s.") % {"low": low, "high": high},
            value=value,
        )
    return value


def _currency(value: object, where: _Where) -> str:
    if not isinstance(value, str):
        raise where.invalid(_("it must be a currency code such as INR or IDR."))
    try:
        currency_exponent(value)
    except CurrencyError:
        raise where.invalid(
            _(
                "“%(value)s” is not an ISO 4217 currency code (such as INR or IDR), or not one "
                "that amounts can be held in."
            )
            % {"value": _shown(value)},
            value=_shown(value),
        ) from None
    return value.strip().upper()


def _list_of(
    value: object, where: _Where, normalise: Callable[[object, _Where, int], Any]
) -> tuple[Any, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise where.invalid(_("it must be a list with at least one value."))
    seen: dict[Any, int] = {}
    for item, raw in enumerate(value):
        normalised = normalise(raw, where, item)
        if normalised in seen:
            raise where.invalid(
                _("“%(value)s” appears more than once (first as value %(first)s).")
                % {"value": _shown(raw), "first": seen[normalised] + 1},
                item=item,
                value=_shown(raw),
            )
        seen[normalised] = item
    return tuple(seen)


def _text(raw: object, where: _Where, item: int) -> str:
    if not isinstance(raw, str):
        raise where.invalid(_("it must be text."), item=item, value=_shown(raw))
    return raw.strip()


def _sector(raw: object, where: _Where, item: int) -> str:
    code = _text(raw, where, item).lower()
    if code not in Sector.values:
        raise where.invalid(
            _("“%(value)s” is not a sector. Known sectors: %(known)s.")
            % {"value": _shown(raw), "known": _joined(Sector.values)},
            item=item,
            value=_shown(raw),
        )
    return code


def _province(raw: object, where: _Where, item: int) -> str:
    code = _text(raw, where, item).upper()
    if _subdivision(code) is None:
        raise where.invalid(
            _("“%(value)s” is not an ISO 3166-2 province or state code (such as ID-JB or IN-KA).")
            % {"value": _shown(raw)},
            item=item,
            value=_shown(raw),
        )
    return code


def _country(raw: object, where: _Where, item: int) -> str:
    code = _text(raw, where, item).upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise where.invalid(
            _("“%(value)s” is not an ISO 3166-1 two-letter country code (such as ID or IN).")
            % {"value": _shown(raw)},
            item=item,
            value=_shown(raw),
        )
    return code


def _identifier_kind(raw: object, where: _Where, item: int) -> str:
    code = _text(raw, where, item).lower()
    if code not in {kind.value for kind in IdentifierKind}:
        raise where.invalid(
            _("“%(value)s” is not a kind of identifier. Known kinds: %(known)s.")
            % {"value": _shown(raw), "known": _joined(kind.value for kind in IdentifierKind)},
            item=item,
            value=_shown(raw),
        )
    return code


def _organisation_id(raw: object, where: _Where, item: int) -> int:
    if type(raw) is not int or raw <= 0:
        raise where.invalid(
            _("it must be an organisation's id, a whole number above zero."),
            item=item,
            value=_shown(raw),
        )
    return raw


# Each kind's parameters, in document order, and how to read one.
_ParamReader = Callable[[object, _Where], Any]
_PARAMETERS: Mapping[str, Mapping[str, _ParamReader]] = {
    TurnoverBelow.kind: {
        "amount_minor": lambda v, w: _whole_number(v, w, low=1, high=_MAX_AMOUNT_MINOR),
        "currency": _currency,
    },
    SectorIn.kind: {"sectors": lambda v, w: _list_of(v, w, _sector)},
    ProvinceIn.kind: {"provinces": lambda v, w: _list_of(v, w, _province)},
    CountryIn.kind: {"countries": lambda v, w: _list_of(v, w, _country)},
    IdentifiersRequired.kind: {"identifiers": lambda v, w: _list_of(v, w, _identifier_kind)},
    MentoringCompleted.kind: {"ministries": lambda v, w: _list_of(v, w, _organisation_id)},
    ReadinessAtLeast.kind: {"score": lambda v, w: _whole_number(v, w, low=0, high=100)},
}
_CLASS_OF: Mapping[str, type[Any]] = {cls.kind: cls for cls in _RULE_CLASSES}


def _parse_rule(index: int, raw: object, first_of_kind: dict[str, int]) -> Rule:
    where = _Where(index)
    if not isinstance(raw, Mapping):
        raise where.invalid(_("a rule must be an object with a “kind” and its parameters."))
    kind_where = _Where(index, "kind")
    if "kind" not in raw:
        raise kind_where.invalid(_("it is missing; every rule needs a kind."))
    kind = raw["kind"]
    if not isinstance(kind, str) or kind not in _PARAMETERS:
        raise kind_where.invalid(
            _("“%(value)s” is not a kind of rule. Known kinds: %(known)s.")
            % {"value": _shown(kind), "known": _joined(RULE_KINDS)},
            value=_shown(kind),
        )
    if kind in first_of_kind:
        raise kind_where.invalid(
            _("rule %(first)s is already a “%(kind)s” rule; put all its values in one rule.")
            % {"first": first_of_kind[kind] + 1, "kind": kind},
            value=kind,
        )
    first_of_kind[kind] = index
    parameters = _PARAMETERS[kind]
    for name in parameters:
        if name not in raw:
            raise _Where(index, name).invalid(
                _("it is missing; a “%(kind)s” rule needs it.") % {"kind": kind}
            )
    extra = sorted(str(key) for key in raw if key != "kind" and key not in parameters)
    if extra:
        raise _Where(index, extra[0]).invalid(
            _("a “%(kind)s” rule has no such parameter; it takes: %(known)s.")
            % {"kind": kind, "known": _joined(parameters)}
        )
    values = {name: read(raw[name], _Where(index, name)) for name, read in parameters.items()}
    return _CLASS_OF[kind](**values)  # type: ignore[no-any-return]


def parse_rules(document: object) -> list[Rule]:
    """The rules of a document (a JSON list of objects), or RulesInvalid naming the bad part.

    Codes are normalised (currency and country codes upper case, sectors and identifier kinds
    lower case); a value repeated within a list, or a second rule of one kind, is refused.
    """
    where = _Where()
    if not isinstance(document, list | tuple):
        raise where.invalid(_("they must be a list of rules."))
    if len(document) > MAX_RULES:
        raise where.invalid(
            _("there are %(count)s rules and at most %(limit)s are allowed.")
            % {"count": len(document), "limit": MAX_RULES},
            count=len(document),
        )
    first_of_kind: dict[str, int] = {}
    return [_parse_rule(index, raw, first_of_kind) for index, raw in enumerate(document)]


def _rule_document(rule: Rule) -> dict[str, Any]:
    values: dict[str, Any] = {"kind": rule.kind}
    for name in _PARAMETERS[rule.kind]:
        value = getattr(rule, name)
        values[name] = list(value) if isinstance(value, tuple) else value
    return values


def rules_document(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    """The JSON-able document of ``rules``; ``parse_rules`` reads it back to equal rules."""
    return [_rule_document(rule) for rule in rules]


# -- business facts and evaluation -------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What is known of one business, gathered by the caller."""

    country: str
    province: str
    sector: str
    turnover_minor: int | None
    turnover_currency: str
    identifiers: frozenset[str]  # identifier kinds held, lower case: {"gstin", "udyam"}
    mentored_by: frozenset[int]  # organisations whose mentoring the business completed
    readiness: int | None  # the latest export readiness score, 0..100


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    passed: bool
    explanation: str


def describe(rule: Rule, *, organisation_names: Mapping[int, str] | None = None) -> str:
    """The rule in plain words, in the active language."""
    if isinstance(rule, TurnoverBelow):
        return _("Annual turnover below %(amount)s") % {
            "amount": _money(rule.amount_minor, rule.currency)
        }
    if isinstance(rule, SectorIn):
        return _("Sector is one of: %(sectors)s") % {
            "sectors": _joined(sector_label(code) for code in rule.sectors)
        }
    if isinstance(rule, ProvinceIn):
        return _("Province or state is one of: %(provinces)s") % {
            "provinces": _joined(province_name(code) for code in rule.provinces)
        }
    if isinstance(rule, CountryIn):
        return _("Country is one of: %(countries)s") % {
            "countries": _joined(country_name(code) for code in rule.countries)
        }
    if isinstance(rule, IdentifiersRequired):
        return _("Holds these identifiers: %(identifiers)s") % {
            "identifiers": _joined(_identifier_label(code) for code in rule.identifiers)
        }
    if isinstance(rule, MentoringCompleted):
        return _("Completed mentoring with any of: %(organisations)s") % {
            "organisations": _joined(
                _organisation(organisation, organisation_names) for organisation in rule.ministries
            )
        }
    if isinstance(rule, ReadinessAtLeast):
        return _("Export readiness score of at least %(score)s") % {"score": rule.score}
    raise TypeError(f"not a rule: {rule!r}")


def _check_turnover(rule: TurnoverBelow, facts: Facts) -> tuple[bool, str]:
    limit = _money(rule.amount_minor, rule.currency)
    if facts.turnover_minor is None:
        return False, _("Turnover not known")
    currency = facts.turnover_currency.strip().upper()
    if currency != rule.currency:
        return False, _(
            "Turnover is recorded in %(have)s and the limit is in %(need)s; they cannot be "
            "compared without an exchange rate"
        ) % {"have": currency or "?", "need": rule.currency}
    turnover = _money(facts.turnover_minor, rule.currency)
    if facts.turnover_minor < rule.amount_minor:
        return True, _("Annual turnover %(turnover)s is below %(limit)s") % {
            "turnover": turnover,
            "limit": limit,
        }
    return False, _("Annual turnover is %(turnover)s; it must be below %(limit)s") % {
        "turnover": turnover,
        "limit": limit,
    }


def _check_sector(rule: SectorIn, facts: Facts) -> tuple[bool, str]:
    sector = facts.sector.strip().lower()
    if not sector:
        return False, _("Sector not known")
    if sector in rule.sectors:
        return True, _("Sector %(sector)s is accepted") % {"sector": sector_label(sector)}
    return False, _("Sector %(sector)s is not one of those accepted") % {
        "sector": sector_label(sector)
    }


def _regions_of(province: str) -> list[str]:
    """The province and every region it lies within (ID-JB, then ID-JW)."""
    regions: list[str] = []
    code: str | None = province.strip().upper()
    while code and code not in regions:
        regions.append(code)
        subdivision = _subdivision(code)
        code = getattr(subdivision, "parent_code", None) if subdivision else None
    return regions


def _check_province(rule: ProvinceIn, facts: Facts) -> tuple[bool, str]:
    if not facts.province.strip():
        return False, _("Province or state not known")
    name = province_name(facts.province)
    if any(region in rule.provinces for region in _regions_of(facts.province)):
        return True, _("Province or state %(province)s is accepted") % {"province": name}
    return False, _("Province or state %(province)s is not one of those accepted") % {
        "province": name
    }


def _check_country(rule: CountryIn, facts: Facts) -> tuple[bool, str]:
    country = facts.country.strip().upper()
    if not country:
        return False, _("Country not known")
    if country in rule.countries:
        return True, _("Country %(country)s is accepted") % {"country": country_name(country)}
    return False, _("Country %(country)s is not one of those accepted") % {
        "country": country_name(country)
    }


def _check_identifiers(rule: IdentifiersRequired, facts: Facts) -> tuple[bool, str]:
    held = {kind.strip().lower() for kind in facts.identifiers}
    missing = [kind for kind in rule.identifiers if kind not in held]
    if not missing:
        return True, _("Holds %(identifiers)s") % {
            "identifiers": _joined(_identifier_label(kind) for kind in rule.identifiers)
        }
    return False, ngettext(
        "No %(identifiers)s on record",
        "Not on record: %(identifiers)s",
        len(missing),
    ) % {"identifiers": _joined(_identifier_label(kind) for kind in missing)}


def _check_mentoring(
    rule: MentoringCompleted, facts: Facts, names: Mapping[int, str] | None
) -> tuple[bool, str]:
    done = [organisation for organisation in rule.ministries if organisation in facts.mentored_by]
    if done:
        return True, _("Completed mentoring with %(organisation)s") % {
            "organisation": _organisation(done[0], names)
        }
    return False, _("No completed mentoring with any of: %(organisations)s") % {
        "organisations": _joined(_organisation(org, names) for org in rule.ministries)
    }


def _check_readiness(rule: ReadinessAtLeast, facts: Facts) -> tuple[bool, str]:
    if facts.readiness is None:
        return False, _("No export readiness score yet; %(needed)s is needed") % {
            "needed": rule.score
        }
    values = {"score": facts.readiness, "needed": rule.score}
    if facts.readiness >= rule.score:
        return True, _("Readiness score %(score)s meets the %(needed)s needed") % values
    return False, _("Readiness score is %(score)s; %(needed)s is needed") % values


def _check(rule: Rule, facts: Facts, names: Mapping[int, str] | None) -> tuple[bool, str]:
    if isinstance(rule, TurnoverBelow):
        return _check_turnover(rule, facts)
    if isinstance(rule, SectorIn):
        return _check_sector(rule, facts)
    if isinstance(rule, ProvinceIn):
        return _check_province(rule, facts)
    if isinstance(rule, CountryIn):
        return _check_country(rule, facts)
    if isinstance(rule, IdentifiersRequired):
        return _check_identifiers(rule, facts)
    if isinstance(rule, MentoringCompleted):
        return _check_mentoring(rule, facts, names)
    if isinstance(rule, ReadinessAtLeast):
        return _check_readiness(rule, facts)
    raise TypeError(f"not a rule: {rule!r}")


def evaluate(
    rules: Iterable[Rule],
    facts: Facts,
    *,
    kinds: Collection[str] | None = None,
    organisation_names: Mapping[int, str] | None = None,
) -> list[Outcome]:
    """One outcome per rule, in the rules' order; ``kinds`` checks only rules of those kinds.

    Explanations are in the active language; ``organisation_names`` names mentoring
    organisations by id (otherwise "organisation #12").
    """
    if kinds is not None:
        unknown = set(kinds) - set(RULE_KINDS)
        if unknown:
            raise ValueError(f"unknown rule kinds: {sorted(unknown)}")
    outcomes = []
    for rule in rules:
        if kinds is not None and rule.kind not in kinds:
            continue
        passed, explanation = _check(rule, facts, organisation_names)
        outcomes.append(Outcome(rule=rule, passed=passed, explanation=str(explanation)))
    return outcomes


def is_eligible(outcomes: Iterable[Outcome]) -> bool:
    """True when every outcome passed (no outcomes: open to all)."""
    return all(outcome.passed for outcome in outcomes)
