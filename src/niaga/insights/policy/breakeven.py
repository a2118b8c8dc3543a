"""The threshold at which the home country's net trade changes sign, if it does in range.

A log-spaced grid over the range finds where the sign flips; brentq then refines the first
flip on ln T. Zeros on the grid (every waived turnover underflowing) carry no sign and are
skipped.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from scipy.optimize import brentq

from niaga.insights.policy.model import Scenario, closed_form
from niaga.insights.policy.parameters import BREAK_EVEN_RANGE
from niaga.insights.policy.sensitivity import evaluate

GRID_POINTS = 241  # 48 a decade over the default five decades


@dataclass(frozen=True)
class BreakEven:
    T: float | None
    statement: str
    low: float
    high: float
    crossings: int


def _usd(amount: float) -> str:
    return f"{amount:,.0f}"


def break_even(
    scenario: Scenario, low: float = BREAK_EVEN_RANGE[0], high: float = BREAK_EVEN_RANGE[1]
) -> BreakEven:
    grid = np.geomspace(low, high, GRID_POINTS)
    net = evaluate(scenario, {"T": grid})["net_trade_home"]
    signed = np.flatnonzero(np.sign(net))
    signs = np.sign(net[signed])
    flips = np.flatnonzero(signs[:-1] != signs[1:])
    params = {"home": scenario.home, "low": _usd(low), "high": _usd(high)}
    if flips.size == 0:
        if signed.size == 0:
            stays = _("zero")
        elif signs[0] > 0:
            stays = _("a surplus")
        else:
            stays = _("a deficit")
        statement = _(
            "Net trade for %(home)s does not change sign between USD %(low)s and USD %(high)s: "
            "it stays %(stays)s."
        ) % {**params, "stays": stays}
        return BreakEven(None, statement, low, high, 0)

    left, right = grid[signed[flips[0]]], grid[signed[flips[0] + 1]]

    def net_at(log_t: float) -> float:
        return closed_form(dataclasses.replace(scenario, T=math.exp(log_t))).net_trade_home

    threshold = math.exp(brentq(net_at, math.log(left), math.log(right), xtol=1e-12, rtol=1e-12))
    if signs[flips[0]] > 0:
        message = _("Net trade for %(home)s turns from a surplus to a deficit at T ≈ USD %(T)s")
    else:
        message = _("Net trade for %(home)s turns from a deficit to a surplus at T ≈ USD %(T)s")
    statement = message % {**params, "T": _usd(threshold)}
    if flips.size > 1:
        statement += " " + _(
            "(the lowest of %(count)s sign changes between USD %(low)s and USD %(high)s)."
        ) % {**params, "count": flips.size}
    else:
        statement += " " + _("(searched USD %(low)s to USD %(high)s).") % params
    return BreakEven(threshold, statement, low, high, int(flips.size))
