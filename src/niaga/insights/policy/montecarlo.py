"""Monte Carlo, two ways.

``bands``/``fan``: uncertain inputs drawn from their ranges (triangular, peaked at the
scenario's value), giving 5th/50th/95th percentile bands of the figures. T is the policy's
lever, not an uncertainty, so it is never drawn.

``firm_level``: one country's firms drawn one by one from their lognormal, turnover under T
summed: what the closed form claims to compute, and what the tests check it against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from niaga.insights.policy.model import Country, Scenario
from niaga.insights.policy.parameters import range_for
from niaga.insights.policy.sensitivity import OUTPUTS, evaluate

PERCENTILES = (5, 50, 95)
SEED = 2026


def draw(base: Scenario, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """n draws of every uncertain input; a country's export shares never add up above 1."""
    drawn = {}
    for path, value in base.values().items():
        if path == "T":
            continue
        low, high = range_for(path, value)
        drawn[path] = rng.triangular(low, value, high, size=n) if low < high else np.full(n, value)
    for code, country in base.countries.items():
        paths = [f"countries.{code}.x.{partner}" for partner in country.x]
        if paths:
            total = np.sum([drawn[p] for p in paths], axis=0)
            scale = np.where(total > 1, 1 / np.maximum(total, 1e-300), 1.0)
            for p in paths:
                drawn[p] = drawn[p] * scale
    return drawn


def bands(base: Scenario, draws: int = 4000, seed: int = SEED) -> dict[str, tuple[float, ...]]:
    """Percentiles (5, 50, 95) of each output at the scenario's T."""
    outputs = evaluate(base, draw(base, draws, np.random.default_rng(seed)))
    return {
        name: tuple(float(v) for v in np.percentile(outputs[name], PERCENTILES)) for name in OUTPUTS
    }


@dataclass(frozen=True)
class Fan:
    thresholds: np.ndarray
    low: np.ndarray
    median: np.ndarray
    high: np.ndarray


def fan(base: Scenario, thresholds: np.ndarray, draws: int = 1000, seed: int = SEED) -> Fan:
    """Bands of the home country's net trade along a range of thresholds, one pass."""
    drawn = {k: v[:, None] for k, v in draw(base, draws, np.random.default_rng(seed)).items()}
    net = evaluate(base, {**drawn, "T": np.asarray(thresholds, dtype=float)[None, :]})
    low, median, high = np.percentile(net["net_trade_home"], PERCENTILES, axis=0)
    return Fan(np.asarray(thresholds, dtype=float), low, median, high)


@dataclass(frozen=True)
class FirmDraw:
    firms: int
    beneficiaries: float
    waived_turnover: float
    beneficiaries_se: float  # standard errors of the two sums, from the sample itself
    waived_turnover_se: float


def firm_level(
    country: Country, T: float, rng: np.random.Generator, firms: int | None = None
) -> FirmDraw:
    """Draw the country's firms (N of them unless told) and count those under T.

    With fewer or more firms than N the sums are scaled to N firms, so they estimate the
    closed-form figures either way.
    """
    firms = firms or int(round(country.N))
    turnover = rng.lognormal(country.mu, country.sigma, size=firms)
    under = turnover < T
    waived = np.where(under, turnover, 0.0)
    scale = country.N / firms
    return FirmDraw(
        firms,
        scale * float(under.sum()),
        scale * float(waived.sum()),
        scale * math.sqrt(firms) * float(under.std()),
        scale * math.sqrt(firms) * float(waived.std()),
    )
