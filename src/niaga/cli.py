"""The ``niaga`` command: demo, serve, worker, seed, and Django's own management commands."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "niaga.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)


def _prepare(*, verbose: bool = True) -> None:
    """Data directory, compiled catalogs and an up-to-date schema: what every server needs."""
    from django.core.management import call_command

    from niaga.core.catalogs import compile_catalogs

    compile_catalogs()
    if verbose:
        print("Preparing the database…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)


def demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    from niaga.demo import world

    _prepare()
    if world.is_seeded():
        print("The demo world is already there; keeping it.", flush=True)
    else:
        world.seed(size=args.size, seed=args.seed, progress=True)
    host_for_url = "localhost" if args.host in {"127.0.0.1", "0.0.0.0", "::"} else args.host  # noqa: S104
    print(world.sign_in_sheet(f"http://{host_for_url}:{args.port}/"), flush=True)
    # Roster imports and linkage run in the background, as they do in production.
    background = subprocess.Popen([sys.executable, "-m", "niaga.cli", "worker"])
    # A plain SIGTERM would skip the clean-up below and leave the worker running alone.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, skip_checks=True)
    finally:
        background.terminate()
        background.wait(timeout=30)
    return 0


def serve(args: argparse.Namespace) -> int:
    _setup_django()
    _prepare(verbose=False)
    from django.conf import settings
    from django.core.management import call_command

    if settings.STATIC_ROOT:
        call_command("collectstatic", interactive=False, verbosity=0)
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "niaga.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("NIAGA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    run()
    return 0


def worker(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("db_worker", *args.rest)
    return 0


def seed(args: argparse.Namespace) -> int:
    _setup_django()
    from niaga.demo import world

    _prepare()
    counts = world.seed(size=args.size, seed=args.seed, progress=True)
    print(", ".join(f"{count} {name}" for name, count in counts.items()))
    return 0


def import_roster(args: argparse.Namespace) -> int:
    """Send a roster file through the same service as the page and the API, then import it."""
    _setup_django()
    _prepare(verbose=False)
    from rich.progress import Progress

    from niaga.core.errors import NiagaError
    from niaga.registry import services
    from niaga.registry.models import UploadStatus

    if not args.file.is_file():
        print(f"niaga import-roster: error: no file at {args.file}", file=sys.stderr)
        return 2
    mapping = dict(_mapping_argument(item) for item in args.map)
    try:
        source = services.create_source(actor=None, name=args.source)
        with args.file.open("rb") as handle:
            upload, created = services.receive_roster(
                actor=None, source=source, fileobj=handle, original_name=args.file.name
            )
        if not created:
            print(f"This file was sent before (upload {upload.pk}); importing it again is a no-op.")
        with Progress() as bar:
            task = bar.add_task(f"Importing {args.file.name}", total=None)
            upload = services.import_upload(
                upload_id=upload.pk,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if upload.status == UploadStatus.MAPPING_NEEDED and mapping:
            services.set_mapping(actor=None, upload=upload, mapping=mapping)
            upload = services.import_upload(upload_id=upload.pk)
    except NiagaError as error:
        print(f"niaga import-roster: error: {error.message}", file=sys.stderr)
        return 2
    return _report_import(upload)


def _mapping_argument(item: str) -> tuple[str, str | None]:
    header, separator, field = item.partition("=")
    if not separator:
        raise SystemExit(f"niaga import-roster: error: --map wants HEADER=FIELD, not {item!r}")
    return header, field or None


def _report_import(upload) -> int:
    from niaga.registry.models import UploadStatus

    if upload.status == UploadStatus.FAILED:
        print(f"niaga import-roster: error: {upload.error_message}", file=sys.stderr)
        return 1
    if upload.status == UploadStatus.MAPPING_NEEDED:
        print("The columns need mapping. Suggested; pass each as --map HEADER=FIELD:")
        for header, field in upload.mapping.items():
            print(f"  --map {header!r}={field or ''}")
        return 3
    print(
        f"Upload {upload.pk}: {upload.total_rows} rows, {upload.imported_rows} imported, "
        f"{upload.quarantined_rows} quarantined, {upload.repeated_rows} already known."
    )
    return 0


def dedupe(args: argparse.Namespace) -> int:
    """Cluster a roster file without touching the database."""
    from niaga.registry.linkage.batch import dedupe_file

    if not args.input.is_file():
        print(f"niaga dedupe: error: no file at {args.input}", file=sys.stderr)
        return 2
    try:
        count = dedupe_file(args.input, args.output, engine=args.engine, progress=print)
    except ValueError as error:  # a missing column or an empty or repeated record id
        print(f"niaga dedupe: error: {error}", file=sys.stderr)
        return 2
    print(f"{count} records clustered into {args.output}")
    return 0


def link(args: argparse.Namespace) -> int:
    _setup_django()
    _prepare(verbose=False)
    from niaga.registry import services

    counts = services.run_linkage(actor=None, progress=print)
    print(", ".join(f"{count} {name}" for name, count in counts.items()))
    return 0


def credential(args: argparse.Namespace) -> int:
    """Curation credentials: a new signing key, or a check of a credential file."""
    from niaga.programs import credential_cli

    if args.action == "new-key":
        return credential_cli.new_key()
    return credential_cli.verify_file(
        args.file, keys_path=args.keys, revocations_path=args.revocations
    )


def ledger(args: argparse.Namespace) -> int:
    """Recompute the ledger and prove its invariants; exit 1 on any violation."""
    _setup_django()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("ledger_check")
    except CommandError as error:
        print(f"niaga ledger check: {error}", file=sys.stderr)
        return 1
    return 0


def policy(args: argparse.Namespace) -> int:
    """The policy lab from the command line: one scenario file in, its figures out."""
    from niaga.insights.policy import cli as policy_cli

    return policy_cli.simulate_file(args.params, as_json=args.json)


def manage(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["niaga manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="niaga", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_world_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--size",
            default="small",
            type=_size,
            help="small (default), medium, large, or a number of businesses",
        )
        command.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    demo_cmd = commands.add_parser("demo", help="migrate, seed the demo world once, and serve it")
    demo_cmd.add_argument("--port", type=_port, default=8000)
    demo_cmd.add_argument("--host", default="127.0.0.1")
    add_world_options(demo_cmd)
    demo_cmd.set_defaults(handler=demo)

    serve_cmd = commands.add_parser("serve", help="the production server (gunicorn)")
    serve_cmd.add_argument("--port", type=_port, default=int(os.environ.get("PORT", "8000")))
    serve_cmd.add_argument("--host", default=os.environ.get("NIAGA_HOST", "127.0.0.1"))
    serve_cmd.add_argument(
        "--workers", type=int, default=int(os.environ.get("NIAGA_WEB_WORKERS", "2"))
    )
    serve_cmd.set_defaults(handler=serve)

    worker_cmd = commands.add_parser("worker", help="run background tasks")
    worker_cmd.add_argument("rest", nargs=argparse.REMAINDER)
    worker_cmd.set_defaults(handler=worker)

    seed_cmd = commands.add_parser("seed", help="generate the demo world")
    add_world_options(seed_cmd)
    seed_cmd.set_defaults(handler=seed)

    roster_cmd = commands.add_parser("import-roster", help="import a ministry roster file")
    roster_cmd.add_argument("file", type=Path)
    roster_cmd.add_argument("--source", required=True, help="who sent it, e.g. kemenperin-2026")
    roster_cmd.add_argument(
        "--map", action="append", default=[], metavar="HEADER=FIELD", help="map a column"
    )
    roster_cmd.set_defaults(handler=import_roster)

    dedupe_cmd = commands.add_parser("dedupe", help="cluster a roster file (no database)")
    dedupe_cmd.add_argument("--input", type=Path, required=True)
    dedupe_cmd.add_argument("--output", type=Path, required=True)
    dedupe_cmd.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    dedupe_cmd.set_defaults(handler=dedupe)

    link_cmd = commands.add_parser("link", help="run registry linkage now, in this process")
    link_cmd.set_defaults(handler=link)

    credential_cmd = commands.add_parser("credential", help="curation credentials: keys, checks")
    credential_actions = credential_cmd.add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    credential_actions.add_parser(
        "new-key", help="print a fresh signing seed (stdout), its public key and key id (stderr)"
    )
    verify_cmd = credential_actions.add_parser(
        "verify",
        help="check a credential file: valid, revoked, expired or tampered",
        description="Exit status: 0 valid; 1 revoked, expired or tampered; 2 unreadable input.",
    )
    verify_cmd.add_argument("file", metavar="FILE", help="the credential JSON, or - for stdin")
    verify_cmd.add_argument(
        "--keys",
        type=Path,
        metavar="KEYSET.json",
        help="the issuer's published JWK Set; checks offline, without this installation",
    )
    verify_cmd.add_argument(
        "--revocations",
        type=Path,
        metavar="LIST.json",
        help="the issuer's signed revocation list",
    )
    credential_cmd.set_defaults(handler=credential)

    ledger_cmd = commands.add_parser("ledger", help="the ledger: check its invariants")
    ledger_actions = ledger_cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    ledger_actions.add_parser(
        "check", help="recompute every balance from the transfers; exit 1 on any violation"
    )
    ledger_cmd.set_defaults(handler=ledger)

    policy_cmd = commands.add_parser("policy", help="the policy lab: simulate a fee waiver")
    policy_actions = policy_cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    simulate_cmd = policy_actions.add_parser(
        "simulate",
        help="the closed-form figures of one scenario",
        description="Exit status: 0 done; 2 unreadable or invalid parameters.",
    )
    simulate_cmd.add_argument("--params", type=Path, required=True, metavar="FILE.json")
    simulate_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    policy_cmd.set_defaults(handler=policy)

    manage_cmd = commands.add_parser("manage", help="Django's management commands")
    manage_cmd.add_argument("rest", nargs=argparse.REMAINDER)
    manage_cmd.set_defaults(handler=manage)
    return parser


def _size(value: str) -> str | int:
    if value in {"small", "medium", "large"}:
        return value
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not small, medium, large or a whole number"
        ) from None
    if not 1 <= number <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{number} is not between 1 and 1000000")
    return number


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not between 1 and 65535")
    return number


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
