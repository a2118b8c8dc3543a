"""One scenario's whole answer: the closed form at its T plus the break-even threshold.

``as_dict`` is the shape the CLI (--json) and the API answer with.
"""

from __future__ import annotations

from dataclasses import dataclass

from niaga.insights.policy.breakeven import BreakEven, break_even
from niaga.insights.policy.model import Core, Scenario, closed_form


@dataclass(frozen=True)
class Simulation:
    scenario: Scenario
    core: Core
    break_even: BreakEven

    def as_dict(self) -> dict:
        return {
            "home": self.scenario.home,
            "T": self.scenario.T,
            "countries": {
                code: {
                    "beneficiaries": row.beneficiaries,
                    "waived_turnover": row.waived_turnover,
                    "fees_waived": row.fees_waived,
                    "induced_sales": dict(row.induced_sales),
                }
                for code, row in self.core.countries.items()
            },
            "net_trade_home": self.core.net_trade_home,
            "break_even_T": self.break_even.T,
            "break_even_statement": self.break_even.statement,
            "break_even_range": [self.break_even.low, self.break_even.high],
        }


def simulate(scenario: Scenario) -> Simulation:
    return Simulation(scenario, closed_form(scenario), break_even(scenario))
