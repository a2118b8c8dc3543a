"""Escrow releases per second through the ledger's service layer, beside pgbench's TPC-B.

Side by side, in the same run, on the same PostgreSQL server with the same number of client
processes:

  ledger    ``services.create_transfers`` of a typical escrow release: a linked pair, escrow to
            the exporter's payable and escrow to the platform's fees (two transfers, one
            database transaction). Each client releases from escrows of its own, funded
            beforehand; the payables are shared and every fee lands in the one fee account,
            as in production.
  pgbench   pgbench's built-in TPC-B-like script on a scratch database (``pgbench -i``, scale
            1, then ``pgbench -c CLIENTS -j 2 -T SECONDS``): five statements, one transaction.

Both are counted in transactions per second; the product asks the ledger for at least half of
pgbench's. Then single-client latency (p50/p95) of one escrow release beside one TPC-B
transaction: on PostgreSQL (``pgbench -c 1 -t N -l``), and on SQLite (a temporary file database
with the project's settings, beside the same TPC-B transaction through Python's sqlite3 with the
same pragmas).

Creates its scratch databases (PostgreSQL: two, named after this process; SQLite: a temporary
directory), migrates them with ``niaga manage migrate``, and drops them at the end. It never
touches another database.

    uv run python bench/ledger.py --seconds 20 --clients 8
    uv run python bench/ledger.py --skip-postgres
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ESCROWS_PER_CLIENT = 64
EXPORTERS = 16
FUNDING = 10**12  # minor units in each escrow: no release in a run comes near it
PAYOUT, FEE = 9_000, 1_000  # a release: 90 to the exporter, 10 to the platform (USD cents)
WARM_UP = 20  # releases each client makes before it is timed


# --- inside the client processes ---------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "niaga.settings")
    import django

    django.setup()


def role_setup(clients: int) -> None:
    """Open the accounts and fund every escrow; print their ids as JSON."""
    _django()
    from niaga.ledger import services
    from niaga.ledger.models import Purpose
    from niaga.ledger.services import Move

    bank = services.account(purpose=Purpose.BANK, currency="USD")
    escrows = [
        [
            services.account(purpose=Purpose.ESCROW, currency="USD", reference=f"O-{c}-{n}")
            for n in range(ESCROWS_PER_CLIENT)
        ]
        for c in range(clients + 1)  # the last set is the single-client latency run's
    ]
    payables = [
        services.account(purpose=Purpose.EXPORTER_PAYABLE, currency="USD", reference=f"X-{n}")
        for n in range(EXPORTERS)
    ]
    fees = services.account(purpose=Purpose.FEES, currency="USD")
    flat = [escrow for group in escrows for escrow in group]
    for start in range(0, len(flat), services.MAX_BATCH):
        services.create_transfers(
            [
                Move(f"fund-{escrow.pk}", bank, escrow, FUNDING, "fund")
                for escrow in flat[start : start + services.MAX_BATCH]
            ]
        )
    print(
        json.dumps(
            {
                "escrows": [[e.pk for e in group] for group in escrows],
                "payables": [p.pk for p in payables],
                "fees": fees.pk,
            }
        )
    )


def _releaser(spec: dict, client: int):
    """A function making the client's next escrow release; returns it after a warm-up."""
    from niaga.ledger import services
    from niaga.ledger.models import Account
    from niaga.ledger.services import Move

    found = Account.objects.in_bulk([*spec["escrows"][client], *spec["payables"], spec["fees"]])
    escrows = [found[pk] for pk in spec["escrows"][client]]
    payables = [found[pk] for pk in spec["payables"]]
    fees = found[spec["fees"]]
    made = 0

    def release() -> None:
        nonlocal made
        escrow = escrows[made % len(escrows)]
        payable = payables[(client + made) % len(payables)]
        services.create_transfers(
            [
                Move(f"r{client}-{made}-pay", escrow, payable, PAYOUT, "escrow.release"),
                Move(f"r{client}-{made}-fee", escrow, fees, FEE, "escrow.fee"),
            ]
        )
        made += 1

    for _ in range(WARM_UP):
        release()
    return release


def role_client(spec: dict, client: int, seconds: float) -> None:
    """Release as fast as it can for ``seconds`` after the parent says go; print the count."""
    _django()
    release = _releaser(spec, client)
    print("ready", flush=True)
    sys.stdin.readline()
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        release()
        count += 1
    print(json.dumps({"count": count, "seconds": time.perf_counter() - started}), flush=True)


def role_latency(spec: dict, client: int, releases: int) -> None:
    """Time ``releases`` releases one after another; print each latency in seconds."""
    _django()
    release = _releaser(spec, client)
    latencies = []
    for _ in range(releases):
        started = time.perf_counter()
        release()
        latencies.append(time.perf_counter() - started)
    print(json.dumps(latencies))


# --- the parent ----------------------------------------------------------------------------


def run_role(env: dict[str, str], *arguments: str, timeout: float = 600) -> str:
    command = [sys.executable, __file__, "--role", *arguments]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{arguments[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def migrate(env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "niaga.cli", "manage", "migrate", "--verbosity", "0"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{done.stderr[-3000:]}")


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def ledger_throughput(env: dict[str, str], spec: str, clients: int, seconds: float) -> float:
    """Escrow releases per second, all clients together, timed from one common start."""
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--role",
                "client",
                "--spec",
                spec,
                "--client",
                str(c),
                "--seconds",
                str(seconds),
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in range(clients)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError(f"a client failed:\n{process.communicate()[1][-3000:]}")
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=seconds + 120)
            if process.returncode != 0:
                raise RuntimeError(f"a client failed:\n{err[-3000:]}")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for process in processes:
            process.kill()
    return sum(r["count"] for r in results) / max(r["seconds"] for r in results)


class Postgres:
    """Scratch databases on the server behind an administrative URL, dropped on exit."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.parts = urlsplit(admin_url)
        self.created: list[str] = []

    def url(self, database: str) -> str:
        return urlunsplit(self.parts._replace(path=f"/{database}"))

    def _execute(self, statement) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(statement)

    def create(self, database: str) -> str:
        from psycopg import sql

        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        self.created.append(database)
        return self.url(database)

    def drop_all(self) -> None:
        from psycopg import sql

        for database in self.created:
            self._execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
        self.created.clear()

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.admin_url) as admin:
            return admin.execute("SHOW server_version").fetchone()[0].split()[0]

    def pgbench(self, database: str, *arguments: str, cwd: str | None = None) -> str:
        p = self.parts
        command = ["pgbench", "-h", p.hostname or "127.0.0.1", "-p", str(p.port or 5432)]
        if p.username:
            command += ["-U", p.username]
        env = {**os.environ, **({"PGPASSWORD": p.password} if p.password else {})}
        done = subprocess.run(
            [*command, *arguments, database],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pgbench {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
        return done.stdout


def pgbench_tps(output: str) -> float:
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    if found is None:
        raise RuntimeError(f"no tps in pgbench's output:\n{output}")
    return float(found.group(1))


def pgbench_latencies(pg: Postgres, database: str, transactions: int) -> list[float]:
    """One client, ``transactions`` TPC-B transactions; each one's latency in seconds."""
    with tempfile.TemporaryDirectory() as logs:
        pg.pgbench(database, "-c", "1", "-j", "1", "-t", str(transactions), "-l", cwd=logs)
        latencies = []
        for log in Path(logs).glob("pgbench_log.*"):
            for line in log.read_text().splitlines():
                latencies.append(int(line.split()[2]) / 1e6)  # the third field: microseconds
    return latencies


def sqlite_tpcb_latencies(path: Path, transactions: int) -> list[float]:
    """pgbench's TPC-B transaction (scale 1) through sqlite3, with the project's pragmas."""
    import random

    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        "CREATE TABLE branches (bid INTEGER PRIMARY KEY, bbalance INTEGER, filler TEXT);"
        "CREATE TABLE tellers (tid INTEGER PRIMARY KEY, bid INTEGER, tbalance INTEGER, "
        "filler TEXT);"
        "CREATE TABLE accounts (aid INTEGER PRIMARY KEY, bid INTEGER, abalance INTEGER, "
        "filler TEXT);"
        "CREATE TABLE history (tid INTEGER, bid INTEGER, aid INTEGER, delta INTEGER, "
        "mtime TIMESTAMP, filler TEXT);"
    )
    db.execute("BEGIN")
    db.execute("INSERT INTO branches VALUES (1, 0, '')")
    db.executemany("INSERT INTO tellers VALUES (?, 1, 0, '')", [(t,) for t in range(1, 11)])
    db.executemany(
        "INSERT INTO accounts VALUES (?, 1, 0, ?)", [(a, " " * 84) for a in range(1, 100_001)]
    )
    db.execute("COMMIT")
    chance = random.Random(7)
    latencies = []
    for _ in range(WARM_UP + transactions):
        aid, tid, delta = (
            chance.randint(1, 100_000),
            chance.randint(1, 10),
            chance.randint(-5000, 5000),
        )
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE accounts SET abalance = abalance + ? WHERE aid = ?", (delta, aid))
        db.execute("SELECT abalance FROM accounts WHERE aid = ?", (aid,)).fetchone()
        db.execute("UPDATE tellers SET tbalance = tbalance + ? WHERE tid = ?", (delta, tid))
        db.execute("UPDATE branches SET bbalance = bbalance + ? WHERE bid = 1", (delta,))
        db.execute(
            "INSERT INTO history VALUES (?, 1, ?, ?, CURRENT_TIMESTAMP, '')", (tid, aid, delta)
        )
        db.execute("COMMIT")
        latencies.append(time.perf_counter() - started)
    db.close()
    return latencies[WARM_UP:]


def latency_row(name: str, values: list[float], baseline: list[float] | None) -> str:
    p50, p95 = percentile(values, 0.50) * 1000, percentile(values, 0.95) * 1000
    ratio = "1.0" if baseline is None else f"{p50 / (percentile(baseline, 0.50) * 1000):.1f}"
    return f"| {name} | {len(values):,} | {p50:.2f} | {p95:.2f} | {ratio} |"


def postgres_figures(args: argparse.Namespace) -> list[str]:
    pg = Postgres(args.database_url)
    tag = os.getpid()
    ledger_db, pgbench_db = f"niaga_bench_ledger_{tag}", f"niaga_bench_pgbench_{tag}"
    rows = []
    try:
        env = {**os.environ, "DATABASE_URL": pg.create(ledger_db)}
        migrate(env)
        spec = run_role(env, "setup", "--clients", str(args.clients))
        pg.create(pgbench_db)
        pg.pgbench(pgbench_db, "-i", "-q")

        out = pg.pgbench(pgbench_db, "-c", str(args.clients), "-j", "2", "-T", str(args.seconds))
        baseline = pgbench_tps(out)
        releases = ledger_throughput(env, spec, args.clients, args.seconds)
        print(
            f"\nPostgreSQL {pg.version()}, {args.clients} client processes, "
            f"{args.seconds:g} s each:\n"
        )
        print("| case | transactions/s | transfers/s | × pgbench |")
        print("|---|---|---|---|")
        print(f"| pgbench TPC-B (scale 1) | {baseline:,.0f} | — | 1.00 |")
        verdict = "meets" if releases >= 0.5 * baseline else "misses"
        print(
            f"| ledger escrow release | {releases:,.0f} | {2 * releases:,.0f} "
            f"| {releases / baseline:.2f} |"
        )
        print(f"\nThe floor is 0.50 × pgbench; this run {verdict} it.", flush=True)

        tpcb = pgbench_latencies(pg, pgbench_db, args.releases)
        ours = json.loads(
            run_role(
                env,
                "latency",
                "--spec",
                spec,
                "--client",
                str(args.clients),
                "--releases",
                str(args.releases),
            )
        )
        rows += [
            latency_row(f"PostgreSQL {pg.version()}: pgbench TPC-B", tpcb, None),
            latency_row(f"PostgreSQL {pg.version()}: escrow release", ours, tpcb),
        ]
    finally:
        pg.drop_all()
    return rows


def sqlite_figures(args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "NIAGA_DATA_DIR": scratch}
        env.pop("DATABASE_URL", None)
        migrate(env)
        spec = run_role(env, "setup", "--clients", "0")
        ours = json.loads(
            run_role(
                env, "latency", "--spec", spec, "--client", "0", "--releases", str(args.releases)
            )
        )
        tpcb = sqlite_tpcb_latencies(Path(scratch) / "tpcb.sqlite3", args.releases)
    version = sqlite3.sqlite_version
    return [
        latency_row(f"SQLite {version}: TPC-B through sqlite3", tpcb, None),
        latency_row(f"SQLite {version}: escrow release", ours, tpcb),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of each timed run")
    parser.add_argument("--clients", type=int, default=8, help="client processes")
    parser.add_argument("--releases", type=int, default=500, help="single-client releases")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="an administrative connection; scratch databases are created beside it",
    )
    parser.add_argument("--role", choices=["setup", "client", "latency"], help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--client", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "setup":
        return role_setup(args.clients)
    if args.role == "client":
        return role_client(json.loads(args.spec), args.client, args.seconds)
    if args.role == "latency":
        return role_latency(json.loads(args.spec), args.client, args.releases)

    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python "
        f"{platform.python_version()} · {time.strftime('%Y-%m-%d')}"
    )
    rows = [] if args.skip_postgres else postgres_figures(args)
    rows += sqlite_figures(args)
    print(f"\nOne client, {args.releases} in a row (warm), latency in ms:\n")
    print("| case | n | p50 | p95 | p50 × TPC-B |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
