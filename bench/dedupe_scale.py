"""Scale of the roster de-duplication engine on synthetic rosters with known duplicates.

For each size: generate a roster (``niaga.registry.synthetic.generate_roster``, 30 %
duplicates), then, each in its own subprocess so memory peaks do not accumulate:

  ours      ``link`` (identifiers, then the Splink model on DuckDB), clusters at 0.95
  baseline  ``link_identifiers_only``: clusters from shared identifiers alone

and report pairwise precision/recall/F1 against ``true_entity``, records per second and the
subprocess's peak resident memory (ru_maxrss; it includes reading the roster).

    uv run python bench/dedupe_scale.py --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(roster: Path, method: str, engine: str) -> None:
    import pandas as pd

    from niaga.registry.linkage import link, link_identifiers_only
    from niaga.registry.linkage.evaluate import pairwise_scores

    frame = pd.read_parquet(roster)
    truth = frame.pop("true_entity")
    started = time.perf_counter()
    result = link(frame, engine=engine) if method == "ours" else link_identifiers_only(frame)
    seconds = time.perf_counter() - started
    clusters = result.clusters.set_index("record_id")["cluster_id"]
    scores = pairwise_scores(clusters.loc[frame["record_id"]], truth)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "precision": scores.precision,
                "recall": scores.recall,
                "f1": scores.f1,
                "true_pairs": scores.true_pairs,
                "peak_mib": peak_mib,
                "review_pairs": int((result.pairs["match_probability"] < 0.95).sum()),
                "notes": result.diagnostics.get("notes", []),
                "steps": result.diagnostics.get("seconds", {}),
            }
        )
    )


def run_child(roster: Path, method: str, engine: str, timeout: float) -> dict:
    command = [sys.executable, __file__, "--child", str(roster), method, "--engine", engine]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{method} on {roster.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per subprocess")
    parser.add_argument(
        "--wrong-identifier-rate",
        type=float,
        default=None,
        help="share of identifiers replaced by another business's (generator default if unset)",
    )
    parser.add_argument("--child", nargs=2, metavar=("ROSTER", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1], args.engine)
        return

    from niaga.registry.synthetic import generate_roster

    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(
        f"# {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, engine {args.engine}, seed {args.seed}"
    )
    header = (
        "| records | true pairs | generate s | ours P | ours R | ours F1 | ours s | ours rec/s "
        "| ours peak MiB | review pairs | baseline P | baseline R | baseline F1 | baseline s "
        "| baseline rec/s | baseline peak MiB | F1 ratio | time ratio |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            started = time.perf_counter()
            options = {}
            if args.wrong_identifier_rate is not None:
                options["wrong_identifier_rate"] = args.wrong_identifier_rate
            roster = generate_roster(size, seed=args.seed, **options)
            generate_s = time.perf_counter() - started
            path = Path(tmp) / f"roster_{size}.parquet"
            roster.to_parquet(path, index=False)
            del roster
            ours = run_child(path, "ours", args.engine, args.timeout)
            base = run_child(path, "baseline", args.engine, args.timeout)
            print(
                f"| {size:,} | {ours['true_pairs']:,} | {generate_s:.1f} "
                f"| {ours['precision']:.4f} | {ours['recall']:.4f} | {ours['f1']:.4f} "
                f"| {ours['seconds']:.1f} | {size / ours['seconds']:,.0f} "
                f"| {ours['peak_mib']:,.0f} | {ours['review_pairs']:,} "
                f"| {base['precision']:.4f} | {base['recall']:.4f} | {base['f1']:.4f} "
                f"| {base['seconds']:.2f} | {size / base['seconds']:,.0f} "
                f"| {base['peak_mib']:,.0f} | {ours['f1'] / base['f1']:.2f} "
                f"| {ours['seconds'] / base['seconds']:.1f} |",
                flush=True,
            )
            steps = ", ".join(f"{k} {v:.1f} s" for k, v in ours["steps"].items())
            print(f"  ours, {size:,} records: {steps}", flush=True)
            for note in ours["notes"]:
                print(f"  note ({size:,}): {note}", flush=True)


if __name__ == "__main__":
    main()
