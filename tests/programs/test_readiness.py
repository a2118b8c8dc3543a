import json

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from niaga.programs.readiness import (
    QUESTIONNAIRE,
    AnswersInvalid,
    Assessment,
    assessment_from_dict,
    questions,
    score,
)

BEST = {q.code: max(q.choices, key=lambda c: c.points).code for q in questions()}
WORST = {q.code: min(q.choices, key=lambda c: c.points).code for q in questions()}


def test_the_questionnaire_is_well_formed():
    assert len(QUESTIONNAIRE) == 10
    assert sum(dimension.weight for dimension in QUESTIONNAIRE) == 100
    codes = [dimension.code for dimension in QUESTIONNAIRE]
    assert len(set(codes)) == len(codes)
    question_codes = [question.code for question in questions()]
    assert len(set(question_codes)) == len(question_codes)
    for dimension in QUESTIONNAIRE:
        assert 1 <= len(dimension.questions) <= 3
        assert str(dimension.label) and str(dimension.advice).endswith(".")
        for question in dimension.questions:
            points = [choice.points for choice in question.choices]
            assert min(points) == 0 and max(points) > 0
            assert len({choice.code for choice in question.choices}) == len(question.choices)


def test_all_best_scores_100_with_nothing_to_improve():
    assessment = score(BEST)
    assert assessment.total == 100
    assert all(part.points == part.weight and part.percent == 100 for part in assessment.breakdown)
    assert assessment.improvements == ()


def test_all_worst_scores_0_and_the_largest_gaps_come_first():
    assessment = score(WORST)
    assert assessment.total == 0
    assert all(part.points == 0 and part.percent == 0 for part in assessment.breakdown)
    assert [item.code for item in assessment.improvements] == [
        "management_commitment",  # weight 14
        "production_capacity",  # 12, before export_experience (also 12) in questionnaire order
        "export_experience",
    ]
    assert [item.gap for item in assessment.improvements] == [14, 12, 12]


def test_improvements_are_the_largest_gaps_and_fewer_when_fewer_gaps():
    answers = BEST | {"certificates_held": "no_certificate", "listing_details": "listing_empty"}
    assessment = score(answers)
    assert [(item.code, item.gap) for item in assessment.improvements] == [
        ("certifications", 10),
        ("listing_completeness", 6),
    ]
    assert assessment.total == 84
    advice = assessment.improvements[0].advice
    assert advice == (
        "Get the certifications your target markets ask for (for example ISO 9001, HACCP or "
        "organic)."
    )


def test_partial_answers_score_in_between():
    assessment = score(BEST | {"export_plan": "informal_plan"})
    part = next(p for p in assessment.breakdown if p.code == "management_commitment")
    # 7 of 9 points of a weight of 14: 10.9 rounds to 11
    assert (part.points, part.percent) == (11, 78)
    assert assessment.total == 97


def test_missing_answer_is_refused_with_the_question():
    answers = dict(BEST)
    del answers["export_budget"]
    with pytest.raises(AnswersInvalid) as caught:
        score(answers)
    assert caught.value.field == "export_budget"
    assert caught.value.code == "answers_invalid"
    assert caught.value.status == 422
    assert "Have you set money aside" in str(caught.value)


def test_unknown_question_is_refused():
    with pytest.raises(AnswersInvalid) as caught:
        score(BEST | {"favourite_colour": "blue"})
    assert caught.value.field == "favourite_colour"


@pytest.mark.parametrize("choice", ["maybe", "", None, 3, "no_plan "])
def test_unknown_choice_is_refused(choice):
    with pytest.raises(AnswersInvalid) as caught:
        score(BEST | {"export_plan": choice})
    assert caught.value.field == "export_plan"


def test_a_choice_of_another_question_is_refused():
    with pytest.raises(AnswersInvalid) as caught:
        score(BEST | {"export_plan": "labels_yes"})
    assert caught.value.field == "export_plan"


def test_stored_assessments_rebuild_in_any_language():
    assessment = score(WORST | {"past_exports": "every_year"})
    stored = json.loads(json.dumps(assessment.to_dict()))
    assert stored["questionnaire"] == 1
    text = json.dumps(stored)
    assert "Management" not in text and "advice" not in text
    rebuilt = assessment_from_dict(stored)
    assert rebuilt == assessment
    english = [part.label for part in rebuilt.breakdown]
    assert english[0] == "Production capacity"
    with translation.override("id"):
        assert all(isinstance(part.label, str) and part.label for part in rebuilt.breakdown)
        assert all(item.advice for item in rebuilt.improvements)
        with pytest.raises(AnswersInvalid):
            score({})


@pytest.mark.parametrize(
    "data",
    [[], {}, {"total": 101, "breakdown": [], "improvements": []}, {"total": 5, "breakdown": 3}],
)
def test_malformed_stored_assessment_is_a_value_error(data):
    with pytest.raises(ValueError):
        assessment_from_dict(data)


_answers = st.fixed_dictionaries(
    {q.code: st.sampled_from([c.code for c in q.choices]) for q in questions()}
)


@given(_answers)
def test_total_is_within_bounds_and_the_sum_of_the_breakdown(answers):
    assessment = score(answers)
    assert isinstance(assessment, Assessment)
    assert 0 <= assessment.total <= 100
    assert assessment.total == sum(part.points for part in assessment.breakdown)
    for part, dimension in zip(assessment.breakdown, QUESTIONNAIRE, strict=True):
        assert 0 <= part.points <= part.weight == dimension.weight
        assert 0 <= part.percent <= 100
    gaps = {part.code: part.weight - part.points for part in assessment.breakdown}
    improvements = assessment.improvements
    assert len(improvements) == min(3, sum(1 for gap in gaps.values() if gap > 0))
    assert [item.gap for item in improvements] == sorted(
        (gap for gap in gaps.values() if gap > 0), reverse=True
    )[: len(improvements)]
    assert all(gaps[item.code] == item.gap for item in improvements)
    # The total is the exact weighted score rounded half up.
    exact = sum(
        dimension.weight
        * sum(q.choice(answers[q.code]).points for q in dimension.questions)
        / dimension.max_points
        for dimension in QUESTIONNAIRE
    )
    assert abs(assessment.total - exact) <= 0.5 + 1e-9
    assert assessment_from_dict(assessment.to_dict()) == assessment
