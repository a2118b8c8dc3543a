"""The export readiness questionnaire and its score.

It follows the organisational-readiness-to-export (ORE) tradition: a firm is ready to export
when it has the capacity to deliver, management committed to exporting, money set aside, a
product it can adapt, market knowledge, and the papers exporting takes. Ten dimensions, each
weighted; the weights sum to 100 so a score reads as "out of 100".

Codes (dimension, question, choice) are stable and are what gets stored; texts are translated
when shown, so a stored assessment re-renders in whatever language its reader uses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Any, TypeAlias

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from niaga.core.errors import NiagaError

__all__ = [
    "MAX_IMPROVEMENTS",
    "QUESTIONNAIRE",
    "QUESTIONNAIRE_VERSION",
    "AnswersInvalid",
    "Assessment",
    "Choice",
    "Dimension",
    "DimensionScore",
    "Improvement",
    "Question",
    "assessment_from_dict",
    "dimension",
    "questions",
    "score",
]

# Bumped when a change to the questionnaire changes what a stored score means.
QUESTIONNAIRE_VERSION = 1

MAX_IMPROVEMENTS = 3

Text: TypeAlias = "str | Promise"  # a lazily translated string, rendered when shown


class AnswersInvalid(NiagaError):
    """Answers that cannot be scored; ``field`` is the question code at fault."""

    code = "answers_invalid"
    status = 422


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text
    points: int


@dataclass(frozen=True)
class Question:
    code: str
    text: Text
    choices: tuple[Choice, ...]

    @property
    def max_points(self) -> int:
        return max(choice.points for choice in self.choices)

    def choice(self, code: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.code == code), None)


@dataclass(frozen=True)
class Dimension:
    code: str
    label: Text
    weight: int
    advice: Text  # one sentence: what to do to gain the points this dimension is missing
    questions: tuple[Question, ...]

    @property
    def max_points(self) -> int:
        return sum(question.max_points for question in self.questions)


def _question(code: str, text: Text, *choices: tuple[str, Text, int]) -> Question:
    return Question(code, text, tuple(Choice(*choice) for choice in choices))


QUESTIONNAIRE: tuple[Dimension, ...] = (
    Dimension(
        "production_capacity",
        gettext_lazy("Production capacity"),
        12,
        gettext_lazy(
            "Plan how you would make a full export order on time, at the same quality, batch "
            "after batch."
        ),
        (
            _question(
                "monthly_output",
                gettext_lazy(
                    "How much can you produce in a month, compared with a typical export order?"
                ),
                ("less_than_one_order", gettext_lazy("Less than one order"), 0),
                ("about_one_order", gettext_lazy("About one order"), 2),
                ("several_orders", gettext_lazy("Several orders"), 4),
            ),
            _question(
                "consistent_quality",
                gettext_lazy("How consistent is the quality from one batch to the next?"),
                ("varies", gettext_lazy("It varies"), 0),
                ("mostly_consistent", gettext_lazy("Mostly consistent"), 2),
                ("written_checks", gettext_lazy("Consistent, with written quality checks"), 4),
            ),
        ),
    ),
    Dimension(
        "spare_capacity",
        gettext_lazy("Spare capacity"),
        8,
        gettext_lazy(
            "Arrange extra capacity (another shift, partner producers) so that an export order "
            "does not crowd out your customers at home."
        ),
        (
            _question(
                "unused_capacity",
                gettext_lazy(
                    "How much more could you produce within three months without new investment?"
                ),
                ("none", gettext_lazy("Nothing more"), 0),
                ("up_to_a_quarter", gettext_lazy("Up to a quarter more"), 2),
                ("more_than_a_quarter", gettext_lazy("More than a quarter more"), 4),
            ),
        ),
    ),
    Dimension(
        "management_commitment",
        gettext_lazy("Management commitment"),
        14,
        gettext_lazy(
            "Write a short export plan with targets and give one person the time to carry it out."
        ),
        (
            _question(
                "export_plan",
                gettext_lazy("Does the business have a written export plan?"),
                ("no_plan", gettext_lazy("No"), 0),
                ("informal_plan", gettext_lazy("Ideas, not written down"), 1),
                ("written_plan", gettext_lazy("A written plan with targets"), 3),
            ),
            _question(
                "export_staff",
                gettext_lazy("Who in the business works on exporting?"),
                ("nobody", gettext_lazy("Nobody in particular"), 0),
                ("owner_when_possible", gettext_lazy("The owner, when time allows"), 1),
                (
                    "dedicated_person",
                    gettext_lazy("Someone with exporting as a set part of their job"),
                    3,
                ),
            ),
            _question(
                "payback_patience",
                gettext_lazy("How long are you prepared to invest before exporting pays off?"),
                ("under_six_months", gettext_lazy("Less than six months"), 0),
                ("six_to_eighteen_months", gettext_lazy("Six to eighteen months"), 2),
                ("over_eighteen_months", gettext_lazy("More than eighteen months"), 3),
            ),
        ),
    ),
    Dimension(
        "financial_resources",
        gettext_lazy("Financial resources"),
        10,
        gettext_lazy(
            "Set aside a budget for export costs and arrange finance for orders that are paid "
            "after shipment, such as export credit."
        ),
        (
            _question(
                "export_budget",
                gettext_lazy(
                    "Have you set money aside for export costs (samples, trade fairs, "
                    "certification)?"
                ),
                ("no_budget", gettext_lazy("No"), 0),
                ("small_amount", gettext_lazy("A small amount"), 2),
                ("yearly_budget", gettext_lazy("A budget for the coming year"), 4),
            ),
            _question(
                "working_capital",
                gettext_lazy(
                    "Could you pay for producing an order that is paid 60 to 90 days after "
                    "shipment?"
                ),
                ("cannot_finance", gettext_lazy("No"), 0),
                ("with_loan", gettext_lazy("Only with a loan or an advance"), 2),
                ("own_funds", gettext_lazy("Yes, from our own funds"), 4),
            ),
        ),
    ),
    Dimension(
        "product_adaptation",
        gettext_lazy("Product adaptation"),
        10,
        gettext_lazy(
            "Find out what your target markets require of the product, its packaging and its "
            "labels, and adapt them."
        ),
        (
            _question(
                "adapt_product",
                gettext_lazy("Can you change the product or its packaging for a foreign market?"),
                ("cannot_adapt", gettext_lazy("No"), 0),
                ("with_help", gettext_lazy("With outside help"), 2),
                ("in_house", gettext_lazy("Yes, ourselves"), 4),
            ),
            _question(
                "export_labelling",
                gettext_lazy(
                    "Do your labels show what buyers abroad require (ingredients, origin, "
                    "language)?"
                ),
                ("labels_no", gettext_lazy("No"), 0),
                ("labels_partly", gettext_lazy("Partly"), 1),
                ("labels_yes", gettext_lazy("Yes"), 3),
            ),
        ),
    ),
    Dimension(
        "marketing_know_how",
        gettext_lazy("Marketing know-how"),
        10,
        gettext_lazy(
            "Study one or two target markets and work out a full export price before you "
            "approach buyers."
        ),
        (
            _question(
                "target_markets",
                gettext_lazy("Have you chosen the foreign markets to try first?"),
                ("not_chosen", gettext_lazy("No"), 0),
                ("some_ideas", gettext_lazy("We have some ideas"), 1),
                (
                    "researched",
                    gettext_lazy("Yes, after studying demand and competitors there"),
                    3,
                ),
            ),
            _question(
                "export_pricing",
                gettext_lazy(
                    "Do you know your export price, with freight, duties and payment terms?"
                ),
                ("price_unknown", gettext_lazy("No"), 0),
                ("price_rough", gettext_lazy("Roughly"), 1),
                ("price_costed", gettext_lazy("Yes, fully costed (for example FOB and CIF)"), 3),
            ),
            _question(
                "promotion",
                gettext_lazy("How do buyers abroad find out about you?"),
                ("not_yet", gettext_lazy("They do not yet"), 0),
                ("online", gettext_lazy("A website or an online catalogue"), 1),
                ("fairs_platforms", gettext_lazy("Trade fairs, B2B platforms or agents"), 2),
            ),
        ),
    ),
    Dimension(
        "export_experience",
        gettext_lazy("Export experience"),
        12,
        gettext_lazy(
            "Start with small orders, or sell through an experienced exporter, to build a track "
            "record."
        ),
        (
            _question(
                "past_exports",
                gettext_lazy("Have you exported before?"),
                ("never", gettext_lazy("Never"), 0),
                ("through_trader", gettext_lazy("Only through a trader or another exporter"), 2),
                ("occasionally", gettext_lazy("Directly, now and then"), 3),
                ("every_year", gettext_lazy("Directly, every year"), 4),
            ),
            _question(
                "export_share",
                gettext_lazy("What share of your sales goes abroad?"),
                ("share_none", gettext_lazy("None"), 0),
                ("share_under_10", gettext_lazy("Less than 10%"), 1),
                ("share_10_to_30", gettext_lazy("10% to 30%"), 2),
                ("share_over_30", gettext_lazy("More than 30%"), 3),
            ),
        ),
    ),
    Dimension(
        "certifications",
        gettext_lazy("Certifications"),
        10,
        gettext_lazy(
            "Get the certifications your target markets ask for (for example ISO 9001, HACCP or "
            "organic)."
        ),
        (
            _question(
                "certificates_held",
                gettext_lazy(
                    "Which certifications do you hold (for example ISO 9001, HACCP, organic, "
                    "halal, fair trade)?"
                ),
                ("no_certificate", gettext_lazy("None"), 0),
                ("certificate_in_progress", gettext_lazy("We are working towards one"), 1),
                ("one_certificate", gettext_lazy("One"), 2),
                (
                    "matching_certificates",
                    gettext_lazy("Those our target markets ask for"),
                    4,
                ),
            ),
        ),
    ),
    Dimension(
        "export_documents",
        gettext_lazy("Export documents"),
        8,
        gettext_lazy(
            "Register as an exporter and learn to prepare the commercial invoice, packing list "
            "and certificate of origin."
        ),
        (
            _question(
                "exporter_registration",
                gettext_lazy(
                    "Is the business registered to export (for example an IEC in India, or "
                    "customs access in Indonesia)?"
                ),
                ("not_registered", gettext_lazy("No"), 0),
                ("registration_applied", gettext_lazy("We have applied"), 1),
                ("registered", gettext_lazy("Yes"), 2),
            ),
            _question(
                "shipping_documents",
                gettext_lazy(
                    "Can you prepare a commercial invoice, a packing list and a certificate of "
                    "origin?"
                ),
                ("documents_no", gettext_lazy("No"), 0),
                ("with_forwarder", gettext_lazy("With a freight forwarder's help"), 1),
                ("documents_ourselves", gettext_lazy("Yes, ourselves"), 2),
            ),
        ),
    ),
    Dimension(
        "listing_completeness",
        gettext_lazy("Listing completeness"),
        6,
        gettext_lazy(
            "Complete your listings with photos, specifications, minimum order quantities and "
            "prices."
        ),
        (
            _question(
                "listing_details",
                gettext_lazy(
                    "How complete are your product listings (photos, specifications, minimum "
                    "order, prices)?"
                ),
                ("listing_empty", gettext_lazy("Little or nothing yet"), 0),
                ("listing_partial", gettext_lazy("Partly complete"), 2),
                ("listing_complete", gettext_lazy("Complete"), 4),
            ),
        ),
    ),
)

_DIMENSIONS: Mapping[str, Dimension] = {dim.code: dim for dim in QUESTIONNAIRE}


def questions() -> Iterator[Question]:
    """Every question, in questionnaire order."""
    for dim in QUESTIONNAIRE:
        yield from dim.questions


def dimension(code: str) -> Dimension | None:
    """The dimension with this code, or None (a code from an older questionnaire)."""
    return _DIMENSIONS.get(code)


# -- scores ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionScore:
    code: str
    points: int  # earned, scaled to the weight: 0..weight
    weight: int
    percent: int  # share of this dimension's points earned, 0..100

    @property
    def label(self) -> str:
        """The dimension's name in the active language."""
        found = dimension(self.code)
        return str(found.label) if found else self.code


@dataclass(frozen=True)
class Improvement:
    code: str
    gap: int  # points of the total that this dimension could still add

    @property
    def label(self) -> str:
        found = dimension(self.code)
        return str(found.label) if found else self.code

    @property
    def advice(self) -> str:
        """One sentence of advice in the active language ("" for a retired dimension)."""
        found = dimension(self.code)
        return str(found.advice) if found else ""


@dataclass(frozen=True)
class Assessment:
    total: int  # 0..100, the sum of the breakdown's points
    breakdown: tuple[DimensionScore, ...]
    improvements: tuple[Improvement, ...]  # the largest gaps first, at most three

    def to_dict(self) -> dict[str, Any]:
        """Codes and numbers only, JSON-able; :func:`assessment_from_dict` reads it back."""
        return {
            "questionnaire": QUESTIONNAIRE_VERSION,
            "total": self.total,
            "breakdown": [
                {
                    "code": part.code,
                    "points": part.points,
                    "weight": part.weight,
                    "percent": part.percent,
                }
                for part in self.breakdown
            ],
            "improvements": [{"code": item.code, "gap": item.gap} for item in self.improvements],
        }


def _checked_choices(answers: Mapping[str, str]) -> dict[str, Choice]:
    if not isinstance(answers, Mapping):
        raise AnswersInvalid(_("The answers must map question codes to choice codes."))
    known = {question.code for question in questions()}
    unknown = sorted(str(code) for code in answers if code not in known)
    if unknown:
        raise AnswersInvalid(
            _("“%(question)s” is not a question of the export readiness questionnaire.")
            % {"question": unknown[0][:50]},
            field=unknown[0],
        )
    chosen = {}
    for question in questions():
        if question.code not in answers:
            raise AnswersInvalid(
                _("Please answer “%(question)s”") % {"question": question.text},
                field=question.code,
            )
        answer = answers[question.code]
        choice = question.choice(answer) if isinstance(answer, str) else None
        if choice is None:
            raise AnswersInvalid(
                _("“%(choice)s” is not one of the answers to “%(question)s”")
                % {"choice": str(answer)[:50], "question": question.text},
                field=question.code,
            )
        chosen[question.code] = choice
    return chosen


def _half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


def score(answers: Mapping[str, str]) -> Assessment:
    """Score one answer per question (question code -> choice code), or AnswersInvalid.

    Each dimension's points are its weight times the share of its points earned. They are
    rounded so that they add up to the total rounded half up (largest remainders get the odd
    point), so all best answers score exactly 100 and all worst exactly 0.
    """
    chosen = _checked_choices(answers)
    exact = [
        Fraction(
            dim.weight * sum(chosen[question.code].points for question in dim.questions),
            dim.max_points,
        )
        for dim in QUESTIONNAIRE
    ]
    points = [floor(value) for value in exact]
    total = _half_up(sum(exact, Fraction(0)))
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - points[i]), i))
    for i in by_remainder[: total - sum(points)]:
        points[i] += 1
    breakdown = tuple(
        DimensionScore(
            code=dim.code,
            points=points[i],
            weight=dim.weight,
            percent=_half_up(exact[i] * 100 / dim.weight),
        )
        for i, dim in enumerate(QUESTIONNAIRE)
    )
    return Assessment(total=total, breakdown=breakdown, improvements=_improvements(breakdown))


def _improvements(breakdown: tuple[DimensionScore, ...]) -> tuple[Improvement, ...]:
    gaps = [(part.weight - part.points, order, part.code) for order, part in enumerate(breakdown)]
    largest = sorted((gap for gap in gaps if gap[0] > 0), key=lambda gap: (-gap[0], gap[1]))
    return tuple(
        Improvement(code=code, gap=gap) for gap, _order, code in largest[:MAX_IMPROVEMENTS]
    )


def _whole(data: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = data.get(key)
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"stored assessment: {key} must be an integer in {low}..{high}")
    return value


def _code(data: Mapping[str, Any]) -> str:
    code = data.get("code")
    if not isinstance(code, str) or not code:
        raise ValueError("stored assessment: every part needs a code")
    return code


def _parts(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    parts = data.get(key)
    if not isinstance(parts, list) or not all(isinstance(part, Mapping) for part in parts):
        raise ValueError(f"stored assessment: {key} must be a list of objects")
    return parts


def assessment_from_dict(data: Mapping[str, Any]) -> Assessment:
    """Rebuild an assessment stored with :meth:`Assessment.to_dict`.

    Labels and advice are looked up by code when read, so they come out in the active
    language. Malformed data (a programming or storage error) raises ValueError.
    """
    if not isinstance(data, Mapping):
        raise ValueError("stored assessment must be an object")
    breakdown = tuple(
        DimensionScore(
            code=_code(part),
            points=_whole(part, "points", 0, 100),
            weight=_whole(part, "weight", 0, 100),
            percent=_whole(part, "percent", 0, 100),
        )
        for part in _parts(data, "breakdown")
    )
    improvements = tuple(
        Improvement(code=_code(part), gap=_whole(part, "gap", 0, 100))
        for part in _parts(data, "improvements")
    )
    return Assessment(
        total=_whole(data, "total", 0, 100), breakdown=breakdown, improvements=improvements
    )
