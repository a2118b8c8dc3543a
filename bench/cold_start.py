"""Cold start of `niaga demo`: from the command to the first page served, on a fresh data dir.

Side by side, in the same run:
  cold      `niaga demo` on an empty data directory (migrate + seed the small world + serve)
  warm      `niaga demo` again on that directory (the world is there; migrate is a no-op)
  baseline  a bare one-view Django project under `runserver`, the floor any Django start pays

Prints the median of --runs runs for each, and the ratios to the baseline.

    uv run python bench/cold_start.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASELINE_SETTINGS = """
SECRET_KEY = "baseline-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "baseline_settings"
INSTALLED_APPS = []
DATABASES = {}
from django.http import HttpResponse
from django.urls import path
urlpatterns = [path("", lambda request: HttpResponse("ok"))]
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def time_to_first_page(command: list[str], env: dict[str, str], port: int) -> float:
    started = time.perf_counter()
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"{command} exited with {server.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    response.read()
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=30)


def niaga_demo(data_dir: Path) -> tuple[list[str], dict[str, str], int]:
    port = free_port()
    env = {**os.environ, "NIAGA_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return [sys.executable, "-m", "niaga.cli", "demo", "--port", str(port)], env, port


def baseline(project_dir: Path) -> tuple[list[str], dict[str, str], int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(project_dir)}
    command = [
        sys.executable,
        "-m",
        "django",
        "runserver",
        f"127.0.0.1:{port}",
        "--noreload",
        "--settings",
        "baseline_settings",
    ]
    return command, env, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    figures: dict[str, list[float]] = {"cold": [], "warm": [], "baseline": []}
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "baseline"
        project.mkdir()
        (project / "baseline_settings.py").write_text(BASELINE_SETTINGS)
        for run in range(args.runs):
            data_dir = Path(scratch) / f"data-{run}"
            figures["baseline"].append(time_to_first_page(*baseline(project)))
            figures["cold"].append(time_to_first_page(*niaga_demo(data_dir)))
            figures["warm"].append(time_to_first_page(*niaga_demo(data_dir)))

    floor = statistics.median(figures["baseline"])
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"
    )
    print(f"runs: {args.runs} (median shown)")
    print(f"{'case':<10}{'median s':>10}{'min s':>9}{'max s':>9}{'× baseline':>12}")
    for name, values in figures.items():
        median = statistics.median(values)
        print(
            f"{name:<10}{median:>10.2f}{min(values):>9.2f}{max(values):>9.2f}"
            f"{median / floor:>12.1f}"
        )


if __name__ == "__main__":
    main()
