"""The policy lab's sensitivity run: 1,000 scenarios at once, beside a loop of one at a time.

    vectorised  ``sensitivity.sensitivity_run``: draw 1,000 scenarios across every input's
                range and evaluate the closed form over numpy arrays in one pass.
    baseline    the same 1,000 scenarios (built beforehand, not timed) through the scalar
                closed form ``model.closed_form``, one Python call each.

Figures are medians of several runs; the product asks for the 1,000-scenario run under 1 s.

    uv run python bench/insights_policy.py --runs 7
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "niaga.settings")
    import django

    django.setup()


def _median_seconds(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(scenarios: int = 1000, runs: int = 7) -> dict:
    _setup()
    import numpy as np

    from niaga.insights.policy import sensitivity
    from niaga.insights.policy.model import closed_form, parse, with_values
    from niaga.insights.policy.parameters import default_input

    base = parse(default_input())
    drawn = sensitivity.sample(base, scenarios, np.random.default_rng(2026))
    one_by_one = [
        with_values(base, {path: float(values[i]) for path, values in drawn.items()})
        for i in range(scenarios)
    ]

    vectorised = _median_seconds(lambda: sensitivity.sensitivity_run(base, scenarios), runs)
    baseline = _median_seconds(lambda: [closed_form(s) for s in one_by_one], runs)
    tornado = _median_seconds(lambda: sensitivity.tornado(base), runs)
    # Both ways give the same figures.
    many = sensitivity.evaluate(base, drawn)["net_trade_home"]
    loop = np.array([closed_form(s).net_trade_home for s in one_by_one])
    assert np.allclose(many, loop, rtol=1e-9, atol=1e-6)
    return {
        "scenarios": scenarios,
        "runs": runs,
        "vectorised_s": vectorised,
        "baseline_loop_s": baseline,
        "speedup": baseline / vectorised,
        "tornado_s": tornado,
        "under_1_s": vectorised < 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scenarios", type=int, default=1000)
    args = parser.parse_args()
    figures = run(args.scenarios, args.runs)
    print(
        f"policy lab sensitivity run, {figures['scenarios']} scenarios, median of {figures['runs']}"
    )
    print(f"  vectorised          {figures['vectorised_s'] * 1000:9.3f} ms")
    print(f"  baseline (loop)     {figures['baseline_loop_s'] * 1000:9.3f} ms")
    print(f"  baseline / vectorised  {figures['speedup']:.1f} x")
    print(f"  tornado (one pass)  {figures['tornado_s'] * 1000:9.3f} ms")
    print(f"  under 1 s: {'yes' if figures['under_1_s'] else 'NO'}")


if __name__ == "__main__":
    main()
