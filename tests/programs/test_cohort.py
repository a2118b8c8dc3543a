import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from niaga.programs.cohort import (
    CAPACITY_REACHED,
    PROVINCE_FULL,
    SECTOR_FULL,
    Candidate,
    select_cohort,
    share_limit,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def candidate(key, readiness, province="IN-KA", sector="food", minutes=0):
    return Candidate(key, readiness, province, sector, T0 + timedelta(minutes=minutes))


def keys(ranked):
    return [entry.candidate.key for entry in ranked]


def test_capacity_is_filled_in_readiness_order():
    pool = [candidate(k, r) for k, r in [("a", 40), ("b", 90), ("c", 70), ("d", 80)]]
    selection = select_cohort(pool, capacity=3)
    assert keys(selection.selected) == ["b", "d", "c"]
    assert [entry.rank for entry in selection.selected] == [1, 2, 3]
    [waiting] = selection.waitlisted
    assert (waiting.rank, waiting.candidate.key, waiting.reason) == (1, "a", CAPACITY_REACHED)
    assert waiting.message == "The cohort is full: all 3 places are taken."


def test_ties_go_to_the_earlier_application_then_the_key():
    pool = [
        candidate("late", 70, minutes=30),
        candidate("b-early", 70, minutes=5),
        candidate("a-early", 70, minutes=5),
    ]
    selection = select_cohort(pool, capacity=2)
    assert keys(selection.selected) == ["a-early", "b-early"]
    assert keys(selection.waitlisted) == ["late"]


def test_province_cap_skips_with_a_reason_naming_the_province():
    pool = [
        candidate(1, 95, "ID-JB"),
        candidate(2, 90, "ID-JB"),
        candidate(3, 85, "ID-JB"),
        candidate(4, 60, "IN-KA"),
        candidate(5, 50, "IN-MH"),
    ]
    selection = select_cohort(pool, capacity=4, max_share_per_province=50)
    assert selection.province_limit == 2
    assert keys(selection.selected) == [1, 2, 4, 5]
    [waiting] = selection.waitlisted
    assert (waiting.candidate.key, waiting.reason) == (3, PROVINCE_FULL)
    assert "Jawa Barat" in waiting.message and "2 places" in waiting.message


def test_sector_cap_and_the_rest_after_capacity():
    pool = [
        candidate(1, 95, sector="spices"),
        candidate(2, 90, sector="spices"),
        candidate(3, 80, sector="textiles"),
        candidate(4, 70, sector="spices"),
    ]
    selection = select_cohort(pool, capacity=2, max_share_per_sector=10)
    assert selection.sector_limit == 1  # 10% of 2 rounds down to 0, but never less than one
    assert keys(selection.selected) == [1, 3]
    assert [(entry.candidate.key, entry.reason) for entry in selection.waitlisted] == [
        (2, SECTOR_FULL),
        (4, CAPACITY_REACHED),
    ]
    assert "Spices and herbs" in selection.waitlisted[0].message


def test_share_limit():
    assert share_limit(10, 25) == 2
    assert share_limit(10, 100) == 10
    assert share_limit(3, 1) == 1


@pytest.mark.parametrize(
    "arguments",
    [
        {"capacity": 0},
        {"capacity": True},
        {"capacity": 5, "max_share_per_province": 0},
        {"capacity": 5, "max_share_per_sector": 101},
        {"capacity": 5, "max_share_per_sector": 50.0},
    ],
)
def test_bad_arguments_are_value_errors(arguments):
    with pytest.raises(ValueError):
        select_cohort([], **arguments)


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="unique"):
        select_cohort([candidate(1, 50), candidate(1, 60)], capacity=1)


_candidates = st.lists(
    st.builds(
        candidate,
        key=st.integers(0, 10_000),
        readiness=st.integers(0, 100),
        province=st.sampled_from(["ID-JB", "ID-JT", "IN-KA", "IN-MH"]),
        sector=st.sampled_from(["food", "spices", "textiles"]),
        minutes=st.integers(0, 5),
    ),
    max_size=30,
    unique_by=lambda c: c.key,
)
_shares = st.none() | st.integers(1, 100)


def _order(c):
    return (-c.readiness, c.applied_at, c.key)


@given(_candidates, st.integers(1, 12), _shares, _shares, st.randoms())
def test_selection_properties(pool, capacity, province_share, sector_share, rng):
    selection = select_cohort(
        pool,
        capacity=capacity,
        max_share_per_province=province_share,
        max_share_per_sector=sector_share,
    )
    selected = [entry.candidate for entry in selection.selected]
    waiting = selection.waitlisted
    assert len(selected) <= capacity
    assert sorted(keys(selection.selected) + keys(waiting)) == sorted(c.key for c in pool)
    assert [e.rank for e in selection.selected] == list(range(1, len(selected) + 1))
    assert [e.rank for e in waiting] == list(range(1, len(waiting) + 1))
    assert selected == sorted(selected, key=_order)
    assert [e.candidate for e in waiting] == sorted((e.candidate for e in waiting), key=_order)

    provinces = Counter(c.province for c in selected)
    sectors = Counter(c.sector for c in selected)
    if province_share:
        assert max(provinces.values(), default=0) <= share_limit(capacity, province_share)
    if sector_share:
        assert max(sectors.values(), default=0) <= share_limit(capacity, sector_share)

    for entry in waiting:
        blocked = entry.candidate
        if entry.reason == CAPACITY_REACHED:
            # Only once the cohort is full, and everyone selected outranks them.
            assert len(selected) == capacity
            assert all(_order(c) < _order(blocked) for c in selected)
        elif entry.reason == PROVINCE_FULL:
            ahead = [c for c in selected if _order(c) < _order(blocked)]
            limit = share_limit(capacity, province_share)
            assert sum(c.province == blocked.province for c in ahead) == limit
        else:
            assert entry.reason == SECTOR_FULL
            ahead = [c for c in selected if _order(c) < _order(blocked)]
            limit = share_limit(capacity, sector_share)
            assert sum(c.sector == blocked.sector for c in ahead) == limit
        assert entry.message

    # The order candidates arrive in changes nothing.
    shuffled = list(pool)
    rng.shuffle(shuffled)
    assert (
        select_cohort(
            shuffled,
            capacity=capacity,
            max_share_per_province=province_share,
            max_share_per_sector=sector_share,
        )
        == selection
    )


def test_deterministic_with_many_candidates():
    rng = random.Random(7)
    pool = [
        candidate(k, rng.randint(0, 100), rng.choice(["ID-JB", "IN-KA"]), minutes=rng.randint(0, 9))
        for k in range(200)
    ]
    first = select_cohort(pool, capacity=20, max_share_per_province=60)
    assert first == select_cohort(list(reversed(pool)), capacity=20, max_share_per_province=60)
    assert len(first.selected) == 20
    assert max(Counter(c.candidate.province for c in first.selected).values()) == 12


def test_members_already_in_the_cohort_count_against_the_shares():
    # Four places in all, two taken by Karnataka: a 50 % share leaves Karnataka no more.
    pool = [candidate(1, 90), candidate(2, 80, province="IN-KL"), candidate(3, 70)]
    selection = select_cohort(
        pool,
        capacity=2,
        max_share_per_province=50,
        members=[("IN-KA", "food"), ("IN-KA", "textiles")],
    )
    assert keys(selection.selected) == [2]
    assert [entry.reason for entry in selection.waitlisted] == ["province_full", "province_full"]
