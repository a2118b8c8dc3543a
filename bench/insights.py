"""Insights benchmarks, one after the other, each in its own process (each sets Django up its way).

  policy lab  ``bench/insights_policy.py``: a 1,000-scenario sensitivity run, beside the same
              scenarios one at a time through the scalar closed form (floor: under 1 s).
  dashboard   ``bench/insights_dashboard.py``: every dashboard query, p50/p95 over many filter
              combinations, on 100k businesses and 1M settled orders, beside the same figures
              computed from the orders without the aggregate (floor: p95 under 300 ms).

Arguments after ``--`` go to the dashboard script, e.g. a smaller world while developing:

    uv run python bench/insights.py -- --businesses 10000 --orders 100000
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    dashboard_arguments = argv[argv.index("--") + 1 :] if "--" in argv else []
    status = 0
    for script, arguments in (
        ("insights_policy.py", []),
        ("insights_dashboard.py", dashboard_arguments),
    ):
        print(f"== {script} ==", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *arguments], check=False)
        status = status or done.returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
