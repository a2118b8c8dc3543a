"""Many scenarios at once, and the tornado chart: which input's range moves a figure most.

``evaluate`` is the closed form of ``model.closed_form`` written over numpy arrays, so a
thousand scenarios (or a scenario over a grid of thresholds) cost one pass, not a loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from niaga.insights.policy.model import Scenario
from niaga.insights.policy.parameters import label, range_for

OUTPUTS = ("net_trade_home", "fees_waived", "beneficiaries", "waived_turnover")


def evaluate(
    base: Scenario, overrides: Mapping[str, object] | None = None
) -> dict[str, np.ndarray]:
    """Totals and the home country's net trade; any flat path may be overridden by an array.

    Arrays broadcast against each other, so a (draws, 1) input and a (1, thresholds) T give a
    (draws, thresholds) answer.
    """
    overrides = overrides or {}
    flat = base.values()

    def get(path: str) -> np.ndarray:
        return np.asarray(overrides.get(path, flat[path]), dtype=float)

    log_t = np.log(get("T"))
    rate = get("f")
    price_effect = get("epsilon") * get("p") * rate
    beneficiaries = waived_total = fees_total = net = 0.0
    for code, country in base.countries.items():
        prefix = f"countries.{code}."
        n, mu, sigma, s = (get(prefix + name) for name in ("N", "mu", "sigma", "s"))
        beneficiaries = beneficiaries + n * ndtr((log_t - mu) / sigma)
        waived = n * np.exp(mu + sigma**2 / 2) * ndtr((log_t - mu - sigma**2) / sigma)
        waived_total = waived_total + waived
        fees_total = fees_total + rate * s * waived
        for partner in country.x:
            # Sales the home country gains count up; sales partners gain in it count down.
            if code == base.home:
                net = net + price_effect * get(f"{prefix}x.{partner}") * s * waived
            elif partner == base.home:
                net = net - price_effect * get(f"{prefix}x.{partner}") * s * waived
    outputs = {
        "net_trade_home": net,
        "fees_waived": fees_total,
        "beneficiaries": beneficiaries,
        "waived_turnover": waived_total,
    }
    shape = np.broadcast_shapes(*(np.shape(v) for v in outputs.values()), np.shape(log_t))
    return {name: np.broadcast_to(np.asarray(v, dtype=float), shape) for name, v in outputs.items()}


@dataclass(frozen=True)
class Bar:
    path: str
    label: str
    low: float
    high: float
    output_low: float
    output_high: float

    @property
    def swing(self) -> float:
        return abs(self.output_high - self.output_low)


@dataclass(frozen=True)
class Tornado:
    output: str
    base: float
    bars: list[Bar]  # widest swing first


def tornado(base: Scenario, output: str = "net_trade_home") -> Tornado:
    """Each input at the low and the high end of its range, the others at their values."""
    flat = base.values()
    paths = list(flat)
    rows = 2 * len(paths)
    overrides = {}
    ranges = {}
    for i, path in enumerate(paths):
        column = np.full(rows, flat[path])
        ranges[path] = range_for(path, flat[path])
        column[2 * i], column[2 * i + 1] = ranges[path]
        overrides[path] = column
    values = evaluate(base, overrides)[output]
    base_value = float(evaluate(base)[output])
    bars = [
        Bar(path, label(path), *ranges[path], float(values[2 * i]), float(values[2 * i + 1]))
        for i, path in enumerate(paths)
    ]
    bars.sort(key=lambda bar: bar.swing, reverse=True)
    return Tornado(output, base_value, bars)


def sample(base: Scenario, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """n scenarios, every input drawn uniformly from its range."""
    flat = base.values()
    return {path: rng.uniform(*range_for(path, value), size=n) for path, value in flat.items()}


def sensitivity_run(base: Scenario, n: int = 1000, seed: int = 2026) -> dict[str, np.ndarray]:
    """The figures of n scenarios drawn across every input's range, in one vectorised pass."""
    return evaluate(base, sample(base, n, np.random.default_rng(seed)))
